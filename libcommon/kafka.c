/* kafka.c -- the producer and the group consumer over librdkafka (admin: kafka_admin.c). */
#include "kafka.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ids.h"
#include "lifecycle.h"
#include "log.h"

#define PC_STR_(x) #x
#define PC_STR(x) PC_STR_(x)

struct pc_producer {
    pthread_rwlock_t lock; /* write-held only while replacing rk after a fatal error */
    rd_kafka_t *rk;
    pc_config cfg;
    pc_producer_profile profile;
    pthread_t poller;
    atomic_int running;
    atomic_int fatal;
};

typedef struct {
    pc_delivery_fn fn;
    void *opaque;
} delivery_ctx;

/* librdkafka's own log lines, as JSON lines like ours. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    (void)rk;
    pc_log_write(level <= 3 ? PC_LOG_ERROR : level <= 4 ? PC_LOG_WARN : level <= 6 ? PC_LOG_INFO
                                                                                     : PC_LOG_DEBUG,
                 "librdkafka", "%s: %s", fac, buf);
}

pc_status pc_kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *kv, char *errstr,
                              size_t errlen) {
    rd_kafka_conf_set_log_cb(conf, on_log);
    for (; kv[0]; kv += 2)
        if (rd_kafka_conf_set(conf, kv[0], kv[1], errstr, errlen) != RD_KAFKA_CONF_OK)
            return PC_EINVAL;
    return PC_OK;
}

/* The security.protocol cfg asks for: PUPNS_KAFKA_SECURITY_PROTOCOL, else
 * implied by the credentials given (a client certificate: TLS; a SASL user
 * too: SASL over TLS; a SASL user alone: SASL in clear); NULL: none at all. */
static const char *security_protocol(const pc_config *cfg) {
    if (cfg->kafka_security_protocol[0]) return cfg->kafka_security_protocol;
    if (cfg->kafka_ssl_cert[0]) return cfg->kafka_username[0] ? "sasl_ssl" : "ssl";
    return cfg->kafka_username[0] ? "sasl_plaintext" : NULL;
}

int pc_kafka_authenticated(const pc_config *cfg) {
    return cfg->kafka_username[0] || cfg->kafka_ssl_cert[0];
}

pc_status pc_kafka_conf_auth(rd_kafka_conf_t *conf, const pc_config *cfg, char *errstr, size_t errlen) {
    const char *proto = security_protocol(cfg);
    if (!proto) return PC_OK;
    int tls = strstr(proto, "ssl") || strstr(proto, "SSL");
    int sasl = strncasecmp(proto, "sasl", 4) == 0;
    if (sasl && !cfg->kafka_username[0]) {
        snprintf(errstr, errlen, "security protocol %s needs PUPNS_KAFKA_USERNAME", proto);
        return PC_EINVAL;
    }
    if (cfg->kafka_ssl_cert[0] && !cfg->kafka_ssl_key[0]) {
        snprintf(errstr, errlen, "PUPNS_KAFKA_SSL_CERTIFICATE_LOCATION needs PUPNS_KAFKA_SSL_KEY_LOCATION");
        return PC_EINVAL;
    }
    /* Only the settings given: an empty one keeps librdkafka's default
     * (for the CA: the system's trust store). */
    const char *kv[20] = {"security.protocol", proto};
    size_t n = 2;
    const char *tls_kv[][2] = {
        {"ssl.ca.location", cfg->kafka_ssl_ca},
        {"ssl.certificate.location", cfg->kafka_ssl_cert},
        {"ssl.key.location", cfg->kafka_ssl_key},
        {"ssl.key.password", cfg->kafka_ssl_key_password},
    };
    for (size_t i = 0; tls && i < sizeof tls_kv / sizeof tls_kv[0]; i++)
        if (tls_kv[i][1][0]) {
            kv[n++] = tls_kv[i][0];
            kv[n++] = tls_kv[i][1];
        }
    if (sasl) {
        const char *sasl_kv[] = {"sasl.mechanisms", cfg->kafka_sasl_mechanism, "sasl.username", cfg->kafka_username,
                                 "sasl.password", cfg->kafka_password};
        for (size_t i = 0; i < sizeof sasl_kv / sizeof sasl_kv[0]; i++) kv[n++] = sasl_kv[i];
    }
    kv[n] = NULL;
    return pc_kafka_conf_apply(conf, kv, errstr, errlen);
}

void pc_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER) {
            /* A fenced or otherwise dead group member cannot be revived in
             * place: stop cleanly (offsets of finished work are committed)
             * and exit non-zero so the supervisor restarts the process. */
            PC_ERROR("fatal kafka consumer error %s: %s; stopping for a restart", rd_kafka_err2name(orig), why);
            pc_lifecycle_fail();
            return;
        }
        PC_ERROR("fatal kafka error %s: %s; the producer will be recreated",
                 rd_kafka_err2name(orig), why);
        pc_producer *p = rd_kafka_opaque(rk);
        if (p) atomic_store(&p->fatal, 1);
        return;
    }
    /* Transport errors are retried by librdkafka itself: note them only. */
    PC_WARN("kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    delivery_ctx *d = m->_private;
    if (m->err)
        PC_WARN("delivery to %s failed: %s", rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
    if (d) {
        d->fn(d->opaque, m->err ? PC_ERROR : PC_OK);
        free(d);
    }
}

static rd_kafka_t *producer_create(pc_producer *p, char *errstr, size_t errlen) {
    /* Request/reply traffic sends at once: what it may wait to be batched
     * (PUPNS_KAFKA_LINGER_MS) is spent gathering calls into one message in
     * rpc.c, which saves the broker far more than batching messages here,
     * and a linger on top would only add to every look-up's latency. */
    const char *linger = p->profile == PC_PRODUCER_LOW_LATENCY ? "0" : "20";
    const char *kv[] = {
        "bootstrap.servers", p->cfg.kafka_brokers,
        "client.id", p->cfg.instance_id,
        "enable.idempotence", "true",
        "acks", "all",
        "socket.nagle.disable", "true",
        "linger.ms", linger,
        "message.timeout.ms", PC_STR(PC_PRODUCER_MESSAGE_TIMEOUT_MS),
        "compression.type", p->profile == PC_PRODUCER_LOW_LATENCY ? "none" : "lz4",
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (pc_kafka_conf_apply(conf, kv, errstr, errlen) != PC_OK ||
        pc_kafka_conf_auth(conf, &p->cfg, errstr, errlen) != PC_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, pc_kafka_error_cb);
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errlen);
    if (!rk) rd_kafka_conf_destroy(conf);
    return rk;
}

/* How long a re-creation waits for the old handle's delivery reports. */
#define RECREATE_DRAIN_MS 5000

/* Replaces a producer that hit a fatal idempotence error. Runs on the poll
 * thread. Every message still in the old handle is purged and its delivery
 * report served here, before the handle goes: purged messages report
 * __PURGE_QUEUE / __PURGE_INFLIGHT, i.e. failure, so owners waiting on a
 * delivery (identity's reply tracking, the outbox relay) always hear back.
 * Senders are held off by the write lock meanwhile; the lock prefers
 * writers, so a stream of sends cannot starve this. */
static void producer_recreate(pc_producer *p) {
    char err[512];
    pthread_rwlock_wrlock(&p->lock);
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    int64_t until = (pc_mono_us() / 1000) + RECREATE_DRAIN_MS;
    while (rd_kafka_outq_len(p->rk) > 0 && (pc_mono_us() / 1000) < until) rd_kafka_poll(p->rk, 50);
    int left = rd_kafka_outq_len(p->rk);
    if (left > 0) /* purge is synchronous, so this is a broker-side stall: rare, but their owners' own deadlines then decide */
        PC_WARN("producer re-creation: %d delivery reports not drained in %d ms; they are lost",
                left, RECREATE_DRAIN_MS);
    rd_kafka_t *fresh = producer_create(p, err, sizeof err);
    if (fresh) {
        rd_kafka_t *old = p->rk;
        p->rk = fresh;
        atomic_store(&p->fatal, 0);
        rd_kafka_destroy(old);
        PC_INFO("producer recreated after fatal error");
    } else {
        PC_ERROR("cannot recreate producer: %s", err);
    }
    pthread_rwlock_unlock(&p->lock);
}

static void *producer_poll_loop(void *arg) {
    pc_producer *p = arg;
    while (atomic_load(&p->running)) {
        if (atomic_load(&p->fatal)) {
            producer_recreate(p);
            if (atomic_load(&p->fatal)) usleep(500 * 1000);
        }
        /* Delivery callbacks run inside this poll, under the read lock. */
        pthread_rwlock_rdlock(&p->lock);
        rd_kafka_poll(p->rk, 50);
        pthread_rwlock_unlock(&p->lock);
    }
    return NULL;
}

/* A read-write lock that prefers writers: once the re-creation asks for it,
 * new readers wait, so senders cannot keep it from ever getting in. Such a
 * lock deadlocks a thread that takes the read lock twice while a writer
 * waits; hence no PUPNS code may call back into the producer while holding
 * it (delivery callbacks must not send, see kafka.h). */
static void writer_preferring_rwlock_init(pthread_rwlock_t *l) {
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(l, &a);
    pthread_rwlockattr_destroy(&a);
}

pc_producer *pc_producer_new(const pc_config *cfg, pc_producer_profile profile, char *errstr,
                             size_t errlen) {
    pc_producer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    /* The producer needs no keys: keep no copy of them. */
    sodium_memzero(p->cfg.reg_secret_key, sizeof p->cfg.reg_secret_key);
    sodium_memzero(p->cfg.flow_key, sizeof p->cfg.flow_key);
    sodium_memzero(p->cfg.pepper, sizeof p->cfg.pepper);
    p->profile = profile;
    writer_preferring_rwlock_init(&p->lock);
    p->rk = producer_create(p, errstr, errlen);
    if (!p->rk) goto fail;
    atomic_store(&p->running, 1);
    if (pthread_create(&p->poller, NULL, producer_poll_loop, p) != 0) {
        snprintf(errstr, errlen, "cannot start producer poll thread");
        rd_kafka_destroy(p->rk);
        goto fail;
    }
    return p;
fail:
    pthread_rwlock_destroy(&p->lock);
    free(p);
    return NULL;
}

pc_status pc_producer_send(pc_producer *p, const char *topic, int32_t partition, const char *key,
                           const void *value, size_t len, pc_delivery_fn fn, void *opaque) {
    delivery_ctx *d = NULL;
    if (fn) {
        d = malloc(sizeof *d);
        if (!d) return PC_ERROR;
        d->fn = fn;
        d->opaque = opaque;
    }
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    /* A full local queue is retried for about a second. Between tries the
     * lock is let go and nothing is polled here: the poll thread drains the
     * queue, delivery callbacks stay on that one thread, and a re-creation
     * waiting for the write lock gets in. */
    for (int attempt = 0; attempt < 100; attempt++) {
        if (attempt) usleep(10 * 1000);
        pthread_rwlock_rdlock(&p->lock);
        err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
                                RD_KAFKA_V_VALUE((void *)value, len),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(d),
                                RD_KAFKA_V_END);
        pthread_rwlock_unlock(&p->lock);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return PC_OK;
    free(d);
    PC_WARN("produce to %s failed: %s", topic, rd_kafka_err2str(err));
    if (err == RD_KAFKA_RESP_ERR__FATAL) atomic_store(&p->fatal, 1);
    return err == RD_KAFKA_RESP_ERR__QUEUE_FULL ? PC_ELIMIT : PC_ERROR;
}

int pc_producer_outstanding(pc_producer *p) {
    pthread_rwlock_rdlock(&p->lock);
    int n = rd_kafka_outq_len(p->rk);
    pthread_rwlock_unlock(&p->lock);
    return n;
}

int pc_producer_broken(pc_producer *p) { return atomic_load(&p->fatal); }

rd_kafka_t *pc_producer_acquire(pc_producer *p) {
    pthread_rwlock_rdlock(&p->lock);
    return p->rk;
}

void pc_producer_release(pc_producer *p) { pthread_rwlock_unlock(&p->lock); }

pc_status pc_producer_flush(pc_producer *p, int timeout_ms) {
    /* The poll thread serves the callbacks; here we only wait for the queue to empty. */
    for (int waited = 0; pc_producer_outstanding(p) > 0; waited += 1) {
        if (waited >= timeout_ms) return PC_ETIMEDOUT;
        usleep(1000);
    }
    return PC_OK;
}

void pc_producer_free(pc_producer *p) {
    if (!p) return;
    if (pc_producer_flush(p, 5000) != PC_OK)
        PC_WARN("%d messages undelivered at shutdown", pc_producer_outstanding(p));
    atomic_store(&p->running, 0);
    pthread_join(p->poller, NULL);
    rd_kafka_destroy(p->rk);
    pthread_rwlock_destroy(&p->lock);
    free(p);
}
