/* backpressure.c -- admission per class of work from in-flight counts, a
 * measured drain rate and the registration consumer group's lag (see
 * backpressure.h for the rules). */
#include "backpressure.h"

#include <librdkafka/rdkafka.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract.h"
#include "ids.h"
#include "kafka.h"
#include "log.h"

/* The registration service's consumer group on PC_TOPIC_REG_COMMANDS. */
#define REG_GROUP "pupns-registration"
#define US 1000000LL
#define LAG_RING (GW_BP_WINDOW_S + 2)
#define LAG_FRESH_US (3 * US) /* an older lag sample is not used */

typedef struct {
    int64_t second; /* the monotonic second this bucket holds */
    int completions, timeouts;
    int64_t busy_us;
} bucket;

typedef struct {
    pthread_mutex_t lock;
    const char *topic;   /* replies from here complete the work */
    int max_inflight;
    double timeout_s;
    int inflight;
    int64_t last_us;     /* last change of inflight (busy-time accounting) */
    double known_rate;   /* the last rate the window knew: capacity outlives a quiet spell */
    bucket b[GW_BP_WINDOW_S];
} bp_class;

typedef struct {
    int64_t us;
    int parts;           /* partitions with a committed offset; -1: unknown */
    long long committed; /* sum of their committed offsets */
    long long lag;       /* sum of high watermark - committed */
} lag_sample;

struct gw_bp {
    bp_class cls[GW_BP_CLASSES];
    /* lag of the registration group, written by the poller */
    pthread_mutex_t lag_lock;
    lag_sample ring[LAG_RING];
    int ring_head, ring_count;
    long long lag;       /* newest, -1 unknown */
    double lag_rate;     /* commits/s while backlogged through the window; 0 unknown */
    int64_t lag_us;      /* when lag was measured */
    int lag_known_logged;
    /* the poller */
    rd_kafka_t *rk;
    pthread_t poller;
    int poller_started;
    atomic_int running;
    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
};

static _Thread_local gw_bp *tl_bp;
static _Thread_local gw_bp_class tl_class;
static _Thread_local int tl_replied, tl_timedout;

/* ---- drain rate per class ---------------------------------------------- */

static bucket *bucket_at(bp_class *c, int64_t sec) {
    bucket *b = &c->b[sec % GW_BP_WINDOW_S];
    if (b->second != sec) {
        memset(b, 0, sizeof *b);
        b->second = sec;
    }
    return b;
}

/* Adds the busy time since the last change, split by second; lock held. */
static void account(bp_class *c, int64_t now) {
    int64_t from = c->last_us;
    c->last_us = now;
    if (c->inflight <= 0 || now <= from) return;
    if (now - from > GW_BP_WINDOW_S * US) from = now - GW_BP_WINDOW_S * US;
    while (from < now) {
        int64_t sec = from / US, end = (sec + 1) * US;
        if (end > now) end = now;
        bucket_at(c, sec)->busy_us += end - from;
        from = end;
    }
}

typedef struct {
    int completions, timeouts;
    double rate;  /* completions per busy second; 0 when not known */
    double rough; /* the same from any completion: for Retry-After only */
} window;

/* The sliding window's totals; lock held, account() called. */
static window window_of(const bp_class *c, int64_t now) {
    int64_t sec = now / US, busy = 0;
    window w = { 0 };
    for (int i = 0; i < GW_BP_WINDOW_S; i++) {
        const bucket *b = &c->b[i];
        if (b->second <= sec - GW_BP_WINDOW_S || b->second > sec) continue;
        w.completions += b->completions;
        w.timeouts += b->timeouts;
        busy += b->busy_us;
    }
    if (w.completions > 0) w.rough = w.completions / ((double)(busy > 1000 ? busy : 1000) / US);
    if (w.completions >= GW_BP_MIN_SAMPLES) w.rate = w.rough;
    return w;
}

/* Seconds for `queued` requests to drain, or the default when no rate is known. */
static double drain_s(const window *w, int queued) {
    return w->rough > 0 ? queued / w->rough : GW_BP_RETRY_DEFAULT_S;
}

static int clamp_retry(double s) {
    if (!(s >= 1)) return 1; /* also NaN */
    if (s >= GW_BP_RETRY_MAX_S) return GW_BP_RETRY_MAX_S;
    return (int)ceil(s);
}

/* ---- lag of the registration group -------------------------------------- */

/* The group's committed offsets, or NULL when unknown. Asked with an
 * OffsetFetch on a consumer handle of the group that never joins it: the
 * admin API's ListConsumerGroupOffsets aborted the gateway when a broker
 * died (librdkafka 2.0.2, confluentinc/librdkafka#4605). */
static rd_kafka_topic_partition_list_t *list_committed(gw_bp *bp) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_partition_list_t *out = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(bp->rk, PC_TOPIC_REG_COMMANDS, NULL);
    if (rkt && rd_kafka_metadata(bp->rk, 0, rkt, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
        !md->topics[0].err && md->topics[0].partition_cnt > 0) {
        out = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
        for (int i = 0; i < md->topics[0].partition_cnt; i++)
            rd_kafka_topic_partition_list_add(out, PC_TOPIC_REG_COMMANDS, i);
        if (rd_kafka_committed(bp->rk, out, 1000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_topic_partition_list_destroy(out);
            out = NULL;
        }
    }
    if (md) rd_kafka_metadata_destroy(md);
    if (rkt) rd_kafka_topic_destroy(rkt);
    return out;
}

static const lag_sample *ring_at(const gw_bp *bp, int age) {
    return &bp->ring[(bp->ring_head - 1 - age + 2 * LAG_RING) % LAG_RING];
}

/* Keeps a sample and re-estimates: the commit rate counts only while the
 * group stayed backlogged (lag > 0 at every sample) across >= 2 s of the
 * window, since a group that keeps up commits at the arrival rate, which
 * says nothing about how fast it could drain. */
static void record(gw_bp *bp, const lag_sample *s) {
    pthread_mutex_lock(&bp->lag_lock);
    bp->ring[bp->ring_head] = *s;
    bp->ring_head = (bp->ring_head + 1) % LAG_RING;
    if (bp->ring_count < LAG_RING) bp->ring_count++;
    bp->lag = s->parts > 0 ? s->lag : -1;
    bp->lag_us = s->us;
    bp->lag_rate = 0;
    const lag_sample *old = NULL;
    for (int age = 1; s->parts > 0 && s->lag > 0 && age < bp->ring_count; age++) {
        const lag_sample *o = ring_at(bp, age);
        if (s->us - o->us > GW_BP_WINDOW_S * US || o->parts != s->parts || o->lag <= 0) break;
        old = o;
    }
    if (old && s->us - old->us >= 2 * US && s->committed > old->committed)
        bp->lag_rate = (double)(s->committed - old->committed) / ((double)(s->us - old->us) / US);
    int known = bp->lag >= 0;
    if (known != bp->lag_known_logged) {
        bp->lag_known_logged = known;
        if (known) PC_INFO("registration consumer lag known (%lld over %d partitions)", s->lag, s->parts);
        else PC_INFO("registration consumer lag unknown; shedding uses in-flight counts only");
    }
    pthread_mutex_unlock(&bp->lag_lock);
}

static void poll_lag(gw_bp *bp) {
    lag_sample s = { .us = 0, .parts = -1, .committed = 0, .lag = -1 };
    rd_kafka_topic_partition_list_t *committed = list_committed(bp);
    if (committed) {
        long long sum = 0, lag = 0;
        int parts = 0, ok = 1;
        for (int i = 0; ok && i < committed->cnt && atomic_load(&bp->running); i++) {
            const rd_kafka_topic_partition_t *p = &committed->elems[i];
            if (strcmp(p->topic, PC_TOPIC_REG_COMMANDS) != 0 || p->err || p->offset < 0) continue;
            int64_t lo = 0, hi = 0;
            if (rd_kafka_query_watermark_offsets(bp->rk, p->topic, p->partition, &lo, &hi, 500) !=
                RD_KAFKA_RESP_ERR_NO_ERROR) {
                ok = 0;
                break;
            }
            sum += p->offset;
            lag += hi > p->offset ? hi - p->offset : 0;
            parts++;
        }
        if (ok && parts > 0) {
            s.parts = parts;
            s.committed = sum;
            s.lag = lag;
        }
        rd_kafka_topic_partition_list_destroy(committed);
    }
    s.us = pc_mono_us();
    record(bp, &s);
}

static void *poller_main(void *arg) {
    gw_bp *bp = arg;
    while (atomic_load(&bp->running)) {
        int64_t t0 = pc_mono_us();
        poll_lag(bp);
        /* At most once a second, whatever the round took. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t wait_us = US - (pc_mono_us() - t0);
        if (wait_us < 100000) wait_us = 100000;
        ts.tv_sec += (time_t)(wait_us / US);
        ts.tv_nsec += (long)(wait_us % US) * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&bp->wake_lock);
        if (atomic_load(&bp->running)) pthread_cond_timedwait(&bp->wake, &bp->wake_lock, &ts);
        pthread_mutex_unlock(&bp->wake_lock);
    }
    return NULL;
}

static void start_poller(gw_bp *bp, const pc_config *cfg) {
    char err[512] = "";
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The registration group's id, to read its committed offsets; this
     * handle never subscribes, so it never joins the group. */
    const char *kv[] = { "bootstrap.servers", cfg->kafka_brokers, "client.id", "pupns-gateway-backpressure",
                         "group.id", REG_GROUP, "enable.auto.commit", "false", NULL };
    if (pc_kafka_conf_apply(conf, kv, err, sizeof err) != PC_OK ||
        pc_kafka_conf_auth(conf, cfg, err, sizeof err) != PC_OK) {
        rd_kafka_conf_destroy(conf);
        PC_WARN("backpressure: no lag poller (%s); shedding uses in-flight counts only", err);
        return;
    }
    bp->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err); /* takes conf on success */
    if (!bp->rk) {
        rd_kafka_conf_destroy(conf);
        PC_WARN("backpressure: no lag poller (%s); shedding uses in-flight counts only", err);
        return;
    }
    atomic_store(&bp->running, 1);
    if (pthread_create(&bp->poller, NULL, poller_main, bp) != 0) {
        atomic_store(&bp->running, 0);
        PC_WARN("backpressure: cannot start the lag poller; shedding uses in-flight counts only");
        return;
    }
    bp->poller_started = 1;
}

/* ---- admission ---------------------------------------------------------- */

gw_bp *gw_bp_new(const pc_config *cfg) {
    gw_bp *bp = calloc(1, sizeof *bp);
    if (!bp) return NULL;
    static const struct {
        gw_bp_class k;
        const char *topic;
        int reg;
    } classes[] = {
        { GW_BP_REGISTRATION, PC_TOPIC_REG_COMMANDS, 1 },
        { GW_BP_LOOKUP, PC_TOPIC_IDENTITY_REQUESTS, 0 },
        { GW_BP_CAPTCHA, PC_TOPIC_CAPTCHA_REQUESTS, 0 },
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        bp_class *c = &bp->cls[classes[i].k];
        pthread_mutex_init(&c->lock, NULL);
        c->topic = classes[i].topic;
        c->max_inflight = classes[i].reg ? cfg->reg_max_inflight : cfg->query_max_inflight;
        c->timeout_s = (classes[i].reg ? cfg->registration_timeout_ms : cfg->request_timeout_ms) / 1000.0;
        c->last_us = pc_mono_us();
    }
    pthread_mutex_init(&bp->lag_lock, NULL);
    pthread_mutex_init(&bp->wake_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&bp->wake, &ca);
    pthread_condattr_destroy(&ca);
    bp->lag = -1;
    bp->lag_known_logged = 0;
    start_poller(bp, cfg);
    return bp;
}

int gw_bp_enter(gw_bp *bp, gw_bp_class k, int *retry_after_s, const char **reason) {
    if (k <= GW_BP_NONE || k >= GW_BP_CLASSES) return 1;
    bp_class *c = &bp->cls[k];
    int64_t now = pc_mono_us();
    const char *why = NULL;
    double retry = 0;
    pthread_mutex_lock(&c->lock);
    account(c, now);
    window w = window_of(c, now);
    if (w.rate > 0) c->known_rate = w.rate;
    else if (w.completions == 0 && w.timeouts > 0) c->known_rate = 0; /* stalled: forget it */
    double rate = c->known_rate;
    if (w.rough <= 0) w.rough = rate;
    int queued = c->inflight;
    if (queued >= c->max_inflight) {
        why = "inflight";
        retry = drain_s(&w, queued);
    } else if (rate > 0 && (queued + 1) / rate > c->timeout_s) {
        why = "drain";
        retry = queued / rate;
    } else if (w.completions == 0 && w.timeouts > 0 && queued > 0) {
        why = "stalled";
        retry = c->timeout_s;
    }
    if (!why && k == GW_BP_REGISTRATION) {
        pthread_mutex_lock(&bp->lag_lock);
        if (bp->lag >= 0 && bp->lag_rate > 0 && now - bp->lag_us <= LAG_FRESH_US &&
            (bp->lag + 1) / bp->lag_rate > c->timeout_s) {
            why = "lag";
            retry = bp->lag / bp->lag_rate;
        }
        pthread_mutex_unlock(&bp->lag_lock);
    }
    if (!why) {
        c->inflight++;
        tl_bp = bp;
        tl_class = k;
        tl_replied = tl_timedout = 0;
    }
    pthread_mutex_unlock(&c->lock);
    if (why) {
        *retry_after_s = clamp_retry(retry);
        *reason = why;
        return 0;
    }
    return 1;
}

void gw_bp_leave(gw_bp *bp) {
    if (!tl_bp || tl_bp != bp) return;
    bp_class *c = &bp->cls[tl_class];
    int64_t now = pc_mono_us();
    pthread_mutex_lock(&c->lock);
    account(c, now);
    c->inflight--;
    bucket *b = bucket_at(c, now / US);
    if (tl_replied) b->completions++;
    else if (tl_timedout) b->timeouts++;
    pthread_mutex_unlock(&c->lock);
    tl_bp = NULL;
    tl_class = GW_BP_NONE;
}

void gw_bp_observe(const char *topic, pc_status st) {
    if (!tl_bp || !topic || strcmp(topic, tl_bp->cls[tl_class].topic) != 0) return;
    if (st == PC_OK) tl_replied = 1;
    else if (st == PC_ETIMEDOUT) tl_timedout = 1;
}

int gw_bp_retry_hint(void) {
    if (!tl_bp) return GW_BP_RETRY_DEFAULT_S;
    bp_class *c = &tl_bp->cls[tl_class];
    int64_t now = pc_mono_us();
    pthread_mutex_lock(&c->lock);
    account(c, now);
    window w = window_of(c, now);
    if (w.rough <= 0) w.rough = c->known_rate;
    int queued = c->inflight;
    pthread_mutex_unlock(&c->lock);
    return clamp_retry(drain_s(&w, queued));
}

double gw_bp_drain_rate(gw_bp *bp, gw_bp_class k) {
    if (k <= GW_BP_NONE || k >= GW_BP_CLASSES) return 0;
    bp_class *c = &bp->cls[k];
    int64_t now = pc_mono_us();
    pthread_mutex_lock(&c->lock);
    account(c, now);
    window w = window_of(c, now);
    double rate = w.rate > 0 ? w.rate : c->known_rate;
    pthread_mutex_unlock(&c->lock);
    return rate;
}

double gw_bp_reg_lag(gw_bp *bp) {
    pthread_mutex_lock(&bp->lag_lock);
    double v = bp->lag >= 0 && pc_mono_us() - bp->lag_us <= LAG_FRESH_US ? (double)bp->lag : -1;
    pthread_mutex_unlock(&bp->lag_lock);
    return v;
}

double gw_bp_reg_commit_rate(gw_bp *bp) {
    pthread_mutex_lock(&bp->lag_lock);
    double v = bp->lag_rate;
    pthread_mutex_unlock(&bp->lag_lock);
    return v;
}

void gw_bp_free(gw_bp *bp) {
    if (!bp) return;
    if (bp->poller_started) {
        pthread_mutex_lock(&bp->wake_lock);
        atomic_store(&bp->running, 0);
        pthread_cond_signal(&bp->wake);
        pthread_mutex_unlock(&bp->wake_lock);
        pthread_join(bp->poller, NULL);
    }
    if (bp->rk) rd_kafka_destroy(bp->rk);
    for (int k = GW_BP_NONE + 1; k < GW_BP_CLASSES; k++) pthread_mutex_destroy(&bp->cls[k].lock);
    pthread_mutex_destroy(&bp->lag_lock);
    pthread_mutex_destroy(&bp->wake_lock);
    pthread_cond_destroy(&bp->wake);
    free(bp);
}
