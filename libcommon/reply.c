/* reply.c -- answering request events. */
#include "reply.h"

#include <stdlib.h>

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
