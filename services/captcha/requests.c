/* requests.c -- issue and check requests for the captcha service.
 *
 * Domain functions on the serve loop (serve.h): each request gets one reply,
 * subject = the captcha id. While Redis is down a request is retried by the
 * loop within its budget, then answered "unavailable". Answers never reach
 * a log. */
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
#include "serve.h"
#include "store.h"


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

/* Issues a captcha: PC_OK with *reply set, PC_EUNAVAIL while Redis is down
 * (the serve loop retries), PC_ERROR if it cannot be drawn. */
static pc_status issue(captcha_ctx *ctx, pc_redis *redis, json_t **reply) {
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
        pc_uuid_v4(id); /* a new id after a collision */
        st = captcha_store_put(redis, id, answer, ctx->cfg->captcha_ttl_s);
    } while (st == PC_ECONFLICT && ++conflicts < 3);
    if (st == PC_OK) {
        *reply = json_pack("{s:s, s:s, s:i}", "id", id, "image", url, "expires_in", ctx->cfg->captcha_ttl_s);
        PC_DEBUG("issued captcha %s (%zu-byte image)", id, len);
    } else {
        PC_WARN("captcha not stored: %s", pc_status_name(st));
    }
    pc_metrics_inc("captcha_issued_total", st == PC_OK ? "result=\"ok\"" : "result=\"failed\"", 1);
out:
    sodium_memzero(answer, sizeof answer);
    free(url);
    free(png);
    return st == PC_OK || st == PC_EUNAVAIL ? st : PC_ERROR;
}

/* Checks an answer; same return convention as issue(). */
static pc_status check(pc_redis *redis, const pc_event *rq, json_t **reply) {
    char id[PC_UUID_LEN];
    const char *guess = json_string_value(json_object_get(rq->data, "answer"));
    char norm[CAPTCHA_GUESS_MAX + 1];
    if (!uuid_parse(json_string_value(json_object_get(rq->data, "id")), id) ||
        captcha_challenge_normalise(guess, norm) != PC_OK) {
        /* Nothing is consumed: a malformed request proves nothing either way. */
        pc_metrics_inc("captcha_checks_total", "result=\"invalid\"", 1);
        *reply = json_pack("{s:b, s:s}", "valid", 0, "reason", "invalid");
        return PC_OK;
    }
    sodium_memzero(norm, sizeof norm);
    captcha_verdict v = CAPTCHA_EXPIRED;
    pc_status st = captcha_store_check(redis, id, rq->id, guess, &v);
    if (st != PC_OK) {
        PC_WARN("captcha %s not checked: %s", id, pc_status_name(st));
        pc_metrics_inc("captcha_checks_total", "result=\"failed\"", 1);
        return st == PC_EUNAVAIL ? st : PC_ERROR;
    }
    const char *reason = captcha_verdict_name(v);
    char labels[32];
    snprintf(labels, sizeof labels, "result=\"%s\"", reason);
    pc_metrics_inc("captcha_checks_total", labels, 1);
    PC_DEBUG("captcha %s checked: %s", id, reason);
    *reply = json_pack("{s:b, s:s}", "valid", v == CAPTCHA_OK, "reason", reason);
    return PC_OK;
}

#define REDIS_WAIT_S 30

pc_redis *captcha_redis_wait(const pc_config *cfg, char *errstr, size_t errlen) {
    for (int i = 0; i < REDIS_WAIT_S * 2 && pc_running(); i++) {
        pc_redis *r = pc_redis_connect(cfg->redis_url, errstr, errlen);
        if (r) return r;
        if (i == 0) PC_WARN("%s; waiting for Redis", errstr);
        usleep(500 * 1000);
    }
    return NULL;
}

/* The serve loop's handler (w: the worker's Redis connection). */
static pc_status handle(void *w, const pc_event *rq, json_t **reply) {
    captcha_worker *cw = w;
    if (strcmp(rq->type, PC_TYPE_CAPTCHA_ISSUE) == 0) return issue(cw->ctx, cw->redis, reply);
    return check(cw->redis, rq, reply);
}

static void *worker_open(void *ctx, int index, char *errstr, size_t errlen) {
    (void)index;
    captcha_worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    w->ctx = ctx;
    w->redis = captcha_redis_wait(w->ctx->cfg, errstr, errlen);
    if (!w->redis) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_close(void *w) {
    captcha_worker *cw = w;
    pc_redis_close(cw->redis);
    free(cw);
}

pc_status captcha_serve(captcha_ctx *ctx) {
    static const pc_serve_route routes[] = {
        { PC_TYPE_CAPTCHA_ISSUE, PC_TYPE_CAPTCHA_ISSUE_REPLY },
        { PC_TYPE_CAPTCHA_CHECK, PC_TYPE_CAPTCHA_CHECK_REPLY },
    };
    const char *topics[] = { PC_TOPIC_CAPTCHA_REQUESTS };
    pc_serve_spec spec = {
        .name = "captcha",
        .group = "pupns-captcha",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = 2,
        .handle = handle,
        /* Drawing an image is the cost: one worker per CPU, each with its own Redis connection. */
        .workers = ctx->workers,
        .batch_max = ctx->cfg->batch_max,
        .worker_open = worker_open,
        .worker_close = worker_close,
        .ctx = ctx,
        .producer = ctx->producer,
    };
    return pc_serve_run(ctx->cfg, &spec);
}
