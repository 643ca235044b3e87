/* store.c -- the verifier schema's small common pieces: statements,
 * transactions, the audit log, the outbox, results and the worker state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "outbox.h"
#include "verifier.h"

const char *verifier_str(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s ? s : NULL;
}

PGresult *verifier_sql(pc_pg *db, const char *sql, int n, const char *const *params, pc_status *st) {
    return pc_pg_exec(db, sql, n, params, 0, st);
}

pc_status verifier_tx(pc_pg *db, const char *what) {
    pc_status st;
    PQclear(pc_pg_exec(db, what, 0, NULL, 0, &st));
    return st;
}

json_t *verifier_sql_json(pc_pg *db, const char *sql, int n, const char *const *params, pc_status *st) {
    PGresult *res = pc_pg_exec(db, sql, n, params, 0, st);
    if (!res) return NULL;
    json_t *out = NULL;
    if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
        *st = PC_ENOTFOUND;
    } else if (!(out = json_loads(PQgetvalue(res, 0, 0), JSON_DECODE_ANY, NULL))) {
        *st = PC_ERROR;
    }
    PQclear(res);
    return out;
}

pc_status verifier_audit_login(pc_pg *db, long long account_id, const char *username, const char *role,
                               const char *action, const char *client, json_t *detail) {
    char id[24];
    snprintf(id, sizeof id, "%lld", account_id);
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    const char *rid = pc_log_request_id();
    const char *params[] = { account_id > 0 ? id : NULL, username, role, action, username, client,
                             rid && *rid ? rid : NULL, d ? d : "{}" };
    pc_status st;
    PQclear(verifier_sql(db,
                         "INSERT INTO verifier.audit (account_id, username, role, action, object, client_address,"
                         " request_id, detail) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8::jsonb)",
                         8, params, &st));
    free(d);
    return st;
}

pc_status verifier_audit(pc_pg *db, const verifier_principal *p, const char *action, const char *object,
                         json_t *detail) {
    char id[24];
    snprintf(id, sizeof id, "%lld", p->id);
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    json_decref(detail);
    const char *params[] = { id, p->username, p->role_name, action, object, p->client,
                             p->request_id && *p->request_id ? p->request_id : NULL, d ? d : "{}" };
    pc_status st;
    PQclear(verifier_sql(db,
                         "INSERT INTO verifier.audit (account_id, username, role, action, object, client_address,"
                         " request_id, detail) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8::jsonb)",
                         8, params, &st));
    free(d);
    return st;
}

pc_status verifier_emit(pc_pg *db, const char *type, const char *instansi_kode, json_t *data) {
    const pc_event_ext ext[] = { { PC_EXT_INSTANSI, instansi_kode }, { NULL, NULL } };
    return pc_outbox_add_ext(db, "verifier", PC_TOPIC_VERIFIER_EVENTS, type, instansi_kode, data, ext);
}

pc_status verifier_problem(verifier_result *r, int http, const char *code, const char *title, const char *detail,
                           const char *field) {
    json_decref(r->body);
    r->body = NULL;
    r->http = http;
    snprintf(r->code, sizeof r->code, "%s", code);
    snprintf(r->title, sizeof r->title, "%s", title);
    snprintf(r->detail, sizeof r->detail, "%s", detail);
    snprintf(r->field, sizeof r->field, "%s", field ? field : "");
    return PC_OK;
}

pc_status verifier_ok(verifier_result *r, int http, json_t *body) {
    json_decref(r->body);
    r->http = http;
    r->body = body;
    r->code[0] = 0;
    return body || http == 204 ? PC_OK : PC_ERROR;
}

void verifier_principal_clear(verifier_principal *p) {
    json_decref(p->units);
    json_decref(p->instansi);
    memset(p, 0, sizeof *p);
}

static int in_array(json_t *a, const char *s) {
    size_t i;
    json_t *v;
    if (!s) return 0;
    json_array_foreach(a, i, v) if (json_string_value(v) && strcmp(json_string_value(v), s) == 0) return 1;
    return 0;
}

int verifier_has_unit(const verifier_principal *p, const char *kode) {
    return p->role == VR_V1 && in_array(p->units, kode);
}

int verifier_in_bkd(const verifier_principal *p, const char *instansi_kode) {
    return p->role == VR_V2 && in_array(p->instansi, instansi_kode);
}

void *verifier_worker_open(void *ctx, int index, char *errstr, size_t errlen) {
    (void)index;
    verifier_worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    w->ctx = ctx;
    if (!(w->db = pc_pg_connect(w->ctx->cfg.pg_url, 30000, errstr, errlen))) {
        free(w);
        return NULL;
    }
    return w;
}

void verifier_worker_close(void *arg) {
    verifier_worker *w = arg;
    pc_pg_close(w->db);
    free(w);
}
