/* auth.c -- verifier logins (argon2id, growing lock-outs per username),
 * bearer sessions on the verifier's own table, and the principal of a
 * request. A PNS session (registration.session) opens nothing here, and a
 * verifier session is unknown to the registration service.
 *
 * An unknown username costs a dummy argon2id verification and counts
 * failures like a known one, so neither timing nor lock-outs tell which
 * usernames exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "password_hash.h"
#include "seal.h"
#include "verifier.h"

#define LOCK_AFTER 5
#define LOCK_FIRST_S 30
#define LOCK_MAX_S 3600
#define FAILURE_WINDOW_S 3600

static int token_hash_valid(const char *h) {
    return h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

static int username_valid(const char *u) {
    size_t n = u ? strlen(u) : 0;
    return n >= 3 && n <= 64 && strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static json_t *denied(long retry_after) {
    json_t *r = json_pack("{s:s}", "status", retry_after > 0 ? "locked" : "denied");
    if (retry_after > 0) json_object_set_new(r, "retry_after", json_integer(retry_after));
    return r;
}

/* The account columns a principal and the session reply are made of. */
#define ACCOUNT_COLUMNS                                                                                           \
    "a.id, a.username, a.nama, a.role, coalesce(a.bkd, ''),"                                                     \
    " (SELECT coalesce(json_agg(unit_kerja_kode ORDER BY unit_kerja_kode), '[]') FROM verifier.account_unit"     \
    "  WHERE account_id = a.id)::text,"                                                                          \
    " (SELECT coalesce(json_agg(instansi_kode ORDER BY instansi_kode), '[]') FROM verifier.account_instansi"     \
    "  WHERE account_id = a.id)::text"

static verifier_role role_of(const char *name) {
    if (strcmp(name, "verifikator1") == 0) return VR_V1;
    if (strcmp(name, "verifikator2") == 0) return VR_V2;
    if (strcmp(name, "admin") == 0) return VR_ADMIN;
    return VR_NONE;
}

static void principal_from(PGresult *res, verifier_principal *p) {
    p->id = atoll(PQgetvalue(res, 0, 0));
    snprintf(p->username, sizeof p->username, "%s", PQgetvalue(res, 0, 1));
    snprintf(p->nama, sizeof p->nama, "%s", PQgetvalue(res, 0, 2));
    snprintf(p->role_name, sizeof p->role_name, "%s", PQgetvalue(res, 0, 3));
    p->role = role_of(p->role_name);
    p->units = json_loads(PQgetvalue(res, 0, 5), 0, NULL);
    p->instansi = json_loads(PQgetvalue(res, 0, 6), 0, NULL);
    if (!p->units) p->units = json_array();
    if (!p->instansi) p->instansi = json_array();
}

static json_t *account_json(const verifier_principal *p, const char *bkd) {
    json_t *a = json_pack("{s:s, s:s, s:s, s:O, s:O}", "username", p->username, "nama", p->nama, "peran",
                          p->role_name, "unit_kerja", p->units, "instansi", p->instansi);
    if (bkd && *bkd) json_object_set_new(a, "bkd", json_string(bkd));
    return a;
}

pc_status verifier_authenticate(pc_pg *db, const char *token_hash, verifier_principal *p) {
    if (!token_hash_valid(token_hash)) return PC_EDENIED;
    const char *params[] = { token_hash };
    pc_status st;
    PGresult *res = pc_pg_exec(db,
                               "SELECT " ACCOUNT_COLUMNS " FROM verifier.session s JOIN verifier.account a"
                               " ON a.id = s.account_id WHERE s.token_hash = $1 AND s.revoked_at IS NULL"
                               " AND s.expires_at > now() AND a.disabled_at IS NULL",
                               1, params, 1, &st);
    if (!res) return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return PC_EDENIED;
    }
    principal_from(res, p);
    PQclear(res);
    return p->role == VR_NONE ? PC_EDENIED : PC_OK;
}

/* Seconds username is still locked (0 if not); -1 on database error. */
static long locked_for(pc_pg *db, const char *username, pc_status *st) {
    const char *params[] = { username };
    PGresult *res = pc_pg_exec(db,
                               "SELECT ceil(extract(epoch FROM locked_until - now()))::bigint"
                               " FROM verifier.login_throttle WHERE username = $1 AND locked_until > now()",
                               1, params, 1, st);
    if (!res) return -1;
    long secs = PQntuples(res) ? atol(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return secs;
}

/* Counts a failure within the window; the lock-out it caused, in seconds. */
static long count_failure(pc_pg *db, const char *username, pc_status *st) {
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO verifier.login_throttle AS t (username, failures, window_start) VALUES ($1, 1, now())"
             " ON CONFLICT (username) DO UPDATE SET"
             " failures = CASE WHEN t.window_start < now() - make_interval(secs => %d) THEN 1 ELSE t.failures + 1 END,"
             " window_start = CASE WHEN t.window_start < now() - make_interval(secs => %d) THEN now()"
             " ELSE t.window_start END,"
             " locked_until = CASE WHEN t.window_start >= now() - make_interval(secs => %d) AND t.failures + 1 >= %d"
             " THEN now() + make_interval(secs => least(%d, %d * power(2, t.failures + 1 - %d))) END"
             " RETURNING coalesce(ceil(extract(epoch FROM locked_until - now())), 0)::bigint",
             FAILURE_WINDOW_S, FAILURE_WINDOW_S, FAILURE_WINDOW_S, LOCK_AFTER, LOCK_MAX_S, LOCK_FIRST_S, LOCK_AFTER);
    const char *params[] = { username };
    PGresult *res = pc_pg_exec(db, sql, 1, params, 0, st);
    long secs = res && PQntuples(res) ? atol(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return secs;
}

pc_status verifier_login(verifier_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *username = verifier_str(ev->data, "username");
    const char *sealed = json_string_value(json_object_get(json_object_get(ev->data, "sealed"), "password"));
    const char *token_hash = verifier_str(ev->data, "token_hash");
    const char *client = verifier_str(ev->data, "client_address");
    char *password = NULL;
    if (!username_valid(username) || !sealed || !token_hash_valid(token_hash) ||
        pc_unseal_b64(ctx->public_key, ctx->secret_key, sealed, &password) != PC_OK) {
        *reply = denied(0);
        return PC_OK;
    }
    if (!client) client = "unknown";
    pc_status st;
    long wait = locked_for(db, username, &st);
    if (wait != 0) {
        pc_secret_free(password);
        if (wait < 0) return st;
        *reply = denied(wait);
        return PC_OK;
    }
    const char *params[] = { username };
    PGresult *res = pc_pg_exec(db,
                               "SELECT a.password_hash, " ACCOUNT_COLUMNS " FROM verifier.account a"
                               " WHERE a.username = $1 AND a.disabled_at IS NULL",
                               1, params, 1, &st);
    if (!res) {
        pc_secret_free(password);
        return st;
    }
    int found = PQntuples(res) == 1;
    pc_status verdict = found ? pc_pwhash_verify(PQgetvalue(res, 0, 0), password)
                              : (pc_pwhash_dummy_verify(password), PC_EDENIED);
    pc_secret_free(password);
    if (verdict != PC_OK) {
        long long id = found ? atoll(PQgetvalue(res, 0, 1)) : 0;
        PQclear(res);
        if ((st = verifier_tx(db, "BEGIN")) != PC_OK) return st;
        long lock = count_failure(db, username, &st);
        if (st == PC_OK)
            st = verifier_audit_login(db, id, username, "-", "login_gagal", client,
                                      lock ? json_pack("{s:I}", "dikunci_detik", (json_int_t)lock) : NULL);
        if (st != PC_OK || (st = verifier_tx(db, "COMMIT")) != PC_OK) {
            verifier_tx(db, "ROLLBACK");
            return st;
        }
        PC_INFO("verifier login failed for %s%s", username, lock ? " (now locked)" : "");
        *reply = denied(lock);
        return PC_OK;
    }
    /* The principal's columns start at index 1 here; shift by reading a copy. */
    verifier_principal p = { 0 };
    p.id = atoll(PQgetvalue(res, 0, 1));
    snprintf(p.username, sizeof p.username, "%s", PQgetvalue(res, 0, 2));
    snprintf(p.nama, sizeof p.nama, "%s", PQgetvalue(res, 0, 3));
    snprintf(p.role_name, sizeof p.role_name, "%s", PQgetvalue(res, 0, 4));
    p.role = role_of(p.role_name);
    char bkd[256];
    snprintf(bkd, sizeof bkd, "%s", PQgetvalue(res, 0, 5));
    p.units = json_loads(PQgetvalue(res, 0, 6), 0, NULL);
    p.instansi = json_loads(PQgetvalue(res, 0, 7), 0, NULL);
    PQclear(res);
    snprintf(p.client, sizeof p.client, "%s", client);
    p.request_id = pc_log_request_id();
    char ttl[16], id[24];
    snprintf(ttl, sizeof ttl, "%d", ctx->cfg.session_ttl_s);
    snprintf(id, sizeof id, "%lld", p.id);
    const char *sp[] = { token_hash, id, ttl };
    if ((st = verifier_tx(db, "BEGIN")) == PC_OK) {
        PQclear(pc_pg_exec(db, "DELETE FROM verifier.login_throttle WHERE username = $1", 1, params, 0, &st));
        if (st == PC_OK)
            PQclear(pc_pg_exec(db,
                               "INSERT INTO verifier.session (token_hash, account_id, expires_at)"
                               " VALUES ($1, $2::bigint, now() + make_interval(secs => $3::int))",
                               3, sp, 0, &st));
        if (st == PC_OK) st = verifier_audit(db, &p, "login", p.username, NULL);
        if (st == PC_OK) st = verifier_tx(db, "COMMIT");
        if (st != PC_OK) verifier_tx(db, "ROLLBACK");
    }
    if (st == PC_OK)
        *reply = json_pack("{s:s, s:i, s:o}", "status", "ok", "expires_in", ctx->cfg.session_ttl_s, "akun",
                           account_json(&p, bkd));
    verifier_principal_clear(&p);
    return st;
}

pc_status verifier_op_session(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                              verifier_result *r) {
    (void)ctx;
    const char *params[] = { verifier_str(args, "token_hash") };
    pc_status st;
    json_t *left = verifier_sql_json(db,
                                     "SELECT ceil(extract(epoch FROM expires_at - now()))::bigint::text"
                                     " FROM verifier.session WHERE token_hash = $1",
                                     1, params, &st);
    json_t *body = json_pack("{s:o}", "akun", account_json(p, NULL));
    if (left) json_object_set_new(body, "expires_in", left);
    return verifier_ok(r, 200, body);
}

pc_status verifier_op_logout(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                             verifier_result *r) {
    (void)ctx;
    const char *params[] = { verifier_str(args, "token_hash") };
    pc_status st = verifier_tx(db, "BEGIN");
    if (st == PC_OK)
        PQclear(pc_pg_exec(db, "UPDATE verifier.session SET revoked_at = now() WHERE token_hash = $1", 1, params,
                           0, &st));
    if (st == PC_OK) st = verifier_audit(db, p, "logout", p->username, NULL);
    if (st == PC_OK) st = verifier_tx(db, "COMMIT");
    if (st != PC_OK) {
        verifier_tx(db, "ROLLBACK");
        return st;
    }
    return verifier_ok(r, 204, NULL);
}
