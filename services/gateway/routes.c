/* routes.c -- every route of the gateway in one table, and the dispatcher
 * that gives each request an id, a log context and its metrics. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge.h"
#include "gateway.h"
#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "respond.h"

typedef struct {
    const char *method;
    const char *path;   /* ulfius format; also the metrics label */
    gw_handler handler;
    gw_bp_class shed;   /* class of work shed under load (backpressure.h); 0: never */
} gw_route;

static const gw_route routes[] = {
    { "GET", "/api/v1/pns/:nip", gw_pns_get, GW_BP_LOOKUP },
    { "POST", "/api/v1/pns/:nip/koreksi", gw_correction_new, GW_BP_NONE },
    { "GET", "/api/v1/pns/:nip/koreksi", gw_correction_list, GW_BP_NONE },
    { "POST", "/api/v1/captcha", gw_captcha_new, GW_BP_CAPTCHA },
    { "GET", "/api/v1/pertanyaan-pengaman", gw_questions, GW_BP_NONE },
    { "POST", "/api/v1/registrasi/mulai", gw_registration_start, GW_BP_NONE },
    { "POST", "/api/v1/registrasi", gw_registration_submit, GW_BP_REGISTRATION },
    { "GET", "/api/v1/registrasi/:no", gw_registration_get, GW_BP_NONE },
    { "GET", "/api/v1/registrasi/:no/bukti.pdf", gw_receipt_bukti, GW_BP_NONE },
    { "GET", "/api/v1/registrasi/:no/formulir.pdf", gw_receipt_formulir, GW_BP_NONE },
    { "GET", "/api/v1/bukti/kunci", gw_receipt_keys, GW_BP_NONE },
    { "GET", "/api/v1/bukti/verifikasi", gw_receipt_verify, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/login", gw_verifier_login, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/logout", gw_verifier_logout, GW_BP_NONE },
    { "GET", "/api/v1/verifikator/sesi", gw_verifier_session, GW_BP_NONE },
    { "GET", "/api/v1/verifikator/unit-kerja/:kode/pns", gw_verifier_pns, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/tanda-terima", gw_verifier_mark, GW_BP_NONE },
    { "DELETE", "/api/v1/verifikator/tanda-terima/:no", gw_verifier_unmark, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/batch", gw_verifier_batch_create, GW_BP_NONE },
    { "GET", "/api/v1/verifikator/batch", gw_verifier_batch_list, GW_BP_NONE },
    { "GET", "/api/v1/verifikator/batch/:id", gw_verifier_batch_get, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/batch/:id/ubah", gw_verifier_batch_edit, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/batch/:id/kirim", gw_verifier_batch_submit, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/batch/:id/batal", gw_verifier_batch_cancel, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/batch/:id/terima", gw_verifier_batch_accept, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/batch/:id/kembalikan", gw_verifier_batch_return, GW_BP_NONE },
    { "GET", "/api/v1/verifikator/koreksi", gw_verifier_corrections, GW_BP_NONE },
    { "POST", "/api/v1/verifikator/koreksi/:id/putuskan", gw_verifier_correction_resolve, GW_BP_NONE },
    { "GET", "/api/v1/verifikator/audit", gw_verifier_audit, GW_BP_NONE },
    { "GET", "/api/v1/unit-kerja/:kode/status", gw_unit_status, GW_BP_NONE },
    { "POST", "/api/v1/auth/login", gw_login, GW_BP_REGISTRATION },
    { "POST", "/api/v1/auth/logout", gw_logout, GW_BP_NONE },
    { "POST", "/api/v1/kata-kunci/reset", gw_password_reset, GW_BP_REGISTRATION },
    { "POST", "/api/v1/kata-kunci/lupa", gw_password_forgot, GW_BP_REGISTRATION },
    { "POST", "/api/v1/kata-kunci/baru", gw_password_token_reset, GW_BP_REGISTRATION },
    { "POST", "/api/v1/status", gw_status_check, GW_BP_REGISTRATION },
    { "POST", "/api/v1/email/verifikasi", gw_email_verify, GW_BP_REGISTRATION },
    { "GET", "/api/v1/akun", gw_account_get, GW_BP_NONE },
    { "POST", "/api/v1/akun/email", gw_account_email, GW_BP_REGISTRATION },
    { "POST", "/api/v1/akun/email/kirim-ulang", gw_account_email_resend, GW_BP_REGISTRATION },
    { "POST", "/api/v1/akun/kata-kunci", gw_account_password, GW_BP_REGISTRATION },
    { "GET", "/healthz", gw_healthz, GW_BP_NONE },
    { "GET", "/readyz", gw_readyz, GW_BP_NONE },
    { "GET", "/metrics", gw_metrics, GW_BP_NONE },
};

typedef struct {
    const gw_route *route;
    gw_ctx *gw;
} route_binding;

static route_binding bindings[sizeof routes / sizeof routes[0] + 1];

void gw_request_id(const char *given, char out[PC_UUID_LEN + 28]) {
    if (pc_log_request_id_valid(given)) {
        snprintf(out, PC_UUID_LEN + 28, "%s", given);
        return;
    }
    pc_uuid_v4(out);
}

/* Backpressure before any handler work (a captcha is not consumed by a
 * request that is then refused, so the same form can be sent again).
 * 0 after answering 503 sistem_sibuk. */
static int admitted(const route_binding *b, struct _u_response *resp) {
    int retry_after = 0;
    const char *reason = NULL;
    if (b->route->shed == GW_BP_NONE || gw_bp_enter(b->gw->bp, b->route->shed, &retry_after, &reason))
        return 1;
    gw_service_busy(resp, retry_after);
    char labels[160];
    snprintf(labels, sizeof labels, "route=\"%s\",reason=\"%s\"", b->route->path, reason);
    pc_metrics_inc("pupns_http_shed_total", labels, 1);
    /* One line a second per class at most: shedding is when logs must stay cheap. */
    static _Atomic int64_t logged_s[GW_BP_CLASSES];
    int64_t now_s = pc_mono_us() / 1000000, last = atomic_load(&logged_s[b->route->shed]);
    if (now_s != last && atomic_compare_exchange_strong(&logged_s[b->route->shed], &last, now_s))
        PC_INFO("shedding %s (%s), Retry-After %d s; counted in pupns_http_shed_total", b->route->path,
                reason, retry_after);
    return 0;
}

/* Runs the handler inside its admission slot, if it took one. */
static void run_admitted(const route_binding *b, const struct _u_request *req, struct _u_response *resp) {
    b->route->handler(b->gw, req, resp);
    if (b->route->shed != GW_BP_NONE) gw_bp_leave(b->gw->bp);
}

static int dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data) {
    const route_binding *b = user_data;
    int64_t t0 = pc_mono_us();
    int shed = 0;
    char rid[PC_UUID_LEN + 28];
    gw_request_id(u_map_get_case(req->map_header, "X-Request-Id"), rid);
    pc_log_set_cid(rid);
    pc_log_set_request_id(rid); /* travels in every event this request causes */
    ulfius_add_header_to_response(resp, "X-Request-Id", rid);

    gw_edge_security_headers(resp);
    /* The edge's rules (edge.h) before any handler parses anything. */
    if (gw_edge_refused(req, resp, b->gw->cfg.http_max_body))
        ;
    else if (admitted(b, resp))
        run_admitted(b, req, resp);
    else
        shed = 1;

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
    if (resp->status >= 500 && !shed) PC_WARN("%s %s -> %ld", method, label, resp->status);
    pc_log_set_cid(NULL);
    pc_log_set_request_id(NULL);
    return U_CALLBACK_COMPLETE;
}

static const gw_route static_route = { "GET", "static", gw_static, GW_BP_NONE };

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
