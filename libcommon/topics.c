/* topics.c -- topic specs from proto/topics.json and replication fitted to the cluster. */
#include "topics.h"

#include <stddef.h>
#include <stdio.h>

pc_topic_spec pc_topic_fit(pc_topic_spec want, int brokers) {
    pc_topic_spec t = want;
    if (brokers < 1) brokers = 1;
    t.replication_factor = want.replication_factor < brokers ? want.replication_factor : brokers;
    if (t.replication_factor < 1) t.replication_factor = 1;
    t.min_insync_replicas = want.min_insync_replicas < t.replication_factor
                                ? want.min_insync_replicas
                                : t.replication_factor;
    if (t.min_insync_replicas < 1) t.min_insync_replicas = 1;
    return t;
}

int pc_topic_mismatch(const pc_topic_spec *want, const pc_topic_spec *have, char *why, size_t len) {
    int n = 0;
    size_t used = 0;
    why[0] = '\0';
#define DIFF(cond, ...)                                                              \
    do {                                                                             \
        if (cond) {                                                                  \
            if (n++ && used + 2 < len) used += (size_t)snprintf(why + used, len - used, "; "); \
            if (used < len) used += (size_t)snprintf(why + used, len - used, __VA_ARGS__); \
        }                                                                            \
    } while (0)
    DIFF(have->partitions != want->partitions, "%d partitions, wants %d", have->partitions,
         want->partitions);
    DIFF(have->replication_factor != want->replication_factor, "replication factor %d, wants %d",
         have->replication_factor, want->replication_factor);
    DIFF(have->min_insync_replicas != want->min_insync_replicas,
         "min.insync.replicas %d, wants %d", have->min_insync_replicas, want->min_insync_replicas);
    DIFF(want->retention_ms > 0 && have->retention_ms != want->retention_ms,
         "retention.ms %ld, wants %ld", have->retention_ms, want->retention_ms);
#undef DIFF
    return n;
}

/* entry[key], else defaults[key], else fallback; -1 when present but not an integer. */
static long long int_field(const json_t *entry, const json_t *defaults, const char *key,
                           long long fallback) {
    const json_t *v = json_object_get(entry, key);
    if (!v) v = json_object_get(defaults, key);
    if (!v) return fallback;
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

pc_status pc_topic_from_json(const json_t *root, const json_t *entry, pc_topic_spec *out,
                             int *per_instance, char *errstr, size_t errlen) {
    const json_t *defaults = json_object_get(root, "defaults");
    out->name = json_string_value(json_object_get(entry, "name"));
    out->partitions = (int)int_field(entry, NULL, "partitions", 0);
    out->retention_ms = (long)int_field(entry, defaults, "retention_ms", 0);
    out->replication_factor =
        (int)int_field(entry, defaults, "replication_factor", PC_TOPIC_DEFAULT_RF);
    out->min_insync_replicas =
        (int)int_field(entry, defaults, "min_insync_replicas", PC_TOPIC_DEFAULT_MIN_ISR);
    if (per_instance) *per_instance = json_is_true(json_object_get(entry, "per_instance"));
    const char *why = !out->name                      ? "no name"
                      : out->partitions < 1           ? "partitions must be >= 1"
                      : out->retention_ms < 0         ? "retention_ms must be >= 0"
                      : out->replication_factor < 1   ? "replication_factor must be >= 1"
                      : out->min_insync_replicas < 1 ||
                              out->min_insync_replicas > out->replication_factor
                          ? "min_insync_replicas must be 1..replication_factor"
                          : NULL;
    if (why) {
        snprintf(errstr, errlen, "topic %s: %s", out->name ? out->name : "?", why);
        return PC_EINVAL;
    }
    return PC_OK;
}

pc_reply_age pc_reply_partition_age(int64_t low, int64_t high, int recent) {
    if (recent) return PC_REPLY_LIVE;
    if (high <= 0) return PC_REPLY_UNKNOWN;
    (void)low; /* high > low: messages, none recent; low == high: all expired */
    return PC_REPLY_EXPIRED;
}

pc_reply_age pc_reply_topic_age(const pc_reply_age *parts, int n) {
    pc_reply_age age = n > 0 ? PC_REPLY_EXPIRED : PC_REPLY_UNKNOWN;
    for (int i = 0; i < n; i++) {
        if (parts[i] == PC_REPLY_LIVE) return PC_REPLY_LIVE;
        if (parts[i] == PC_REPLY_UNKNOWN) age = PC_REPLY_UNKNOWN;
    }
    return age;
}
