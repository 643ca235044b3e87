/* envelope.h -- CloudEvents 1.0 envelopes, JSON structured mode.
 *
 * Every Kafka message in PUPNS is one of these. Request/reply messages add
 * three extension attributes: `replyto` (topic for the answer),
 * `correlationid` (on replies: the request's id) and `deadline_ms` (the
 * time budget left when the request was sent, in ms: the receiver measures
 * it from receipt on its own clock, so no two hosts' clocks are compared).
 * Any event may carry `requestid`, the id of the HTTP request that caused it
 * (the gateway's X-Request-Id), so one id finds a request in every service's
 * log. Public events also carry `instansi`, the instansi kode of the PNS or
 * unit they are about, so a regional office filters its own events without
 * reading data (pc_event_set_ext; proto/README.md). See
 * proto/envelope.schema.json. */
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

/* Extension attributes (CloudEvents: name of 1-20 chars a-z0-9; string
 * values here). A NULL-terminated list of them may be given to
 * pc_outbox_add_ext. */
typedef struct {
    const char *name;
    const char *value;
} pc_event_ext;

/* Extension attribute carrying the instansi kode of a public event. */
#define PC_EXT_INSTANSI "instansi"

/* Sets extension attribute name = value on envelope ev (replacing one of
 * that name). PC_EINVAL, ev unchanged: the name is not a valid extension
 * name, is a core or reserved attribute (id, type, data, replyto...), or
 * value is NULL. */
pc_status pc_event_set_ext(json_t *ev, const char *name, const char *value);

/* The string extension attribute `name` of a decoded event; NULL when absent
 * or not a string. Valid while ev is. */
const char *pc_event_get_ext(const pc_event *ev, const char *name);

#endif
