/* serve_answer.c -- the serve loop's answers: replies, error replies and
 * dead letters of entries, tracked until the brokers acknowledge them (in
 * observer mode: no answers at all, a would-be dead letter is skipped). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "deadletter.h"
#include "log.h"
#include "metrics.h"
#include "serve_internal.h"

void pc__serve_count(const char *topic, const char *result) {
    char labels[192];
    snprintf(labels, sizeof labels, "topic=\"%s\",result=\"%s\"", topic, result);
    pc_metrics_inc("pupns_serve_messages_total", labels, 1);
}

void pc__serve_entry_free(entry *e) {
    pc_event_clear(&e->ev);
    free(e->out_topic);
    free(e->out_key);
    free(e->out);
    free(e);
}

static void on_delivered(void *opaque, pc_status st) {
    entry *e = opaque;
    if (st != PC_OK) {
        atomic_store(&e->part->s->resend_due, 1);
        atomic_store(&e->state, E_FAILED);
    } else {
        atomic_store(&e->state, E_DONE); /* last touch: the poller may free e now */
    }
}

void pc__serve_send(serve *s, entry *e) {
    atomic_store(&e->state, E_SENDING);
    if (pc_producer_send(s->spec->producer, e->out_topic, e->out_partition, e->out_key, e->out,
                         e->out_len, on_delivered, e) != PC_OK) {
        atomic_store(&s->resend_due, 1);
        atomic_store(&e->state, E_FAILED);
    }
}

/* Makes e's output (owned by e) and sends it. payload is taken. */
static void deliver(serve *s, entry *e, const char *topic, int32_t partition, const char *key,
                    char *payload) {
    e->out_topic = strdup(topic);
    e->out_key = key ? strdup(key) : NULL;
    e->out = payload;
    e->out_len = payload ? strlen(payload) : 0;
    e->out_partition = partition;
    if (!e->out_topic || !e->out || (key && !e->out_key)) {
        /* Out of memory: left unfinished, so the message is read again after a restart. */
        PC_ERROR("out of memory building an answer at %s/%d/%lld", e->part->topic, e->part->partition,
                 (long long)e->offset);
        atomic_store(&e->state, E_ABANDONED);
        return;
    }
    pc__serve_send(s, e);
}

/* Counts a message the loop will not serve (metric, the per-topic result)
 * and logs it, but not so often that a flood of garbage floods the log too.
 * what: "skipped" or "dead letter". */
static void note_unserved(serve *s, entry *e, const char *metric, const char *result, const char *what,
                          const char *reason, const char *detail) {
    char labels[192];
    snprintf(labels, sizeof labels, "topic=\"%s\",reason=\"%s\"", e->part->topic, reason);
    pc_metrics_inc(metric, labels, 1);
    pc__serve_count(e->part->topic, result);
    long nth = atomic_fetch_add(&s->dead_letters, 1);
    if (nth < 20 || nth % 1000 == 0)
        PC_WARN("%s #%ld, %s/%d/%lld: %s%s%s", what, nth + 1, e->part->topic, e->part->partition,
                (long long)e->offset, reason, detail ? ": " : "", detail ? detail : "");
}

/* Dead letter for e: tracked (e finishes when the brokers have it) or, as a
 * copy beside a reply, fire-and-forget. raw may be NULL (then e's event). */
void pc__serve_dead_letter(serve *s, entry *e, const char *reason, const char *detail, const void *raw,
                           size_t raw_len, const char *key, int tracked) {
    if (s->spec->observe) { /* passed over, counted, logged; e is finished, so its offset is committed */
        note_unserved(s, e, "pupns_serve_skipped_total", "skipped", "skipped", reason, detail);
        atomic_store(&e->state, E_DONE);
        return;
    }
    note_unserved(s, e, "pupns_deadletter_total", "deadletter", "dead letter", reason, detail);
    char *own = NULL;
    if (!raw && e->ev.root) {
        own = pc_event_encode(e->ev.root, &raw_len);
        raw = own;
        if (!key) key = e->ev.subject;
    }
    char *payload = pc_deadletter_encode(reason, detail, e->part->topic, e->part->partition, e->offset,
                                         key, raw, raw_len, e->ev.type);
    free(own);
    if (tracked) {
        deliver(s, e, PC_TOPIC_DEADLETTER, RD_KAFKA_PARTITION_UA, key, payload);
    } else if (payload) {
        pc_producer_send(s->spec->producer, PC_TOPIC_DEADLETTER, RD_KAFKA_PARTITION_UA, key, payload,
                         strlen(payload), NULL, NULL);
        free(payload);
    }
}

/* {"status": status}, and for a batch request ({"items": [{"id"}...]}) the
 * same answer per item, so that each of its callers hears it. */
static json_t *error_data(const pc_event *ev, const char *status) {
    json_t *data = json_pack("{s:s}", "status", status);
    json_t *items = json_object_get(ev->data, "items");
    if (!data || !json_is_array(items)) return data;
    json_t *answers = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        json_t *id = json_object_get(item, "id");
        if (json_is_string(id)) json_array_append_new(answers, json_pack("{s:O, s:s}", "id", id, "status", status));
    }
    json_object_set_new(data, "items", answers);
    return data;
}

/* Sends the reply (data taken) of e's request. */
static void reply(serve *s, entry *e, json_t *data) {
    json_t *ev = data ? pc_event_new(e->route->reply_type, e->ev.subject, data) : NULL;
    if (ev) json_object_set_new(ev, "correlationid", json_string(e->ev.id));
    char *payload = ev ? pc_event_encode(ev, NULL) : NULL;
    json_decref(ev);
    /* Reply topics have a single partition. */
    deliver(s, e, e->ev.replyto, 0, e->ev.subject, payload);
}

/* The handler is done with e: answer, dead-letter or finish it. */
void pc__serve_finish(serve *s, entry *e, pc_status st, json_t *data) {
    const char *topic = e->part->topic;
    if (!e->route->reply_type) {
        json_decref(data);
        if (st == PC_OK) {
            pc__serve_count(topic, "ok");
            atomic_store(&e->state, E_DONE);
        } else { /* PC_EINVAL: the only other status that reaches here for an event */
            pc__serve_dead_letter(s, e, "invalid_data", "refused by the handler", NULL, 0, NULL, 1);
        }
        return;
    }
    if (st != PC_OK) {
        json_decref(data);
        if (st == PC_EINVAL) pc__serve_dead_letter(s, e, "invalid_data", "refused by the handler", NULL, 0, NULL, 0);
        else pc__serve_count(topic, st == PC_EUNAVAIL ? "unavailable" : "error");
        data = error_data(&e->ev, st == PC_EUNAVAIL ? "unavailable" : "error");
    } else {
        pc__serve_count(topic, "ok");
        if (!data) data = json_object();
    }
    reply(s, e, data);
}
