/* outbox.c -- transactional outbox rows and their relay to Kafka. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "outbox.h"
#include "envelope.h"

#define RELAY_BATCH_ROWS 500
#define RELAY_BATCH "500" /* RELAY_BATCH_ROWS, for the SQL text */

/* Runs one statement that returns no rows. */
static pc_status exec_simple(pc_pg *db, const char *sql) {
    pc_status st;
    PGresult *res = pc_pg_exec(db, sql, 0, NULL, 0, &st);
    PQclear(res);
    return st;
}

pc_status pc_outbox_add(pc_pg *db, const char *schema, const char *topic, const char *type,
                        const char *key, json_t *data) {
    json_t *ev = pc_event_new(type, key, data);
    if (!ev) return PC_ERROR;
    char *payload = pc_event_encode(ev, NULL);
    const char *params[] = { json_string_value(json_object_get(ev, "id")), topic, key, payload };
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO %s.outbox (event_id, topic, key, payload) VALUES ($1, $2, $3, $4)",
             schema);
    pc_status st = PC_ERROR;
    if (payload) {
        PGresult *res = pc_pg_exec(db, sql, 4, params, 0, &st);
        PQclear(res);
    }
    free(payload);
    json_decref(ev);
    return st;
}

typedef struct {
    int pending;
    int failed;
    pthread_mutex_t lock;
} relay_batch;

static void relay_delivered(void *opaque, pc_status st) {
    relay_batch *b = opaque;
    pthread_mutex_lock(&b->lock);
    b->pending--;
    if (st != PC_OK) b->failed++;
    pthread_mutex_unlock(&b->lock);
}

/* Publishes one batch of unsent rows. Returns the number published, 0 when
 * idle, -1 on error (the transaction is rolled back; rows stay unsent). */
int pc_outbox_relay_once(pc_pg *db, const char *schema, pc_producer *producer) {
    char sql[256];
    if (exec_simple(db, "BEGIN") != PC_OK) return -1;
    pc_status st;
    /* SKIP LOCKED: several instances may relay the same table side by side. */
    snprintf(sql, sizeof sql,
             "SELECT seq, topic, key, payload FROM %s.outbox WHERE sent_at IS NULL"
             " ORDER BY seq LIMIT " RELAY_BATCH " FOR UPDATE SKIP LOCKED", schema);
    PGresult *rows = pc_pg_exec(db, sql, 0, NULL, 0, &st);
    int n = rows ? PQntuples(rows) : -1;
    if (n <= 0) {
        PQclear(rows);
        exec_simple(db, "ROLLBACK");
        return n;
    }
    relay_batch b = { .pending = 0 };
    pthread_mutex_init(&b.lock, NULL);
    int queued = 0;
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&b.lock);
        b.pending++;
        pthread_mutex_unlock(&b.lock);
        const char *payload = PQgetvalue(rows, i, 3);
        if (pc_producer_send(producer, PQgetvalue(rows, i, 1), RD_KAFKA_PARTITION_UA,
                             PQgetvalue(rows, i, 2), payload, strlen(payload), relay_delivered,
                             &b) != PC_OK) {
            pthread_mutex_lock(&b.lock);
            b.pending--;
            b.failed++;
            pthread_mutex_unlock(&b.lock);
            break;
        }
        queued++;
    }
    /* Wait for every delivery report: b lives on this stack frame. */
    for (;;) {
        pthread_mutex_lock(&b.lock);
        int left = b.pending;
        pthread_mutex_unlock(&b.lock);
        if (left == 0) break;
        usleep(1000);
    }
    int ok = b.failed == 0;
    pthread_mutex_destroy(&b.lock);
    if (!ok) {
        PQclear(rows);
        exec_simple(db, "ROLLBACK");
        PC_WARN("outbox: %d of %d events not delivered; will retry", n - queued, n);
        return -1;
    }
    /* Mark exactly the rows published: their seqs as an array literal. */
    size_t cap = (size_t)n * 21 + 3, len = 0;
    char *seqs = malloc(cap);
    if (!seqs) {
        PQclear(rows);
        exec_simple(db, "ROLLBACK");
        return -1;
    }
    seqs[len++] = '{';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(seqs + len, cap - len, "%s%s", i ? "," : "", PQgetvalue(rows, i, 0));
    snprintf(seqs + len, cap - len, "}");
    PQclear(rows);
    const char *params[] = { seqs };
    snprintf(sql, sizeof sql, "UPDATE %s.outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])", schema);
    PGresult *res = pc_pg_exec(db, sql, 1, params, 0, &st);
    PQclear(res);
    free(seqs);
    if (st != PC_OK || exec_simple(db, "COMMIT") != PC_OK) {
        exec_simple(db, "ROLLBACK");
        return -1;
    }
    return n;
}

pc_status pc_outbox_relay_run(const char *pg_url, const char *schema, pc_producer *producer) {
    char err[256];
    pc_pg *db = pc_pg_connect(pg_url, 30000, err, sizeof err);
    if (!db) {
        PC_ERROR("outbox relay: %s", err);
        return PC_EUNAVAIL;
    }
    while (pc_running()) {
        int n = pc_outbox_relay_once(db, schema, producer);
        if (n > 0) PC_DEBUG("outbox: published %d events", n);
        /* Loop at once only after a full batch (a backlog). Otherwise let
         * events gather for 50 ms: publishing one or two per transaction
         * kept a commit (and its fsync) going per registration. */
        if (n < RELAY_BATCH_ROWS) usleep(n < 0 ? 500 * 1000 : 50 * 1000);
    }
    /* Drain what is already committed before leaving. */
    while (pc_outbox_relay_once(db, schema, producer) > 0) {}
    pc_pg_close(db);
    return PC_OK;
}
