/* serve.c -- the consume loop's poller: one thread owns the consumer, the
 * partitions' bookkeeping and the commits (workers: serve_worker.c,
 * answers: serve_answer.c).
 *
 * Every message becomes an entry in its partition's FIFO (poller only) and,
 * unless it is a dead letter, in the queue of the worker that owns the
 * partition. The poller stores offsets over the FIFO's finished (DONE)
 * prefix only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "serve_internal.h"

#define DRAIN_WAIT_MS 15000    /* how long a revoke or stop waits for running work */
#define IDLE_POLL_MS 100
#define BUSY_POLL_MS 5

int pc__serve_on(serve *s) { return pc_running() && !atomic_load(&s->stop); }

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
        pc__serve_entry_free(e);
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
        pc__serve_entry_free(e);
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
                pc__serve_count(p->topic, "reply_lost"); /* its caller gave up; nothing to redo */
                atomic_store(&e->state, E_DONE);
            } else if (now >= e->retry_at_us) {
                int wait = BACKOFF_FIRST_MS << (e->resends < 6 ? e->resends : 6);
                e->retry_at_us = now + (int64_t)(wait > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : wait) * 1000;
                e->resends++;
                pc__serve_send(s, e);
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
 * and unlinks them. On stop (the process's or the loop's) every part counts. */
static void drain_revoked(serve *s) {
    pc__serve_workers_drop_revoked(s);
    int64_t until = pc_mono_us() + (int64_t)DRAIN_WAIT_MS * 1000;
    for (;;) {
        int busy = 0;
        for (part *p = s->parts; p; p = p->next)
            if ((atomic_load(&p->revoked) || !pc__serve_on(s)) && part_busy(p)) busy = 1;
        if (!busy || pc_mono_us() >= until) break;
        usleep(2000);
    }
    rd_kafka_topic_partition_list_t *offs = rd_kafka_topic_partition_list_new(4);
    for (part **pp = &s->parts; *pp;) {
        part *p = *pp;
        if (!atomic_load(&p->revoked) && pc__serve_on(s)) {
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

/* spec->rewind: a partition assigned for the first time in this run starts
 * at its oldest retained message; one that comes back after a rebalance
 * keeps the progress made since. */
static void rewind_new(serve *s, rd_kafka_topic_partition_list_t *parts) {
    if (!s->rewound) return;
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &parts->elems[i];
        if (rd_kafka_topic_partition_list_find(s->rewound, tp->topic, tp->partition)) continue;
        tp->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_topic_partition_list_add(s->rewound, tp->topic, tp->partition);
    }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    serve *s = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < parts->cnt; i++)
            if (!part_add(s, parts->elems[i].topic, parts->elems[i].partition)) pc_lifecycle_fail();
        rewind_new(s, parts);
        s->active_us = pc_mono_us(); /* joining a group takes seconds: idleness counts from here */
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

/* The route of type: its own, else the catch-all (type NULL), else NULL. */
static const pc_serve_route *route_of(const pc_serve_spec *spec, const char *type) {
    const pc_serve_route *any = NULL;
    for (size_t i = 0; i < spec->nroutes; i++) {
        if (!spec->routes[i].type) any = &spec->routes[i];
        else if (strcmp(spec->routes[i].type, type) == 0) return &spec->routes[i];
    }
    return any;
}

/* Takes one message in: a dead letter, or work for its partition's worker. */
static void take_in(serve *s, rd_kafka_message_t *m) {
    part *p = part_find(s, rd_kafka_topic_name(m->rkt), m->partition);
    /* Not ours (any more), paused, or already taken in before a seek. */
    if (!p || p->held || (p->next_offset >= 0 && m->offset < p->next_offset)) return;
    s->active_us = pc_mono_us();
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
        pc__serve_dead_letter(s, e, "oversized", err, m->payload, m->len, key, 1);
        return;
    }
    if (pc_event_decode(m->payload, m->len, &e->ev, err, sizeof err) != PC_OK) {
        pc__serve_dead_letter(s, e, strncmp(err, "not JSON", 8) == 0 ? "not_json" : "bad_envelope", err, m->payload,
                    m->len, key, 1);
        return;
    }
    e->route = route_of(s->spec, e->ev.type);
    if (!e->route) {
        pc__serve_dead_letter(s, e, "unknown_type", e->ev.type, m->payload, m->len, key, 1);
        return;
    }
    if (e->route->reply_type) {
        if (!pc_serve_reply_topic_valid(e->ev.replyto)) {
            if (!atomic_exchange(&s->bad_replyto_logged, 1))
                PC_WARN("%s: a request names a replyto outside %s; such requests are dead-lettered, "
                        "counted (result=\"bad_replyto\") and logged only this once",
                        s->spec->name, PC_TOPIC_REPLY_PREFIX);
            pc__serve_count(p->topic, "bad_replyto");
            const char *route_type = e->route->type;
            e->route = NULL;
            pc__serve_dead_letter(s, e, "bad_replyto", route_type, m->payload, m->len, key, 1);
            return;
        }
        int64_t budget = e->ev.deadline_ms > 0 ? e->ev.deadline_ms : PC_SERVE_DEFAULT_BUDGET_MS;
        e->deadline_us = pc_mono_us() + budget * 1000;
    }
    pc__serve_worker_push(&s->workers[p->worker], e);
}

static rd_kafka_t *consumer_new(serve *s, char *errstr, size_t errlen) {
    const pc_config *cfg = s->cfg;
    /* No static membership (group.instance.id): on a three-broker cluster
     * the loss of the group coordinator got static members fenced (a
     * fatal error, measured in test_cluster_nodes), while what it saves,
     * one rebalance per restart, the loop's revoke draining makes safe. */
    const char *kv[] = {
        "bootstrap.servers", cfg->kafka_brokers,
        "client.id", cfg->instance_id,
        "group.id", s->spec->group,
        /* Offsets are stored by housekeep() over finished prefixes and
         * committed every 200 ms, one request at a time: committing per
         * batch flooded the group coordinator under load and starved the
         * heartbeats. */
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
        /* Incremental rebalances: when an instance joins or leaves, only
         * the partitions that move are drained and handed over; the others
         * keep being served (an eager rebalance stops them all). */
        "partition.assignment.strategy", "cooperative-sticky",
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (pc_kafka_conf_apply(conf, kv, errstr, errlen) != PC_OK ||
        pc_kafka_conf_auth(conf, cfg, errstr, errlen) != PC_OK) {
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

/* A spec the loop can run: an observer has no replies to send (and no
 * producer to send them with); a catch-all route answers nothing either. */
static int spec_valid(const pc_serve_spec *spec) {
    for (size_t i = 0; i < spec->nroutes; i++) {
        const pc_serve_route *r = &spec->routes[i];
        if (r->reply_type && (spec->observe || !r->type)) {
            PC_ERROR("%s: route %s has a reply type, which %s", spec->name, r->type ? r->type : "(any)",
                     spec->observe ? "an observer cannot send" : "a catch-all route cannot have");
            return 0;
        }
    }
    if (!spec->observe && !spec->producer) {
        PC_ERROR("%s: no producer for replies and dead letters", spec->name);
        return 0;
    }
    return 1;
}

pc_status pc_serve_run(const pc_config *cfg, const pc_serve_spec *spec) {
    char err[512];
    serve s = { .cfg = cfg, .spec = spec };
    if (!spec_valid(spec)) {
        pc_lifecycle_fail();
        return PC_EINVAL;
    }
    atomic_init(&s.stop, 0);
    s.active_us = 0; /* no assignment yet: a new group's first one may take seconds (the brokers' rebalance delay) */
    if (spec->rewind && !(s.rewound = rd_kafka_topic_partition_list_new(16))) {
        pc_lifecycle_fail();
        return PC_EUNAVAIL;
    }
    s.nworkers = spec->workers > 0 ? spec->workers : 1;
    int batch = spec->batch_max > 0 ? spec->batch_max : 1;
    s.part_max = 2 * batch > 32 ? 2 * batch : 32;
    s.workers = calloc((size_t)s.nworkers, sizeof *s.workers);
    int started = s.workers ? pc__serve_workers_start(&s) : 0;
    if (started == s.nworkers && !(s.rk = consumer_new(&s, err, sizeof err)))
        PC_ERROR("%s consumer: %s", spec->name, err);
    if (!s.rk) {
        pc__serve_workers_stop(&s, started);
        free(s.workers);
        if (s.rewound) rd_kafka_topic_partition_list_destroy(s.rewound);
        pc_lifecycle_fail();
        return PC_EUNAVAIL;
    }
    PC_INFO("%s: serving %s with %d workers", spec->name, spec->topics[0], s.nworkers);
    int busy = 0;
    while (pc__serve_on(&s)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s.rk, busy ? BUSY_POLL_MS : IDLE_POLL_MS);
        if (m) {
            if (!m->err) {
                take_in(&s, m);
            } else if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
                /* A consumer's fatal error comes here, not to the error
                 * callback: it cannot be revived in place, so the process
                 * stops (finished work is committed) and exits non-zero
                 * for its supervisor to restart it. */
                char why[256];
                rd_kafka_fatal_error(s.rk, why, sizeof why);
                pc_lifecycle_fail_because("%s: fatal consumer error: %s; stopping for a restart", spec->name, why);
            } else {
                PC_WARN("%s: %s", spec->name, rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(m);
        }
        busy = housekeep(&s);
        if (!busy && spec->idle_stop_ms > 0 && s.active_us > 0 &&
            (pc_mono_us() - s.active_us) / 1000 >= spec->idle_stop_ms) {
            PC_INFO("%s: nothing for %ld ms; stopping", spec->name, spec->idle_stop_ms);
            atomic_store(&s.stop, 1);
        }
    }
    /* Stopping: running work finishes, what finished is committed. */
    drain_revoked(&s);
    pc__serve_workers_stop(&s, started);
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
    if (s.rewound) rd_kafka_topic_partition_list_destroy(s.rewound);
    return pc_lifecycle_failed() ? PC_ERROR : PC_OK;
}
