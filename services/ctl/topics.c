/* topics.c -- pupns-ctl topics: proto/topics.json made real on the cluster.
 *
 * Replication follows the cluster: each topic gets RF min(wanted, brokers)
 * and min.insync.replicas min(wanted, RF) (libcommon/topics.h), so the same
 * file serves one broker (RF 1) and three (RF 3, min ISR 2). Topics that
 * exist are never changed: Kafka cannot lower partitions, raising them
 * moves keys between partitions, and raising RF is a partition
 * reassignment; those are operators' decisions, so differences are
 * reported as warnings (and make --check fail). */
#include <jansson.h>
#include <stdio.h>

#include "ctl.h"
#include "kafka.h"
#include "topics.h"

#define DESCRIBE_TIMEOUT_MS 10000

static void print_spec(const char *what, const pc_topic_spec *t) {
    printf("pupns-ctl: %s: %s (%d partitions, replication factor %d, min.insync.replicas %d, "
           "retention.ms %ld)\n",
           t->name, what, t->partitions, t->replication_factor, t->min_insync_replicas,
           t->retention_ms);
}

/* One topic: created when missing (unless check), compared otherwise.
 * Returns 0 when it is as it should be, 1 when it differs or is missing,
 * -1 when the broker failed us. */
static int ensure_topic(pc_producer *p, const pc_topic_spec *want, int brokers, int check) {
    char err[512], why[512];
    pc_topic_spec have;
    pc_status st = pc_kafka_describe_topic(p, want->name, DESCRIBE_TIMEOUT_MS, &have, err, sizeof err);
    if (st == PC_ENOTFOUND && check) {
        fprintf(stderr, "pupns-ctl: %s: missing\n", want->name);
        return 1;
    }
    if (st == PC_ENOTFOUND) {
        int created = 0;
        if (pc_kafka_create_topic(p, want, &created, err, sizeof err) != PC_OK) {
            fprintf(stderr, "pupns-ctl: %s\n", err);
            return -1;
        }
        if (created) {
            print_spec("created", want);
            if (want->replication_factor > 1 && want->min_insync_replicas == want->replication_factor)
                fprintf(stderr, "pupns-ctl: warning: %s: min.insync.replicas = replication factor "
                                "%d: losing one broker stops writes to it\n",
                        want->name, want->replication_factor);
            return 0;
        }
        /* Made meanwhile by someone else: compare it like any other. */
        st = pc_kafka_describe_topic(p, want->name, DESCRIBE_TIMEOUT_MS, &have, err, sizeof err);
    }
    if (st != PC_OK) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        return -1;
    }
    have.name = want->name;
    print_spec("exists", &have);
    if (pc_topic_mismatch(want, &have, why, sizeof why) == 0) return 0;
    fprintf(stderr, "pupns-ctl: warning: %s differs from topics.json on this %d-broker cluster: %s"
                    " (left as it is)\n",
            want->name, brokers, why);
    return 1;
}

int ctl_topics(const pc_config *cfg, const char *path, int check) {
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "pupns-ctl: %s:%d: %s\n", path, jerr.line, jerr.text);
        return 1;
    }
    char err[512];
    pc_producer *p = pc_producer_new(cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!p) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        json_decref(root);
        return 1;
    }
    int rc = 0, differ = 0;
    int brokers = pc_kafka_broker_count(p, 30000, err, sizeof err);
    if (brokers < 1) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        rc = 1;
    } else {
        printf("pupns-ctl: %d broker%s\n", brokers, brokers == 1 ? "" : "s");
    }
    size_t i;
    json_t *entry;
    json_array_foreach(brokers < 1 ? NULL : json_object_get(root, "topics"), i, entry) {
        pc_topic_spec want;
        int per_instance = 0;
        if (pc_topic_from_json(root, entry, &want, &per_instance, err, sizeof err) != PC_OK) {
            fprintf(stderr, "pupns-ctl: %s: %s\n", path, err);
            rc = 1;
            continue;
        }
        if (per_instance) continue; /* made by their owners (rpc.c) */
        pc_topic_spec fitted = pc_topic_fit(want, brokers);
        int r = ensure_topic(p, &fitted, brokers, check);
        if (r < 0) rc = 1;
        else differ += r;
    }
    /* Access follows the same file: who writes and reads what. */
    if (rc == 0 && !check && pc_kafka_authenticated(cfg) && ctl_acls(p, root) != 0) rc = 1;
    pc_producer_free(p);
    json_decref(root);
    /* When creating, a topic that differs is only a warning: the stack
     * runs on it as it is. --check makes it a failure. */
    return rc || (check && differ) ? 1 : 0;
}
