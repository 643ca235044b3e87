/* requests.c -- pupns.verifier.requests on the serve loop: the login, the
 * unauthenticated routes (a PNS's state, a unit's status) and every API
 * operation. For an operation this module authenticates the session
 * (401), checks the role the operation needs (403); the operation itself
 * checks the scope (own unit, own BKD) against the object it touches. The
 * reply is {status: ok, http, body} or {status: problem, http, code,
 * title, detail, field}: the gateway only maps it to HTTP. */
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "metrics.h"
#include "serve.h"
#include "verifier.h"

typedef struct {
    const char *op;
    verifier_op_fn fn;
    int roles; /* VR_* mask of who may call it at all */
} op_entry;

#define ANY (VR_V1 | VR_V2 | VR_ADMIN)

static const op_entry ops[] = {
    { "session", verifier_op_session, ANY },
    { "logout", verifier_op_logout, ANY },
    { "pns.list", verifier_op_pns_list, ANY },
    { "receipt.mark", verifier_op_mark, VR_V1 },
    { "receipt.unmark", verifier_op_unmark, VR_V1 },
    { "batch.create", verifier_op_batch_create, VR_V1 },
    { "batch.list", verifier_op_batch_list, ANY },
    { "batch.get", verifier_op_batch_get, ANY },
    { "batch.edit", verifier_op_batch_edit, VR_V1 },
    { "batch.submit", verifier_op_batch_submit, VR_V1 },
    { "batch.cancel", verifier_op_batch_cancel, VR_V1 },
    { "batch.accept", verifier_op_batch_accept, VR_V2 },
    { "batch.return", verifier_op_batch_return, VR_V2 },
    { "correction.list", verifier_op_correction_list, VR_V2 | VR_ADMIN },
    { "correction.resolve", verifier_op_correction_resolve, VR_V2 | VR_ADMIN },
    { "audit.list", verifier_op_audit_list, VR_ADMIN },
    { "receipt.access", verifier_op_receipt_access, ANY },
};

static json_t *result_reply(verifier_result *r) {
    if (r->code[0]) {
        json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s}", "status", "problem", "http", r->http, "code", r->code,
                              "title", r->title, "detail", r->detail);
        if (r->field[0]) json_object_set_new(o, "field", json_string(r->field));
        return o;
    }
    json_t *o = json_pack("{s:s, s:i}", "status", "ok", "http", r->http);
    if (r->body) json_object_set_new(o, "body", r->body);
    r->body = NULL;
    return o;
}

static pc_status api(verifier_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *opname = verifier_str(ev->data, "op");
    json_t *args = json_object_get(ev->data, "args");
    if (!json_is_object(args)) args = NULL;
    verifier_result r = { 0 };
    const op_entry *op = NULL;
    for (size_t i = 0; opname && i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].op, opname) == 0) op = &ops[i];
    if (!op) {
        verifier_problem(&r, 404, "operasi_tidak_dikenal", "Operasi tidak dikenal",
                         "Operasi verifikasi yang diminta tidak dikenal.", NULL);
        *reply = result_reply(&r);
        return PC_OK;
    }
    verifier_principal p = { 0 };
    pc_status st = verifier_authenticate(db, verifier_str(ev->data, "token_hash"), &p);
    if (st == PC_EDENIED) {
        verifier_problem(&r, 401, "perlu_login", "Perlu masuk (login)",
                         "Sesi verifikator Anda tidak valid atau sudah berakhir. Silakan masuk kembali.", NULL);
        *reply = result_reply(&r);
        return PC_OK;
    }
    if (st != PC_OK) return st;
    const char *client = verifier_str(ev->data, "client_address");
    snprintf(p.client, sizeof p.client, "%s", client ? client : "unknown");
    p.request_id = ev->requestid;
    if (!(op->roles & (int)p.role)) {
        verifier_problem(&r, 403, "peran_tidak_diizinkan", "Tidak diizinkan",
                         "Peran akun Anda tidak diizinkan melakukan tindakan ini.", NULL);
        PC_INFO("verifier %s (%s) refused %s: role", p.username, p.role_name, op->op);
    } else {
        json_t *a = args ? json_incref(args) : json_object();
        json_object_set(a, "token_hash", json_object_get(ev->data, "token_hash"));
        st = op->fn(ctx, db, &p, a, &r);
        json_decref(a);
        if (st != PC_OK) {
            verifier_principal_clear(&p);
            json_decref(r.body);
            return st;
        }
        if (r.code[0]) PC_INFO("verifier %s (%s) %s -> %d %s", p.username, p.role_name, op->op, r.http, r.code);
    }
    char labels[96];
    snprintf(labels, sizeof labels, "op=\"%s\",http=\"%d\"", op->op, r.http);
    pc_metrics_inc("pupns_verifier_operations_total", labels, 1);
    verifier_principal_clear(&p);
    *reply = result_reply(&r);
    return PC_OK;
}

static pc_status handle(void *w, const pc_event *ev, json_t **reply) {
    verifier_worker *wk = w;
    if (strcmp(ev->type, PC_TYPE_VERIFIER_API) == 0) return api(wk->ctx, wk->db, ev, reply);
    if (strcmp(ev->type, PC_TYPE_VERIFIER_LOGIN) == 0) return verifier_login(wk->ctx, wk->db, ev, reply);
    if (strcmp(ev->type, PC_TYPE_VERIFIER_PNS_STATE) == 0) return verifier_pns_state(wk->db, ev->data, reply);
    if (strcmp(ev->type, PC_TYPE_VERIFIER_UNIT_STATUS) == 0) return verifier_unit_status(wk->db, ev->data, reply);
    return PC_EINVAL;
}

/* Several workers: a request may wait on identity or receipt (roster, QR). */
static int worker_count(const pc_config *cfg) {
    return cfg->workers > 0 ? cfg->workers : 4;
}

pc_status verifier_serve_requests(verifier_ctx *ctx) {
    static const pc_serve_route routes[] = {
        { PC_TYPE_VERIFIER_API, PC_TYPE_VERIFIER_API_REPLY },
        { PC_TYPE_VERIFIER_LOGIN, PC_TYPE_VERIFIER_LOGIN_REPLY },
        { PC_TYPE_VERIFIER_PNS_STATE, PC_TYPE_VERIFIER_PNS_STATE_REPLY },
        { PC_TYPE_VERIFIER_UNIT_STATUS, PC_TYPE_VERIFIER_UNIT_STATUS_REPLY },
    };
    const char *topics[] = { PC_TOPIC_VERIFIER_REQUESTS };
    pc_serve_spec spec = {
        .name = "requests",
        .group = "pupns-verifier-requests",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .handle = handle,
        .workers = worker_count(&ctx->cfg),
        .batch_max = 16,
        .worker_open = verifier_worker_open,
        .worker_close = verifier_worker_close,
        .ctx = ctx,
        .producer = ctx->replies,
    };
    return pc_serve_run(&ctx->cfg, &spec);
}
