/* recovery.c -- a PNS who lost the password or the number (issue 11):
 *   password.reset        NIP + No. Registrasi + security answer -> new password
 *   password.forgot       NIP -> a reset link to the verified address (always "accepted")
 *   password.token_reset  the link's token (as its hash) -> new password
 *   status.check          NIP + mother's maiden name + answer -> number and state
 *   status.mail           the number by mail instead (verified address)
 *
 * Every wrong part of a reset or a status check (unknown NIP, wrong number,
 * wrong answer) gets the same "denied", after the same work: the answers
 * are hashed and the new password is hashed (argon2id) before the account
 * is even looked up, and failures count per NIP (recovery_throttle, the
 * login throttle's rules) whether or not the NIP registered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "ids.h"
#include "log.h"
#include "nip.h"
#include "password_policy.h"
#include "pwhash.h"
#include "regno.h"
#include "registration.h"
#include "seal.h"
#include "secret_hash.h"

#define RECOVERY "recovery_throttle"
#define FORGOT_SPACING_S "60" /* one reset mail a minute per NIP at most */
/* A forgot command lasts at least this long whatever it found: making a
 * link (two inserts and a commit's fsync) must not be told by the time
 * from "nothing to send" (a read); the floor is well above what a link
 * costs on a busy database (see test_recovery's timing note in the report). */
#define FORGOT_FLOOR_US 50000

static const char *str(json_t *d, const char *name) { return json_string_value(json_object_get(d, name)); }

static int nip_ok(const char *nip) { return nip && pc_nip_parse(nip, NULL) == PC_NIP_OK; }

/* Queues password_reset.v1 (the mail telling the owner) in the open transaction. */
static pc_status notice_password_reset(pc_pg *db, const char *nip, const char *nama, const char *email,
                                       const char *via) {
    char at[32];
    pc_rfc3339(pc_now_ms(), at);
    return registration_notice_add(db, PC_TYPE_REG_NOTICE_PASSWORD_RESET, nip,
                                   json_pack("{s:s, s:s, s:s, s:s, s:s}", "nip", nip, "nama", nama, "email", email,
                                             "via", via, "at", at));
}

/* A change is remembered under its message's envelope id, in the change's
 * own transaction: a message the serve loop delivers again after a crash
 * (its offset not committed yet) gets the first answer and changes nothing,
 * and mails nothing, twice. Sets *reply to that answer, if any. */
static pc_status replayed(pc_pg *db, const pc_event *ev, json_t **reply) {
    char id[96];
    snprintf(id, sizeof id, "ev:%s", ev->id);
    const char *params[] = { id };
    pc_status st;
    PGresult *res = pc_pg_exec(db, "SELECT result FROM registration.command_result WHERE command_id = $1", 1, params,
                               1, &st);
    if (res && PQntuples(res) == 1) *reply = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    return st;
}

/* Remembers {"status": status} under the event's id in the open transaction. */
static pc_status remember(pc_pg *db, const pc_event *ev, const char *nip, const char *status) {
    char id[96], result[64];
    snprintf(id, sizeof id, "ev:%s", ev->id);
    snprintf(result, sizeof result, "{\"status\": \"%s\"}", status);
    const char *params[] = { id, nip, result };
    pc_status st;
    PGresult *res = pc_pg_exec(db,
                               "INSERT INTO registration.command_result (command_id, nip, result)"
                               " VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING",
                               3, params, 0, &st);
    PQclear(res);
    return st;
}

/* Stores the new hash, revokes every session but keep_hash (NULL: all),
 * forgets the NIP's failures, queues the notice and remembers the answer,
 * in one transaction (opened here unless in_tx). */
static pc_status replace_password(pc_pg *db, const pc_event *ev, const char *nip, const char *pw_hash,
                                  const char *keep_hash, const char *via, int in_tx) {
    pc_status st = in_tx ? PC_OK : registration_tx(db, "BEGIN");
    if (st != PC_OK) return st;
    const char *params[] = { nip, pw_hash };
    PGresult *res = pc_pg_exec(db,
                               "UPDATE registration.account SET password_hash = $2 WHERE nip = $1"
                               " RETURNING nama, email",
                               2, params, 0, &st);
    if (st == PC_OK && PQntuples(res) != 1) st = PC_ENOTFOUND;
    if (st == PC_OK) st = registration_sessions_revoke(db, nip, keep_hash);
    if (st == PC_OK) st = registration_throttle_clear(db, "login_throttle", nip);
    if (st == PC_OK) st = registration_throttle_clear(db, RECOVERY, nip);
    if (st == PC_OK) st = notice_password_reset(db, nip, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), via);
    if (st == PC_OK) st = remember(db, ev, nip, "ok");
    PQclear(res);
    return registration_tx_end(db, st);
}

/* After a wrong part: counts the failure and says denied (or locked). */
static pc_status refuse(pc_pg *db, const char *nip, const char *what, json_t **reply) {
    pc_status st;
    long lock = registration_throttle_fail(db, RECOVERY, nip, &st);
    if (st != PC_OK) return st;
    PC_INFO("%s refused for %s%s", what, nip, lock ? " (now locked)" : "");
    *reply = registration_refusal(lock);
    return PC_OK;
}

pc_status registration_password_reset(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *nip = str(ev->data, "nip");
    char *jawaban = registration_open_sealed(ctx, ev->data, "jawaban");
    char *password = registration_open_sealed(ctx, ev->data, "password");
    char pw_hash[crypto_pwhash_STRBYTES] = "", answer[65], no[9];
    const char *code = NULL, *message = NULL;
    pc_status st = PC_OK;
    PGresult *res = NULL;
    if ((st = replayed(db, ev, reply)) != PC_OK || *reply) goto out;
    if (!nip_ok(nip) || !jawaban || !password) {
        *reply = registration_refusal(0);
        goto out;
    }
    /* The policy depends on the input only, so its answer tells nothing. */
    if (pc_password_check(password, password, nip, &code, &message) != PC_OK) {
        *reply = registration_rejected("kata_kunci", code, message);
        goto out;
    }
    long wait = registration_throttle_locked(db, RECOVERY, nip, &st);
    if (wait != 0) {
        if (wait > 0) *reply = registration_refusal(wait);
        goto out;
    }
    /* Equal work for every outcome: the argon2id the success needs, first. */
    if (registration_pwhash(password, pw_hash) != PC_OK ||
        registration_keyed_hash(ctx->pepper, "jawaban", jawaban, answer) != PC_OK) {
        st = PC_ERROR;
        goto out;
    }
    int no_ok = registration_regno_normalise(str(ev->data, "no_registrasi"), no) == PC_OK;
    const char *params[] = { nip };
    res = pc_pg_exec(db, "SELECT no_registrasi, jawaban_hash FROM registration.account WHERE nip = $1", 1, params,
                     1, &st);
    if (!res) goto out;
    int found = PQntuples(res) == 1;
    /* Both compared in full whatever the first says (no early exit). */
    int same_no = found && no_ok && sodium_memcmp(PQgetvalue(res, 0, 0), no, REGISTRATION_REGNO_LEN) == 0;
    int same_answer = found && registration_keyed_hash_equal(PQgetvalue(res, 0, 1), answer);
    if (!(same_no & same_answer)) {
        st = refuse(db, nip, "password reset", reply);
        goto out;
    }
    if ((st = replace_password(db, ev, nip, pw_hash, NULL, "jawaban", 0)) == PC_OK) {
        PC_INFO("password of %s reset by its security answer; sessions revoked", nip);
        *reply = registration_status_reply("ok");
    }
out:
    PQclear(res);
    sodium_memzero(pw_hash, sizeof pw_hash);
    pc_secret_free(jawaban);
    pc_secret_free(password);
    return st;
}

/* Sleeps until FORGOT_FLOOR_US after t0. */
static void forgot_floor(int64_t t0) {
    int64_t left = FORGOT_FLOOR_US - (pc_mono_us() - t0);
    if (left > 0) usleep((useconds_t)left);
}

pc_status registration_password_forgot(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    int64_t t0 = pc_mono_us();
    const char *nip = str(ev->data, "nip");
    pc_status st = PC_OK;
    if (!nip_ok(nip)) {
        *reply = registration_status_reply("accepted");
        return PC_OK;
    }
    if ((st = registration_tx(db, "BEGIN")) != PC_OK) return st;
    const char *params[] = { nip };
    /* Only a verified address gets a link, and one a minute at most. */
    PGresult *res = pc_pg_exec(db,
                               "SELECT nama, email FROM registration.account a WHERE nip = $1"
                               " AND email_verified_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                               " registration.email_token t WHERE t.nip = a.nip AND t.purpose = 'reset' AND"
                               " t.created_at > now() - interval '" FORGOT_SPACING_S " seconds') FOR UPDATE",
                               1, params, 0, &st);
    if (st == PC_OK && PQntuples(res) == 1) {
        char *sealed = NULL, expires[40];
        const char *nama = PQgetvalue(res, 0, 0), *email = PQgetvalue(res, 0, 1);
        st = registration_mail_token_new(ctx, db, nip, "reset", email, REGISTRATION_RESET_TTL_S, &sealed, expires);
        if (st == PC_OK)
            st = registration_notice_add(db, PC_TYPE_REG_NOTICE_RESET_LINK, nip,
                                         json_pack("{s:s, s:s, s:s, s:s, s:s}", "nip", nip, "nama", nama, "email",
                                                   email, "token_sealed", sealed, "expires_at", expires));
        free(sealed);
        if (st == PC_OK) PC_INFO("reset link queued for %s", nip);
    }
    PQclear(res);
    if ((st = registration_tx_end(db, st)) != PC_OK) return st;
    forgot_floor(t0);
    *reply = registration_status_reply("accepted");
    return PC_OK;
}

pc_status registration_password_token_reset(registration_ctx *ctx, pc_pg *db, const pc_event *ev,
                                            json_t **reply) {
    char *password = registration_open_sealed(ctx, ev->data, "password");
    char nip[19], email[256], pw_hash[crypto_pwhash_STRBYTES] = "";
    const char *code = NULL, *message = NULL;
    pc_status st = PC_OK;
    if ((st = replayed(db, ev, reply)) != PC_OK || *reply) goto out;
    if (!password) {
        *reply = registration_status_reply("invalid");
        goto out;
    }
    if ((st = registration_tx(db, "BEGIN")) != PC_OK) goto out;
    st = registration_mail_token_use(db, str(ev->data, "token_hash"), "reset", nip, email);
    if (st == PC_ENOTFOUND) {
        /* Unknown, used, expired or for an address since changed: one answer. */
        registration_tx(db, "ROLLBACK");
        *reply = registration_status_reply("invalid");
        st = PC_OK;
        goto out;
    }
    if (st == PC_OK && pc_password_check(password, password, nip, &code, &message) != PC_OK) {
        registration_tx(db, "ROLLBACK"); /* the link stays usable for a better password */
        *reply = registration_rejected("kata_kunci", code, message);
        goto out;
    }
    if (st == PC_OK && registration_pwhash(password, pw_hash) != PC_OK) st = PC_ERROR;
    if (st != PC_OK) {
        registration_tx(db, "ROLLBACK");
        goto out;
    }
    if ((st = replace_password(db, ev, nip, pw_hash, NULL, "email", 1)) == PC_OK) {
        PC_INFO("password of %s reset by a mailed link; sessions revoked", nip);
        *reply = registration_status_reply("ok");
    }
out:
    sodium_memzero(pw_hash, sizeof pw_hash);
    pc_secret_free(password);
    return st;
}

pc_status registration_password_change(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *nip = str(ev->data, "nip"), *keep = str(ev->data, "token_hash");
    char *old = registration_open_sealed(ctx, ev->data, "old_password");
    char *password = registration_open_sealed(ctx, ev->data, "password");
    char pw_hash[crypto_pwhash_STRBYTES] = "";
    const char *code = NULL, *message = NULL;
    pc_status st = PC_OK;
    PGresult *res = NULL;
    if ((st = replayed(db, ev, reply)) != PC_OK || *reply) goto out;
    if (!nip_ok(nip) || !registration_token_hash_valid(keep) || !old || !password) {
        *reply = registration_refusal(0);
        goto out;
    }
    if (pc_password_check(password, password, nip, &code, &message) != PC_OK) {
        *reply = registration_rejected("kata_kunci", code, message);
        goto out;
    }
    long wait = registration_throttle_locked(db, RECOVERY, nip, &st);
    if (wait != 0) {
        if (wait > 0) *reply = registration_refusal(wait);
        goto out;
    }
    const char *params[] = { nip };
    res = pc_pg_exec(db, "SELECT password_hash FROM registration.account WHERE nip = $1", 1, params, 1, &st);
    if (!res) goto out;
    if (PQntuples(res) != 1 || registration_pwhash_verify(PQgetvalue(res, 0, 0), old) != PC_OK) {
        st = refuse(db, nip, "password change", reply);
        goto out;
    }
    if (registration_pwhash(password, pw_hash) != PC_OK) {
        st = PC_ERROR;
        goto out;
    }
    /* The session that asked stays open; every other one is revoked. */
    if ((st = replace_password(db, ev, nip, pw_hash, keep, "ubah", 0)) == PC_OK) {
        PC_INFO("password of %s changed by its owner; other sessions revoked", nip);
        *reply = registration_status_reply("ok");
    }
out:
    PQclear(res);
    sodium_memzero(pw_hash, sizeof pw_hash);
    pc_secret_free(old);
    pc_secret_free(password);
    return st;
}

/* "a***@domain": enough for the owner to recognise the address. */
static void mask_email(const char *email, char out[256]) {
    const char *at = strrchr(email, '@');
    if (!at || at == email) snprintf(out, 256, "***");
    else snprintf(out, 256, "%c***%s", email[0], at);
}

pc_status registration_status_check(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *nip = str(ev->data, "nip");
    char *ibu = registration_open_sealed(ctx, ev->data, "ibu_kandung");
    char *jawaban = registration_open_sealed(ctx, ev->data, "jawaban");
    char ibu_hash[65], answer[65];
    pc_status st = PC_OK;
    PGresult *res = NULL;
    if (!nip_ok(nip) || !ibu || !jawaban) {
        *reply = registration_refusal(0);
        goto out;
    }
    long wait = registration_throttle_locked(db, RECOVERY, nip, &st);
    if (wait != 0) {
        if (wait > 0) *reply = registration_refusal(wait);
        goto out;
    }
    if (registration_keyed_hash(ctx->pepper, "ibu_kandung", ibu, ibu_hash) != PC_OK ||
        registration_keyed_hash(ctx->pepper, "jawaban", jawaban, answer) != PC_OK) {
        st = PC_ERROR;
        goto out;
    }
    const char *params[] = { nip };
    res = pc_pg_exec(db,
                     "SELECT no_registrasi, nama, unit_kerja_kode, email, email_verified_at IS NOT NULL,"
                     " ibu_kandung_hash, jawaban_hash FROM registration.account WHERE nip = $1",
                     1, params, 1, &st);
    if (!res) goto out;
    int found = PQntuples(res) == 1;
    int same_ibu = found && registration_keyed_hash_equal(PQgetvalue(res, 0, 5), ibu_hash);
    int same_answer = found && registration_keyed_hash_equal(PQgetvalue(res, 0, 6), answer);
    if (!(same_ibu & same_answer)) {
        st = refuse(db, nip, "status check", reply);
        goto out;
    }
    if ((st = registration_throttle_clear(db, RECOVERY, nip)) != PC_OK) goto out;
    int verified = PQgetvalue(res, 0, 4)[0] == 't';
    char masked[256];
    mask_email(PQgetvalue(res, 0, 3), masked);
    *reply = json_pack("{s:s, s:s, s:s, s:b, s:s}", "status", "ok", "nama", PQgetvalue(res, 0, 1),
                       "unit_kerja_kode", PQgetvalue(res, 0, 2), "email_terverifikasi", verified,
                       "email_tersamar", masked);
    /* A verified address gets the number by mail (status.mail): the reply
     * then carries no number at all. */
    if (!verified) json_object_set_new(*reply, "no_registrasi", json_string(PQgetvalue(res, 0, 0)));
out:
    PQclear(res);
    pc_secret_free(ibu);
    pc_secret_free(jawaban);
    return st;
}

pc_status registration_status_mail(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    (void)ctx;
    static const char *const states[] = { "registered", "receipt_received", "in_batch", "accepted" };
    const char *nip = str(ev->data, "nip"), *state = str(ev->data, "state");
    int known = 0;
    for (size_t i = 0; state && i < sizeof states / sizeof states[0]; i++) known |= strcmp(state, states[i]) == 0;
    if (!nip_ok(nip) || !known) {
        *reply = registration_status_reply("not_sent");
        return PC_OK;
    }
    pc_status st = replayed(db, ev, reply);
    if (st != PC_OK || *reply) return st;
    if ((st = registration_tx(db, "BEGIN")) != PC_OK) return st;
    const char *params[] = { nip };
    PGresult *res = pc_pg_exec(db,
                               "SELECT nama, email, no_registrasi FROM registration.account"
                               " WHERE nip = $1 AND email_verified_at IS NOT NULL",
                               1, params, 0, &st);
    int sent = st == PC_OK && PQntuples(res) == 1;
    if (sent)
        st = registration_notice_add(db, PC_TYPE_REG_NOTICE_STATUS_MAIL, nip,
                                     json_pack("{s:s, s:s, s:s, s:s, s:s}", "nip", nip, "nama", PQgetvalue(res, 0, 0),
                                               "email", PQgetvalue(res, 0, 1), "no_registrasi",
                                               PQgetvalue(res, 0, 2), "state", state));
    if (sent && st == PC_OK) st = remember(db, ev, nip, "sent");
    PQclear(res);
    if ((st = registration_tx_end(db, st)) != PC_OK) return st;
    *reply = registration_status_reply(sent ? "sent" : "not_sent");
    return PC_OK;
}
