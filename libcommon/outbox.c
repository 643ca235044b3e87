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
    return pc_outbox_add_ext(db, schema, topic, type, key, data, NULL);
}

pc_status pc_outbox_add_ext(pc_pg *db, const char *schema, const char *topic, const char *type,
                            const char *key, json_t *data, const pc_event_ext *ext) {
    json_t *ev = pc_event_new(type, key, data);
    if (!ev) return PC_ERROR;
    for (; ext && ext->name; ext++) {
        pc_status est = pc_event_set_ext(ev, ext->name, ext->value);
        if (est != PC_OK) {
            PC_WARN("outbox: extension attribute %s refused on %s", ext->name, type);
            json_decref(ev);
            return est;
        }
    }
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

/* One batch's delivery count. On the heap and shared by the relay and each
 * queued message's callback (one reference each): a relay that stops
 * waiting at its deadline drops its reference and returns, and the last
 * late callback frees the batch, so no callback touches freed memory. */
typedef struct {
    pthread_mutex_t lock;
    int refs;
    int pending;
    int failed;
} relay_batch;

static relay_batch *batch_new(void) {
    relay_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    pthread_mutex_init(&b->lock, NULL);
    b->refs = 1;
    return b;
}

/* Drops one reference; the last frees. */
static void batch_unref(relay_batch *b) {
    pthread_mutex_lock(&b->lock);
    int last = --b->refs == 0;
    pthread_mutex_unlock(&b->lock);
    if (!last) return;
    pthread_mutex_destroy(&b->lock);
    free(b);
}

/* Runs on the producer's poll thread: counts, never sends (see kafka.h). */
static void relay_delivered(void *opaque, pc_status st) {
    relay_batch *b = opaque;
    pthread_mutex_lock(&b->lock);
    b->pending--;
    if (st != PC_OK) b->failed++;
    pthread_mutex_unlock(&b->lock);
    batch_unref(b);
}

/* Longest wait for a batch's delivery reports: every message has one within
 * message.timeout.ms, and a producer re-creation drains in 5 s more; past
 * that something is wrong, and the batch is retried rather than waited on. */
#define RELAY_DELIVERY_WAIT_MS (PC_PRODUCER_MESSAGE_TIMEOUT_MS + 5000)

/* Queues the rows and waits for their reports. 1 when every one was
 * delivered; 0 when one failed, could not be queued, or the wait ran out. */
static int publish_rows(PGresult *rows, int n, pc_producer *producer) {
    relay_batch *b = batch_new();
    if (!b) return 0;
    int queued = 0, refused = 0;
    for (int i = 0; i < n && !refused; i++) {
        pthread_mutex_lock(&b->lock);
        b->pending++;
        b->refs++; /* the callback's */
        pthread_mutex_unlock(&b->lock);
        const char *payload = PQgetvalue(rows, i, 3);
        if (pc_producer_send(producer, PQgetvalue(rows, i, 1), RD_KAFKA_PARTITION_UA,
                             PQgetvalue(rows, i, 2), payload, strlen(payload), relay_delivered,
                             b) != PC_OK) {
            pthread_mutex_lock(&b->lock); /* no callback will come for this one */
            b->pending--;
            b->refs--;
            b->failed++;
            pthread_mutex_unlock(&b->lock);
            refused = 1;
        } else {
            queued++;
        }
    }
    int64_t until = pc_mono_us() + (int64_t)RELAY_DELIVERY_WAIT_MS * 1000;
    int left, failed;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        left = b->pending;
        failed = b->failed;
        pthread_mutex_unlock(&b->lock);
        if (left == 0 || pc_mono_us() >= until) break;
        usleep(1000);
    }
    batch_unref(b);
    if (left > 0)
        PC_WARN("outbox: %d of %d delivery reports missing after %d ms; will retry", left, queued,
                RELAY_DELIVERY_WAIT_MS);
    else if (failed)
        PC_WARN("outbox: %d of %d events not delivered; will retry", n - queued + failed - refused,
                n);
    return left == 0 && failed == 0;
}

/* Publishes one batch of unsent rows. Returns the number published, 0 when
 * idle, -1 on error (the transaction is rolled back; rows stay unsent). */
int pc_outbox_relay_once(pc_pg *db, const char *schema, pc_producer *producer) {
    char sql[256];
    /* A broken producer refuses every send: take no row locks meanwhile. */
    if (pc_producer_broken(producer)) return -1;
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
    if (!publish_rows(rows, n, producer)) {
        /* Rolled back at once: the row locks go, the rows stay unsent. */
        PQclear(rows);
        exec_simple(db, "ROLLBACK");
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
        /* Without the relay, events pile up unsent: stop the process. */
        pc_lifecycle_fail_because("outbox relay (%s) cannot connect to PostgreSQL: %s", schema, err);
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
    /* Drain what is already committed before leaving: each batch is
     * bounded, and a failed one (-1) ends the drain. */
    while (pc_outbox_relay_once(db, schema, producer) > 0) {}
    pc_pg_close(db);
    return PC_OK;
}
