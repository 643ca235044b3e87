/* reply.h -- the service side of request/reply: answer a request event on
 * its `replyto` topic with `correlationid` = the request's id. */
#ifndef PUPNS_REPLY_H
#define PUPNS_REPLY_H

#include <jansson.h>

#include "envelope.h"
#include "kafka.h"
#include "status.h"

/* Sends a reply of `type` carrying data (stolen) for request req. The
 * subject is the request's. fn/opaque as in pc_producer_send (may be NULL).
 * PC_EINVAL if the request has no replyto. */
pc_status pc_reply_send(pc_producer *p, const pc_event *req, const char *type, json_t *data,
                        pc_delivery_fn fn, void *opaque);

#endif
