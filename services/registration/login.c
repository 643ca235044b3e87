/* login.c -- password login with growing lock-outs, and bearer sessions.
 *
 * Unknown NIPs cost a dummy argon2id verification and count failures like
 * known ones, so neither timing nor lock-outs tell which NIPs registered. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nip.h"
#include "pwhash.h"
#include "registration.h"
#include "seal.h"

/* Failures before the first lock-out; each further failure doubles it. */
#define LOCK_AFTER 5
#define LOCK_FIRST_S 30
#define LOCK_MAX_S 3600
#define FAILURE_WINDOW_S 3600

static json_t *denied(long retry_after) {
    json_t *r = json_pack("{s:s}", "status", retry_after > 0 ? "locked" : "denied");
    if (retry_after > 0) json_object_set_new(r, "retry_after", json_integer(retry_after));
    return r;
}

/* Seconds the NIP is still locked (0 if not); -1 on database error. */
static long locked_for(pc_pg *db, const char *nip, pc_status *st) {
    const char *params[] = { nip };
    PGresult *res = pc_pg_exec(db,
                               "SELECT ceil(extract(epoch FROM locked_until - now()))::bigint"
                               " FROM registration.login_throttle WHERE nip = $1 AND locked_until > now()",
                               1, params, 1, st);
    if (!res) return -1;
    long secs = PQntuples(res) ? atol(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return secs;
}

/* Counts a failure; returns the lock-out it caused in seconds (0 if none).
 * Failures count within FAILURE_WINDOW_S of the first one, then start
 * over: old failures do not keep a NIP one guess away from a lock-out. */
static long count_failure(pc_pg *db, const char *nip, pc_status *st) {
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO registration.login_throttle AS t (nip, failures, window_start) VALUES ($1, 1, now())"
             " ON CONFLICT (nip) DO UPDATE SET"
             " failures = CASE WHEN t.window_start < now() - make_interval(secs => %d) THEN 1 ELSE t.failures + 1 END,"
             " window_start = CASE WHEN t.window_start < now() - make_interval(secs => %d) THEN now()"
             " ELSE t.window_start END,"
             " locked_until = CASE WHEN t.window_start >= now() - make_interval(secs => %d) AND t.failures + 1 >= %d"
             " THEN now() + make_interval(secs => least(%d, %d * power(2, t.failures + 1 - %d))) END"
             " RETURNING coalesce(ceil(extract(epoch FROM locked_until - now())), 0)::bigint",
             FAILURE_WINDOW_S, FAILURE_WINDOW_S, FAILURE_WINDOW_S, LOCK_AFTER, LOCK_MAX_S, LOCK_FIRST_S, LOCK_AFTER);
    const char *params[] = { nip };
    PGresult *res = pc_pg_exec(db, sql, 1, params, 0, st);
    long secs = res && PQntuples(res) ? atol(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return secs;
}

/* Opens a session under the token hash the gateway chose: the token
 * itself never reaches this service or Kafka. */
static pc_status open_session(registration_ctx *ctx, pc_pg *db, const char *nip, const char *hash) {
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", ctx->cfg.session_ttl_s);
    const char *params[] = { hash, nip, ttl };
    pc_status st;
    PGresult *res = pc_pg_exec(db,
                               "INSERT INTO registration.session (token_hash, nip, expires_at)"
                               " VALUES ($1, $2, now() + make_interval(secs => $3::int))",
                               3, params, 0, &st);
    PQclear(res);
    return st;
}

int registration_token_hash_valid(const char *hash) {
    return hash && strlen(hash) == 64 && strspn(hash, "0123456789abcdef") == 64;
}

pc_status registration_login(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *nip = json_string_value(json_object_get(ev->data, "nip"));
    const char *sealed = json_string_value(json_object_get(json_object_get(ev->data, "sealed"), "password"));
    const char *token_hash = json_string_value(json_object_get(ev->data, "token_hash"));
    char *password = NULL;
    if (!nip || pc_nip_parse(nip, NULL) != PC_NIP_OK || !sealed || !registration_token_hash_valid(token_hash) ||
        pc_unseal_b64(ctx->public_key, ctx->secret_key, sealed, &password) != PC_OK) {
        *reply = denied(0);
        return PC_OK;
    }
    pc_status st;
    long wait = locked_for(db, nip, &st);
    if (wait != 0) {
        pc_secret_free(password);
        if (wait < 0) return st;
        *reply = denied(wait);
        return PC_OK;
    }
    const char *params[] = { nip };
    PGresult *res = pc_pg_exec(db, "SELECT password_hash FROM registration.account WHERE nip = $1", 1,
                               params, 1, &st);
    if (!res) {
        pc_secret_free(password);
        return st;
    }
    pc_status verdict = PQntuples(res) ? registration_pwhash_verify(PQgetvalue(res, 0, 0), password)
                                       : (registration_pwhash_dummy_verify(password), PC_EDENIED);
    PQclear(res);
    pc_secret_free(password);
    if (verdict != PC_OK) {
        long lock = count_failure(db, nip, &st);
        if (st != PC_OK) return st;
        PC_INFO("login failed for %s%s", nip, lock ? " (now locked)" : "");
        *reply = denied(lock);
        return PC_OK;
    }
    res = pc_pg_exec(db, "DELETE FROM registration.login_throttle WHERE nip = $1", 1, params, 0, &st);
    PQclear(res);
    if (st != PC_OK || (st = open_session(ctx, db, nip, token_hash)) != PC_OK) return st;
    *reply = json_pack("{s:s, s:s, s:i}", "status", "ok", "nip", nip, "expires_in", ctx->cfg.session_ttl_s);
    return PC_OK;
}
