/* client_address.c -- the client's address behind trusted proxies
 * (client_address.h). */
#include "client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <ulfius.h>

#include "gateway.h"

#define MAX_PROXIES 64

typedef struct {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int prefix;              /* bits that must match */
} ip_block;

static ip_block proxies[MAX_PROXIES];
static int nproxies;

/* text -> family + bytes; 0 if it is not an address. */
static int parse_ip(const char *text, int *family, unsigned char out[16]) {
    memset(out, 0, 16);
    if (inet_pton(AF_INET, text, out) == 1) {
        *family = AF_INET;
        return 1;
    }
    if (inet_pton(AF_INET6, text, out) == 1) {
        *family = AF_INET6;
        return 1;
    }
    return 0;
}

static int in_block(const ip_block *b, int family, const unsigned char *a) {
    if (b->family != family) return 0;
    int full = b->prefix / 8, rest = b->prefix % 8;
    if (memcmp(b->addr, a, (size_t)full) != 0) return 0;
    if (rest == 0) return 1;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (b->addr[full] & mask) == (a[full] & mask);
}

pc_status gw_trusted_proxies_init(const char *list, char *errstr, size_t errlen) {
    nproxies = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list ? list : "");
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        ip_block b = { 0 };
        char *slash = strchr(tok, '/');
        if (slash) *slash = '\0';
        int ok = nproxies < MAX_PROXIES && parse_ip(tok, &b.family, b.addr);
        int max = b.family == AF_INET ? 32 : 128;
        b.prefix = max;
        if (ok && slash) {
            char *end = NULL;
            long p = strtol(slash + 1, &end, 10);
            ok = end != slash + 1 && *end == '\0' && p >= 0 && p <= max;
            b.prefix = (int)p;
        }
        if (!ok) {
            snprintf(errstr, errlen, "PUPNS_TRUSTED_PROXIES: '%s%s%s' is not an IP address or CIDR block "
                                     "(at most %d entries)", tok, slash ? "/" : "", slash ? slash + 1 : "", MAX_PROXIES);
            nproxies = 0;
            return PC_EINVAL;
        }
        proxies[nproxies++] = b;
    }
    return PC_OK;
}

int gw_trusted_proxy(const char *text) {
    int family;
    unsigned char a[16];
    if (!parse_ip(text, &family, a)) return 0;
    for (int i = 0; i < nproxies; i++)
        if (in_block(&proxies[i], family, a)) return 1;
    return 0;
}

void gw_client_from(const char *peer, const char *xff, char out[64]) {
    snprintf(out, 64, "%s", peer);
    if (!xff || !gw_trusted_proxy(peer)) return;
    /* Right to left: each hop was added by the proxy before it. */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", xff);
    size_t n = strlen(buf);
    while (n > 0) {
        size_t end = n;
        while (n > 0 && buf[n - 1] != ',') n--;
        char *hop = buf + n;
        buf[end] = '\0';
        while (*hop == ' ' || *hop == '\t') hop++;
        size_t len = strlen(hop);
        while (len > 0 && (hop[len - 1] == ' ' || hop[len - 1] == '\t')) hop[--len] = '\0';
        int family;
        unsigned char a[16];
        if (!parse_ip(hop, &family, a)) return; /* garbage in the chain: keep the last trusted hop */
        snprintf(out, 64, "%s", hop);
        if (!gw_trusted_proxy(hop)) return;
        if (n > 0) n--; /* the comma */
    }
}

void gw_client_address(const struct _u_request *req, char out[64]) {
    char peer[64] = "unknown";
    const struct sockaddr *sa = req->client_address;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer, sizeof peer);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, peer, sizeof peer);
    gw_client_from(peer, u_map_get_case(req->map_header, "X-Forwarded-For"), out);
}
