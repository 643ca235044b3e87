/* account.c -- the PNS's own account after login, and the verified address:
 *   account         (query) own data, address, whether it is verified
 *   email.verify    the link's token (as its hash) -> the address is verified
 *   email.change    a new address: unverified until its own link is used
 *   email.resend    a new verification link
 * The registration stays complete without a verified address; only the
 * reset by mail needs one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "contract.h"
#include "log.h"
#include "nip.h"
#include "registration.h"

#define RESEND_SPACING_S 60 /* one verification mail a minute per NIP at most */

static const char *str(json_t *d, const char *name) { return json_string_value(json_object_get(d, name)); }

static int nip_ok(const char *nip) { return nip && pc_nip_parse(nip, NULL) == PC_NIP_OK; }

/* The service trusts no caller: the gateway's check again, plainly. */
static int email_plausible(const char *e) {
    size_t n = e ? strlen(e) : 0;
    const char *at = e ? strchr(e, '@') : NULL;
    if (n < 6 || n > 254 || !at || at == e || strchr(at + 1, '@') || !strchr(at, '.')) return 0;
    for (const char *c = e; *c; c++)
        if ((unsigned char)*c <= ' ') return 0;
    return 1;
}

pc_status registration_account_get(pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *nip = str(ev->data, "nip");
    if (!nip_ok(nip)) {
        *reply = registration_status_reply("not_found");
        return PC_OK;
    }
    const char *params[] = { nip };
    pc_status st;
    PGresult *res = pc_pg_exec(
        db,
        "SELECT no_registrasi, nip, nama, instansi_kode, instansi_nama, unit_kerja_kode, unit_kerja_nama,"
        " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), email,"
        " email_verified_at IS NOT NULL FROM registration.account WHERE nip = $1",
        1, params, 1, &st);
    if (!res) return st;
    if (PQntuples(res) == 1) {
        json_t *akun = registration_account_json(res, 0);
        json_object_set_new(akun, "email", json_string(PQgetvalue(res, 0, 8)));
        json_object_set_new(akun, "email_terverifikasi", json_boolean(PQgetvalue(res, 0, 9)[0] == 't'));
        *reply = json_pack("{s:s, s:o}", "status", "found", "akun", akun);
    } else {
        *reply = registration_status_reply("not_found");
    }
    PQclear(res);
    return PC_OK;
}

pc_status registration_email_verify(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    (void)ctx;
    char nip[19], email[256];
    pc_status st = registration_tx(db, "BEGIN");
    if (st != PC_OK) return st;
    st = registration_mail_token_use(db, str(ev->data, "token_hash"), "verify", nip, email);
    if (st == PC_ENOTFOUND) {
        registration_tx(db, "ROLLBACK");
        *reply = registration_status_reply("invalid");
        return PC_OK;
    }
    const char *params[] = { nip, email };
    if (st == PC_OK) {
        PGresult *res = pc_pg_exec(db,
                                   "UPDATE registration.account SET email_verified_at = now()"
                                   " WHERE nip = $1 AND email = $2",
                                   2, params, 0, &st);
        PQclear(res);
    }
    if ((st = registration_tx_end(db, st)) != PC_OK) return st;
    PC_INFO("address of %s verified", nip);
    *reply = json_pack("{s:s, s:s}", "status", "ok", "nip", nip);
    return PC_OK;
}

/* Makes a verification link for email and queues email_verification.v1 to
 * it, in the open transaction; sets *expires (40 bytes). */
static pc_status queue_verification(registration_ctx *ctx, pc_pg *db, const char *nip, const char *nama,
                                    const char *email, char *expires) {
    char *sealed = NULL;
    pc_status st = registration_mail_token_new(ctx, db, nip, "verify", email, REGISTRATION_VERIFY_TTL_S, &sealed,
                                               expires);
    if (st == PC_OK)
        st = registration_notice_add(db, PC_TYPE_REG_NOTICE_EMAIL_VERIFY, nip,
                                     json_pack("{s:s, s:s, s:s, s:s, s:s}", "nip", nip, "nama", nama, "email", email,
                                               "token_sealed", sealed, "expires_at", expires));
    free(sealed);
    return st;
}

pc_status registration_email_change(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *nip = str(ev->data, "nip"), *email = str(ev->data, "email");
    if (!nip_ok(nip) || !email_plausible(email)) {
        *reply = registration_status_reply("invalid");
        return PC_OK;
    }
    pc_status st = registration_tx(db, "BEGIN");
    if (st != PC_OK) return st;
    const char *params[] = { nip, email };
    PGresult *res = pc_pg_exec(db, "SELECT nama, email FROM registration.account WHERE nip = $1 FOR UPDATE", 1,
                               params, 0, &st);
    if (st != PC_OK || PQntuples(res) != 1 || strcasecmp(PQgetvalue(res, 0, 1), email) == 0) {
        const char *what = st != PC_OK ? NULL : PQntuples(res) != 1 ? "not_found" : "unchanged";
        PQclear(res);
        registration_tx(db, "ROLLBACK");
        if (what) *reply = registration_status_reply(what);
        return what ? PC_OK : st;
    }
    char nama[512], old[256], expires[40];
    snprintf(nama, sizeof nama, "%s", PQgetvalue(res, 0, 0));
    snprintf(old, sizeof old, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    res = pc_pg_exec(db, "UPDATE registration.account SET email = $2, email_verified_at = NULL WHERE nip = $1", 2,
                     params, 0, &st);
    PQclear(res);
    /* Links to the old address (a reset too) die with it. */
    if (st == PC_OK) {
        res = pc_pg_exec(db,
                         "UPDATE registration.email_token SET used_at = now() WHERE nip = $1 AND used_at IS NULL",
                         1, params, 0, &st);
        PQclear(res);
    }
    if (st == PC_OK) st = queue_verification(ctx, db, nip, nama, email, expires);
    if (st == PC_OK)
        st = registration_notice_add(db, PC_TYPE_REG_NOTICE_EMAIL_CHANGED, nip,
                                     json_pack("{s:s, s:s, s:s, s:s}", "nip", nip, "nama", nama, "old_email", old,
                                               "email", email));
    if ((st = registration_tx_end(db, st)) != PC_OK) return st;
    PC_INFO("address of %s changed; unverified until its link is used", nip);
    *reply = json_pack("{s:s, s:s, s:s}", "status", "ok", "email", email, "expires_at", expires);
    return PC_OK;
}

pc_status registration_email_resend(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    const char *nip = str(ev->data, "nip");
    if (!nip_ok(nip)) {
        *reply = registration_status_reply("not_found");
        return PC_OK;
    }
    pc_status st = registration_tx(db, "BEGIN");
    if (st != PC_OK) return st;
    char spacing[16];
    snprintf(spacing, sizeof spacing, "%d", RESEND_SPACING_S);
    const char *params[] = { nip, spacing };
    /* Seconds until another link may go (<= 0: now), from the newest one. */
    PGresult *res = pc_pg_exec(db,
                               "SELECT nama, email, email_verified_at IS NOT NULL, coalesce((SELECT"
                               " ceil($2::int - extract(epoch FROM now() - max(t.created_at)))::bigint FROM"
                               " registration.email_token t WHERE t.nip = a.nip AND t.purpose = 'verify'), 0)"
                               " FROM registration.account a WHERE nip = $1 FOR UPDATE",
                               2, params, 0, &st);
    json_t *early = NULL;
    if (st == PC_OK && PQntuples(res) != 1) early = registration_status_reply("not_found");
    else if (st == PC_OK && PQgetvalue(res, 0, 2)[0] == 't') early = registration_status_reply("already_verified");
    else if (st == PC_OK && atol(PQgetvalue(res, 0, 3)) > 0)
        early = json_pack("{s:s, s:I}", "status", "too_soon", "retry_after", (json_int_t)atol(PQgetvalue(res, 0, 3)));
    if (st != PC_OK || early) {
        PQclear(res);
        registration_tx(db, "ROLLBACK");
        *reply = early;
        return early ? PC_OK : st;
    }
    char expires[40];
    st = queue_verification(ctx, db, nip, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), expires);
    PQclear(res);
    if ((st = registration_tx_end(db, st)) != PC_OK) return st;
    *reply = json_pack("{s:s, s:s}", "status", "ok", "expires_at", expires);
    return PC_OK;
}
