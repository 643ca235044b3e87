/* reply.c -- answering request events. */
#include "reply.h"

#include <stdlib.h>
#include <unistd.h>

#include "lifecycle.h"
#include "log.h"

pc_status pc_reply_send(pc_producer *p, const pc_event *req, const char *type, json_t *data,
                        pc_delivery_fn fn, void *opaque) {
    if (!req->replyto) {
        json_decref(data);
        return PC_EINVAL;
    }
    json_t *ev = pc_event_new(type, req->subject, data);
    if (!ev) return PC_ERROR;
    json_object_set_new(ev, "correlationid", json_string(req->id));
    size_t len = 0;
    char *payload = pc_event_encode(ev, &len);
    json_decref(ev);
    if (!payload) return PC_ERROR;
    /* Reply topics have a single partition. */
    pc_status st = pc_producer_send(p, req->replyto, 0, req->subject, payload, len, fn, opaque);
    free(payload);
    if (st != PC_OK) PC_WARN("reply to %s not queued: %s", req->replyto, pc_status_name(st));
    return st;
}

/* Runs one message; 1 when it is done with (answered or skipped), 0 when it
 * must be seen again (stopping while a backend is down). */
static int serve_one(const rd_kafka_message_t *m, pc_producer *replies, pc_request_fn fn, void *ctx) {
    pc_event ev;
    char err[160];
    if (pc_event_decode(m->payload, m->len, &ev, err, sizeof err) != PC_OK) {
        PC_WARN("dropping undecodable request at %d/%lld: %s", m->partition, (long long)m->offset, err);
        return 1;
    }
    pc_log_set_cid(ev.id);
    json_t *reply = NULL;
    const char *reply_type = NULL;
    pc_status st;
    while ((st = fn(ctx, &ev, &reply, &reply_type)) == PC_EUNAVAIL && pc_running()) usleep(500 * 1000);
    if (st == PC_OK) {
        pc_reply_send(replies, &ev, reply_type, reply, NULL, NULL);
    } else if (st == PC_EINVAL) {
        PC_WARN("dropping request of unknown type %s", ev.type);
    } else if (st == PC_ERROR && reply_type) {
        /* Tell the caller now rather than let it wait out its timeout. */
        json_decref(reply);
        pc_reply_send(replies, &ev, reply_type, json_pack("{s:s}", "status", "error"), NULL, NULL);
    } else {
        json_decref(reply);
    }
    pc_event_clear(&ev);
    pc_log_set_cid(NULL);
    return st != PC_EUNAVAIL;
}

pc_status pc_reply_serve(const pc_config *cfg, const char *group, const char *topic,
                         pc_producer *replies, pc_request_fn fn, void *ctx) {
    char err[512];
    const char *topics[] = { topic };
    rd_kafka_t *consumer = pc_consumer_new(cfg, group, topics, 1, err, sizeof err);
    if (!consumer) {
        PC_ERROR("%s: %s", topic, err);
        return PC_EUNAVAIL;
    }
    while (pc_running()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
        if (!m) continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) PC_WARN("%s: %s", topic, rd_kafka_message_errstr(m));
        } else if (serve_one(m, replies, fn, ctx)) {
            pc_consumer_commit(consumer, &m, 1);
        }
        rd_kafka_message_destroy(m);
    }
    pc_consumer_free(consumer);
    return PC_OK;
}
