/* receipt.h -- shared state of the receipt service.
 *
 * The service owns schema `receipt`. It consumes registration.completed
 * from pupns.registration.events and keeps, per registration, what the
 * documents are rendered from: the event's data, the issue time and the
 * QR signature (with its key id). The PDFs are rendered when asked for
 * (pupns.receipt.requests), deterministically, so the same row and
 * template always give the same bytes and ETag; a new template version
 * shows on the next request. Everything it needs comes from the event:
 * it never reads another service's tables. */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <jansson.h>

#include "config.h"
#include "envelope.h"
#include "kafka.h"
#include "keys.h"
#include "pg.h"
#include "status.h"

typedef struct {
    pc_config cfg;
    receipt_keys keys;
    char font_dir[512];     /* where DejaVuSans.ttf & co. were found */
    char font_tag[17];      /* hash of the font files: part of every ETag */
    pc_producer *replies;
} receipt_ctx;

/* The stored receipt of one registration. */
typedef struct {
    char no_registrasi[9];
    char nip[19];
    json_t *data;           /* the event's data (owned) */
    long long issued;       /* Unix seconds, signed in the payload */
    char kid[16];
    char signature[100];    /* base64url, as in the payload */
} receipt_row;

/* Stores the receipt of a registration.completed event unless its event id
 * (or its registration) is known already; *inserted says which. One
 * statement, so the row and the de-duplication are one commit. */
pc_status receipt_store_put(pc_pg *db, const char *event_id, const receipt_row *r, int *inserted);

/* The receipt of no_registrasi: PC_OK with *r filled (receipt_row_clear),
 * PC_ENOTFOUND, or PC_EUNAVAIL/PC_ERROR. */
pc_status receipt_store_get(pc_pg *db, const char *no_registrasi, receipt_row *r);

/* *revoked = 1 (and reason) when a revocation record exists for no. */
pc_status receipt_store_revoked(pc_pg *db, const char *no_registrasi, int *revoked, char *reason, size_t cap);

void receipt_row_clear(receipt_row *r);

/* The serve-loop worker state of both consumers: the service's state and
 * the worker's own database connection (open: spec.ctx is the receipt_ctx). */
typedef struct {
    receipt_ctx *ctx;
    pc_pg *db;
} receipt_worker;
void *receipt_worker_open(void *ctx, int index, char *errstr, size_t errlen);
void receipt_worker_close(void *w);

/* Serve-loop handlers: the event consumer (runs in the caller until stop)
 * and the request server (a thread). */
pc_status receipt_serve_events(receipt_ctx *ctx);
void *receipt_request_thread(void *ctx);

/* The event handler and the request handler, for tests and the loops. */
pc_status receipt_on_event(receipt_ctx *ctx, pc_pg *db, const pc_event *ev);
pc_status receipt_on_request(receipt_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);

#endif
