/* health.c -- /healthz, /readyz and /metrics on a one-thread libmicrohttpd daemon. */
#include "health.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"

struct pc_health {
    struct MHD_Daemon *daemon;
    pc_producer *producer;
    char topic[128];
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type, char *body,
                              enum MHD_ResponseMemoryMode mode) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, mode);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_len, void **state) {
    (void)version;
    (void)upload;
    (void)upload_len;
    (void)state;
    pc_health *h = cls;
    if (strcmp(method, "GET") != 0) return answer(c, 405, "text/plain", "method not allowed\n", MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/healthz") == 0) return answer(c, 200, "text/plain", "ok\n", MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/readyz") == 0) {
        char err[256];
        int ready = pc_kafka_check_topic(h->producer, h->topic, 1000, err, sizeof err) == PC_OK;
        return answer(c, ready ? 200 : 503, "text/plain", ready ? "ready\n" : "not ready\n", MHD_RESPMEM_PERSISTENT);
    }
    if (strcmp(url, "/metrics") == 0) {
        char *text = pc_metrics_render();
        if (!text) return answer(c, 500, "text/plain", "out of memory\n", MHD_RESPMEM_PERSISTENT);
        return answer(c, 200, "text/plain; version=0.0.4", text, MHD_RESPMEM_MUST_FREE);
    }
    return answer(c, 404, "text/plain", "not found\n", MHD_RESPMEM_PERSISTENT);
}

pc_health *pc_health_start(const pc_config *cfg, pc_producer *producer, const char *topic, pc_status *st) {
    *st = PC_OK;
    if (cfg->health_port == 0) return NULL;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->health_port);
    pc_health *h = calloc(1, sizeof *h);
    if (!h || inet_pton(AF_INET, cfg->http_bind, &addr.sin_addr) != 1) {
        free(h);
        *st = PC_ERROR;
        return NULL;
    }
    h->producer = producer;
    snprintf(h->topic, sizeof h->topic, "%s", topic);
    /* One internal thread: probes and scrapes are rare and answered at once. */
    h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, (uint16_t)cfg->health_port,
                                 NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        PC_ERROR("cannot listen for health checks on %s:%d", cfg->http_bind, cfg->health_port);
        free(h);
        *st = PC_ERROR;
        return NULL;
    }
    PC_INFO("health checks on http://%s:%d/healthz", cfg->http_bind, cfg->health_port);
    return h;
}

void pc_health_stop(pc_health *h) {
    if (!h) return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
