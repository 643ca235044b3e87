/* store.h -- captcha answers in Redis: `captcha:<id>` holds the normalised
 * answer for the captcha's lifetime, and a check consumes it atomically, so
 * every captcha admits exactly one guess, right or wrong. The check that
 * consumed it is remembered (`captcha:checked:<id>`, CAPTCHA_REDELIVERY_S):
 * the same check delivered again -- Kafka delivers at least once, e.g. when
 * a consumer is timed out of its group mid-request -- gets the same verdict,
 * never "expired" for a captcha it used itself. */
#ifndef CAPTCHA_STORE_H
#define CAPTCHA_STORE_H

#include "redis.h"
#include "status.h"

typedef enum {
    CAPTCHA_OK,       /* the guess matches */
    CAPTCHA_WRONG,    /* it does not (the captcha is used up all the same) */
    CAPTCHA_EXPIRED   /* unknown, expired or already checked */
} captcha_verdict;

/* Stores answer (any case; kept lower-case) under id for ttl_s seconds,
 * only if the id is new. PC_OK, PC_ECONFLICT if the id exists, PC_EUNAVAIL
 * if Redis is unreachable, PC_ERROR on an unexpected reply. */
pc_status captcha_store_put(pc_redis *r, const char *id, const char *answer, int ttl_s);

/* How long the check that consumed a captcha gets its verdict again. */
#define CAPTCHA_REDELIVERY_S 300

/* Consumes the captcha id for the check check_id (the request's event id)
 * and compares guess with its answer, in constant time and ignoring case;
 * the same check_id again within CAPTCHA_REDELIVERY_S compares with the same
 * answer. On PC_OK *verdict says how it went; PC_EUNAVAIL if Redis is
 * unreachable (nothing was consumed, or we cannot know), PC_ERROR on an
 * unexpected reply. id must be a canonical UUID; check_id has no newline. */
pc_status captcha_store_check(pc_redis *r, const char *id, const char *check_id, const char *guess,
                              captcha_verdict *verdict);

/* "ok", "wrong" or "expired": the reply's `reason`. */
const char *captcha_verdict_name(captcha_verdict v);

#endif
