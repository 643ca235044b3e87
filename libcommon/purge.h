/* purge.h -- keeps a service's bookkeeping tables bounded: a thread that
 * deletes, every PUPNS_PURGE_INTERVAL_S, the rows that can no longer
 * matter (expired sessions, sent outbox rows, command results older than
 * the commands' retention in Kafka, throttles whose window has passed...).
 *
 * Each rule names a table and the condition of its dead rows; rows go in
 * batches of PC_PURGE_BATCH (short transactions, no long locks on a busy
 * table), counted in pupns_purged_rows_total{table}. The thread has its own
 * connection (the service's role, which owns the tables) and stops with
 * pc_lifecycle_stop(). */
#ifndef PUPNS_PURGE_H
#define PUPNS_PURGE_H

#include <pthread.h>
#include <stddef.h>

#include "config.h"
#include "status.h"

#define PC_PURGE_BATCH 5000

typedef struct {
    const char *table; /* schema.table, a constant */
    const char *dead;  /* SQL condition of rows to delete, a constant */
} pc_purge_rule;

typedef struct pc_purge pc_purge;

/* Starts the thread for rules[0..n) (borrowed: keep them static). NULL on
 * error, errstr says why. */
pc_purge *pc_purge_start(const pc_config *cfg, const pc_purge_rule *rules, int n, char *errstr, size_t errlen);

/* One pass over every rule now; rows deleted, or -1 on a database error.
 * (The thread runs this; exposed for tests and operators.) */
long pc_purge_pass(pc_purge *p);

/* Joins the thread (call after pc_lifecycle_stop) and frees. NULL is fine. */
void pc_purge_stop(pc_purge *p);

#endif
