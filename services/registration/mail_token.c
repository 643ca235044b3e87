/* mail_token.c -- the single-use tokens of the links in mails (address
 * verification, 7 days; password reset, 30 minutes).
 *
 * A token is 32 random bytes (base64url, 43 characters). Only its SHA-256
 * is stored, so a copy of the table opens nothing; the token itself leaves
 * this service only sealed to the notify service's key (the mail it goes
 * in), and comes back only as the SHA-256 the gateway computes from the
 * link the PNS opened. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registration.h"
#include "seal.h"

pc_status registration_mail_token_new(registration_ctx *ctx, pc_pg *db, const char *nip, const char *purpose,
                                      const char *email, int ttl_s, char **sealed, char expires_at[40]) {
    *sealed = NULL;
    expires_at[0] = '\0';
    unsigned char raw[32], digest[crypto_hash_sha256_BYTES];
    char token[64], hash[65], ttl[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, sizeof token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash, sizeof hash, digest, sizeof digest);
    pc_status st = pc_seal_b64(ctx->notify_public_key, token, sealed);
    sodium_memzero(token, sizeof token);
    if (st != PC_OK) return st;

    /* One live link per purpose: asking again voids the older ones. */
    const char *vparams[] = { nip, purpose };
    PGresult *res = pc_pg_exec(db,
                               "UPDATE registration.email_token SET used_at = now()"
                               " WHERE nip = $1 AND purpose = $2 AND used_at IS NULL",
                               2, vparams, 0, &st);
    PQclear(res);
    snprintf(ttl, sizeof ttl, "%d", ttl_s);
    const char *params[] = { hash, nip, purpose, email, ttl };
    if (st == PC_OK)
        res = pc_pg_exec(db,
                         "INSERT INTO registration.email_token (token_hash, nip, purpose, email, expires_at)"
                         " VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5::int))"
                         " RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                         5, params, 0, &st);
    if (st == PC_OK && res && PQntuples(res) == 1) snprintf(expires_at, 40, "%s", PQgetvalue(res, 0, 0));
    else if (st == PC_OK) st = PC_ERROR;
    if (st == PC_OK) PQclear(res);
    if (st != PC_OK) {
        free(*sealed);
        *sealed = NULL;
    }
    return st;
}

pc_status registration_mail_token_use(pc_pg *db, const char *token_hash, const char *purpose, char *nip,
                                      char *email) {
    nip[0] = email[0] = '\0';
    if (!registration_token_hash_valid(token_hash)) return PC_ENOTFOUND;
    const char *params[] = { token_hash, purpose };
    pc_status st;
    /* Checked and used in one statement: two uses at once cannot both win. */
    PGresult *res = pc_pg_exec(db,
                               "UPDATE registration.email_token t SET used_at = now()"
                               " FROM registration.account a"
                               " WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL"
                               " AND t.expires_at > now() AND a.nip = t.nip AND a.email = t.email"
                               " RETURNING t.nip, t.email",
                               2, params, 0, &st);
    if (!res) return st;
    if (PQntuples(res) == 1) {
        snprintf(nip, 19, "%s", PQgetvalue(res, 0, 0));
        snprintf(email, 256, "%s", PQgetvalue(res, 0, 1));
    } else {
        st = PC_ENOTFOUND;
    }
    PQclear(res);
    return st;
}
