/* reply_gc.c -- pupns-ctl topics --gc-replies: removes the reply topics of
 * gateways that are gone.
 *
 * A gateway deletes its reply topic when it stops cleanly (rpc.c); one that
 * was killed leaves it behind. Such a topic is deleted here once no message
 * on it is newer than its retention (plus a margin for clock skew between
 * the hosts that stamp messages and this one): a gateway in use gets
 * replies, so its topic is never touched. A topic never written to is kept,
 * since nothing tells its age (a gateway that just started has one too);
 * it is listed so an operator can delete it by hand. A gateway that is
 * alive but got no reply for a whole retention does lose its topic; its
 * reply reader notices within 10 s and makes it again (rpc.c). */
#include <stdio.h>

#include "contract.h"
#include "ctl.h"
#include "ids.h"
#include "kafka.h"
#include "topics.h"

#define GC_TIMEOUT_MS 10000
#define GC_SKEW_MARGIN_MS 60000

/* The age of one reply topic; -1 when the broker could not tell. */
static int topic_age(pc_producer *p, const char *topic, pc_reply_age *age, long *retention) {
    char err[512];
    pc_topic_spec t;
    if (pc_kafka_describe_topic(p, topic, GC_TIMEOUT_MS, &t, err, sizeof err) != PC_OK) {
        fprintf(stderr, "pupns-ctl: gc: %s\n", err);
        return -1;
    }
    *retention = t.retention_ms;
    if (t.retention_ms <= 0 || t.partitions < 1) { /* kept forever by its own config */
        *age = PC_REPLY_UNKNOWN;
        return 0;
    }
    int64_t since = pc_now_ms() - t.retention_ms - GC_SKEW_MARGIN_MS;
    pc_reply_age parts[64];
    int n = t.partitions < 64 ? t.partitions : 64;
    for (int i = 0; i < n; i++) {
        int64_t low, high;
        int recent;
        if (pc_kafka_partition_activity(p, topic, i, since, GC_TIMEOUT_MS, &low, &high, &recent, err,
                                        sizeof err) != PC_OK) {
            fprintf(stderr, "pupns-ctl: gc: %s\n", err);
            return -1;
        }
        parts[i] = pc_reply_partition_age(low, high, recent);
    }
    *age = n < t.partitions ? PC_REPLY_UNKNOWN : pc_reply_topic_age(parts, n);
    return 0;
}

int ctl_gc_replies(const pc_config *cfg, int dry_run) {
    char err[512];
    pc_producer *p = pc_producer_new(cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!p) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    int rc = 0, deleted = 0;
    if (pc_kafka_list_topics(p, PC_TOPIC_REPLY_PREFIX, GC_TIMEOUT_MS, &names, &n, err, sizeof err) !=
        PC_OK) {
        fprintf(stderr, "pupns-ctl: gc: %s\n", err);
        rc = 1;
    }
    for (size_t i = 0; i < n; i++) {
        pc_reply_age age;
        long retention = 0;
        if (topic_age(p, names[i], &age, &retention) != 0) {
            rc = 1;
            continue;
        }
        if (age == PC_REPLY_LIVE) {
            printf("pupns-ctl: gc: %s: in use (a message within %ld ms), kept\n", names[i], retention);
        } else if (age == PC_REPLY_UNKNOWN) {
            printf("pupns-ctl: gc: %s: never written to (or no retention), age unknown, kept\n",
                   names[i]);
        } else if (dry_run) {
            printf("pupns-ctl: gc: %s: expired (nothing within %ld ms), would delete\n", names[i],
                   retention);
        } else if (pc_kafka_delete_topic(p, names[i], GC_TIMEOUT_MS, err, sizeof err) == PC_OK) {
            printf("pupns-ctl: gc: %s: expired (nothing within %ld ms), deleted\n", names[i],
                   retention);
            deleted++;
        } else {
            fprintf(stderr, "pupns-ctl: gc: %s\n", err);
            rc = 1;
        }
    }
    if (names) printf("pupns-ctl: gc: %zu reply topics, %d deleted\n", n, deleted);
    pc_kafka_names_free(names, n);
    pc_producer_free(p);
    return rc;
}
