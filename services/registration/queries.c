/* queries.c -- read-mostly requests on their own topic and thread:
 * status (is this NIP registered?), get (a registration for its owner),
 * session (is this bearer token valid?), logout (revoke it) and account
 * (the owner's own data with the address, account.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "registration.h"
#include "regno.h"
#include "serve.h"

static pc_status query_status(pc_pg *db, json_t *d, json_t **reply) {
    const char *nip = json_string_value(json_object_get(d, "nip"));
    const char *params[] = { nip ? nip : "" };
    pc_status st;
    PGresult *res = pc_pg_exec(db, "SELECT 1 FROM registration.account WHERE nip = $1", 1, params, 1, &st);
    if (!res) return st;
    *reply = json_pack("{s:b}", "registered", PQntuples(res) > 0);
    PQclear(res);
    return PC_OK;
}

static pc_status query_get(pc_pg *db, json_t *d, json_t **reply) {
    const char *typed = json_string_value(json_object_get(d, "no_registrasi"));
    const char *nip = json_string_value(json_object_get(d, "nip"));
    char no[9];
    /* Accept what a person types (case, spaces); a bad check symbol is a typo. */
    if (!typed || registration_regno_normalise(typed, no) != PC_OK) {
        *reply = json_pack("{s:s}", "status", "not_found");
        return PC_OK;
    }
    char sql[768];
    snprintf(sql, sizeof sql, "%s WHERE no_registrasi = $1 AND nip = $2", registration_account_select());
    const char *params[] = { no, nip ? nip : "" };
    pc_status st;
    PGresult *res = pc_pg_exec(db, sql, 2, params, 1, &st);
    if (!res) return st;
    *reply = PQntuples(res) == 1
                 ? json_pack("{s:s, s:o}", "status", "found", "registrasi", registration_account_json(res, 0))
                 : json_pack("{s:s}", "status", "not_found");
    PQclear(res);
    return PC_OK;
}

static pc_status query_session(pc_pg *db, json_t *d, int logout, json_t **reply) {
    const char *hash = json_string_value(json_object_get(d, "token_hash"));
    if (!registration_token_hash_valid(hash)) {
        *reply = json_pack("{s:b}", "valid", 0);
        return PC_OK;
    }
    const char *params[] = { hash };
    pc_status st;
    PGresult *res = pc_pg_exec(
        db,
        logout ? "UPDATE registration.session SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL"
                 " AND expires_at > now() RETURNING nip, 0"
               : "SELECT nip, ceil(extract(epoch FROM expires_at - now()))::bigint FROM registration.session"
                 " WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()",
        1, params, logout ? 0 : 1, &st);
    if (!res) return st;
    if (PQntuples(res) == 1)
        *reply = json_pack("{s:b, s:s, s:I}", "valid", 1, "nip", PQgetvalue(res, 0, 0), "expires_in",
                           (json_int_t)atoll(PQgetvalue(res, 0, 1)));
    else
        *reply = json_pack("{s:b}", "valid", 0);
    PQclear(res);
    return PC_OK;
}

pc_status registration_query(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    (void)ctx;
    if (strcmp(ev->type, PC_TYPE_REG_STATUS) == 0) return query_status(db, ev->data, reply);
    if (strcmp(ev->type, PC_TYPE_REG_GET) == 0) return query_get(db, ev->data, reply);
    if (strcmp(ev->type, PC_TYPE_REG_SESSION) == 0) return query_session(db, ev->data, 0, reply);
    if (strcmp(ev->type, PC_TYPE_REG_LOGOUT) == 0) return query_session(db, ev->data, 1, reply);
    if (strcmp(ev->type, PC_TYPE_REG_ACCOUNT) == 0) return registration_account_get(db, ev, reply);
    return PC_EINVAL;
}

/* The serve loop's handler; w is the worker's database connection. */
static pc_status handle(void *w, const pc_event *ev, json_t **reply) {
    return registration_query(NULL, w, ev, reply);
}

void *registration_query_thread(void *arg) {
    registration_ctx *ctx = arg;
    static const pc_serve_route routes[] = {
        { PC_TYPE_REG_STATUS, PC_TYPE_REG_STATUS_REPLY },
        { PC_TYPE_REG_GET, PC_TYPE_REG_GET_REPLY },
        { PC_TYPE_REG_SESSION, PC_TYPE_REG_SESSION_REPLY },
        { PC_TYPE_REG_LOGOUT, PC_TYPE_REG_LOGOUT_REPLY },
        { PC_TYPE_REG_ACCOUNT, PC_TYPE_REG_ACCOUNT_REPLY },
    };
    const char *topics[] = { PC_TOPIC_REG_QUERIES };
    pc_serve_spec spec = {
        .name = "queries",
        .group = "pupns-registration-queries",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .handle = handle,
        .workers = 1,
        .batch_max = 64,
        .worker_open = pc_pg_worker_open,
        .worker_close = pc_pg_worker_close,
        .ctx = ctx->cfg.pg_url,
        .producer = ctx->replies,
    };
    pc_serve_run(&ctx->cfg, &spec); /* a failure has already marked the process failed */
    return NULL;
}
