/* test_topics.c -- topic specs: replication fitted to the cluster's size,
 * proto/topics.json read with its defaults, differences reported, and when
 * a reply topic counts as expired. Run from the checkout's top folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "contract.h"
#include "topics.h"

static pc_topic_spec spec(int rf, int isr) {
    return (pc_topic_spec){ .name = "t", .partitions = 6, .replication_factor = rf,
                            .min_insync_replicas = isr, .retention_ms = 1000 };
}

static void replication_follows_the_cluster(void **state) {
    (void)state;
    pc_topic_spec t = pc_topic_fit(spec(3, 2), 1);
    assert_int_equal(t.replication_factor, 1);
    assert_int_equal(t.min_insync_replicas, 1);
    t = pc_topic_fit(spec(3, 2), 3);
    assert_int_equal(t.replication_factor, 3);
    assert_int_equal(t.min_insync_replicas, 2);
    t = pc_topic_fit(spec(3, 2), 7); /* never more copies than asked */
    assert_int_equal(t.replication_factor, 3);
    assert_int_equal(t.min_insync_replicas, 2);
    t = pc_topic_fit(spec(3, 2), 2);
    assert_int_equal(t.replication_factor, 2);
    assert_int_equal(t.min_insync_replicas, 2);
    t = pc_topic_fit(spec(3, 2), 0); /* a broken count still gives a valid spec */
    assert_int_equal(t.replication_factor, 1);
    assert_int_equal(t.min_insync_replicas, 1);
    t = pc_topic_fit(spec(PC_REPLY_TOPIC_RF, PC_REPLY_TOPIC_MIN_ISR), 3);
    assert_int_equal(t.replication_factor, 3);
    assert_int_equal(t.min_insync_replicas, 1);
    assert_int_equal(t.partitions, 6);
    assert_int_equal(t.retention_ms, 1000);
}

static void entries_fall_back_to_defaults(void **state) {
    (void)state;
    char err[128];
    pc_topic_spec t;
    int per = -1;
    json_t *root = json_loads("{\"defaults\": {\"replication_factor\": 5, \"min_insync_replicas\": 3},"
                              " \"topics\": [{\"name\": \"a\", \"partitions\": 2},"
                              "  {\"name\": \"b\", \"partitions\": 1, \"replication_factor\": 2,"
                              "   \"min_insync_replicas\": 1, \"retention_ms\": 99, \"per_instance\": true}]}",
                              0, NULL);
    assert_non_null(root);
    json_t *topics = json_object_get(root, "topics");
    assert_int_equal(pc_topic_from_json(root, json_array_get(topics, 0), &t, &per, err, sizeof err), PC_OK);
    assert_string_equal(t.name, "a");
    assert_int_equal(t.partitions, 2);
    assert_int_equal(t.replication_factor, 5);
    assert_int_equal(t.min_insync_replicas, 3);
    assert_int_equal(t.retention_ms, 0);
    assert_int_equal(per, 0);
    assert_int_equal(pc_topic_from_json(root, json_array_get(topics, 1), &t, &per, err, sizeof err), PC_OK);
    assert_int_equal(t.replication_factor, 2);
    assert_int_equal(t.min_insync_replicas, 1);
    assert_int_equal(t.retention_ms, 99);
    assert_int_equal(per, 1);
    json_decref(root);

    root = json_loads("{\"topics\": [{\"name\": \"c\", \"partitions\": 3}]}", 0, NULL);
    assert_int_equal(pc_topic_from_json(root, json_array_get(json_object_get(root, "topics"), 0), &t,
                                        NULL, err, sizeof err), PC_OK);
    assert_int_equal(t.replication_factor, PC_TOPIC_DEFAULT_RF);
    assert_int_equal(t.min_insync_replicas, PC_TOPIC_DEFAULT_MIN_ISR);
    json_decref(root);
}

static void bad_entries_are_refused(void **state) {
    (void)state;
    const char *bad[] = {
        "{\"partitions\": 1}",
        "{\"name\": \"x\"}",
        "{\"name\": \"x\", \"partitions\": 0}",
        "{\"name\": \"x\", \"partitions\": 1, \"replication_factor\": 0}",
        "{\"name\": \"x\", \"partitions\": 1, \"replication_factor\": 2, \"min_insync_replicas\": 3}",
        "{\"name\": \"x\", \"partitions\": 1, \"min_insync_replicas\": 0}",
        "{\"name\": \"x\", \"partitions\": 1, \"replication_factor\": \"3\"}",
        "{\"name\": \"x\", \"partitions\": 1, \"retention_ms\": -5}",
    };
    json_t *root = json_object();
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[128] = "";
        pc_topic_spec t;
        json_t *e = json_loads(bad[i], 0, NULL);
        assert_non_null(e);
        assert_int_equal(pc_topic_from_json(root, e, &t, NULL, err, sizeof err), PC_EINVAL);
        assert_true(strlen(err) > 0);
        json_decref(e);
    }
    json_decref(root);
}

/* The real file: every entry valid, the dead-letter topic as agreed, and the
 * reply-topic entry saying what rpc.c does. */
static void proto_topics_json_is_consistent(void **state) {
    (void)state;
    json_error_t jerr;
    json_t *root = json_load_file("proto/topics.json", 0, &jerr);
    assert_non_null(root);
    size_t i;
    json_t *e;
    int deadletter = 0, replies = 0;
    json_array_foreach(json_object_get(root, "topics"), i, e) {
        char err[128];
        pc_topic_spec t;
        int per = 0;
        assert_int_equal(pc_topic_from_json(root, e, &t, &per, err, sizeof err), PC_OK);
        pc_topic_spec one = pc_topic_fit(t, 1), three = pc_topic_fit(t, 3);
        assert_int_equal(one.replication_factor, 1);
        assert_int_equal(one.min_insync_replicas, 1);
        assert_int_equal(three.replication_factor, 3);
        if (strcmp(t.name, PC_TOPIC_DEADLETTER) == 0) {
            deadletter++;
            assert_int_equal(t.partitions, 6);
            assert_int_equal(t.retention_ms, 30L * 24 * 3600 * 1000);
            assert_int_equal(three.min_insync_replicas, 2);
        }
        if (per) {
            replies++;
            assert_int_equal(strncmp(t.name, PC_TOPIC_REPLY_PREFIX, strlen(PC_TOPIC_REPLY_PREFIX)), 0);
            assert_int_equal(t.partitions, PC_REPLY_TOPIC_PARTITIONS);
            assert_int_equal(t.replication_factor, PC_REPLY_TOPIC_RF);
            assert_int_equal(t.min_insync_replicas, PC_REPLY_TOPIC_MIN_ISR);
        } else {
            assert_int_equal(three.min_insync_replicas, 2); /* durable topics lose no broker's writes */
        }
    }
    assert_int_equal(deadletter, 1);
    assert_int_equal(replies, 1);
    json_decref(root);
}

static void differences_are_named(void **state) {
    (void)state;
    char why[256];
    pc_topic_spec want = spec(3, 2), have = spec(3, 2);
    assert_int_equal(pc_topic_mismatch(&want, &have, why, sizeof why), 0);
    assert_string_equal(why, "");
    have.replication_factor = 1;
    have.min_insync_replicas = 1;
    assert_int_equal(pc_topic_mismatch(&want, &have, why, sizeof why), 2);
    assert_non_null(strstr(why, "replication factor 1, wants 3"));
    assert_non_null(strstr(why, "min.insync.replicas 1, wants 2"));
    have = spec(3, 2);
    have.partitions = 12;
    have.retention_ms = 5;
    assert_int_equal(pc_topic_mismatch(&want, &have, why, sizeof why), 2);
    want.retention_ms = 0; /* the broker default: any retention is fine */
    assert_int_equal(pc_topic_mismatch(&want, &have, why, sizeof why), 1);
    char tiny[8]; /* truncated, never overrun */
    have.replication_factor = 1;
    assert_int_equal(pc_topic_mismatch(&want, &have, tiny, sizeof tiny), 2);
    assert_true(strlen(tiny) < sizeof tiny);
}

static void reply_topics_expire_only_when_idle_a_retention(void **state) {
    (void)state;
    assert_int_equal(pc_reply_partition_age(0, 10, 1), PC_REPLY_LIVE);
    assert_int_equal(pc_reply_partition_age(0, 10, 0), PC_REPLY_EXPIRED);
    assert_int_equal(pc_reply_partition_age(10, 10, 0), PC_REPLY_EXPIRED); /* emptied by retention */
    assert_int_equal(pc_reply_partition_age(0, 0, 0), PC_REPLY_UNKNOWN);   /* never written */
    pc_reply_age mixed[] = { PC_REPLY_EXPIRED, PC_REPLY_LIVE, PC_REPLY_UNKNOWN };
    assert_int_equal(pc_reply_topic_age(mixed, 3), PC_REPLY_LIVE);
    assert_int_equal(pc_reply_topic_age(mixed, 1), PC_REPLY_EXPIRED);
    pc_reply_age unknown[] = { PC_REPLY_EXPIRED, PC_REPLY_UNKNOWN };
    assert_int_equal(pc_reply_topic_age(unknown, 2), PC_REPLY_UNKNOWN);
    assert_int_equal(pc_reply_topic_age(NULL, 0), PC_REPLY_UNKNOWN);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replication_follows_the_cluster),
        cmocka_unit_test(entries_fall_back_to_defaults),
        cmocka_unit_test(bad_entries_are_refused),
        cmocka_unit_test(proto_topics_json_is_consistent),
        cmocka_unit_test(differences_are_named),
        cmocka_unit_test(reply_topics_expire_only_when_idle_a_retention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
