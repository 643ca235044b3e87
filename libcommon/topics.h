/* topics.h -- what each topic should be: the entries and defaults of
 * proto/topics.json, the rule fitting replication to the cluster's size, and
 * when a reply topic of a vanished gateway counts as expired.
 *
 * Pure functions (no broker): pupns-ctl and rpc.c apply them, the unit test
 * checks them and proto/topics.json against each other. */
#ifndef PUPNS_TOPICS_H
#define PUPNS_TOPICS_H

#include <jansson.h>
#include <stdint.h>

#include "kafka_admin.h"
#include "status.h"

/* Used when topics.json names neither per topic nor in "defaults": three
 * copies, two of which must have a write before it is acknowledged
 * (acks=all), so one broker can be lost without losing or refusing data. */
#define PC_TOPIC_DEFAULT_RF 3
#define PC_TOPIC_DEFAULT_MIN_ISR 2

/* Reply topics (pupns.gateway.replies.<instance>; made by rpc.c, not by
 * pupns-ctl; the per_instance entry of topics.json says the same). Three
 * copies keep a gateway's channel working when a broker goes, but one
 * in-sync copy is enough to acknowledge: a reply is worth one request, and
 * losing it to a leader crash costs that caller one 504 it retries, whereas
 * min ISR 2 would refuse replies (more 504s) whenever a follower lags. */
#define PC_REPLY_TOPIC_PARTITIONS 1
#define PC_REPLY_TOPIC_RF 3
#define PC_REPLY_TOPIC_MIN_ISR 1

/* The spec fitted to a cluster of `brokers`: replication factor
 * min(wanted, brokers) (at least 1), min.insync.replicas min(wanted, RF)
 * (at least 1). On one broker: RF 1, min ISR 1. */
pc_topic_spec pc_topic_fit(pc_topic_spec want, int brokers);

/* Differences of an existing topic (have, from pc_kafka_describe_topic)
 * from what it should be (want, already fitted): partitions, replication
 * factor, min.insync.replicas, retention (when want names one). Writes a
 * "; "-separated description to why and returns how many differ (0: none).
 * Kafka changes none of these by itself; pupns-ctl reports, operators fix. */
int pc_topic_mismatch(const pc_topic_spec *want, const pc_topic_spec *have, char *why, size_t len);

/* Reads one entry of a topics.json document (root): name, partitions,
 * retention_ms, replication_factor, min_insync_replicas, each falling back to
 * root's "defaults" object, then to PC_TOPIC_DEFAULT_*. The name is borrowed
 * from the document. *per_instance (may be NULL) is set for a per-instance
 * template such as the reply topics. PC_EINVAL (errstr says why) for a
 * missing name, partitions < 1, RF < 1 or min ISR outside 1..RF. */
pc_status pc_topic_from_json(const json_t *root, const json_t *entry, pc_topic_spec *out,
                             int *per_instance, char *errstr, size_t errlen);

/* A reply topic's partition, seen by the collector. */
typedef enum {
    PC_REPLY_LIVE,    /* a message within the retention: in use, never deleted */
    PC_REPLY_EXPIRED, /* written once, nothing within the retention */
    PC_REPLY_UNKNOWN  /* never written: its age is unknown, so it is kept */
} pc_reply_age;

/* From the partition's watermarks and whether a message is at least as new
 * as now - retention (pc_kafka_partition_activity). A partition emptied by
 * retention (low == high > 0) is expired: its newest message was older than
 * the retention when the broker deleted it. */
pc_reply_age pc_reply_partition_age(int64_t low, int64_t high, int recent);

/* A topic is expired only when every partition is; live when any is live. */
pc_reply_age pc_reply_topic_age(const pc_reply_age *parts, int n);

#endif
