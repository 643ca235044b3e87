/* workers.c -- the command pipeline: one consumer hands each message to the
 * worker that owns its partition (partition % workers), so commands for one
 * NIP run one at a time and in order, while password hashing uses every core.
 * A worker commits a message's offset only after its transaction commits
 * and its reply is queued. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "registration.h"
#include "reply.h"

#define QUEUE_MAX 256
#define TYPE_PREFIX_LEN (sizeof "id.go.bkn.pupns." - 1) /* every command type starts so */

typedef struct job {
    rd_kafka_message_t *msg;
    struct job *next;
} job;

typedef struct {
    registration_ctx *ctx;
    rd_kafka_t *consumer;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t ready, space;
    job *head, *tail;
    int len;
    int stopping;
    int index;
} worker;

static void queue_push(worker *w, rd_kafka_message_t *m) {
    job *j = malloc(sizeof *j);
    if (!j) { /* cannot queue: leave it uncommitted; it comes back after a restart */
        rd_kafka_message_destroy(m);
        return;
    }
    j->msg = m;
    j->next = NULL;
    pthread_mutex_lock(&w->lock);
    while (w->len >= QUEUE_MAX && !w->stopping) pthread_cond_wait(&w->space, &w->lock);
    if (w->tail) w->tail->next = j;
    else w->head = j;
    w->tail = j;
    w->len++;
    pthread_cond_signal(&w->ready);
    pthread_mutex_unlock(&w->lock);
}

/* NULL when stopping and the queue is empty. */
static rd_kafka_message_t *queue_pop(worker *w) {
    pthread_mutex_lock(&w->lock);
    while (!w->head && !w->stopping) pthread_cond_wait(&w->ready, &w->lock);
    job *j = w->head;
    if (j) {
        w->head = j->next;
        if (!w->head) w->tail = NULL;
        w->len--;
        pthread_cond_signal(&w->space);
    }
    pthread_mutex_unlock(&w->lock);
    rd_kafka_message_t *m = j ? j->msg : NULL;
    free(j);
    return m;
}

/* Runs one command; PC_EUNAVAIL asks for a retry of the same message. */
static pc_status run_command(worker *w, pc_pg *db, const rd_kafka_message_t *m) {
    pc_event ev;
    char err[160];
    if (pc_event_decode(m->payload, m->len, &ev, err, sizeof err) != PC_OK) {
        PC_WARN("dropping undecodable command at %d/%lld: %s", m->partition, (long long)m->offset, err);
        return PC_OK;
    }
    pc_log_set_cid(ev.id);
    json_t *reply = NULL;
    const char *reply_type = NULL;
    pc_status st = PC_OK;
    int64_t t0 = pc_mono_us();
    if (strcmp(ev.type, PC_TYPE_REG_SUBMIT) == 0) {
        st = registration_submit(w->ctx, db, &ev, &reply);
        reply_type = PC_TYPE_REG_SUBMIT_REPLY;
    } else if (strcmp(ev.type, PC_TYPE_REG_LOGIN) == 0) {
        st = registration_login(w->ctx, db, &ev, &reply);
        reply_type = PC_TYPE_REG_LOGIN_REPLY;
    } else {
        PC_WARN("dropping command of unknown type %s", ev.type);
    }
    if (st == PC_OK && reply && ev.replyto)
        pc_reply_send(w->ctx->replies, &ev, reply_type, json_incref(reply), NULL, NULL);
    else if (st == PC_ERROR && reply_type && ev.replyto) /* tell the caller now, not at its timeout */
        pc_reply_send(w->ctx->replies, &ev, reply_type, json_pack("{s:s}", "status", "error"), NULL, NULL);
    if (reply_type) {
        char labels[96];
        snprintf(labels, sizeof labels, "type=\"%s\"", ev.type + TYPE_PREFIX_LEN);
        pc_metrics_observe("pupns_registration_command_seconds", labels, (double)(pc_mono_us() - t0) / 1e6);
    }
    json_decref(reply);
    pc_event_clear(&ev);
    pc_log_set_cid(NULL);
    return st;
}

static void *worker_main(void *arg) {
    worker *w = arg;
    char err[256];
    pc_pg *db = pc_pg_connect(w->ctx->cfg.pg_url, 30000, err, sizeof err);
    if (!db) {
        PC_ERROR("worker %d: %s", w->index, err);
        pc_lifecycle_stop();
    }
    rd_kafka_message_t *m;
    while ((m = queue_pop(w)) != NULL) {
        pc_status st = db ? run_command(w, db, m) : PC_EUNAVAIL;
        /* The database is down: keep the message and retry it; giving up
         * would lose a registration. On shutdown it stays uncommitted and
         * is delivered again after the restart. */
        while (st == PC_EUNAVAIL && pc_running()) {
            usleep(500 * 1000);
            st = run_command(w, db, m);
        }
        if (st != PC_EUNAVAIL) pc_consumer_commit(w->consumer, &m, 1);
        rd_kafka_message_destroy(m);
    }
    pc_pg_close(db);
    return NULL;
}

/* Two per CPU by default: while one worker waits for its database commit
 * or the broker, the other keeps the core busy hashing (measured: 2 workers
 * on 2 cores reached 71 registrations/s, 4 reached 85). */
static int worker_count(const pc_config *cfg) {
    if (cfg->workers > 0) return cfg->workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? 2 * (int)n : 2;
}

pc_status registration_serve_commands(registration_ctx *ctx) {
    char err[512];
    const char *topics[] = { PC_TOPIC_REG_COMMANDS };
    rd_kafka_t *consumer = pc_consumer_new(&ctx->cfg, "pupns-registration", topics, 1, err, sizeof err);
    if (!consumer) {
        PC_ERROR("command consumer: %s", err);
        return PC_ERROR;
    }
    int n = worker_count(&ctx->cfg);
    worker *ws = calloc((size_t)n, sizeof *ws);
    if (!ws) {
        pc_consumer_free(consumer);
        return PC_ERROR;
    }
    for (int i = 0; i < n; i++) {
        ws[i] = (worker){ .ctx = ctx, .consumer = consumer, .index = i };
        pthread_mutex_init(&ws[i].lock, NULL);
        pthread_cond_init(&ws[i].ready, NULL);
        pthread_cond_init(&ws[i].space, NULL);
        pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]);
    }
    PC_INFO("%d command workers on %s", n, PC_TOPIC_REG_COMMANDS);
    while (pc_running()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
        if (!m) continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) PC_WARN("consume: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        queue_push(&ws[m->partition % n], m);
    }
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&ws[i].lock);
        ws[i].stopping = 1;
        pthread_cond_broadcast(&ws[i].ready);
        pthread_cond_broadcast(&ws[i].space);
        pthread_mutex_unlock(&ws[i].lock);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(ws[i].thread, NULL);
        pthread_mutex_destroy(&ws[i].lock);
        pthread_cond_destroy(&ws[i].ready);
        pthread_cond_destroy(&ws[i].space);
    }
    free(ws);
    pc_consumer_free(consumer);
    return PC_OK;
}
