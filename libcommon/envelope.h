/* envelope.h -- CloudEvents 1.0 envelopes, JSON structured mode.
 *
 * Every Kafka message in PUPNS is one of these. Request/reply messages add
 * three extension attributes: `replyto` (topic for the answer),
 * `correlationid` (on replies: the request's id) and `deadline_ms` (the
 * time budget left when the request was sent, in ms: the receiver measures
 * it from receipt on its own clock, so no two hosts' clocks are compared).
 * Any event may carry `requestid`, the id of the HTTP request that caused it
 * (the gateway's X-Request-Id), so one id finds a request in every service's
 * log. See proto/envelope.schema.json. */
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
    const char *requestid;     /* NULL if absent */
    int64_t deadline_ms;       /* budget left at sending, ms; 0 if absent */
    json_t *data;              /* object; borrowed from root */
} pc_event;

/* Sets the `source` of events this process makes: /pupns/<service>/<instance>. */
void pc_event_set_source(const char *service, const char *instance);

/* New envelope with a fresh id and the current time. Steals data (an object).
 * subject may be NULL. Carries the calling thread's request id (log.h), if
 * any, as `requestid`. Returns NULL only when out of memory. */
json_t *pc_event_new(const char *type, const char *subject, json_t *data);

/* Compact JSON text of an envelope; caller frees. NULL when out of memory. */
char *pc_event_encode(const json_t *ev, size_t *len);

/* Parses and checks an envelope. On PC_OK the caller owns out->root and
 * releases it with pc_event_clear; on PC_EINVAL errstr says what is wrong
 * and out holds nothing. */
pc_status pc_event_decode(const void *buf, size_t len, pc_event *out, char *errstr, size_t errlen);

void pc_event_clear(pc_event *ev);

#endif
