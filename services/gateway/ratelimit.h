/* ratelimit.h -- per-client-address rate limits kept in Redis, so every
 * gateway instance shares them: a fixed one-minute window per (class,
 * address), counted by one atomic script call. When Redis is slow, busy or
 * unreachable, the same limits are counted in this instance's memory
 * instead (per instance, so N gateways allow up to N times the limit): a
 * Redis outage neither opens the limits nor closes registration during a
 * deadline rush. */
#ifndef GATEWAY_RATELIMIT_H
#define GATEWAY_RATELIMIT_H

#include "status.h"

typedef struct gw_limiter gw_limiter;

/* pool_size connections, opened lazily. NULL only when out of memory. */
gw_limiter *gw_limiter_new(const char *redis_url, int pool_size);

/* Counts one hit of class for client. PC_OK when allowed; PC_ELIMIT when
 * over per_minute, with *retry_after set to the seconds left in the
 * window. per_minute 0 means no limit. */
pc_status gw_limiter_hit(gw_limiter *l, const char *cls, const char *client, int per_minute,
                         int *retry_after);

/* Failed logins per client address, with growing lock-outs (kept in Redis
 * like the limits): gw_limiter_locked says whether the address is locked
 * now (PC_ELIMIT, *retry_after seconds); gw_limiter_failure counts one
 * failure and, from the `after`-th within an hour, locks the address for
 * 30 s, doubling with each further failure up to an hour (returns the lock
 * in seconds, 0 if none; `after` 0 disables). A successful login resets
 * nothing. Without Redis, failures and locks are kept in memory. */
pc_status gw_limiter_locked(gw_limiter *l, const char *cls, const char *client, int *retry_after);
int gw_limiter_failure(gw_limiter *l, const char *cls, const char *client, int after);

/* 1 if Redis answers now. */
int gw_limiter_ping(gw_limiter *l);

void gw_limiter_free(gw_limiter *l);

#endif
