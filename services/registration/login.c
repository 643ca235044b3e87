/* login.c -- password login and bearer sessions.
 *
 * No lock-out: after CAPTCHA_AFTER failures for a NIP within the hour
 * (throttle.c), a login to it needs a solved captcha (the gateway checks it
 * and says so in the command); without one it is answered captcha_required
 * before any password is tried. Whoever guesses pays a captcha per guess,
 * and the owner is never refused the right password. Unknown NIPs cost a
 * dummy argon2id verification and count failures like known ones, so
 * neither timing nor the captcha tells which NIPs registered. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nip.h"
#include "pwhash.h"
#include "registration.h"
#include "seal.h"

#define CAPTCHA_AFTER 5

/* captcha: whether the next attempt for this NIP must bring a captcha. */
static json_t *denied(int captcha) {
    return json_pack("{s:s, s:b}", "status", "denied", "captcha_required", captcha);
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
    long failures = registration_throttle_failures(db, "login_throttle", nip, &st);
    if (failures < 0) {
        pc_secret_free(password);
        return st;
    }
    if (failures >= CAPTCHA_AFTER && !json_is_true(json_object_get(ev->data, "captcha_verified"))) {
        pc_secret_free(password);
        *reply = json_pack("{s:s}", "status", "captcha_required");
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
        long count = registration_throttle_count(db, "login_throttle", nip, &st);
        if (count < 0) return st;
        PC_INFO("login failed for %s (%ld within the hour%s)", nip, count,
                count >= CAPTCHA_AFTER ? "; a captcha is now required" : "");
        *reply = denied(count >= CAPTCHA_AFTER);
        return PC_OK;
    }
    if ((st = registration_throttle_clear(db, "login_throttle", nip)) != PC_OK ||
        (st = open_session(ctx, db, nip, token_hash)) != PC_OK)
        return st;
    *reply = json_pack("{s:s, s:s, s:i}", "status", "ok", "nip", nip, "expires_in", ctx->cfg.session_ttl_s);
    return PC_OK;
}

pc_status registration_sessions_revoke(pc_pg *db, const char *nip, const char *keep_hash) {
    const char *params[] = { nip, keep_hash ? keep_hash : "" };
    pc_status st;
    PGresult *res = pc_pg_exec(db,
                               "UPDATE registration.session SET revoked_at = now()"
                               " WHERE nip = $1 AND revoked_at IS NULL AND token_hash <> $2",
                               2, params, 0, &st);
    PQclear(res);
    return st;
}
