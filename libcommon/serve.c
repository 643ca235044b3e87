/* serve.c -- the consume loop: one poller thread owns the consumer, the
 * partitions' bookkeeping and the commits; worker threads run the handlers.
 *
 * Every message becomes an entry in its partition's FIFO (poller only) and,
 * unless it is a dead letter, in the queue of the worker that owns the
 * partition. An entry's state moves QUEUED -> RUNNING -> SENDING -> DONE;
 * the delivery report of its reply (or dead letter) makes it DONE, or
 * FAILED, which the poller re-sends while the request's budget lasts.
 * The poller stores offsets over the FIFO's DONE prefix only. */
#include "serve.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "contract.h"
#include "deadletter.h"
#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"

enum { E_QUEUED, E_RUNNING, E_SENDING, E_DONE, E_FAILED, E_ABANDONED };

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000
#define DRAIN_WAIT_MS 15000    /* how long a revoke or stop waits for running work */
#define IDLE_POLL_MS 100
#define BUSY_POLL_MS 5

struct part;
struct serve;

typedef struct entry {
    struct part *part;
    int64_t offset;
    pc_event ev;                   /* empty for dead letters */
    const pc_serve_route *route;   /* NULL for dead letters */
    int64_t deadline_us;           /* monotonic; 0: none (events, dead letters) */
    atomic_int state;
    /* The message being delivered for it, kept for a re-send. */
    char *out_topic, *out_key, *out;
    size_t out_len;
    int32_t out_partition;
    int resends;
    int64_t retry_at_us;
    struct entry *next;            /* partition FIFO (poller) */
    struct entry *wnext;           /* worker queue (under the worker's lock) */
} entry;

typedef struct part {
    struct serve *s;
    char *topic;
    int32_t partition;
    entry *head, *tail;            /* unfinished and finished-but-unstored, in offset order */
    int count;
    int64_t next_offset;           /* first offset not yet taken in; -1 unknown */
    int held;                      /* paused: messages at or past next_offset are dropped */
    atomic_int revoked;
    int worker;
    struct part *next;
} part;

typedef struct worker {
    struct serve *s;
    int index;
    pthread_t thread;
    void *state;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    entry *head, *tail;
    int stopping;
} worker;

typedef struct serve {
    const pc_config *cfg;
    const pc_serve_spec *spec;
    rd_kafka_t *rk;
    part *parts;
    part *zombies;                 /* revoked, with deliveries still outstanding */
    worker *workers;
    int nworkers;
    int part_max;
    atomic_int resend_due;
    atomic_int bad_replyto_logged;
    atomic_long dead_letters;
} serve;

static void count(const char *topic, const char *result) {
    char labels[192];
    snprintf(labels, sizeof labels, "topic=\"%s\",result=\"%s\"", topic, result);
    pc_metrics_inc("pupns_serve_messages_total", labels, 1);
}

int pc_serve_reply_topic_valid(const char *topic) {
    size_t plen = strlen(PC_TOPIC_REPLY_PREFIX);
    if (!topic || strncmp(topic, PC_TOPIC_REPLY_PREFIX, plen) != 0) return 0;
    size_t n = strlen(topic);
    if (n == plen || n > 249) return 0; /* Kafka's own limit on topic names */
    for (const char *c = topic + plen; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '.' || *c == '_' || *c == '-';
        if (!ok) return 0;
    }
    return 1;
}

/* ---- entries and their deliveries ---- */

static void entry_free(entry *e) {
    pc_event_clear(&e->ev);
    free(e->out_topic);
    free(e->out_key);
    free(e->out);
    free(e);
}

static void on_delivered(void *opaque, pc_status st) {
    entry *e = opaque;
    if (st != PC_OK) {
        atomic_store(&e->part->s->resend_due, 1);
        atomic_store(&e->state, E_FAILED);
    } else {
        atomic_store(&e->state, E_DONE); /* last touch: the poller may free e now */
    }
}

static void send_tracked(serve *s, entry *e) {
    atomic_store(&e->state, E_SENDING);
    if (pc_producer_send(s->spec->producer, e->out_topic, e->out_partition, e->out_key, e->out,
                         e->out_len, on_delivered, e) != PC_OK) {
        atomic_store(&s->resend_due, 1);
        atomic_store(&e->state, E_FAILED);
    }
}

/* Makes e's output (owned by e) and sends it. payload is taken. */
static void deliver(serve *s, entry *e, const char *topic, int32_t partition, const char *key,
                    char *payload) {
    e->out_topic = strdup(topic);
    e->out_key = key ? strdup(key) : NULL;
    e->out = payload;
    e->out_len = payload ? strlen(payload) : 0;
    e->out_partition = partition;
    if (!e->out_topic || !e->out || (key && !e->out_key)) {
        /* Out of memory: left unfinished, so the message is read again after a restart. */
        PC_ERROR("out of memory building an answer at %s/%d/%lld", e->part->topic, e->part->partition,
                 (long long)e->offset);
        atomic_store(&e->state, E_ABANDONED);
        return;
    }
    send_tracked(s, e);
}

/* Dead letter for e: tracked (e finishes when the brokers have it) or, as a
 * copy beside a reply, fire-and-forget. raw may be NULL (then e's event). */
static void dead_letter(serve *s, entry *e, const char *reason, const char *detail, const void *raw,
                        size_t raw_len, const char *key, int tracked) {
    char labels[192];
    snprintf(labels, sizeof labels, "topic=\"%s\",reason=\"%s\"", e->part->topic, reason);
    pc_metrics_inc("pupns_deadletter_total", labels, 1);
    count(e->part->topic, "deadletter");
    char *own = NULL;
    if (!raw && e->ev.root) {
        own = pc_event_encode(e->ev.root, &raw_len);
        raw = own;
        if (!key) key = e->ev.subject;
    }
    char *payload = pc_deadletter_encode(reason, detail, e->part->topic, e->part->partition, e->offset,
                                         key, raw, raw_len, e->ev.type);
    free(own);
    /* Logged, but not so often that a flood of garbage floods the log too. */
    long nth = atomic_fetch_add(&s->dead_letters, 1);
    if (nth < 20 || nth % 1000 == 0)
        PC_WARN("dead letter #%ld from %s/%d/%lld: %s%s%s", nth + 1, e->part->topic, e->part->partition,
                (long long)e->offset, reason, detail ? ": " : "", detail ? detail : "");
    if (tracked) {
        deliver(s, e, PC_TOPIC_DEADLETTER, RD_KAFKA_PARTITION_UA, key, payload);
    } else if (payload) {
        pc_producer_send(s->spec->producer, PC_TOPIC_DEADLETTER, RD_KAFKA_PARTITION_UA, key, payload,
                         strlen(payload), NULL, NULL);
        free(payload);
    }
}

/* {"status": status}, and for a batch request ({"items": [{"id"}...]}) the
 * same answer per item, so that each of its callers hears it. */
static json_t *error_data(const pc_event *ev, const char *status) {
    json_t *data = json_pack("{s:s}", "status", status);
    json_t *items = json_object_get(ev->data, "items");
    if (!data || !json_is_array(items)) return data;
    json_t *answers = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        json_t *id = json_object_get(item, "id");
        if (json_is_string(id)) json_array_append_new(answers, json_pack("{s:O, s:s}", "id", id, "status", status));
    }
    json_object_set_new(data, "items", answers);
    return data;
}

/* Sends the reply (data taken) of e's request. */
static void reply(serve *s, entry *e, json_t *data) {
    json_t *ev = data ? pc_event_new(e->route->reply_type, e->ev.subject, data) : NULL;
    if (ev) json_object_set_new(ev, "correlationid", json_string(e->ev.id));
    char *payload = ev ? pc_event_encode(ev, NULL) : NULL;
    json_decref(ev);
    /* Reply topics have a single partition. */
    deliver(s, e, e->ev.replyto, 0, e->ev.subject, payload);
}

/* The handler is done with e: answer, dead-letter or finish it. */
static void finish(serve *s, entry *e, pc_status st, json_t *data) {
    const char *topic = e->part->topic;
    if (!e->route->reply_type) {
        json_decref(data);
        if (st == PC_OK) {
            count(topic, "ok");
            atomic_store(&e->state, E_DONE);
        } else { /* PC_EINVAL: the only other status that reaches here for an event */
            dead_letter(s, e, "invalid_data", "refused by the handler", NULL, 0, NULL, 1);
        }
        return;
    }
    if (st != PC_OK) {
        json_decref(data);
        if (st == PC_EINVAL) dead_letter(s, e, "invalid_data", "refused by the handler", NULL, 0, NULL, 0);
        else count(topic, st == PC_EUNAVAIL ? "unavailable" : "error");
        data = error_data(&e->ev, st == PC_EUNAVAIL ? "unavailable" : "error");
    } else {
        count(topic, "ok");
        if (!data) data = json_object();
    }
    reply(s, e, data);
}

/* ---- workers ---- */

static int64_t remaining_ms(const entry *e) {
    return e->deadline_us ? (e->deadline_us - pc_mono_us()) / 1000 : INT64_MAX;
}

/* 1 when e must not be worked on any more: abandoned (stop, revoke) or
 * expired (skipped: nobody waits for its answer). Finishes e if so. */
static int give_up(entry *e) {
    if (!pc_running() || atomic_load(&e->part->revoked)) {
        atomic_store(&e->state, E_ABANDONED);
        return 1;
    }
    if (e->deadline_us && pc_mono_us() >= e->deadline_us) {
        count(e->part->topic, "expired");
        atomic_store(&e->state, E_DONE);
        return 1;
    }
    return 0;
}

/* 1 when e's budget ends before a retry after wait_ms could answer it: it
 * is answered "unavailable" now, while its caller still waits. */
static int budget_ends_before(const entry *e, int wait_ms) {
    return remaining_ms(e) - wait_ms < 250;
}

/* Sleeps *wait_ms (doubled for next time) unless the service stops. */
static void backoff(int *wait_ms) {
    for (int slept = 0; slept < *wait_ms && pc_running(); slept += 50) usleep(50 * 1000);
    *wait_ms = *wait_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : *wait_ms * 2;
}

static void set_log_context(const entry *e) {
    pc_log_set_cid(e ? e->ev.id : NULL);
    pc_log_set_request_id(e ? e->ev.requestid : NULL);
}

/* One message at a time, in order; a retried one holds up those behind it. */
static void run_one(serve *s, worker *w, entry *e) {
    int wait_ms = BACKOFF_FIRST_MS;
    set_log_context(e);
    while (!give_up(e)) {
        json_t *data = NULL;
        pc_status st = s->spec->handle(w->state, &e->ev, &data);
        int retry = st == PC_EUNAVAIL || (st != PC_OK && st != PC_EINVAL && !e->route->reply_type);
        if (!retry) {
            finish(s, e, st, data);
            break;
        }
        json_decref(data);
        if (st != PC_EUNAVAIL) PC_WARN("%s failed (%s); retrying", e->ev.type, pc_status_name(st));
        if (budget_ends_before(e, wait_ms)) {
            finish(s, e, PC_EUNAVAIL, NULL);
            break;
        }
        backoff(&wait_ms);
    }
    set_log_context(NULL);
}

/* Many at once; those that must be retried come back together. */
static void run_batch(serve *s, worker *w, entry **es, size_t n) {
    pc_serve_item *items = calloc(n, sizeof *items);
    if (!items) {
        for (size_t i = 0; i < n; i++) atomic_store(&es[i]->state, E_ABANDONED);
        return;
    }
    int wait_ms = BACKOFF_FIRST_MS;
    while (n > 0) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!give_up(es[i])) es[k++] = es[i];
        n = k;
        if (n == 0) break;
        for (size_t i = 0; i < n; i++)
            items[i] = (pc_serve_item){ .ev = &es[i]->ev, .route = es[i]->route, .status = PC_ERROR };
        s->spec->handle_batch(w->state, items, n);
        k = 0;
        for (size_t i = 0; i < n; i++) {
            int retry = items[i].status == PC_EUNAVAIL ||
                        (items[i].status != PC_OK && items[i].status != PC_EINVAL && !es[i]->route->reply_type);
            if (retry) {
                json_decref(items[i].reply);
                es[k++] = es[i];
            } else {
                set_log_context(es[i]);
                finish(s, es[i], items[i].status, items[i].reply);
            }
        }
        n = k;
        /* Budgets that end before the next try are answered now; the rest wait. */
        k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!budget_ends_before(es[i], wait_ms)) {
                es[k++] = es[i];
                continue;
            }
            set_log_context(es[i]);
            finish(s, es[i], PC_EUNAVAIL, NULL);
        }
        set_log_context(NULL);
        n = k;
        if (n > 0) backoff(&wait_ms);
    }
    free(items);
}

static void *worker_main(void *arg) {
    worker *w = arg;
    serve *s = w->s;
    size_t max = (size_t)(s->spec->batch_max > 0 ? s->spec->batch_max : 1);
    entry **batch = calloc(max, sizeof *batch);
    if (!batch) {
        pc_lifecycle_fail();
        return NULL;
    }
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stopping) pthread_cond_wait(&w->cond, &w->lock);
        if (w->stopping) break;
        size_t n = 0;
        while (w->head && n < max) {
            entry *e = w->head;
            w->head = e->wnext;
            if (!w->head) w->tail = NULL;
            e->wnext = NULL;
            atomic_store(&e->state, E_RUNNING);
            batch[n++] = e;
        }
        pthread_mutex_unlock(&w->lock);
        if (s->spec->handle_batch) {
            run_batch(s, w, batch, n);
        } else {
            for (size_t i = 0; i < n; i++) run_one(s, w, batch[i]);
        }
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    free(batch);
    return NULL;
}

static void worker_push(worker *w, entry *e) {
    pthread_mutex_lock(&w->lock);
    if (w->tail) w->tail->wnext = e;
    else w->head = e;
    w->tail = e;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Takes the queued (not yet started) entries of parts marked revoked out of
 * every worker's queue: they are abandoned for the partitions' next owner. */
static void workers_drop_revoked(serve *s) {
    for (int i = 0; i < s->nworkers; i++) {
        worker *w = &s->workers[i];
        pthread_mutex_lock(&w->lock);
        entry **pp = &w->head, *last = NULL;
        while (*pp) {
            entry *e = *pp;
            if (atomic_load(&e->part->revoked) || !pc_running()) {
                *pp = e->wnext;
                e->wnext = NULL;
                atomic_store(&e->state, E_ABANDONED);
            } else {
                last = e;
                pp = &e->wnext;
            }
        }
        w->tail = last;
        pthread_mutex_unlock(&w->lock);
    }
}

/* ---- partitions ---- */

static part *part_find(serve *s, const char *topic, int32_t partition) {
    for (part *p = s->parts; p; p = p->next)
        if (p->partition == partition && strcmp(p->topic, topic) == 0) return p;
    return NULL;
}

static part *part_add(serve *s, const char *topic, int32_t partition) {
    part *p = part_find(s, topic, partition);
    if (p) return p;
    p = calloc(1, sizeof *p);
    if (!p || !(p->topic = strdup(topic))) {
        free(p);
        return NULL;
    }
    p->s = s;
    p->partition = partition;
    p->next_offset = -1;
    unsigned h = 5381;
    for (const char *c = topic; *c; c++) h = h * 33 + (unsigned char)*c;
    p->worker = (int)((h + (unsigned)partition) % (unsigned)s->nworkers);
    p->next = s->parts;
    s->parts = p;
    return p;
}

static void part_free(part *p) {
    while (p->head) {
        entry *e = p->head;
        p->head = e->next;
        entry_free(e);
    }
    free(p->topic);
    free(p);
}

static void part_pause(serve *s, part *p, int pause) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(l, p->topic, p->partition);
    rd_kafka_resp_err_t err;
    if (pause) {
        err = rd_kafka_pause_partitions(s->rk, l);
    } else {
        /* Messages dropped while paused are read again from here. */
        tp->offset = p->next_offset;
        rd_kafka_error_t *e = rd_kafka_seek_partitions(s->rk, l, 5000);
        if (e) {
            PC_WARN("seek %s/%d: %s", p->topic, p->partition, rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
        err = rd_kafka_resume_partitions(s->rk, l);
    }
    if (err) PC_WARN("%s %s/%d: %s", pause ? "pause" : "resume", p->topic, p->partition, rd_kafka_err2str(err));
    else p->held = pause;
    rd_kafka_topic_partition_list_destroy(l);
}

/* Frees p's finished prefix; returns the offset to store, or -1. */
static int64_t part_advance(part *p) {
    int64_t next = -1;
    while (p->head && atomic_load(&p->head->state) == E_DONE) {
        entry *e = p->head;
        p->head = e->next;
        if (!p->head) p->tail = NULL;
        p->count--;
        next = e->offset + 1;
        entry_free(e);
    }
    return next;
}

/* 1 while some entry of p is queued, running or on its way to the brokers. */
static int part_busy(const part *p) {
    for (const entry *e = p->head; e; e = e->next) {
        int st = atomic_load(&e->state);
        if (st == E_QUEUED || st == E_RUNNING || st == E_SENDING) return 1;
    }
    return 0;
}

/* Re-sends the answers the brokers refused, while someone may still want them. */
static void resend_failed(serve *s) {
    if (!atomic_exchange(&s->resend_due, 0)) return;
    int64_t now = pc_mono_us();
    for (part *p = s->parts; p; p = p->next) {
        for (entry *e = p->head; e; e = e->next) {
            if (atomic_load(&e->state) != E_FAILED) continue;
            if (e->deadline_us && now >= e->deadline_us) {
                count(p->topic, "reply_lost"); /* its caller gave up; nothing to redo */
                atomic_store(&e->state, E_DONE);
            } else if (now >= e->retry_at_us) {
                int wait = BACKOFF_FIRST_MS << (e->resends < 6 ? e->resends : 6);
                e->retry_at_us = now + (int64_t)(wait > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait) * 1000;
                e->resends++;
                send_tracked(s, e);
            } else {
                atomic_store(&s->resend_due, 1); /* look again later */
            }
        }
    }
}

/* Stores the offsets of every finished prefix; resumes partitions that have
 * room again. Returns 1 if some work is still unfinished. */
static int housekeep(serve *s) {
    resend_failed(s);
    rd_kafka_topic_partition_list_t *offs = NULL;
    int busy = 0;
    for (part *p = s->parts; p; p = p->next) {
        int64_t next = part_advance(p);
        if (next >= 0) {
            if (!offs) offs = rd_kafka_topic_partition_list_new(4);
            rd_kafka_topic_partition_list_add(offs, p->topic, p->partition)->offset = next;
        }
        if (p->held && p->count <= s->part_max / 2) part_pause(s, p, 0);
        busy |= p->count > 0;
    }
    if (offs) {
        /* Committed by the auto-commit timer (200 ms) and at revoke and close. */
        rd_kafka_resp_err_t err = rd_kafka_offsets_store(s->rk, offs);
        if (err) PC_WARN("offset store: %s", rd_kafka_err2str(err));
        rd_kafka_topic_partition_list_destroy(offs);
    }
    return busy;
}

/* Waits for the work of the parts marked revoked, commits what finished,
 * and unlinks them. On stop (pc_running() false) every part counts. */
static void drain_revoked(serve *s) {
    workers_drop_revoked(s);
    int64_t until = pc_mono_us() + (int64_t)DRAIN_WAIT_MS * 1000;
    for (;;) {
        int busy = 0;
        for (part *p = s->parts; p; p = p->next)
            if ((atomic_load(&p->revoked) || !pc_running()) && part_busy(p)) busy = 1;
        if (!busy || pc_mono_us() >= until) break;
        usleep(2000);
    }
    rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(4);
    for (part **pp = &s->parts; *pp;) {
        part *p = *pp;
        if (!atomic_load(&p->revoked) && pc_running()) {
            pp = &p->next;
            continue;
        }
        int64_t next = part_advance(p);
        if (next >= 0) rd_kafka_topic_partition_list_add(offs, p->topic, p->partition)->offset = next;
        *pp = p->next;
        if (part_busy(p)) {
            /* Still waiting for the brokers: its entries must outlive their delivery reports. */
            PC_WARN("%s/%d: %d answers still unacknowledged when it moved", p->topic, p->partition, p->count);
            p->next = s->zombies;
            s->zombies = p;
        } else {
            if (p->count) PC_INFO("%s/%d: %d unfinished messages left to its next owner", p->topic, p->partition, p->count);
            part_free(p);
        }
    }
    if (offs->cnt > 0) {
        rd_kafka_resp_err_t err = rd_kafka_commit(s->rk, offs, 0);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) PC_WARN("commit: %s", rd_kafka_err2str(err));
    }
    rd_kafka_topic_partition_list_destroy(offs);
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    serve *s = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < parts->cnt; i++)
            if (!part_add(s, parts->elems[i].topic, parts->elems[i].partition)) pc_lifecycle_fail();
        PC_INFO("%s: %d partitions assigned", s->spec->name, parts->cnt);
        if (cooperative) {
            rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
            if (e) rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, parts);
        }
        return;
    }
    /* Revoked (or lost): finish what runs, commit, then let them go. */
    for (int i = 0; i < parts->cnt; i++) {
        part *p = part_find(s, parts->elems[i].topic, parts->elems[i].partition);
        if (p) atomic_store(&p->revoked, 1);
    }
    drain_revoked(s);
    PC_INFO("%s: %d partitions revoked", s->spec->name, parts->cnt);
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e) rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

/* ---- the poller ---- */

static const pc_serve_route *route_of(const pc_serve_spec *spec, const char *type) {
    for (size_t i = 0; i < spec->nroutes; i++)
        if (strcmp(spec->routes[i].type, type) == 0) return &spec->routes[i];
    return NULL;
}

/* Takes one message in: a dead letter, or work for its partition's worker. */
static void take_in(serve *s, rd_kafka_message_t *m) {
    part *p = part_find(s, rd_kafka_topic_name(m->rkt), m->partition);
    /* Not ours (any more), paused, or already taken in before a seek. */
    if (!p || p->held || (p->next_offset >= 0 && m->offset < p->next_offset)) return;
    entry *e = calloc(1, sizeof *e);
    if (!e) { /* read again after the pause that the full FIFO brings */
        part_pause(s, p, 1);
        return;
    }
    e->part = p;
    e->offset = m->offset;
    atomic_init(&e->state, E_QUEUED);
    p->next_offset = m->offset + 1;
    if (p->tail) p->tail->next = e;
    else p->head = e;
    p->tail = e;
    if (++p->count >= s->part_max) part_pause(s, p, 1);

    char err[160];
    const char *key = m->key_len ? (const char *)m->key : NULL;
    char keybuf[128];
    if (key) { /* keys are not NUL-terminated */
        snprintf(keybuf, sizeof keybuf, "%.*s", (int)(m->key_len < 127 ? m->key_len : 127), (const char *)m->key);
        key = keybuf;
    }
    if (m->len > PC_SERVE_MAX_BYTES) {
        snprintf(err, sizeof err, "%zu bytes, more than %d", m->len, PC_SERVE_MAX_BYTES);
        dead_letter(s, e, "oversized", err, m->payload, m->len, key, 1);
        return;
    }
    if (pc_event_decode(m->payload, m->len, &e->ev, err, sizeof err) != PC_OK) {
        dead_letter(s, e, strncmp(err, "not JSON", 8) == 0 ? "not_json" : "bad_envelope", err, m->payload,
                    m->len, key, 1);
        return;
    }
    e->route = route_of(s->spec, e->ev.type);
    if (!e->route) {
        dead_letter(s, e, "unknown_type", e->ev.type, m->payload, m->len, key, 1);
        return;
    }
    if (e->route->reply_type) {
        if (!pc_serve_reply_topic_valid(e->ev.replyto)) {
            if (!atomic_exchange(&s->bad_replyto_logged, 1))
                PC_WARN("%s: a request names a replyto outside %s; such requests are dead-lettered, "
                        "counted (result=\"bad_replyto\") and logged only this once",
                        s->spec->name, PC_TOPIC_REPLY_PREFIX);
            count(p->topic, "bad_replyto");
            const char *route_type = e->route->type;
            e->route = NULL;
            dead_letter(s, e, "bad_replyto", route_type, m->payload, m->len, key, 1);
            return;
        }
        int64_t budget = e->ev.deadline_ms > 0 ? e->ev.deadline_ms : PC_SERVE_DEFAULT_BUDGET_MS;
        e->deadline_us = pc_mono_us() + budget * 1000;
    }
    worker_push(&s->workers[p->worker], e);
}

static rd_kafka_t *consumer_new(serve *s, char *errstr, size_t errlen) {
    const pc_config *cfg = s->cfg;
    /* A stable PUPNS_INSTANCE_ID gives static membership: a restarted
     * instance takes its partitions back at once, without a rebalance. */
    const char *static_id = getenv("PUPNS_INSTANCE_ID");
    char instance[160];
    snprintf(instance, sizeof instance, "%s-%s", static_id ? static_id : "", s->spec->name);
    const char *kv[] = {
        "bootstrap.servers", cfg->kafka_brokers,
        "client.id", cfg->instance_id,
        "group.id", s->spec->group,
        /* Offsets are stored by housekeep() over finished prefixes and
         * committed every 200 ms, one request at a time: committing per
         * batch flooded the group coordinator under load, starved the
         * heartbeats and got the static member fenced. */
        "enable.auto.commit", "true",
        "auto.commit.interval.ms", "200",
        "enable.auto.offset.store", "false",
        "enable.partition.eof", "false",
        "auto.offset.reset", "earliest",
        "isolation.level", "read_committed",
        "socket.nagle.disable", "true",
        /* A long poll costs no latency (the broker answers when data
         * comes) and saves the broker ~30% of a core per idle consumer. */
        "fetch.wait.max.ms", "100",
        "session.timeout.ms", "6000",
        "heartbeat.interval.ms", "1000",
        /* The poller never blocks on work, so a long interval is never needed. */
        "max.poll.interval.ms", "60000",
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (pc_kafka_conf_apply(conf, kv, errstr, errlen) != PC_OK ||
        (static_id && *static_id &&
         rd_kafka_conf_set(conf, "group.instance.id", instance, errstr, errlen) != RD_KAFKA_CONF_OK)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_error_cb(conf, pc_kafka_error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errlen);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)s->spec->ntopics);
    for (size_t i = 0; i < s->spec->ntopics; i++)
        rd_kafka_topic_partition_list_add(subs, s->spec->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (err) {
        snprintf(errstr, errlen, "subscribe: %s", rd_kafka_err2str(err));
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

static void workers_stop(serve *s, int started) {
    for (int i = 0; i < started; i++) {
        worker *w = &s->workers[i];
        pthread_mutex_lock(&w->lock);
        w->stopping = 1;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
    }
    for (int i = 0; i < started; i++) {
        worker *w = &s->workers[i];
        pthread_join(w->thread, NULL);
        if (s->spec->worker_close && w->state) s->spec->worker_close(w->state);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
    }
}

/* Opens every worker's state, then starts the threads. Returns how many started. */
static int workers_start(serve *s) {
    char err[256];
    for (int i = 0; i < s->nworkers; i++) {
        worker *w = &s->workers[i];
        *w = (worker){ .s = s, .index = i };
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        if (s->spec->worker_open && !(w->state = s->spec->worker_open(s->spec->ctx, i, err, sizeof err))) {
            PC_ERROR("%s worker %d: %s", s->spec->name, i, err);
            pthread_mutex_destroy(&w->lock);
            pthread_cond_destroy(&w->cond);
            return i;
        }
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            if (s->spec->worker_close && w->state) s->spec->worker_close(w->state);
            pthread_mutex_destroy(&w->lock);
            pthread_cond_destroy(&w->cond);
            return i;
        }
    }
    return s->nworkers;
}

pc_status pc_serve_run(const pc_config *cfg, const pc_serve_spec *spec) {
    char err[512];
    serve s = { .cfg = cfg, .spec = spec };
    s.nworkers = spec->workers > 0 ? spec->workers : 1;
    int batch = spec->batch_max > 0 ? spec->batch_max : 1;
    s.part_max = 2 * batch > 32 ? 2 * batch : 32;
    s.workers = calloc((size_t)s.nworkers, sizeof *s.workers);
    if (!s.workers) {
        pc_lifecycle_fail();
        return PC_EUNAVAIL;
    }
    int started = workers_start(&s);
    if (started < s.nworkers) {
        workers_stop(&s, started);
        free(s.workers);
        pc_lifecycle_fail();
        return PC_EUNAVAIL;
    }
    s.rk = consumer_new(&s, err, sizeof err);
    if (!s.rk) {
        PC_ERROR("%s consumer: %s", spec->name, err);
        workers_stop(&s, started);
        free(s.workers);
        pc_lifecycle_fail();
        return PC_EUNAVAIL;
    }
    PC_INFO("%s: serving %s with %d workers", spec->name, spec->topics[0], s.nworkers);
    int busy = 0;
    while (pc_running()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s.rk, busy ? BUSY_POLL_MS : IDLE_POLL_MS);
        if (m) {
            if (!m->err) take_in(&s, m);
            else PC_WARN("%s: %s", spec->name, rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
        }
        busy = housekeep(&s);
    }
    /* Stopping: running work finishes, what finished is committed. */
    drain_revoked(&s);
    workers_stop(&s, started);
    rd_kafka_consumer_close(s.rk);
    rd_kafka_destroy(s.rk);
    /* Answers still unacknowledged when their partition moved: their
     * delivery reports came or failed during the producer's flush. */
    while (s.zombies) {
        part *p = s.zombies;
        s.zombies = p->next;
        if (!part_busy(p)) part_free(p);
        /* else leaked on purpose at exit: a late delivery report may still point at it */
    }
    free(s.workers);
    return pc_lifecycle_failed() ? PC_ERROR : PC_OK;
}
