/* rpc.c -- correlation-id request/reply client over a per-instance reply topic. */
#include "rpc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "log.h"
#include "topics.h"

#define RPC_BUCKETS 1024
#define RPC_FREE_WAIT_MS 5000      /* for woken callers to leave */
#define RPC_DELETE_TIMEOUT_MS 5000 /* for the broker to delete the reply topic */
#define RPC_TOPIC_CHECK_MS 10000   /* how often the reader checks its topic exists */

typedef struct rpc_slot {
    char id[PC_UUID_LEN];
    pthread_cond_t cond;
    json_t *reply;          /* set by the reader */
    int unsent;             /* set when the batch carrying it could not be queued */
    struct rpc_slot *next;
} rpc_slot;

/* Items of batched calls waiting to leave as one message. Holds only the
 * callers' ids, never their slots: a caller that times out just unlinks. */
typedef struct rpc_batch {
    char *topic;
    char *type;
    json_t *items;          /* array of item objects, each with its "id" */
    int64_t opened_us;      /* monotonic time of the first item */
    int64_t deadline_ms;    /* the latest deadline of its callers */
    struct rpc_batch *next;
} rpc_batch;

struct pc_rpc {
    pc_producer *producer;
    rd_kafka_t *consumer;
    char reply_topic[192];
    long reply_retention_ms;
    pthread_t reader;
    atomic_int running;
    pthread_mutex_t lock;   /* guards buckets */
    rpc_slot *buckets[RPC_BUCKETS];
    atomic_int inflight;
    atomic_long late;
    pthread_mutex_t batch_lock; /* guards batches */
    pthread_cond_t batch_cond;  /* a batch opened, or the rpc stops */
    rpc_batch *batches;         /* open batches, at most one per (topic, type) */
    int queued;                 /* items in open batches */
    int64_t window_us;
    pthread_t batcher;
    int batcher_started;
};

static unsigned bucket_of(const char *id) {
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *id; id++) h = (h ^ (unsigned char)*id) * 16777619u;
    return h % RPC_BUCKETS;
}

/* Topic names allow [a-zA-Z0-9._-]; anything else in the instance id becomes '_'. */
static void make_reply_topic(char *out, size_t len, const char *instance) {
    int n = snprintf(out, len, "%s", PC_TOPIC_REPLY_PREFIX);
    for (const char *c = instance; *c && (size_t)n + 1 < len; c++, n++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
        out[n] = ok ? *c : '_';
    }
    out[n] = '\0';
}

/* Hands data (stolen) to the caller waiting on id; 0 when nobody waits.
 * Called with r->lock held. */
static int deliver_locked(pc_rpc *r, const char *id, json_t *data) {
    for (rpc_slot *s = r->buckets[bucket_of(id)]; s; s = s->next) {
        if (strcmp(s->id, id) == 0 && !s->reply) {
            s->reply = data;
            pthread_cond_signal(&s->cond);
            return 1;
        }
    }
    json_decref(data);
    return 0;
}

/* A batch reply: each entry goes, without its "id", to its own caller. */
static void deliver_items(pc_rpc *r, json_t *items) {
    size_t i;
    json_t *item;
    long unmatched = 0;
    pthread_mutex_lock(&r->lock);
    json_array_foreach(items, i, item) {
        const char *id = json_string_value(json_object_get(item, "id"));
        json_t *data = id ? json_copy(item) : NULL;
        if (data) json_object_del(data, "id");
        if (!data || !deliver_locked(r, id, data)) unmatched++;
    }
    pthread_mutex_unlock(&r->lock);
    if (unmatched) atomic_fetch_add(&r->late, unmatched);
}

static void deliver_reply(pc_rpc *r, const rd_kafka_message_t *m) {
    pc_event ev;
    char err[128];
    if (pc_event_decode(m->payload, m->len, &ev, err, sizeof err) != PC_OK) {
        PC_WARN("bad reply on %s: %s", r->reply_topic, err);
        return;
    }
    int matched = 0;
    if (ev.correlationid) {
        pthread_mutex_lock(&r->lock);
        matched = deliver_locked(r, ev.correlationid, json_incref(ev.data));
        pthread_mutex_unlock(&r->lock);
    }
    /* Batch ids are never waited on, so a reply to one never matches above. */
    json_t *items = json_object_get(ev.data, "items");
    if (!matched && json_is_array(items)) deliver_items(r, items);
    else if (!matched) atomic_fetch_add(&r->late, 1);
    pc_event_clear(&ev);
}

static pc_status create_reply_topic(pc_rpc *r, char *errstr, size_t errlen);
static pc_status assign_at_end(pc_rpc *r, char *errstr, size_t errlen);

/* The reply topic can vanish under a running gateway (an operator, or the
 * collector after a whole retention without a reply: pupns-ctl topics
 * --gc-replies). A consumer does not notice by itself and every call would
 * then time out; so the reader looks every RPC_TOPIC_CHECK_MS and makes the
 * topic again. Replies sent meanwhile are lost: their callers get 504s. */
static void reply_topic_heal(pc_rpc *r) {
    char err[256];
    if (pc_kafka_check_topic(r->producer, r->reply_topic, 1000, err, sizeof err) != PC_ENOTFOUND)
        return;
    PC_WARN("reply topic %s vanished; creating it again", r->reply_topic);
    if (create_reply_topic(r, err, sizeof err) != PC_OK || assign_at_end(r, err, sizeof err) != PC_OK)
        PC_ERROR("reply topic %s: %s", r->reply_topic, err);
}

static void *reader_loop(void *arg) {
    pc_rpc *r = arg;
    int64_t next_check = pc_mono_us() + (int64_t)RPC_TOPIC_CHECK_MS * 1000;
    while (atomic_load(&r->running)) {
        if (pc_mono_us() >= next_check) {
            reply_topic_heal(r);
            next_check = pc_mono_us() + (int64_t)RPC_TOPIC_CHECK_MS * 1000;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->consumer, 100);
        if (!m) continue;
        if (!m->err) deliver_reply(r, m);
        else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            PC_WARN("reply reader: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

/* Starts reading at the current end of the reply topic. The explicit offset
 * (not OFFSET_END) closes the window in which an early reply could be skipped. */
static pc_status assign_at_end(pc_rpc *r, char *errstr, size_t errlen) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__FAIL;
    for (int attempt = 0; attempt < 100 && err; attempt++) {
        err = rd_kafka_query_watermark_offsets(r->consumer, r->reply_topic, 0, &low, &high, 1000);
        if (err) usleep(100 * 1000); /* a new topic needs a moment to get a leader */
    }
    if (err) {
        snprintf(errstr, errlen, "reply topic %s: %s", r->reply_topic, rd_kafka_err2str(err));
        return PC_EUNAVAIL;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, r->reply_topic, 0)->offset = high;
    err = rd_kafka_assign(r->consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err) {
        snprintf(errstr, errlen, "assign: %s", rd_kafka_err2str(err));
        return PC_ERROR;
    }
    return PC_OK;
}

static rd_kafka_t *reply_consumer_new(const pc_config *cfg, const char *topic, char *errstr,
                                      size_t errlen) {
    const char *kv[] = {
        "bootstrap.servers", cfg->kafka_brokers,
        "client.id", cfg->instance_id,
        "group.id", topic, /* required by librdkafka; never joined: we assign() */
        "enable.auto.commit", "false",
        "enable.partition.eof", "false",
        "socket.nagle.disable", "true",
        "fetch.wait.max.ms", "100", /* long poll: see serve.c consumer_new */
        "fetch.error.backoff.ms", "10",
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (pc_kafka_conf_apply(conf, kv, errstr, errlen) != PC_OK ||
        pc_kafka_conf_auth(conf, cfg, errstr, errlen) != PC_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errlen);
    if (!rk) rd_kafka_conf_destroy(conf);
    else rd_kafka_poll_set_consumer(rk);
    return rk;
}

/* ---- batches ---- */

static void batch_free(rpc_batch *b) {
    if (!b) return;
    free(b->topic);
    free(b->type);
    json_decref(b->items);
    free(b);
}

/* Tells the callers of an unsent batch at once, rather than at their timeout. */
static void batch_fail(pc_rpc *r, json_t *items) {
    size_t i;
    json_t *item;
    pthread_mutex_lock(&r->lock);
    json_array_foreach(items, i, item) {
        const char *id = json_string_value(json_object_get(item, "id"));
        for (rpc_slot *s = id ? r->buckets[bucket_of(id)] : NULL; s; s = s->next)
            if (strcmp(s->id, id) == 0) {
                s->unsent = 1;
                pthread_cond_signal(&s->cond);
            }
    }
    pthread_mutex_unlock(&r->lock);
}

/* Sends b as one request event and frees it. Unkeyed: a batch is about many
 * subjects, and the request topic's partitions only spread the load. */
static void batch_send(pc_rpc *r, rpc_batch *b) {
    pc_status st = PC_ERROR;
    json_t *ev = pc_event_new(b->type, NULL, json_pack("{s:O}", "items", b->items));
    if (ev) {
        json_object_set_new(ev, "replyto", json_string(r->reply_topic));
        /* A relative budget: the service measures it from receipt on its
         * own clock, so clock skew between hosts cannot void requests. */
        int64_t budget = b->deadline_ms - pc_now_ms();
        json_object_set_new(ev, "deadline_ms", json_integer(budget > 1 ? budget : 1));
        size_t len = 0;
        char *payload = pc_event_encode(ev, &len);
        if (payload)
            st = pc_producer_send(r->producer, b->topic, RD_KAFKA_PARTITION_UA, NULL, payload, len,
                                  NULL, NULL);
        free(payload);
        json_decref(ev);
    }
    if (st != PC_OK) batch_fail(r, b->items);
    batch_free(b);
}

/* Removes b from the open batches. Called with batch_lock held. */
static rpc_batch *batch_detach(pc_rpc *r, rpc_batch *b) {
    rpc_batch **pp = &r->batches;
    while (*pp && *pp != b) pp = &(*pp)->next;
    if (*pp) *pp = b->next;
    b->next = NULL;
    r->queued -= (int)json_array_size(b->items);
    return b;
}

/* The open batch for (topic, type), opened if needed. batch_lock held. */
static rpc_batch *batch_open(pc_rpc *r, const char *topic, const char *type) {
    for (rpc_batch *b = r->batches; b; b = b->next)
        if (strcmp(b->topic, topic) == 0 && strcmp(b->type, type) == 0) return b;
    rpc_batch *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->topic = strdup(topic);
    b->type = strdup(type);
    b->items = json_array();
    if (!b->topic || !b->type || !b->items) {
        batch_free(b);
        return NULL;
    }
    b->opened_us = pc_mono_us();
    b->next = r->batches;
    r->batches = b;
    pthread_cond_signal(&r->batch_cond); /* the batcher times its window */
    return b;
}

/* Adds item (stolen) to its batch. A batch that fills up is sent by the
 * caller that filled it, without waiting for the window; so is one whose
 * caller has no sent request outstanding (an idle system gains nothing by
 * waiting: batches form only while earlier requests are on their way). */
static pc_status batch_add(pc_rpc *r, const char *topic, const char *type, json_t *item,
                           int64_t deadline_ms) {
    rpc_batch *ready = NULL;
    pthread_mutex_lock(&r->batch_lock);
    rpc_batch *b = atomic_load(&r->running) ? batch_open(r, topic, type) : NULL;
    if (b && json_array_append_new(b->items, item) == 0) {
        if (deadline_ms > b->deadline_ms) b->deadline_ms = deadline_ms;
        r->queued++;
        /* Waiting callers that are not in an open batch: their requests are out. */
        int outstanding = atomic_load(&r->inflight) - r->queued;
        if (json_array_size(b->items) >= PC_RPC_BATCH_MAX || outstanding <= 0)
            ready = batch_detach(r, b);
    } else if (b) {
        b = NULL; /* append failed and already released the item */
    } else {
        json_decref(item);
    }
    pthread_mutex_unlock(&r->batch_lock);
    if (ready) batch_send(r, ready);
    return b ? PC_OK : PC_EUNAVAIL;
}

static struct timespec mono_timespec(int64_t us) {
    return (struct timespec){ .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };
}

/* Sends each batch when its window closes. */
static void *batcher_loop(void *arg) {
    pc_rpc *r = arg;
    pthread_mutex_lock(&r->batch_lock);
    while (atomic_load(&r->running)) {
        rpc_batch *oldest = NULL;
        for (rpc_batch *b = r->batches; b; b = b->next)
            if (!oldest || b->opened_us < oldest->opened_us) oldest = b;
        if (!oldest) {
            pthread_cond_wait(&r->batch_cond, &r->batch_lock);
        } else if (pc_mono_us() >= oldest->opened_us + r->window_us) {
            batch_detach(r, oldest);
            pthread_mutex_unlock(&r->batch_lock);
            batch_send(r, oldest);
            pthread_mutex_lock(&r->batch_lock);
        } else {
            struct timespec until = mono_timespec(oldest->opened_us + r->window_us);
            pthread_cond_timedwait(&r->batch_cond, &r->batch_lock, &until);
        }
    }
    pthread_mutex_unlock(&r->batch_lock);
    return NULL;
}

static void mono_cond_init(pthread_cond_t *c) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

/* ---- set-up ---- */

/* The reply topic, replicated by the cluster-size rule of every topic, with
 * min ISR 1 (why: topics.h, PC_REPLY_TOPIC_MIN_ISR). */
static pc_status create_reply_topic(pc_rpc *r, char *errstr, size_t errlen) {
    int brokers = pc_kafka_broker_count(r->producer, 10000, errstr, errlen);
    if (brokers < 1) return PC_EUNAVAIL;
    pc_topic_spec want = {
        .name = r->reply_topic,
        .partitions = PC_REPLY_TOPIC_PARTITIONS,
        .replication_factor = PC_REPLY_TOPIC_RF,
        .min_insync_replicas = PC_REPLY_TOPIC_MIN_ISR,
        .retention_ms = r->reply_retention_ms,
    };
    pc_topic_spec t = pc_topic_fit(want, brokers);
    return pc_kafka_create_topic(r->producer, &t, NULL, errstr, errlen);
}

pc_rpc *pc_rpc_new(const pc_config *cfg, pc_producer *producer, char *errstr, size_t errlen) {
    pc_rpc *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->producer = producer;
    pthread_mutex_init(&r->lock, NULL);
    pthread_mutex_init(&r->batch_lock, NULL);
    mono_cond_init(&r->batch_cond);
    /* The delay request/reply traffic accepts to be batched: spent here,
     * not as producer linger (see kafka.c). */
    r->window_us = (int64_t)cfg->kafka_linger_ms * 1000;
    make_reply_topic(r->reply_topic, sizeof r->reply_topic, cfg->instance_id);
    r->reply_retention_ms = cfg->reply_retention_ms;
    if (create_reply_topic(r, errstr, errlen) != PC_OK) goto fail;
    r->consumer = reply_consumer_new(cfg, r->reply_topic, errstr, errlen);
    if (!r->consumer) goto fail;
    if (assign_at_end(r, errstr, errlen) != PC_OK) goto fail;
    atomic_store(&r->running, 1);
    if (pthread_create(&r->batcher, NULL, batcher_loop, r) != 0) {
        snprintf(errstr, errlen, "cannot start the batcher");
        goto fail;
    }
    r->batcher_started = 1;
    if (pthread_create(&r->reader, NULL, reader_loop, r) != 0) {
        snprintf(errstr, errlen, "cannot start reply reader");
        goto fail;
    }
    PC_INFO("replies on %s", r->reply_topic);
    return r;
fail:
    if (r->batcher_started) {
        pthread_mutex_lock(&r->batch_lock);
        atomic_store(&r->running, 0);
        pthread_cond_signal(&r->batch_cond);
        pthread_mutex_unlock(&r->batch_lock);
        pthread_join(r->batcher, NULL);
    }
    if (r->consumer) rd_kafka_destroy(r->consumer);
    pthread_cond_destroy(&r->batch_cond);
    pthread_mutex_destroy(&r->batch_lock);
    pthread_mutex_destroy(&r->lock);
    free(r);
    return NULL;
}

/* ---- waiting callers ---- */

static void slot_unlink(pc_rpc *r, rpc_slot *slot) {
    rpc_slot **pp = &r->buckets[bucket_of(slot->id)];
    while (*pp && *pp != slot) pp = &(*pp)->next;
    if (*pp) *pp = slot->next;
}

/* Registers before sending: the reply may beat the send call's return. */
static void slot_register(pc_rpc *r, rpc_slot *slot, const char *id) {
    memset(slot, 0, sizeof *slot);
    snprintf(slot->id, sizeof slot->id, "%s", id);
    mono_cond_init(&slot->cond);
    unsigned b = bucket_of(slot->id);
    pthread_mutex_lock(&r->lock);
    slot->next = r->buckets[b];
    r->buckets[b] = slot;
    pthread_mutex_unlock(&r->lock);
    atomic_fetch_add(&r->inflight, 1);
}

/* Waits (when sent is PC_OK) up to timeout_ms for the reply, then unregisters. */
static pc_status slot_finish(pc_rpc *r, rpc_slot *slot, pc_status sent, int timeout_ms,
                             json_t **reply) {
    struct timespec until = mono_timespec(pc_mono_us() + (int64_t)timeout_ms * 1000);
    pc_status st = PC_EUNAVAIL;
    pthread_mutex_lock(&r->lock);
    if (sent == PC_OK) {
        while (!slot->reply && !slot->unsent && atomic_load(&r->running))
            if (pthread_cond_timedwait(&slot->cond, &r->lock, &until) != 0) break;
        st = slot->reply ? PC_OK : slot->unsent ? PC_EUNAVAIL : PC_ETIMEDOUT;
    }
    slot_unlink(r, slot);
    pthread_mutex_unlock(&r->lock);
    atomic_fetch_sub(&r->inflight, 1);
    pthread_cond_destroy(&slot->cond);
    *reply = slot->reply;
    return st;
}

pc_status pc_rpc_call(pc_rpc *r, const char *topic, const char *key, const char *type,
                      json_t *data, int timeout_ms, json_t **reply) {
    *reply = NULL;
    json_t *ev = pc_event_new(type, key, json_incref(data));
    if (!ev) return PC_ERROR;
    json_object_set_new(ev, "replyto", json_string(r->reply_topic));
    json_object_set_new(ev, "deadline_ms", json_integer(timeout_ms));
    size_t len = 0;
    char *payload = pc_event_encode(ev, &len);
    rpc_slot slot;
    slot_register(r, &slot, json_string_value(json_object_get(ev, "id")));
    json_decref(ev);
    pc_status st = payload ? pc_producer_send(r->producer, topic, RD_KAFKA_PARTITION_UA, key,
                                              payload, len, NULL, NULL)
                           : PC_ERROR;
    free(payload);
    return slot_finish(r, &slot, st, timeout_ms, reply);
}

pc_status pc_rpc_call_batched(pc_rpc *r, const char *topic, const char *batch_type, json_t *item,
                              int timeout_ms, json_t **reply) {
    *reply = NULL;
    char id[PC_UUID_LEN];
    pc_uuid_v4(id);
    json_t *entry = json_is_object(item) ? json_copy(item) : NULL; /* shallow: item is borrowed */
    if (!entry || json_object_set_new(entry, "id", json_string(id)) != 0) {
        json_decref(entry);
        return PC_ERROR;
    }
    rpc_slot slot;
    slot_register(r, &slot, id);
    pc_status st = batch_add(r, topic, batch_type, entry, pc_now_ms() + timeout_ms);
    return slot_finish(r, &slot, st, timeout_ms, reply);
}

int pc_rpc_inflight(pc_rpc *r) { return atomic_load(&r->inflight); }
long pc_rpc_late_replies(pc_rpc *r) { return atomic_load(&r->late); }
const char *pc_rpc_reply_topic(pc_rpc *r) { return r->reply_topic; }

/* A clean stop deletes the reply topic: nobody reads it any more, and the
 * next start (stable PUPNS_INSTANCE_ID or not) creates it afresh and reads
 * from its end anyway. Replies still on their way then fail at their
 * producer, which costs nothing: their callers have gone. Orphans of
 * instances that died without this are removed by
 * `pupns-ctl topics --gc-replies` once they have been idle a retention. */
static void delete_reply_topic(pc_rpc *r) {
    char err[256];
    if (pc_kafka_delete_topic(r->producer, r->reply_topic, RPC_DELETE_TIMEOUT_MS, err,
                              sizeof err) == PC_OK)
        PC_INFO("deleted reply topic %s", r->reply_topic);
    else
        PC_WARN("reply topic %s left for pupns-ctl topics --gc-replies: %s", r->reply_topic, err);
}

void pc_rpc_free(pc_rpc *r) {
    if (!r) return;
    pthread_mutex_lock(&r->batch_lock);
    atomic_store(&r->running, 0);
    pthread_cond_signal(&r->batch_cond);
    pthread_mutex_unlock(&r->batch_lock);
    pthread_join(r->batcher, NULL);
    pthread_join(r->reader, NULL);
    /* Wake anyone still waiting; they see running == 0 and give up. */
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < RPC_BUCKETS; i++)
        for (rpc_slot *s = r->buckets[i]; s; s = s->next) pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&r->lock);
    /* Woken callers leave within moments; the deadline only guards against
     * one stuck elsewhere (its slot lives on its own stack, so freeing r
     * under it would be a use-after-free: better to leak r then). */
    int64_t until = pc_mono_us() + (int64_t)RPC_FREE_WAIT_MS * 1000;
    while (atomic_load(&r->inflight) > 0 && pc_mono_us() < until) usleep(1000);
    if (atomic_load(&r->inflight) > 0) {
        PC_ERROR("%d callers still wait on %s after %d ms; leaving the channel allocated",
                 atomic_load(&r->inflight), r->reply_topic, RPC_FREE_WAIT_MS);
        return;
    }
    while (r->batches) batch_free(batch_detach(r, r->batches)); /* unsent: their callers gave up */
    rd_kafka_consumer_close(r->consumer);
    rd_kafka_destroy(r->consumer);
    delete_reply_topic(r);
    pthread_cond_destroy(&r->batch_cond);
    pthread_mutex_destroy(&r->batch_lock);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
