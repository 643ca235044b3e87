/* registration.h -- shared state of the registration service.
 *
 * The service owns schema `registration`. Commands (submit, login) arrive on
 * pupns.registration.commands keyed by NIP and are handled by a pool of
 * workers, each owning whole partitions, so one NIP is never handled twice
 * at once; queries (status, get, session, logout) have their own topic and
 * thread so they never wait behind password hashing. Events leave through
 * the outbox relay. */
#ifndef REGISTRATION_H
#define REGISTRATION_H

#include <jansson.h>
#include <sodium.h>

#include "config.h"
#include "envelope.h"
#include "kafka.h"
#include "pg.h"
#include "status.h"

typedef struct {
    pc_config cfg;
    unsigned char public_key[crypto_box_PUBLICKEYBYTES];
    unsigned char secret_key[crypto_box_SECRETKEYBYTES];
    unsigned char pepper[32];
    unsigned char notify_public_key[crypto_box_PUBLICKEYBYTES]; /* mail tokens are sealed to it */
    pc_producer *replies;  /* low-latency producer for replies */
    pc_producer *events;   /* bulk producer for the outbox relay */
} registration_ctx;

/* Handlers: each runs one request on its own connection and sets *reply to
 * the reply's data. PC_EUNAVAIL means the database is unreachable: the
 * caller retries the same message later. */
pc_status registration_submit(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_login(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_query(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);

/* Queues an event in the outbox inside the caller's open transaction.
 * Steals data. */
pc_status registration_outbox_add(pc_pg *db, const char *type, const char *nip, json_t *data);

/* Recovery and the verified address (recovery.c, account.c), on the
 * command workers; registration_account_get is a query. Same contract as
 * the handlers above. */
pc_status registration_password_reset(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_password_forgot(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_password_token_reset(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_password_change(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_status_check(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_status_mail(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_email_verify(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_email_change(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_email_resend(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
pc_status registration_account_get(pc_pg *db, const pc_event *ev, json_t **reply);

/* Queues a notice for the notify service (pupns.registration.notices)
 * inside the caller's open transaction. Steals data. */
pc_status registration_notice_add(pc_pg *db, const char *type, const char *nip, json_t *data);

/* Per-NIP failure counters (throttle.c); table is "login_throttle" or
 * "recovery_throttle" (a constant, never input). locked: seconds the NIP
 * is still locked, 0 if not, -1 on a database error (*st says which).
 * fail: counts one failure and returns the lock-out it caused (0: none).
 * clear: forgets the NIP's failures. */
long registration_throttle_locked(pc_pg *db, const char *table, const char *nip, pc_status *st);
long registration_throttle_fail(pc_pg *db, const char *table, const char *nip, pc_status *st);
pc_status registration_throttle_clear(pc_pg *db, const char *table, const char *nip);
/* Without lock-outs (login): the failures counted within the window now,
 * and counting one more (returns the new count); -1 with *st on error. */
long registration_throttle_failures(pc_pg *db, const char *table, const char *nip, pc_status *st);
long registration_throttle_count(pc_pg *db, const char *table, const char *nip, pc_status *st);

/* Mail link tokens (mail_token.c). Lifetimes of the links. */
#define REGISTRATION_VERIFY_TTL_S (7 * 24 * 3600)
#define REGISTRATION_RESET_TTL_S (30 * 60)
/* Makes a single-use token of purpose ("verify" or "reset") for nip and
 * email, valid ttl_s, inside the caller's open transaction: stores only its
 * SHA-256, voids the NIP's earlier unused tokens of that purpose, and sets
 * *sealed (malloc'd; caller frees) to base64(crypto_box_seal(token,
 * notify key)) and expires_at to its RFC 3339 expiry. The token itself is
 * wiped before return: it exists only inside the seal. PC_OK, or the
 * database's or libsodium's failure. */
pc_status registration_mail_token_new(registration_ctx *ctx, pc_pg *db, const char *nip, const char *purpose,
                                      const char *email, int ttl_s, char **sealed, char expires_at[40]);
/* Uses the token whose hash is token_hash for purpose, inside the caller's
 * open transaction: PC_OK with nip (19 bytes) and email (256 bytes) set if it
 * exists, is unused, has not expired and its address is still the
 * account's; PC_ENOTFOUND otherwise (one answer for all of these). */
pc_status registration_mail_token_use(pc_pg *db, const char *token_hash, const char *purpose, char *nip,
                                      char *email);

/* Helpers of the recovery and account handlers (replies.c). */
/* The plaintext of data.sealed.<field> opened with the service's key pair,
 * or NULL (absent or unreadable); free with pc_secret_free. */
char *registration_open_sealed(registration_ctx *ctx, json_t *data, const char *field);
/* {"status": "denied"}, or {"status": "locked", "retry_after": n} when n > 0. */
json_t *registration_refusal(long retry_after);
/* {"status": "rejected", "errors": [{field, code, message}]}. */
json_t *registration_rejected(const char *field, const char *code, const char *message);
/* {"status": s}. */
json_t *registration_status_reply(const char *s);
/* Ends the caller's transaction: COMMIT when st is PC_OK (returning the
 * commit's own status), else ROLLBACK (returning st). */
pc_status registration_tx_end(pc_pg *db, pc_status st);

/* Revokes the NIP's open sessions, except keep_hash (NULL: all of them). */
pc_status registration_sessions_revoke(pc_pg *db, const char *nip, const char *keep_hash);

/* Threads: the command workers + dispatcher (runs in the caller until
 * stop), the query server, and the outbox relay. */
pc_status registration_serve_commands(registration_ctx *ctx);
void *registration_query_thread(void *ctx);
void *registration_relay_thread(void *ctx);

/* "SELECT <public account columns> FROM registration.account" and the JSON
 * of one such row: {no_registrasi, nip, nama, instansi, unit_kerja, created_at}. */
const char *registration_account_select(void);
json_t *registration_account_json(PGresult *res, int row);

/* 1 if hash looks like a token's hex SHA-256 (what the gateway sends and
 * the session table stores). */
int registration_token_hash_valid(const char *hash);

/* Runs a statement inside a transaction; any failure rolls back. */
pc_status registration_tx(pc_pg *db, const char *sql);

#endif
