/* kafka_admin.c -- topic administration over a producer's connection. */
#include "kafka_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka.h"

/* CreateTopics/DeleteTopics wait this long for the controller. */
#define ADMIN_TIMEOUT_MS 15000

int pc_kafka_broker_count(pc_producer *p, int timeout_ms, char *errstr, size_t errlen) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_t *rk = pc_producer_acquire(p);
    /* all_topics = 0 and no topic: brokers only, cheap on a big cluster. */
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms);
    pc_producer_release(p);
    if (err) {
        snprintf(errstr, errlen, "metadata: %s", rd_kafka_err2str(err));
        return PC_EUNAVAIL;
    }
    int n = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    if (n < 1) {
        snprintf(errstr, errlen, "metadata names no broker");
        return PC_EUNAVAIL;
    }
    return n;
}

/* Runs one admin request already issued on q; returns its result event or
 * NULL (errstr filled) when the broker did not answer or failed. */
static rd_kafka_event_t *admin_wait(rd_kafka_queue_t *q, int timeout_ms, const char *what,
                                    char *errstr, size_t errlen) {
    /* A little beyond the request's own timeout, so librdkafka's answer
     * (with its reason) normally comes first. */
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    if (!ev) {
        snprintf(errstr, errlen, "no answer from the broker (%s)", what);
        return NULL;
    }
    if (rd_kafka_event_error(ev)) {
        snprintf(errstr, errlen, "%s: %s", what, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op, int timeout_ms) {
    char ignore[128];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, ignore, sizeof ignore);
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS)
        rd_kafka_AdminOptions_set_operation_timeout(o, timeout_ms, ignore, sizeof ignore);
    return o;
}

pc_status pc_kafka_create_topic(pc_producer *p, const pc_topic_spec *spec, int *created,
                                char *errstr, size_t errlen) {
    char num[32];
    if (created) *created = 0;
    if (!spec->name || spec->partitions < 1 || spec->replication_factor < 1 ||
        spec->min_insync_replicas < 0 || spec->min_insync_replicas > spec->replication_factor) {
        snprintf(errstr, errlen, "topic %s: bad partitions/replication/min.insync.replicas",
                 spec->name ? spec->name : "?");
        return PC_EINVAL;
    }
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(spec->name, spec->partitions,
                                                    spec->replication_factor, errstr, errlen);
    if (!nt) return PC_EINVAL;
    if (spec->retention_ms > 0) {
        snprintf(num, sizeof num, "%ld", spec->retention_ms);
        rd_kafka_NewTopic_set_config(nt, "retention.ms", num);
    }
    if (spec->min_insync_replicas > 0) {
        snprintf(num, sizeof num, "%d", spec->min_insync_replicas);
        rd_kafka_NewTopic_set_config(nt, "min.insync.replicas", num);
    }
    pc_status st = PC_EUNAVAIL;
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, ADMIN_TIMEOUT_MS);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_event_t *ev = admin_wait(q, ADMIN_TIMEOUT_MS, spec->name, errstr, errlen);
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rd_kafka_resp_err_t err = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR__FAIL;
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            st = PC_OK;
            if (created) *created = err == RD_KAFKA_RESP_ERR_NO_ERROR;
        } else {
            snprintf(errstr, errlen, "%s: %s", spec->name,
                     n ? rd_kafka_topic_result_error_string(res[0]) : "no result");
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    pc_producer_release(p);
    rd_kafka_NewTopic_destroy(nt);
    return st;
}

/* Metadata of one topic; caller destroys *md. */
static rd_kafka_resp_err_t topic_metadata(rd_kafka_t *rk, const char *topic, int timeout_ms,
                                          const struct rd_kafka_metadata **md) {
    *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt) return RD_KAFKA_RESP_ERR__INVALID_ARG;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    return err;
}

pc_status pc_kafka_check_topic(pc_producer *p, const char *topic, int timeout_ms, char *errstr,
                               size_t errlen) {
    const struct rd_kafka_metadata *md = NULL;
    pc_status st = PC_EUNAVAIL;
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_resp_err_t err = topic_metadata(rk, topic, timeout_ms, &md);
    pc_producer_release(p);
    if (err) {
        snprintf(errstr, errlen, "broker: %s", rd_kafka_err2str(err));
    } else if (md->topic_cnt != 1 || md->topics[0].err) {
        snprintf(errstr, errlen, "topic %s: %s", topic,
                 md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "missing");
        if (md->topic_cnt && md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            st = PC_ENOTFOUND;
    } else {
        st = PC_OK;
        for (int i = 0; i < md->topics[0].partition_cnt; i++)
            if (md->topics[0].partitions[i].leader < 0) {
                snprintf(errstr, errlen, "topic %s partition %d has no leader", topic, i);
                st = PC_EUNAVAIL;
            }
    }
    if (md) rd_kafka_metadata_destroy(md);
    return st;
}

/* min.insync.replicas and retention.ms of a topic, from DescribeConfigs. */
static pc_status describe_configs(rd_kafka_t *rk, const char *topic, int timeout_ms,
                                  pc_topic_spec *out, char *errstr, size_t errlen) {
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_DescribeConfigs(rk, &res, 1, o, q);
    pc_status st = PC_EUNAVAIL;
    rd_kafka_event_t *ev = admin_wait(q, timeout_ms, topic, errstr, errlen);
    if (ev) {
        size_t n = 0, nc = 0;
        const rd_kafka_ConfigResource_t **rs =
            rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
        if (n == 1 && rd_kafka_ConfigResource_error(rs[0]) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const rd_kafka_ConfigEntry_t **cs = rd_kafka_ConfigResource_configs(rs[0], &nc);
            for (size_t i = 0; i < nc; i++) {
                const char *k = rd_kafka_ConfigEntry_name(cs[i]);
                const char *v = rd_kafka_ConfigEntry_value(cs[i]);
                if (!v) continue;
                if (strcmp(k, "min.insync.replicas") == 0) out->min_insync_replicas = atoi(v);
                else if (strcmp(k, "retention.ms") == 0) out->retention_ms = atol(v);
            }
            st = PC_OK;
        } else {
            snprintf(errstr, errlen, "%s: %s", topic,
                     n ? rd_kafka_ConfigResource_error_string(rs[0]) : "no result");
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_ConfigResource_destroy(res);
    return st;
}

pc_status pc_kafka_describe_topic(pc_producer *p, const char *topic, int timeout_ms,
                                  pc_topic_spec *out, char *errstr, size_t errlen) {
    const struct rd_kafka_metadata *md = NULL;
    memset(out, 0, sizeof *out);
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_resp_err_t err = topic_metadata(rk, topic, timeout_ms, &md);
    pc_status st = PC_OK;
    if (err) {
        snprintf(errstr, errlen, "broker: %s", rd_kafka_err2str(err));
        st = PC_EUNAVAIL;
    } else if (md->topic_cnt != 1 || md->topics[0].err) {
        snprintf(errstr, errlen, "topic %s: %s", topic,
                 md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "missing");
        st = md->topic_cnt && md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                 ? PC_ENOTFOUND
                 : PC_EUNAVAIL;
    } else {
        const struct rd_kafka_metadata_topic *t = &md->topics[0];
        out->partitions = t->partition_cnt;
        for (int i = 0; i < t->partition_cnt; i++)
            if (i == 0 || t->partitions[i].replica_cnt < out->replication_factor)
                out->replication_factor = t->partitions[i].replica_cnt;
        st = describe_configs(rk, topic, timeout_ms, out, errstr, errlen);
    }
    pc_producer_release(p);
    if (md) rd_kafka_metadata_destroy(md);
    return st;
}

void pc_kafka_names_free(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

pc_status pc_kafka_list_topics(pc_producer *p, const char *prefix, int timeout_ms, char ***names,
                               size_t *n, char *errstr, size_t errlen) {
    const struct rd_kafka_metadata *md = NULL;
    *names = NULL;
    *n = 0;
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    pc_producer_release(p);
    if (err) {
        snprintf(errstr, errlen, "metadata: %s", rd_kafka_err2str(err));
        return PC_EUNAVAIL;
    }
    char **out = calloc((size_t)md->topic_cnt + 1, sizeof *out);
    size_t k = 0;
    int oom = !out;
    for (int i = 0; !oom && i < md->topic_cnt; i++) {
        if (strncmp(md->topics[i].topic, prefix, strlen(prefix)) != 0) continue;
        if (!(out[k] = strdup(md->topics[i].topic))) oom = 1;
        else k++;
    }
    rd_kafka_metadata_destroy(md);
    if (oom) {
        if (out) pc_kafka_names_free(out, k);
        snprintf(errstr, errlen, "out of memory");
        return PC_ERROR;
    }
    *names = out;
    *n = k;
    return PC_OK;
}

pc_status pc_kafka_delete_topic(pc_producer *p, const char *topic, int timeout_ms, char *errstr,
                                size_t errlen) {
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *o = admin_options(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout_ms);
    rd_kafka_DeleteTopics(rk, &dt, 1, o, q);
    pc_status st = PC_EUNAVAIL;
    rd_kafka_event_t *ev = admin_wait(q, timeout_ms, topic, errstr, errlen);
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
        rd_kafka_resp_err_t err = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR__FAIL;
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            st = PC_OK;
        else
            snprintf(errstr, errlen, "%s: %s", topic,
                     n ? rd_kafka_topic_result_error_string(res[0]) : "no result");
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    pc_producer_release(p);
    rd_kafka_DeleteTopic_destroy(dt);
    return st;
}

pc_status pc_kafka_partition_activity(pc_producer *p, const char *topic, int32_t partition,
                                      int64_t since_ms, int timeout_ms, int64_t *low,
                                      int64_t *high, int *recent, char *errstr, size_t errlen) {
    *low = *high = 0;
    *recent = 0;
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, partition, low, high,
                                                               timeout_ms);
    rd_kafka_topic_partition_list_t *l = NULL;
    if (!err && *high > *low) {
        /* The first offset whose timestamp is >= since_ms; -1 (the end)
         * when every message is older. */
        l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, topic, partition)->offset = since_ms;
        err = rd_kafka_offsets_for_times(rk, l, timeout_ms);
        if (!err) err = l->elems[0].err;
        if (!err) *recent = l->elems[0].offset >= 0;
    }
    pc_producer_release(p);
    if (l) rd_kafka_topic_partition_list_destroy(l);
    if (err) {
        snprintf(errstr, errlen, "%s[%d]: %s", topic, (int)partition, rd_kafka_err2str(err));
        return PC_EUNAVAIL;
    }
    return PC_OK;
}
