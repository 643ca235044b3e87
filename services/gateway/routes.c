/* routes.c -- every route of the gateway in one table, and the dispatcher
 * that gives each request an id, a log context and its metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "respond.h"

typedef struct {
    const char *method;
    const char *path;   /* ulfius format; also the metrics label */
    gw_handler handler;
} gw_route;

static const gw_route routes[] = {
    { "GET", "/api/v1/pns/:nip", gw_pns_get },
    { "POST", "/api/v1/pns/:nip/koreksi", gw_correction_new },
    { "POST", "/api/v1/captcha", gw_captcha_new },
    { "GET", "/api/v1/pertanyaan-pengaman", gw_questions },
    { "POST", "/api/v1/registrasi/mulai", gw_registration_start },
    { "POST", "/api/v1/registrasi", gw_registration_submit },
    { "GET", "/api/v1/registrasi/:no", gw_registration_get },
    { "POST", "/api/v1/auth/login", gw_login },
    { "POST", "/api/v1/auth/logout", gw_logout },
    { "GET", "/healthz", gw_healthz },
    { "GET", "/readyz", gw_readyz },
    { "GET", "/metrics", gw_metrics },
};

typedef struct {
    const gw_route *route;
    gw_ctx *gw;
} route_binding;

static route_binding bindings[sizeof routes / sizeof routes[0] + 1];

/* Keeps a client's X-Request-Id if it is short and plain, else makes one. */
static void request_id(const struct _u_request *req, char out[PC_UUID_LEN + 28]) {
    const char *given = u_map_get_case(req->map_header, "X-Request-Id");
    if (pc_log_request_id_valid(given)) {
        snprintf(out, PC_UUID_LEN + 28, "%s", given);
        return;
    }
    pc_uuid_v4(out);
}

static int dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data) {
    const route_binding *b = user_data;
    int64_t t0 = pc_mono_us();
    char rid[PC_UUID_LEN + 28];
    request_id(req, rid);
    pc_log_set_cid(rid);
    pc_log_set_request_id(rid); /* travels in every event this request causes */
    ulfius_add_header_to_response(resp, "X-Request-Id", rid);

    /* Refuse what announces itself as too big before any handler parses it. */
    const char *clen = u_map_get_case(req->map_header, "Content-Length");
    if (clen && strtoll(clen, NULL, 10) > b->gw->cfg.http_max_body)
        gw_fail(resp, 413, "permintaan_terlalu_besar", "Permintaan terlalu besar",
                "Data yang dikirim melebihi batas ukuran yang diizinkan.", NULL);
    else
        b->route->handler(b->gw, req, resp);

    /* Labels are the route template and a known method, never raw client
     * text: a client must not be able to create series without bound. */
    const char *label = b->route ? b->route->path : "static";
    const char *verb = req->http_verb;
    const char *method = strcmp(verb, "GET") == 0 || strcmp(verb, "POST") == 0 || strcmp(verb, "HEAD") == 0
                             ? verb : "other";
    char labels[192];
    snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\",status=\"%ld\"", label,
             method, resp->status);
    pc_metrics_inc("pupns_http_requests_total", labels, 1);
    snprintf(labels, sizeof labels, "route=\"%s\"", label);
    pc_metrics_observe("pupns_http_request_duration_seconds", labels,
                       (double)(pc_mono_us() - t0) / 1e6);
    if (resp->status >= 500) PC_WARN("%s %s -> %ld", method, label, resp->status);
    pc_log_set_cid(NULL);
    pc_log_set_request_id(NULL);
    return U_CALLBACK_COMPLETE;
}

static const gw_route static_route = { "GET", "static", gw_static };

int gw_routes_register(struct _u_instance *instance, gw_ctx *gw) {
    size_t n = sizeof routes / sizeof routes[0];
    for (size_t i = 0; i < n; i++) {
        bindings[i] = (route_binding){ &routes[i], gw };
        if (ulfius_add_endpoint_by_val(instance, routes[i].method, NULL, routes[i].path, 0,
                                       dispatch, &bindings[i]) != U_OK)
            return -1;
    }
    /* Everything else: the portal's files, or a problem+json 404 under /api. */
    bindings[n] = (route_binding){ &static_route, gw };
    return ulfius_set_default_endpoint(instance, dispatch, &bindings[n]) == U_OK ? 0 : -1;
}
