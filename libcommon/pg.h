/* pg.h -- a PostgreSQL connection that survives a server restart.
 *
 * One pc_pg per thread (libpq connections are not shared). Statements run
 * with parameters only; a statement that fails because the connection broke
 * is retried once on a fresh connection when the caller marks it idempotent. */
#ifndef PUPNS_PG_H
#define PUPNS_PG_H

#include <libpq-fe.h>

#include "status.h"

typedef struct pc_pg pc_pg;

/* Connects (retrying for up to wait_ms while the server starts). NULL on error. */
pc_pg *pc_pg_connect(const char *url, int wait_ms, char *errstr, size_t errlen);

/* Runs one parameterised statement (text parameters). Returns the result
 * (caller PQclear()s) with *st = PC_OK, or NULL with *st = PC_EUNAVAIL
 * (connection lost) or PC_ERROR (the statement failed; logged with its
 * SQLSTATE). idempotent != 0 allows one retry after reconnecting. */
PGresult *pc_pg_exec(pc_pg *db, const char *sql, int nparams, const char *const *params,
                     int idempotent, pc_status *st);

/* SQLSTATE of the last failed statement ("" if none), e.g. "23505". */
const char *pc_pg_last_sqlstate(const pc_pg *db);

PGconn *pc_pg_conn(pc_pg *db);
void pc_pg_close(pc_pg *db);

/* The serve loop's worker callbacks (serve.h) for handlers whose worker
 * state is one connection of their own: the spec's ctx is the connection
 * URL (a const char *); open waits up to 30 s for the server. */
void *pc_pg_worker_open(void *pg_url, int index, char *errstr, size_t errlen);
void pc_pg_worker_close(void *db);

#endif
