/* verifier.h -- shared state of the verifier service.
 *
 * The service owns schema `verifier`: verifier accounts (Verifikator 1 of
 * one or more unit kerja, Verifikator 2 of one BKD = a set of instansi,
 * admin), their sessions, the registrations and corrections it learned
 * from events, the receipts Verifikator 1 received, batches, unit
 * activation and an append-only audit log. Every API operation arrives on
 * pupns.verifier.requests with the session's token hash and the client's
 * address; this service authenticates, checks role and scope, changes its
 * tables, appends to the audit log and queues its public events
 * (pupns.verifier.events) in one transaction. It never reads another
 * service's tables: the unit roster comes from the identity service and QR
 * payloads are verified by the receipt service, both by request/reply. */
#ifndef VERIFIER_H
#define VERIFIER_H

#include <jansson.h>
#include <sodium.h>

#include "config.h"
#include "envelope.h"
#include "kafka.h"
#include "pg.h"
#include "rpc.h"
#include "status.h"

/* Identity's routes the verifier calls (A2's side, CONTRACTS.md). */
#define VERIFIER_TYPE_UNIT_MEMBERS      "id.go.bkn.pupns.identity.unit.members.v1"
#define VERIFIER_TYPE_CORRECTION_RESOLVE "id.go.bkn.pupns.identity.correction.resolve.v1"
#define VERIFIER_TYPE_CORRECTED         "id.go.bkn.pupns.identity.corrected.v1"
#define VERIFIER_TYPE_CORRECTION_REJECTED "id.go.bkn.pupns.identity.correction.rejected.v1"

typedef struct {
    pc_config cfg;
    unsigned char public_key[crypto_box_PUBLICKEYBYTES];
    unsigned char secret_key[crypto_box_SECRETKEYBYTES];
    pc_producer *replies; /* replies, dead letters, and requests to other services */
    pc_producer *events;  /* the outbox relay */
    pc_rpc *rpc;          /* calls to identity and receipt */
} verifier_ctx;

/* Serve-loop worker state: the context and the worker's own connection. */
typedef struct {
    verifier_ctx *ctx;
    pc_pg *db;
} verifier_worker;
void *verifier_worker_open(void *ctx, int index, char *errstr, size_t errlen);
void verifier_worker_close(void *w);

/* Roles, in the order of the account table's CHECK. */
typedef enum { VR_NONE = 0, VR_V1 = 1, VR_V2 = 2, VR_ADMIN = 4 } verifier_role;

/* Who is calling: the account of a valid session, and where from. */
typedef struct {
    long long id;
    char username[64];
    char nama[201];
    verifier_role role;
    char role_name[16];
    json_t *units;       /* verifikator1: unit kerja kode strings (owned) */
    json_t *instansi;    /* verifikator2: instansi kode strings (owned) */
    char client[64];     /* client address the gateway saw */
    const char *request_id;
} verifier_principal;
void verifier_principal_clear(verifier_principal *p);
/* 1 if p may act for unit kode: a verifikator1 of it (or admin when
 * admin_ok). A verifikator2 is checked by its instansi (verifier_in_bkd). */
int verifier_has_unit(const verifier_principal *p, const char *kode);
int verifier_in_bkd(const verifier_principal *p, const char *instansi_kode);

/* The outcome of an API operation, turned into the reply by requests.c. */
typedef struct {
    int http;            /* 200, 201, 204, 4xx */
    json_t *body;        /* the success body (owned), or NULL */
    char code[48];       /* problem: stable code */
    char title[120];
    char detail[400];
    char field[48];
} verifier_result;
/* Fills r as a problem; returns PC_OK so callers can `return verifier_problem(...)`. */
pc_status verifier_problem(verifier_result *r, int http, const char *code, const char *title, const char *detail,
                           const char *field);
/* Fills r as a success with body (stolen). */
pc_status verifier_ok(verifier_result *r, int http, json_t *body);

/* One parameterised statement; *st as pc_pg_exec. */
PGresult *verifier_sql(pc_pg *db, const char *sql, int n, const char *const *params, pc_status *st);
/* BEGIN / COMMIT / ROLLBACK. */
pc_status verifier_tx(pc_pg *db, const char *what);
/* The first column of the first row of a statement as parsed JSON (owned),
 * or NULL with *st (PC_ENOTFOUND for no row or SQL NULL). */
json_t *verifier_sql_json(pc_pg *db, const char *sql, int n, const char *const *params, pc_status *st);

/* Appends an audit entry inside the caller's transaction. detail stolen (may be NULL). */
pc_status verifier_audit(pc_pg *db, const verifier_principal *p, const char *action, const char *object,
                         json_t *detail);
/* The same for a login attempt, where no principal exists yet. */
pc_status verifier_audit_login(pc_pg *db, long long account_id, const char *username, const char *role,
                               const char *action, const char *client, json_t *detail);
/* Queues a public event on pupns.verifier.events keyed by (and carrying
 * the `instansi` extension of) instansi_kode. Steals data. */
pc_status verifier_emit(pc_pg *db, const char *type, const char *instansi_kode, json_t *data);

/* Authentication (auth.c). */
pc_status verifier_login(verifier_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply);
/* Loads the principal of a token hash: PC_OK, PC_EDENIED (no valid
 * session, disabled account), or a database error. */
pc_status verifier_authenticate(pc_pg *db, const char *token_hash, verifier_principal *p);
pc_status verifier_op_session(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                              verifier_result *r);
pc_status verifier_op_logout(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                             verifier_result *r);

/* Operations: each checks its own scope, fills r, and returns PC_OK (also
 * for a problem answer) or a backend error (PC_EUNAVAIL: retried). */
typedef pc_status (*verifier_op_fn)(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                    verifier_result *r);
pc_status verifier_op_pns_list(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_mark(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_unmark(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_create(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_list(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_get(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_edit(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_submit(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_cancel(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_accept(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_batch_return(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_correction_list(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_correction_resolve(verifier_ctx *, pc_pg *, verifier_principal *, json_t *,
                                         verifier_result *);
pc_status verifier_op_audit_list(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);
pc_status verifier_op_receipt_access(verifier_ctx *, pc_pg *, verifier_principal *, json_t *, verifier_result *);

/* Unauthenticated routes: the state of one PNS (for their own pages) and
 * whether a unit is active (public). */
pc_status verifier_pns_state(pc_pg *db, json_t *data, json_t **reply);
pc_status verifier_unit_status(pc_pg *db, json_t *data, json_t **reply);

/* Events consumed (events.c). */
pc_status verifier_on_event(verifier_ctx *ctx, pc_pg *db, const pc_event *ev);

/* Threads: requests (runs in the caller), events, outbox relay. */
pc_status verifier_serve_requests(verifier_ctx *ctx);
void *verifier_event_thread(void *ctx);
void *verifier_relay_thread(void *ctx);

/* A string member, or NULL when absent/empty/not a string. */
const char *verifier_str(json_t *o, const char *k);

#endif
