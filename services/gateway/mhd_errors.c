/* mhd_errors.c -- libmicrohttpd's own error pages replaced by problem+json
 * (mhd_errors.h says how and why). */
#include "mhd_errors.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <ulfius.h>

#include "edge.h"
#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "respond.h"

/* Marks a response made from one of libmicrohttpd's pages until it is
 * queued; never sent (the page is replaced, or the mark removed). */
#define PAGE_MARK "X-Pupns-Library-Page"

typedef struct MHD_Response *(*create_fn)(size_t, void *, enum MHD_ResponseMemoryMode);
typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);

static struct {
    pthread_once_t once;
    create_fn create;
    queue_fn queue;
} real = { .once = PTHREAD_ONCE_INIT };

static void resolve_real(void) {
    /* The definitions after ours in lookup order: libmicrohttpd's. */
    real.create = (create_fn)dlsym(RTLD_NEXT, "MHD_create_response_from_buffer");
    real.queue = (queue_fn)dlsym(RTLD_NEXT, "MHD_queue_response");
}

/* libmicrohttpd's error pages are static HTML documents, all starting so;
 * ulfius hands its bodies over as copies or to be freed, never persistent. */
static int is_library_page(size_t size, const void *buffer, enum MHD_ResponseMemoryMode mode) {
    static const char prefix[] = "<html><head><title>";
    return mode == MHD_RESPMEM_PERSISTENT && buffer && size >= sizeof prefix - 1 &&
           memcmp(buffer, prefix, sizeof prefix - 1) == 0;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode);
enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response);

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode) {
    pthread_once(&real.once, resolve_real);
    if (!real.create) return NULL;
    struct MHD_Response *r = real.create(size, buffer, mode);
    if (r && is_library_page(size, buffer, mode)) MHD_add_response_header(r, PAGE_MARK, "1");
    return r;
}

/* What libmicrohttpd's statuses mean to the person who sent the request. */
static const struct {
    unsigned int status;
    const char *code, *title, *detail;
} meanings[] = {
    { MHD_HTTP_BAD_REQUEST, "permintaan_tidak_valid", "Permintaan tidak valid",
      "Permintaan HTTP tidak dapat dibaca. Periksa format permintaan." },
    { MHD_HTTP_CONTENT_TOO_LARGE, "permintaan_terlalu_besar", "Permintaan terlalu besar",
      "Data yang dikirim melebihi batas ukuran yang diizinkan." },
    { MHD_HTTP_URI_TOO_LONG, "alamat_terlalu_panjang", "Alamat terlalu panjang",
      "Alamat (URL) permintaan melebihi batas panjang yang diizinkan." },
    { MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, "header_terlalu_besar", "Header permintaan terlalu besar",
      "Header permintaan melebihi batas ukuran yang diizinkan." },
    { MHD_HTTP_HTTP_VERSION_NOT_SUPPORTED, "versi_http_tidak_didukung", "Versi HTTP tidak didukung",
      "Gunakan HTTP/1.1 atau HTTP/1.0." },
};

struct MHD_Response *gw_mhd_problem_for(unsigned int status, const char *client_request_id) {
    for (size_t i = 0; i < sizeof meanings / sizeof meanings[0]; i++)
        if (meanings[i].status == status)
            return gw_mhd_problem(status, meanings[i].code, meanings[i].title, meanings[i].detail,
                                  client_request_id);
    if (status >= 500)
        return gw_mhd_problem(status, "kesalahan_server", "Terjadi gangguan pada server",
                              "Silakan coba lagi beberapa saat lagi.", client_request_id);
    return gw_mhd_problem(status, "permintaan_ditolak", "Permintaan ditolak",
                          "Permintaan tidak dapat diproses. Periksa format permintaan.", client_request_id);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response) {
    pthread_once(&real.once, resolve_real);
    if (!real.queue) return MHD_NO;
    if (!response || !MHD_get_response_header(response, PAGE_MARK)) return real.queue(connection, status_code, response);
    MHD_del_response_header(response, PAGE_MARK, "1");
    char labels[32];
    snprintf(labels, sizeof labels, "status=\"%u\"", status_code);
    pc_metrics_inc("pupns_http_library_errors_total", labels, 1);
    /* Anyone can send such requests: the metric counts each, the log only
     * the first 20 and then every 1000th. */
    static atomic_ulong refused;
    unsigned long n = atomic_fetch_add(&refused, 1) + 1;
    if (n <= 20 || n % 1000 == 0)
        PC_INFO("libmicrohttpd refused a request it could not parse: %u (%lu so far)", status_code, n);
    struct MHD_Response *problem = gw_mhd_problem_for(status_code, NULL);
    if (!problem) return real.queue(connection, status_code, response); /* out of memory: its page, then */
    enum MHD_Result ret = real.queue(connection, status_code, problem);
    MHD_destroy_response(problem); /* the connection holds its own reference */
    return ret;
}

struct MHD_Response *gw_mhd_problem(unsigned int status, const char *code, const char *title, const char *detail,
                                    const char *client_request_id) {
    struct _u_response resp;
    if (ulfius_init_response(&resp) != U_OK) return NULL;
    char rid[PC_UUID_LEN + 28];
    gw_request_id(client_request_id, rid);
    ulfius_add_header_to_response(&resp, "X-Request-Id", rid);
    gw_edge_security_headers(&resp);
    gw_fail(&resp, (int)status, code, title, detail, NULL);
    struct MHD_Response *r = MHD_create_response_from_buffer(resp.binary_body_length, resp.binary_body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (r) {
        const char **keys = u_map_enum_keys(resp.map_header);
        for (size_t i = 0; keys && keys[i]; i++)
            MHD_add_response_header(r, keys[i], u_map_get(resp.map_header, keys[i]));
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    ulfius_clean_response(&resp);
    return r;
}
