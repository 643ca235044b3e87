/* requests.c -- issue and check requests for the captcha service.
 *
 * Each request gets one reply, subject = the captcha id. A message that
 * cannot be answered (undecodable, unknown type, no replyto, past its
 * deadline) is logged and committed so it never blocks the partition. While
 * Redis is down a request is retried until its deadline; after that nobody
 * waits and the gateway has already answered 504. Answers never reach a log. */
#include "requests.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "challenge.h"
#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "store.h"

/* How long a request without a deadline may wait for Redis. */
#define NO_DEADLINE_WAIT_MS 10000
#define RETRY_PAUSE_US (200 * 1000)

/* Sends data (stolen) as the reply of type to request rq. */
static void reply(captcha_ctx *ctx, const pc_event *rq, const char *type, const char *subject,
                  json_t *data) {
    json_t *ev = data ? pc_event_new(type, subject, data) : NULL;
    if (!ev) {
        PC_ERROR("out of memory building a reply");
        return;
    }
    json_object_set_new(ev, "correlationid", json_string(rq->id));
    size_t len = 0;
    char *payload = pc_event_encode(ev, &len);
    json_decref(ev);
    if (!payload) return;
    /* Reply topics have one partition. */
    if (pc_producer_send(ctx->producer, rq->replyto, 0, subject, payload, len, NULL, NULL) != PC_OK)
        PC_WARN("reply to %s not queued", rq->replyto);
    free(payload);
}

/* 1 for a canonical UUID (8-4-4-4-12 hex digits); lower-cases it into out. */
static int uuid_parse(const char *s, char out[PC_UUID_LEN]) {
    if (!s || strlen(s) != PC_UUID_LEN - 1) return 0;
    for (int i = 0; i < PC_UUID_LEN - 1; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i])) return 0;
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[PC_UUID_LEN - 1] = '\0';
    return 1;
}

/* 1 while Redis may come back in time for this request. */
static int worth_waiting(int64_t until) {
    if (!pc_running() || pc_now_ms() >= until) return 0;
    usleep(RETRY_PAUSE_US);
    return 1;
}

/* Issues a captcha. Returns PC_EUNAVAIL only when it gave up waiting for
 * Redis because the service is stopping (the message is then re-delivered). */
static pc_status issue(captcha_ctx *ctx, const pc_event *rq, int64_t until) {
    char answer[CAPTCHA_ANSWER_MAX + 1], id[PC_UUID_LEN];
    unsigned char *png = NULL;
    size_t len = 0;
    char *url = NULL;
    captcha_challenge_new(answer);
    pc_status st = captcha_render_png(answer, &png, &len);
    if (st == PC_OK && !(url = captcha_render_data_url(png, len))) st = PC_ERROR;
    if (st != PC_OK) {
        PC_ERROR("cannot render a captcha: %s", pc_status_name(st));
        goto out;
    }
    int conflicts = 0;
    do {
        if (st != PC_EUNAVAIL) pc_uuid_v4(id); /* a new id only after a collision */
        st = captcha_store_put(ctx->redis, id, answer, ctx->cfg->captcha_ttl_s);
    } while ((st == PC_EUNAVAIL && worth_waiting(until)) || (st == PC_ECONFLICT && ++conflicts < 3));
    if (st == PC_OK) {
        reply(ctx, rq, PC_TYPE_CAPTCHA_ISSUE_REPLY, id,
              json_pack("{s:s, s:s, s:i}", "id", id, "image", url, "expires_in", ctx->cfg->captcha_ttl_s));
        PC_DEBUG("issued captcha %s (%zu-byte image)", id, len);
    } else {
        PC_WARN("captcha not stored: %s", pc_status_name(st));
    }
    pc_metrics_inc("captcha_issued_total", st == PC_OK ? "result=\"ok\"" : "result=\"failed\"", 1);
out:
    sodium_memzero(answer, sizeof answer);
    free(url);
    free(png);
    return st == PC_EUNAVAIL && !pc_running() ? PC_EUNAVAIL : PC_OK;
}

/* Checks an answer; same return convention as issue(). */
static pc_status check(captcha_ctx *ctx, const pc_event *rq, int64_t until) {
    char id[PC_UUID_LEN];
    const char *guess = json_string_value(json_object_get(rq->data, "answer"));
    char norm[CAPTCHA_GUESS_MAX + 1];
    if (!uuid_parse(json_string_value(json_object_get(rq->data, "id")), id) ||
        captcha_challenge_normalise(guess, norm) != PC_OK) {
        /* Nothing is consumed: a malformed request proves nothing either way. */
        pc_metrics_inc("captcha_checks_total", "result=\"invalid\"", 1);
        reply(ctx, rq, PC_TYPE_CAPTCHA_CHECK_REPLY, rq->subject,
              json_pack("{s:b, s:s}", "valid", 0, "reason", "invalid"));
        return PC_OK;
    }
    sodium_memzero(norm, sizeof norm);
    captcha_verdict v = CAPTCHA_EXPIRED;
    pc_status st;
    while ((st = captcha_store_check(ctx->redis, id, guess, &v)) == PC_EUNAVAIL && worth_waiting(until))
        ;
    if (st != PC_OK) {
        PC_WARN("captcha %s not checked: %s", id, pc_status_name(st));
        pc_metrics_inc("captcha_checks_total", "result=\"failed\"", 1);
        return st == PC_EUNAVAIL && !pc_running() ? PC_EUNAVAIL : PC_OK;
    }
    const char *reason = captcha_verdict_name(v);
    char labels[32];
    snprintf(labels, sizeof labels, "result=\"%s\"", reason);
    pc_metrics_inc("captcha_checks_total", labels, 1);
    PC_DEBUG("captcha %s checked: %s", id, reason);
    reply(ctx, rq, PC_TYPE_CAPTCHA_CHECK_REPLY, id,
          json_pack("{s:b, s:s}", "valid", v == CAPTCHA_OK, "reason", reason));
    return PC_OK;
}

/* Handles one message. PC_OK when it is finished with (answered or
 * skipped), PC_EUNAVAIL when it must be left uncommitted. */
static pc_status handle(captcha_ctx *ctx, const rd_kafka_message_t *msg) {
    char err[160];
    pc_event rq;
    if (pc_event_decode(msg->payload, msg->len, &rq, err, sizeof err) != PC_OK) {
        PC_WARN("dropping undecodable request at offset %lld: %s", (long long)msg->offset, err);
        return PC_OK;
    }
    pc_log_set_cid(rq.id);
    int is_issue = strcmp(rq.type, PC_TYPE_CAPTCHA_ISSUE) == 0;
    int is_check = strcmp(rq.type, PC_TYPE_CAPTCHA_CHECK) == 0;
    int64_t now = pc_now_ms();
    if (rq.deadline_ms) rq.deadline_ms += now; /* the budget, measured from receipt */
    pc_status st = PC_OK;
    if ((!is_issue && !is_check) || !rq.replyto || !rq.replyto[0]) {
        PC_WARN("dropping request of type %s without a known type or replyto", rq.type);
    } else if (rq.deadline_ms && rq.deadline_ms < now) {
        /* Nobody waits any more (e.g. re-delivered after a crash); a check
         * skipped here leaves the captcha unconsumed, which is right. */
        pc_metrics_inc("captcha_requests_expired_total", NULL, 1);
    } else {
        int64_t until = rq.deadline_ms ? rq.deadline_ms : now + NO_DEADLINE_WAIT_MS;
        st = is_issue ? issue(ctx, &rq, until) : check(ctx, &rq, until);
    }
    pc_log_set_cid(NULL);
    pc_event_clear(&rq);
    return st;
}

static void handle_batch(captcha_ctx *ctx, rd_kafka_message_t **msgs, size_t n) {
    size_t done = 0;
    /* In order, stopping at the first message that must come back later, so
     * that committing the done prefix never skips one. */
    while (done < n && handle(ctx, msgs[done]) == PC_OK) done++;
    /* Commit only what has been answered and delivered. */
    if (done > 0 && pc_producer_flush(ctx->producer, 10000) == PC_OK)
        pc_consumer_commit(ctx->consumer, msgs, done);
    else if (done > 0)
        PC_WARN("replies not delivered; %zu requests left uncommitted", done);
}

pc_status captcha_serve(captcha_ctx *ctx) {
    size_t max = (size_t)ctx->cfg->batch_max;
    rd_kafka_message_t **msgs = calloc(max ? max : 1, sizeof *msgs);
    if (!msgs) return PC_ERROR;
    while (pc_running()) {
        size_t n = pc_consumer_poll_batch(ctx->consumer, msgs, max ? max : 1, 100);
        if (n == 0) continue;
        handle_batch(ctx, msgs, n);
        for (size_t i = 0; i < n; i++) rd_kafka_message_destroy(msgs[i]);
    }
    free(msgs);
    return PC_OK;
}
