/* envelope.h -- CloudEvents 1.0 envelopes, JSON structured mode.
 *
 * Every Kafka message in PUPNS is one of these. Request/reply messages add
 * three extension attributes: `replyto` (topic for the answer),
 * `correlationid` (on replies: the request's id) and `deadline` (epoch ms
 * after which nobody waits for the answer). See proto/envelope.schema.json. */
#ifndef PUPNS_ENVELOPE_H
#define PUPNS_ENVELOPE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    json_t *root;              /* owns everything below */
    const char *id;
    const char *source;
    const char *type;
    const char *subject;       /* NULL if absent */
    const char *time;          /* NULL if absent */
    const char *replyto;       /* NULL if absent */
    const char *correlationid; /* NULL if absent */
    int64_t deadline_ms;       /* 0 if absent */
    json_t *data;              /* object; borrowed from root */
} pc_event;

/* Sets the `source` of events this process makes: /pupns/<service>/<instance>. */
void pc_event_set_source(const char *service, const char *instance);

/* New envelope with a fresh id and the current time. Steals data (an object).
 * subject may be NULL. Returns NULL only when out of memory. */
json_t *pc_event_new(const char *type, const char *subject, json_t *data);

/* Compact JSON text of an envelope; caller frees. NULL when out of memory. */
char *pc_event_encode(const json_t *ev, size_t *len);

/* Parses and checks an envelope. On PC_OK the caller owns out->root and
 * releases it with pc_event_clear; on PC_EINVAL errstr says what is wrong
 * and out holds nothing. */
pc_status pc_event_decode(const void *buf, size_t len, pc_event *out, char *errstr, size_t errlen);

void pc_event_clear(pc_event *ev);

#endif
