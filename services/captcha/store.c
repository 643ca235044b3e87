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

/* Takes the answer and remembers which check took it, in one step: two
 * checks of one id cannot both see the answer, and a wrong guess burns the
 * captcha too. A check that comes again (the same check_id) reads the answer
 * it consumed; any other sees nil ("expired"). */
static const char CHECK_SCRIPT[] =
    "local a = redis.call('GETDEL', KEYS[1]) "
    "if a then redis.call('SET', KEYS[2], ARGV[1] .. '\\n' .. a, 'EX', ARGV[2]) return a end "
    "local d = redis.call('GET', KEYS[2]) "
    "if d then local n = string.find(d, '\\n', 1, true) "
    "if n and string.sub(d, 1, n - 1) == ARGV[1] then return string.sub(d, n + 1) end end "
    "return false";

pc_status captcha_store_check(pc_redis *r, const char *id, const char *check_id, const char *guess,
                              captcha_verdict *verdict) {
    *verdict = CAPTCHA_EXPIRED;
    if (!check_id || !*check_id || strchr(check_id, '\n')) return PC_EINVAL;
    pc_status st;
    /* Should pc_redis_command retry after a lost reply, the retry is the
     * same check and gets the same answer. */
    redisReply *reply = pc_redis_command(r, &st, "EVAL %s 2 " KEY_PREFIX "%s " KEY_PREFIX "checked:%s %s %d",
                                         CHECK_SCRIPT, id, id, check_id, CAPTCHA_REDELIVERY_S);
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
