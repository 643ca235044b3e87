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

#define RPC_BUCKETS 1024

typedef struct rpc_slot {
    char id[PC_UUID_LEN];
    pthread_cond_t cond;
    json_t *reply;          /* set by the reader */
    struct rpc_slot *next;
} rpc_slot;

struct pc_rpc {
    pc_producer *producer;
    rd_kafka_t *consumer;
    char reply_topic[192];
    pthread_t reader;
    atomic_int running;
    pthread_mutex_t lock;   /* guards buckets */
    rpc_slot *buckets[RPC_BUCKETS];
    atomic_int inflight;
    atomic_long late;
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
        for (rpc_slot *s = r->buckets[bucket_of(ev.correlationid)]; s; s = s->next) {
            if (strcmp(s->id, ev.correlationid) == 0 && !s->reply) {
                s->reply = json_incref(ev.data);
                pthread_cond_signal(&s->cond);
                matched = 1;
                break;
            }
        }
        pthread_mutex_unlock(&r->lock);
    }
    if (!matched) atomic_fetch_add(&r->late, 1);
    pc_event_clear(&ev);
}

static void *reader_loop(void *arg) {
    pc_rpc *r = arg;
    while (atomic_load(&r->running)) {
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
        "fetch.wait.max.ms", "5",
        "fetch.error.backoff.ms", "10",
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (pc_kafka_conf_apply(conf, kv, errstr, errlen) != PC_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errlen);
    if (!rk) rd_kafka_conf_destroy(conf);
    else rd_kafka_poll_set_consumer(rk);
    return rk;
}

pc_rpc *pc_rpc_new(const pc_config *cfg, pc_producer *producer, char *errstr, size_t errlen) {
    pc_rpc *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->producer = producer;
    pthread_mutex_init(&r->lock, NULL);
    make_reply_topic(r->reply_topic, sizeof r->reply_topic, cfg->instance_id);
    if (pc_kafka_create_topic(producer, r->reply_topic, 1, cfg->reply_retention_ms, errstr,
                              errlen) != PC_OK)
        goto fail;
    r->consumer = reply_consumer_new(cfg, r->reply_topic, errstr, errlen);
    if (!r->consumer) goto fail;
    if (assign_at_end(r, errstr, errlen) != PC_OK) goto fail;
    atomic_store(&r->running, 1);
    if (pthread_create(&r->reader, NULL, reader_loop, r) != 0) {
        snprintf(errstr, errlen, "cannot start reply reader");
        goto fail;
    }
    PC_INFO("replies on %s", r->reply_topic);
    return r;
fail:
    if (r->consumer) rd_kafka_destroy(r->consumer);
    pthread_mutex_destroy(&r->lock);
    free(r);
    return NULL;
}

static void slot_unlink(pc_rpc *r, rpc_slot *slot) {
    rpc_slot **pp = &r->buckets[bucket_of(slot->id)];
    while (*pp && *pp != slot) pp = &(*pp)->next;
    if (*pp) *pp = slot->next;
}

pc_status pc_rpc_call(pc_rpc *r, const char *topic, const char *key, const char *type,
                      json_t *data, int timeout_ms, json_t **reply) {
    *reply = NULL;
    json_t *ev = pc_event_new(type, key, json_incref(data));
    if (!ev) return PC_ERROR;
    int64_t deadline = pc_now_ms() + timeout_ms;
    json_object_set_new(ev, "replyto", json_string(r->reply_topic));
    json_object_set_new(ev, "deadline", json_integer(deadline));
    size_t len = 0;
    char *payload = pc_event_encode(ev, &len);

    rpc_slot slot = { .reply = NULL, .next = NULL };
    snprintf(slot.id, sizeof slot.id, "%s", json_string_value(json_object_get(ev, "id")));
    json_decref(ev);
    if (!payload) return PC_ERROR;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&slot.cond, &ca);
    pthread_condattr_destroy(&ca);

    /* Register before sending: the reply may beat the send call's return. */
    unsigned b = bucket_of(slot.id);
    pthread_mutex_lock(&r->lock);
    slot.next = r->buckets[b];
    r->buckets[b] = &slot;
    pthread_mutex_unlock(&r->lock);
    atomic_fetch_add(&r->inflight, 1);

    pc_status st = pc_producer_send(r->producer, topic, RD_KAFKA_PARTITION_UA, key, payload, len,
                                    NULL, NULL);
    free(payload);

    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->lock);
    if (st == PC_OK) {
        while (!slot.reply && atomic_load(&r->running))
            if (pthread_cond_timedwait(&slot.cond, &r->lock, &until) != 0) break;
        st = slot.reply ? PC_OK : PC_ETIMEDOUT;
    } else {
        st = PC_EUNAVAIL;
    }
    slot_unlink(r, &slot);
    pthread_mutex_unlock(&r->lock);
    atomic_fetch_sub(&r->inflight, 1);
    pthread_cond_destroy(&slot.cond);
    *reply = slot.reply;
    return st;
}

int pc_rpc_inflight(pc_rpc *r) { return atomic_load(&r->inflight); }
long pc_rpc_late_replies(pc_rpc *r) { return atomic_load(&r->late); }
const char *pc_rpc_reply_topic(pc_rpc *r) { return r->reply_topic; }

void pc_rpc_free(pc_rpc *r) {
    if (!r) return;
    atomic_store(&r->running, 0);
    pthread_join(r->reader, NULL);
    /* Wake anyone still waiting; they see running == 0 and give up. */
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < RPC_BUCKETS; i++)
        for (rpc_slot *s = r->buckets[i]; s; s = s->next) pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&r->lock);
    while (atomic_load(&r->inflight) > 0) usleep(1000);
    rd_kafka_consumer_close(r->consumer);
    rd_kafka_destroy(r->consumer);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
