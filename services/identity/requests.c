/* requests.c -- batch request handling for the identity service.
 *
 * A poll batch holds request messages of two kinds: a single look-up
 * (PC_TYPE_IDENTITY_LOOKUP, one NIP, one reply) and a batch message
 * (PC_TYPE_IDENTITY_LOOKUP_BATCH, many NIPs each with its own item id, one
 * reply carrying every item's answer). All NIPs of the poll batch go to the
 * database as one query. */
#include "requests.h"

#include <stdatomic.h>
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

/* One decoded request message. */
typedef struct {
    pc_event ev;
    int batched;           /* a batch message: its reply carries items */
    size_t first, count;   /* its look-ups in the look-up array */
} request;

/* One NIP to answer: a single request, or one item of a batch message. */
typedef struct {
    const char *item_id;   /* batch items only; borrowed from the request's event */
    const char *nip;       /* borrowed from the request's event */
    pc_nip_error nip_err;
    json_t *pns;           /* look-up result or NULL */
} lookup;

/* A poll batch whose replies are on their way. Its offsets are stored once
 * the broker has every reply, in poll order (offsets only move forward), so
 * the service polls the next batch without waiting for the acks (a flush per
 * batch idled it for a broker round trip each time). */
typedef struct inflight {
    rd_kafka_message_t **msgs; /* owned: destroyed when retired */
    size_t n;
    int store;                 /* store the offsets when retired */
    atomic_int pending;        /* replies not yet acknowledged, +1 while still sending */
    struct inflight *next;
} inflight;

/* Poll batches in flight at most; beyond it the service waits for the oldest. */
#define PIPELINE_MAX 8

static void on_reply_delivered(void *opaque, pc_status st) {
    inflight *b = opaque;
    (void)st; /* a lost reply is the caller's timeout; the request is not redone */
    atomic_fetch_sub(&b->pending, 1);
}

static void reply(identity_ctx *ctx, inflight *b, const request *rq, const char *type,
                  const char *key, json_t *data) {
    json_t *ev = pc_event_new(type, key, data);
    if (!ev) return;
    json_object_set_new(ev, "correlationid", json_string(rq->ev.id));
    size_t len = 0;
    char *payload = pc_event_encode(ev, &len);
    json_decref(ev);
    if (!payload) return;
    /* Reply topics have one partition. */
    atomic_fetch_add(&b->pending, 1);
    if (pc_producer_send(ctx->producer, rq->ev.replyto, 0, key, payload, len, on_reply_delivered,
                         b) != PC_OK) {
        atomic_fetch_sub(&b->pending, 1);
        PC_WARN("reply to %s not queued", rq->ev.replyto);
    }
    free(payload);
}

/* Items a batch message may carry: the gateway sends at most 64; the cap
 * only bounds what a foreign producer can make us allocate. */
#define ITEMS_MAX 1000

/* Number of look-ups msg asks for once decoded into rq; 0 if the message is
 * to be skipped (logged). */
static size_t decode(const rd_kafka_message_t *msg, request *rq, int64_t now) {
    char err[160];
    memset(rq, 0, sizeof *rq);
    if (pc_event_decode(msg->payload, msg->len, &rq->ev, err, sizeof err) != PC_OK) {
        PC_WARN("dropping undecodable request at offset %lld: %s", (long long)msg->offset, err);
        return 0;
    }
    pc_log_set_cid(rq->ev.id);
    rq->batched = strcmp(rq->ev.type, PC_TYPE_IDENTITY_LOOKUP_BATCH) == 0;
    json_t *items = json_object_get(rq->ev.data, "items");
    size_t n = rq->batched ? json_array_size(items) : 1;
    if ((!rq->batched && strcmp(rq->ev.type, PC_TYPE_IDENTITY_LOOKUP) != 0) || !rq->ev.replyto ||
        n == 0 || n > ITEMS_MAX) {
        PC_WARN("dropping request of type %s without a usable replyto or items", rq->ev.type);
        pc_event_clear(&rq->ev);
        return 0;
    }
    if (rq->ev.deadline_ms) rq->ev.deadline_ms += now; /* the budget, measured from receipt */
    if (rq->ev.deadline_ms && rq->ev.deadline_ms < now) {
        /* Nobody waits any more (e.g. re-delivered after a crash): skip the work. */
        pc_metrics_inc("identity_requests_expired_total", NULL, (double)n);
        pc_event_clear(&rq->ev);
        return 0;
    }
    return n;
}

/* Fills lk from a look-up's data object ({"nip"} or a batch item {"id", "nip"}). */
static void lookup_from(lookup *lk, json_t *obj, int batched) {
    lk->item_id = batched ? json_string_value(json_object_get(obj, "id")) : NULL;
    lk->nip = json_string_value(json_object_get(obj, "nip"));
    lk->nip_err = lk->nip ? pc_nip_parse(lk->nip, NULL) : PC_NIP_ELENGTH;
    if (!lk->nip) lk->nip = "";
    /* An item without an id cannot be answered: treat it as invalid. */
    if (batched && !lk->item_id) lk->nip_err = PC_NIP_ELENGTH;
}

static json_t *answer(const lookup *lk) {
    if (lk->nip_err != PC_NIP_OK)
        return json_pack("{s:s, s:s}", "status", "invalid", "code", pc_nip_error_code(lk->nip_err));
    if (lk->pns) return json_pack("{s:s, s:O}", "status", "found", "pns", lk->pns);
    return json_pack("{s:s}", "status", "not_found");
}

/* One reply per request message: a batch message gets all its items' answers. */
static void answer_all(identity_ctx *ctx, inflight *b, request *rqs, size_t n, const lookup *lks) {
    for (size_t i = 0; i < n; i++) {
        request *rq = &rqs[i];
        pc_log_set_cid(rq->ev.id);
        if (!rq->batched) {
            reply(ctx, b, rq, PC_TYPE_IDENTITY_LOOKUP_REPLY, lks[rq->first].nip, answer(&lks[rq->first]));
            continue;
        }
        json_t *items = json_array();
        for (size_t j = rq->first; j < rq->first + rq->count; j++) {
            json_t *a = answer(&lks[j]);
            if (a && lks[j].item_id) json_object_set_new(a, "id", json_string(lks[j].item_id));
            if (a && lks[j].item_id) json_array_append_new(items, a);
            else json_decref(a);
        }
        reply(ctx, b, rq, PC_TYPE_IDENTITY_LOOKUP_BATCH_REPLY, NULL, json_pack("{s:o}", "items", items));
    }
    pc_log_set_cid(NULL);
}

/* Looks up the valid NIPs, retrying while the database is down and someone
 * still waits. */
static pc_status lookup_all(identity_ctx *ctx, lookup *lks, size_t n, int64_t last_deadline) {
    size_t cap = n ? n : 1; /* a batch of only invalid NIPs still gets answers */
    const char **nips = calloc(cap, sizeof *nips);
    json_t **found = calloc(cap, sizeof *found);
    size_t *where = calloc(cap, sizeof *where);
    pc_status st = PC_ERROR;
    if (!nips || !found || !where) goto done;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (lks[i].nip_err != PC_NIP_OK) continue;
        where[k] = i;
        nips[k++] = lks[i].nip;
    }
    while ((st = identity_lookup_batch(ctx->db, nips, k, found)) == PC_EUNAVAIL && pc_running() &&
           pc_now_ms() < last_deadline) {
        PC_WARN("database unavailable; retrying the batch of %zu", k);
        usleep(200 * 1000);
    }
    for (size_t j = 0; j < k; j++) lks[where[j]].pns = found[j];
done:
    free(nips);
    free(found);
    free(where);
    return st;
}

/* Decodes the poll batch into rqs (*nrq of them) and their look-ups; NULL
 * when out of memory. */
static lookup *decode_all(rd_kafka_message_t **msgs, size_t n, request *rqs, size_t *nrq,
                          size_t *nlk, int64_t *last_deadline) {
    size_t total = 0, k = 0;
    int64_t now = pc_now_ms();
    for (size_t i = 0; i < n; i++) {
        size_t want = decode(msgs[i], &rqs[k], now);
        if (!want) continue;
        rqs[k].first = total;
        rqs[k++].count = want;
        total += want;
    }
    pc_log_set_cid(NULL);
    *nrq = k;
    *nlk = total;
    lookup *lks = calloc(total ? total : 1, sizeof *lks);
    if (!lks) return NULL;
    for (size_t i = 0; i < k; i++) {
        json_t *items = json_object_get(rqs[i].ev.data, "items");
        for (size_t j = 0; j < rqs[i].count; j++)
            lookup_from(&lks[rqs[i].first + j],
                        rqs[i].batched ? json_array_get(items, j) : rqs[i].ev.data, rqs[i].batched);
        if (rqs[i].ev.deadline_ms > *last_deadline) *last_deadline = rqs[i].ev.deadline_ms;
    }
    return lks;
}

/* Answers the poll batch b. Decides whether its offsets are stored when
 * its replies are delivered. */
static void handle_batch(identity_ctx *ctx, inflight *b) {
    request *rqs = calloc(b->n, sizeof *rqs);
    size_t k = 0, nlk = 0;
    int64_t last_deadline = 0;
    lookup *lks = rqs ? decode_all(b->msgs, b->n, rqs, &k, &nlk, &last_deadline) : NULL;
    pc_status st = lks ? lookup_all(ctx, lks, nlk, last_deadline) : PC_ERROR;
    if (!lks) st = PC_EUNAVAIL; /* out of memory: not stored, comes back after a restart */
    if (st == PC_OK) answer_all(ctx, b, rqs, k, lks);
    pc_metrics_inc("identity_requests_total", st == PC_OK ? "result=\"answered\"" : "result=\"failed\"",
                   (double)nlk);
    /* Store only what has been answered (once delivered), and a bad batch,
     * which must not loop forever; not one the database could not serve. */
    b->store = st == PC_OK || (st != PC_EUNAVAIL && pc_running());
    for (size_t i = 0; lks && i < nlk; i++) json_decref(lks[i].pns);
    for (size_t i = 0; rqs && i < k; i++) pc_event_clear(&rqs[i].ev);
    free(lks);
    free(rqs);
}

static void inflight_free(inflight *b) {
    for (size_t i = 0; i < b->n; i++) rd_kafka_message_destroy(b->msgs[i]);
    free(b->msgs);
    free(b);
}

/* Retires the oldest batches whose replies are all delivered; with
 * wait_ms > 0 first waits that long at most for the oldest one. */
static void retire(identity_ctx *ctx, int wait_ms) {
    for (int waited = 0; ctx->oldest && atomic_load(&ctx->oldest->pending) > 0 && waited < wait_ms;
         waited++)
        usleep(1000);
    while (ctx->oldest && atomic_load(&ctx->oldest->pending) == 0) {
        inflight *b = ctx->oldest;
        ctx->oldest = b->next;
        if (!ctx->oldest) ctx->newest = NULL;
        ctx->depth--;
        if (b->store) pc_consumer_commit(ctx->consumer, b->msgs, b->n);
        inflight_free(b);
    }
}

/* Polls one batch and answers it; its offsets are stored later by retire(). */
static void serve_one(identity_ctx *ctx, size_t max) {
    inflight *b = calloc(1, sizeof *b);
    rd_kafka_message_t **msgs = calloc(max, sizeof *msgs);
    if (!b || !msgs) {
        free(b);
        free(msgs);
        usleep(10 * 1000);
        return;
    }
    /* Poll briefly while replies are in flight, so their offsets get stored soon. */
    b->n = pc_consumer_poll_batch(ctx->consumer, msgs, max, ctx->oldest ? 5 : 100);
    b->msgs = msgs;
    if (b->n == 0) {
        inflight_free(b);
        return;
    }
    atomic_store(&b->pending, 1); /* held while answering */
    handle_batch(ctx, b);
    if (ctx->newest) ctx->newest->next = b;
    else ctx->oldest = b;
    ctx->newest = b;
    ctx->depth++;
    atomic_fetch_sub(&b->pending, 1);
}

pc_status identity_serve(identity_ctx *ctx) {
    size_t max = (size_t)ctx->cfg->batch_max;
    while (pc_running()) {
        retire(ctx, ctx->depth >= PIPELINE_MAX ? 1000 : 0);
        if (ctx->depth < PIPELINE_MAX) serve_one(ctx, max);
    }
    /* Stopping: give the last replies time to arrive, as a flush would. */
    retire(ctx, 10000);
    while (ctx->oldest) { /* never delivered: not stored, re-read after restart */
        inflight *b = ctx->oldest;
        ctx->oldest = b->next;
        /* A reply still queued in the producer points at b: its delivery
         * report may come during the producer's final flush, so b must
         * outlive it. Leaked on purpose, only at exit. */
        if (atomic_load(&b->pending) == 0) inflight_free(b);
    }
    ctx->newest = NULL;
    ctx->depth = 0;
    return PC_OK;
}
