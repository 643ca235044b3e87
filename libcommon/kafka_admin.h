/* kafka_admin.h -- topics through the Kafka admin API, over a producer's
 * connection: create (with replication factor and min.insync.replicas),
 * check, describe, list, delete, and the cluster's broker count.
 *
 * Every call waits at most its timeout (a stalled broker costs a bounded
 * delay, never a hang) and holds the producer's read lock meanwhile, so a
 * producer re-creation waits for it: keep the timeouts short on hot paths. */
#ifndef PUPNS_KAFKA_ADMIN_H
#define PUPNS_KAFKA_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct pc_producer pc_producer;

/* What a topic should be (creation) or is (pc_kafka_describe_topic). */
typedef struct {
    const char *name;
    int partitions;
    int replication_factor;  /* >= 1; described: the smallest over partitions */
    int min_insync_replicas; /* 0: the broker default (creation only) */
    long retention_ms;       /* 0: the broker default */
} pc_topic_spec;

/* Brokers in the cluster, from metadata (>= 1), or a negative pc_status
 * (PC_EUNAVAIL: no answer in timeout_ms; errstr says why). */
int pc_kafka_broker_count(pc_producer *p, int timeout_ms, char *errstr, size_t errlen);

/* Creates the topic. One that already exists is success too, and left as it
 * is; *created (may be NULL) tells which. PC_EINVAL for a bad spec,
 * PC_EUNAVAIL when the broker refuses or does not answer in 15 s. */
pc_status pc_kafka_create_topic(pc_producer *p, const pc_topic_spec *spec, int *created,
                                char *errstr, size_t errlen);

/* PC_OK when the broker answers within timeout_ms and the topic exists with
 * a leader for every partition; PC_ENOTFOUND when the broker says it does
 * not exist; PC_EUNAVAIL otherwise (errstr says why). */
pc_status pc_kafka_check_topic(pc_producer *p, const char *topic, int timeout_ms, char *errstr,
                               size_t errlen);

/* Fills *out (name left NULL) with the topic's partitions, replication
 * factor, min.insync.replicas and retention.ms as the cluster has them.
 * PC_ENOTFOUND when the topic does not exist. */
pc_status pc_kafka_describe_topic(pc_producer *p, const char *topic, int timeout_ms,
                                  pc_topic_spec *out, char *errstr, size_t errlen);

/* Names of the topics starting with prefix, as a malloc'ed array of
 * malloc'ed strings (free with pc_kafka_names_free). *n gets the count. */
pc_status pc_kafka_list_topics(pc_producer *p, const char *prefix, int timeout_ms, char ***names,
                               size_t *n, char *errstr, size_t errlen);
void pc_kafka_names_free(char **names, size_t n);

/* Deletes one topic; one already gone is success. */
pc_status pc_kafka_delete_topic(pc_producer *p, const char *topic, int timeout_ms, char *errstr,
                                size_t errlen);

/* Activity of one partition for the reply-topic collector: its watermarks,
 * and whether some message has a timestamp >= since_ms (*recent = 1). */
pc_status pc_kafka_partition_activity(pc_producer *p, const char *topic, int32_t partition,
                                      int64_t since_ms, int timeout_ms, int64_t *low,
                                      int64_t *high, int *recent, char *errstr, size_t errlen);

#endif
