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
