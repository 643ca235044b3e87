/* kafka.h -- librdkafka wrappers: an idempotent producer that survives fatal
 * errors, the error callback every client shares, and (kafka_admin.h,
 * included here) topics through the admin API. Consumers: serve.h.
 *
 * Settings every PUPNS client shares live here (Nagle off, acks=all,
 * read_committed), so services cannot drift apart. */
#ifndef PUPNS_KAFKA_H
#define PUPNS_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "status.h"

typedef struct pc_producer pc_producer;

/* Called once per message from the producer's poll thread: PC_OK when the
 * broker has it (acks=all), PC_ERROR when it was finally lost (also when the
 * producer was re-created after a fatal error: its queue is purged and every
 * message reports failure before the old handle goes).
 *
 * A delivery callback runs inside rd_kafka_poll under the producer's read
 * lock. It must return quickly and must NEVER call pc_producer_* (send,
 * flush, outstanding, free) or any admin helper: the lock prefers writers,
 * so taking it again while a re-creation waits deadlocks the poll thread.
 * Hand work to another thread instead. */
typedef void (*pc_delivery_fn)(void *opaque, pc_status st);

typedef enum {
    PC_PRODUCER_LOW_LATENCY, /* request/reply: linger 0 */
    PC_PRODUCER_BULK         /* event streams: linger 20 ms, batches */
} pc_producer_profile;

/* Creates the producer and its poll thread. NULL on error (errstr says why). */
pc_producer *pc_producer_new(const pc_config *cfg, pc_producer_profile profile, char *errstr,
                             size_t errlen);

/* Queues one message (copied). partition may be RD_KAFKA_PARTITION_UA; key
 * may be NULL; fn may be NULL. Returns PC_OK once queued, PC_ELIMIT if the
 * local queue stayed full for a second, PC_ERROR otherwise (fn not called),
 * e.g. while the producer is broken (pc_producer_broken). Never from a
 * delivery callback (see pc_delivery_fn). */
pc_status pc_producer_send(pc_producer *p, const char *topic, int32_t partition, const char *key,
                           const void *value, size_t len, pc_delivery_fn fn, void *opaque);

/* Waits until every queued message is delivered or failed. PC_ETIMEDOUT if
 * some remain after timeout_ms. */
pc_status pc_producer_flush(pc_producer *p, int timeout_ms);

/* Messages queued or in flight. */
int pc_producer_outstanding(pc_producer *p);

/* True from a fatal idempotence error until the fresh handle is in place
 * (normally well under a second; retried every 500 ms while the broker is
 * unreachable). Sends fail meanwhile: callers back off rather than spin. */
int pc_producer_broken(pc_producer *p);

/* message.timeout.ms of every producer: the longest a queued message waits
 * for its delivery report (plus re-creation's drain, RECREATE_DRAIN_MS). */
#define PC_PRODUCER_MESSAGE_TIMEOUT_MS 60000

/* For the admin helpers (kafka_admin.c): the current handle, read-locked
 * until pc_producer_release. In between, call no other pc_producer_*
 * function (the lock is not recursive) and wait only with a deadline. */
rd_kafka_t *pc_producer_acquire(pc_producer *p);
void pc_producer_release(pc_producer *p);

/* Flushes (up to 5 s), stops the poll thread and destroys. NULL is fine. */
void pc_producer_free(pc_producer *p);

/* librdkafka's error callback for every PUPNS handle: a fatal error makes a
 * producer recreate itself and a consumer stop the process for a restart
 * (pc_lifecycle_fail); transport errors, which librdkafka retries, are
 * logged. The producer's opaque must be its pc_producer. */
void pc_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque);

/* Routes librdkafka's log into ours and applies a NULL-terminated
 * name, value, name, value... list; shared by the producer, serve.c and rpc.c. */
pc_status pc_kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *kv, char *errstr,
                              size_t errlen);

/* Kafka authentication from cfg, which every handle's configuration goes
 * through: TLS with a client certificate (mutual TLS, what the local
 * stacks' brokers require; docs/SECURITY.md), SASL (cfg's
 * kafka_sasl_mechanism) in clear or over TLS, or nothing when no
 * credentials are set. PC_EINVAL (errstr says why) for settings that
 * cannot work together. */
pc_status pc_kafka_conf_auth(rd_kafka_conf_t *conf, const pc_config *cfg, char *errstr, size_t errlen);

/* 1 when cfg carries Kafka credentials (a SASL user or a client certificate). */
int pc_kafka_authenticated(const pc_config *cfg);

/* Topic creation, checks, deletion: kept reachable through this header. */
#include "kafka_admin.h"

#endif
