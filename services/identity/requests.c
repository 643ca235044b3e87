/* requests.c -- batch request handling for the identity service. */
#include "requests.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "nip.h"

/* One decoded request of the batch. */
typedef struct {
    pc_event ev;
    const char *nip;       /* borrowed from ev */
    pc_nip_error nip_err;
    json_t *pns;           /* look-up result or NULL */
} request;

static void reply(identity_ctx *ctx, const request *rq, json_t *data) {
    json_t *ev = pc_event_new(PC_TYPE_IDENTITY_LOOKUP_REPLY, rq->nip, data);
    if (!ev) return;
    json_object_set_new(ev, "correlationid", json_string(rq->ev.id));
    size_t len = 0;
    char *payload = pc_event_encode(ev, &len);
    json_decref(ev);
    if (!payload) return;
    /* Reply topics have one partition. */
    if (pc_producer_send(ctx->producer, rq->ev.replyto, 0, rq->nip, payload, len, NULL, NULL) != PC_OK)
        PC_WARN("reply to %s not queued", rq->ev.replyto);
    free(payload);
}

/* Decodes msg into rq; 0 if the message is to be skipped (logged). */
static int decode(const rd_kafka_message_t *msg, request *rq, int64_t now) {
    char err[160];
    memset(rq, 0, sizeof *rq);
    if (pc_event_decode(msg->payload, msg->len, &rq->ev, err, sizeof err) != PC_OK) {
        PC_WARN("dropping undecodable request at offset %lld: %s", (long long)msg->offset, err);
        return 0;
    }
    pc_log_set_cid(rq->ev.id);
    if (strcmp(rq->ev.type, PC_TYPE_IDENTITY_LOOKUP) != 0 || !rq->ev.replyto) {
        PC_WARN("dropping request of type %s without a usable replyto", rq->ev.type);
        pc_event_clear(&rq->ev);
        return 0;
    }
    if (rq->ev.deadline_ms && rq->ev.deadline_ms < now) {
        /* Nobody waits any more (e.g. re-delivered after a crash): skip the work. */
        pc_metrics_inc("identity_requests_expired_total", NULL, 1);
        pc_event_clear(&rq->ev);
        return 0;
    }
    rq->nip = json_string_value(json_object_get(rq->ev.data, "nip"));
    rq->nip_err = rq->nip ? pc_nip_parse(rq->nip, NULL) : PC_NIP_ELENGTH;
    if (!rq->nip) rq->nip = "";
    return 1;
}

static void answer_all(identity_ctx *ctx, request *rqs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        request *rq = &rqs[i];
        pc_log_set_cid(rq->ev.id);
        json_t *data;
        if (rq->nip_err != PC_NIP_OK)
            data = json_pack("{s:s, s:s}", "status", "invalid", "code", pc_nip_error_code(rq->nip_err));
        else if (rq->pns)
            data = json_pack("{s:s, s:O}", "status", "found", "pns", rq->pns);
        else
            data = json_pack("{s:s}", "status", "not_found");
        reply(ctx, rq, data);
    }
    pc_log_set_cid(NULL);
}

/* Looks up the valid NIPs of the batch, retrying while the database is
 * down and someone still waits. */
static pc_status lookup_all(identity_ctx *ctx, request *rqs, size_t n) {
    const char **nips = calloc(n, sizeof *nips);
    json_t **found = calloc(n, sizeof *found);
    size_t *where = calloc(n, sizeof *where);
    pc_status st = PC_ERROR;
    if (!nips || !found || !where) goto done;
    size_t k = 0;
    int64_t last_deadline = 0;
    for (size_t i = 0; i < n; i++) {
        if (rqs[i].nip_err != PC_NIP_OK) continue;
        where[k] = i;
        nips[k++] = rqs[i].nip;
        if (rqs[i].ev.deadline_ms > last_deadline) last_deadline = rqs[i].ev.deadline_ms;
    }
    while ((st = identity_lookup_batch(ctx->db, nips, k, found)) == PC_EUNAVAIL && pc_running() &&
           pc_now_ms() < last_deadline) {
        PC_WARN("database unavailable; retrying the batch of %zu", k);
        usleep(200 * 1000);
    }
    for (size_t j = 0; j < k; j++) rqs[where[j]].pns = found[j];
done:
    free(nips);
    free(found);
    free(where);
    return st;
}

static void handle_batch(identity_ctx *ctx, rd_kafka_message_t **msgs, size_t n) {
    request *rqs = calloc(n, sizeof *rqs);
    if (!rqs) return; /* not committed: the batch comes back after a restart */
    size_t k = 0;
    int64_t now = pc_now_ms();
    for (size_t i = 0; i < n; i++)
        if (decode(msgs[i], &rqs[k], now)) k++;
    pc_log_set_cid(NULL);

    pc_status st = lookup_all(ctx, rqs, k);
    if (st == PC_OK) answer_all(ctx, rqs, k);
    pc_metrics_inc("identity_requests_total", st == PC_OK ? "result=\"answered\"" : "result=\"failed\"",
                   (double)k);
    /* Commit only what has been answered and delivered. */
    if (st == PC_OK || !pc_running()) {
        if (pc_producer_flush(ctx->producer, 10000) == PC_OK && st == PC_OK)
            pc_consumer_commit(ctx->consumer, msgs, n);
    } else if (st != PC_EUNAVAIL) {
        pc_consumer_commit(ctx->consumer, msgs, n); /* a bad batch must not loop forever */
    }
    for (size_t i = 0; i < k; i++) {
        json_decref(rqs[i].pns);
        pc_event_clear(&rqs[i].ev);
    }
    free(rqs);
}

pc_status identity_serve(identity_ctx *ctx) {
    size_t max = (size_t)ctx->cfg->batch_max;
    rd_kafka_message_t **msgs = calloc(max, sizeof *msgs);
    if (!msgs) return PC_ERROR;
    while (pc_running()) {
        size_t n = pc_consumer_poll_batch(ctx->consumer, msgs, max, 100);
        if (n == 0) continue;
        handle_batch(ctx, msgs, n);
        for (size_t i = 0; i < n; i++) rd_kafka_message_destroy(msgs[i]);
    }
    free(msgs);
    return PC_OK;
}
