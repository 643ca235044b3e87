/* store.c -- captcha answers in Redis, single use. */
#include "store.h"

#include <sodium.h>
#include <string.h>

#include "challenge.h"
#include "log.h"

#define KEY_PREFIX "captcha:"

pc_status captcha_store_put(pc_redis *r, const char *id, const char *answer, int ttl_s) {
    char norm[CAPTCHA_GUESS_MAX + 1];
    if (captcha_challenge_normalise(answer, norm) != PC_OK || ttl_s <= 0) return PC_EINVAL;
    pc_status st;
    redisReply *reply = pc_redis_command(r, &st, "SET " KEY_PREFIX "%s %s EX %d NX", id, norm, ttl_s);
    sodium_memzero(norm, sizeof norm);
    if (!reply) return st;
    if (st == PC_OK && reply->type == REDIS_REPLY_NIL) st = PC_ECONFLICT; /* NX: the id exists */
    else if (st == PC_OK && reply->type != REDIS_REPLY_STATUS) st = PC_ERROR;
    freeReplyObject(reply);
    return st;
}

pc_status captcha_store_check(pc_redis *r, const char *id, const char *guess,
                              captcha_verdict *verdict) {
    *verdict = CAPTCHA_EXPIRED;
    pc_status st;
    /* Get and delete in one step: two concurrent checks of one id cannot
     * both see the answer, and a wrong guess burns the captcha too. Should
     * pc_redis_command retry after a lost reply, the retry sees nil and the
     * verdict is "expired": it errs towards refusing, never towards reuse. */
    redisReply *reply = pc_redis_command(r, &st, "GETDEL " KEY_PREFIX "%s", id);
    if (!reply) return st;
    if (st == PC_OK) {
        if (reply->type == REDIS_REPLY_STRING)
            *verdict = captcha_challenge_matches(reply->str, guess) ? CAPTCHA_OK : CAPTCHA_WRONG;
        else if (reply->type != REDIS_REPLY_NIL)
            st = PC_ERROR;
    }
    if (reply->type == REDIS_REPLY_STRING && reply->str) sodium_memzero(reply->str, reply->len);
    freeReplyObject(reply);
    return st;
}

const char *captcha_verdict_name(captcha_verdict v) {
    switch (v) {
    case CAPTCHA_OK: return "ok";
    case CAPTCHA_WRONG: return "wrong";
    default: return "expired";
    }
}
