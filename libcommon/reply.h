/* reply.h -- the service side of request/reply: answer a request event on
 * its `replyto` topic with `correlationid` = the request's id. */
#ifndef PUPNS_REPLY_H
#define PUPNS_REPLY_H

#include <jansson.h>

#include "envelope.h"
#include "config.h"
#include "kafka.h"
#include "status.h"

/* Sends a reply of `type` carrying data (stolen) for request req. The
 * subject is the request's. fn/opaque as in pc_producer_send (may be NULL).
 * PC_EINVAL if the request has no replyto. */
pc_status pc_reply_send(pc_producer *p, const pc_event *req, const char *type, json_t *data,
                        pc_delivery_fn fn, void *opaque);

/* Handles one request event: on PC_OK sets *reply (its data, owned by the
 * caller) and *reply_type. PC_EUNAVAIL: a backend is down, try the same
 * request again later. PC_EINVAL: not a request this service knows (logged
 * and skipped). PC_ERROR: failed; the caller gets {"status": "error"}
 * under *reply_type, if the handler set it. */
typedef pc_status (*pc_request_fn)(void *ctx, const pc_event *req, json_t **reply,
                                   const char **reply_type);

/* A request server for handlers that take one request at a time: consumes
 * topic as group until pc_running() turns false, decodes each message,
 * calls fn, sends the reply, and only then marks the message done. A request
 * whose handler answers PC_EUNAVAIL is retried every 500 ms, never skipped.
 * Returns PC_EUNAVAIL if the consumer could not be created. */
pc_status pc_reply_serve(const pc_config *cfg, const char *group, const char *topic,
                         pc_producer *replies, pc_request_fn fn, void *ctx);

#endif
