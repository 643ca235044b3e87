/* local_limit.h -- this gateway instance's own fixed-window counters and
 * timed locks, in memory: what the rate limiter falls back to when Redis is
 * slow or down, so limits hold (per instance) instead of failing open.
 * A bounded table: when it is full, the oldest window's entries go first,
 * and a key that finds no room is refused rather than let through. */
#ifndef GATEWAY_LOCAL_LIMIT_H
#define GATEWAY_LOCAL_LIMIT_H

#include <stdint.h>

typedef struct gw_local_limit gw_local_limit;

/* capacity entries (keys). NULL when out of memory. */
gw_local_limit *gw_local_limit_new(int capacity);

/* Counts one hit of key in the window that started at window_start (any
 * clock, seconds) and lasts window_s. Returns the count so far in that
 * window, or -1 when the table is full (callers refuse). */
long gw_local_limit_hit(gw_local_limit *l, const char *key, int64_t window_start, int window_s, int64_t now);

/* Seconds left on key's lock (0: none) / sets it for secs from now. */
int gw_local_limit_locked(gw_local_limit *l, const char *key, int64_t now);
void gw_local_limit_lock(gw_local_limit *l, const char *key, int secs, int64_t now);

void gw_local_limit_free(gw_local_limit *l);

#endif
