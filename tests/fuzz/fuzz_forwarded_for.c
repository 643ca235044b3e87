/* fuzz_forwarded_for.c -- libFuzzer target: gw_client_from
 * (services/gateway/client_address.c). Input: an X-Forwarded-For value;
 * the peer is a trusted proxy, so the whole chain is walked. The answer is
 * always the peer or one of the chain's hops, and an IP address. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_address.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz check failed: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        CHECK(gw_trusted_proxies_init("10.0.0.0/8,2001:db8::/32", NULL, 0) == PC_OK);
        ready = 1;
    }
    char *xff = malloc(size + 1);
    if (!xff) return 0;
    memcpy(xff, data, size);
    xff[size] = '\0';
    char out[64];
    gw_client_from("10.0.0.1", xff, out);
    unsigned char bin[16];
    CHECK(inet_pton(AF_INET, out, bin) == 1 || inet_pton(AF_INET6, out, bin) == 1);
    CHECK(strcmp(out, "10.0.0.1") == 0 || strstr(xff, out) != NULL);
    free(xff);
    return 0;
}
