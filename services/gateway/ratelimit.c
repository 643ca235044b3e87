/* ratelimit.c -- fixed-window counters in Redis over a small connection
 * pool, with this instance's own in-memory counters (local_limit.c) as the
 * fallback whenever Redis cannot answer in time: limits never fail open. */
#include "ratelimit.h"

#include <hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ids.h"
#include "local_limit.h"
#include "log.h"
#include "redis.h"

/* INCR and, on the first hit of a window, EXPIRE: atomic in one call. */
static const char HIT_SCRIPT[] =
    "local c = redis.call('INCR', KEYS[1]) "
    "if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return c";

/* After a Redis failure, requests use the in-memory limits for this long
 * instead of each waiting out a connect or read timeout. */
#define BREAKER_MS 5000
/* How long a request waits for a free Redis connection before it is
 * counted in memory instead (a burst must not slip past the limits). */
#define POOL_WAIT_MS 250
#define LOCAL_CAPACITY 65536

/* Counts a failed login for an address; from the `after`-th failure within
 * the hour that began with its first failure, the address is locked for
 * 30 s, doubling with each further failure, at most an hour. Returns the
 * lock's length in seconds, or 0. The count is never reset by a success:
 * an attacker's own good login must not buy more guesses. */
static const char FAIL_SCRIPT[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], 3600) end "
    "local after = tonumber(ARGV[1]) "
    "if n < after then return 0 end "
    "local s = math.floor(math.min(3600, 30 * 2 ^ (n - after))) "
    "redis.call('SET', KEYS[2], '1', 'EX', s) "
    "return s";

struct gw_limiter {
    char url[256];
    atomic_llong down_until_ms; /* circuit breaker: Redis failed recently */
    int size, free_count;
    pc_redis **conns;      /* NULL until first used */
    int *free_slots;
    pthread_mutex_t lock;
    pthread_cond_t freed;  /* a connection came back */
    gw_local_limit *local; /* the fallback */
};

gw_limiter *gw_limiter_new(const char *redis_url, int pool_size) {
    gw_limiter *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    snprintf(l->url, sizeof l->url, "%s", redis_url);
    l->size = l->free_count = pool_size;
    l->conns = calloc((size_t)pool_size, sizeof *l->conns);
    l->free_slots = calloc((size_t)pool_size, sizeof *l->free_slots);
    l->local = gw_local_limit_new(LOCAL_CAPACITY);
    if (!l->conns || !l->free_slots || !l->local) {
        free(l->conns);
        free(l->free_slots);
        gw_local_limit_free(l->local);
        free(l);
        return NULL;
    }
    for (int i = 0; i < pool_size; i++) l->free_slots[i] = i;
    pthread_mutex_init(&l->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->freed, &ca);
    pthread_condattr_destroy(&ca);
    return l;
}

/* A free connection slot, waiting up to wait_ms for one; -1 when none came
 * free (callers then count in memory rather than queue behind Redis). */
static int take(gw_limiter *l, int wait_ms) {
    int64_t until = pc_mono_us() + (int64_t)wait_ms * 1000;
    struct timespec ts = { .tv_sec = until / 1000000, .tv_nsec = (long)(until % 1000000) * 1000 };
    pthread_mutex_lock(&l->lock);
    while (l->free_count == 0 && pthread_cond_timedwait(&l->freed, &l->lock, &ts) == 0) {}
    int slot = l->free_count > 0 ? l->free_slots[--l->free_count] : -1;
    pthread_mutex_unlock(&l->lock);
    return slot;
}

static void give_back(gw_limiter *l, int slot) {
    pthread_mutex_lock(&l->lock);
    l->free_slots[l->free_count++] = slot;
    pthread_cond_signal(&l->freed);
    pthread_mutex_unlock(&l->lock);
}

/* The slot's connection, opening it if needed; NULL if Redis is down. */
static pc_redis *conn_of(gw_limiter *l, int slot) {
    if (!l->conns[slot]) {
        char err[256];
        l->conns[slot] = pc_redis_connect(l->url, err, sizeof err);
        if (!l->conns[slot]) PC_WARN("rate limiter: %s", err);
    }
    return l->conns[slot];
}

static void release(gw_limiter *l, int slot, pc_status st);

/* A connection for one command, or NULL (Redis failed recently, or every
 * connection stayed busy): callers then count in memory. */
static pc_redis *acquire(gw_limiter *l, int *slot) {
    *slot = -1;
    if ((long long)time(NULL) * 1000 < atomic_load(&l->down_until_ms)) return NULL;
    *slot = take(l, POOL_WAIT_MS);
    if (*slot < 0) return NULL;
    pc_redis *r = conn_of(l, *slot);
    if (!r) {
        release(l, *slot, PC_EUNAVAIL);
        *slot = -1;
    }
    return r;
}

/* Returns the connection; a failed command arms the breaker. */
static void release(gw_limiter *l, int slot, pc_status st) {
    give_back(l, slot);
    if (st != PC_OK) {
        atomic_store(&l->down_until_ms, ((long long)time(NULL) * 1000) + BREAKER_MS);
        PC_WARN("rate limiter's Redis unavailable (%s): counting in this instance's memory for %d s",
                pc_status_name(st), BREAKER_MS / 1000);
    }
}

/* The integer answer of a reply, or st = PC_ERROR. Frees the reply. */
static long long integer_of(redisReply *reply, pc_status *st) {
    long long v = 0;
    if (reply && reply->type == REDIS_REPLY_INTEGER) v = reply->integer;
    else if (*st == PC_OK) *st = PC_ERROR;
    if (reply) freeReplyObject(reply);
    return v;
}

pc_status gw_limiter_hit(gw_limiter *l, const char *cls, const char *client, int per_minute,
                         int *retry_after) {
    *retry_after = 0;
    if (per_minute <= 0) return PC_OK;
    time_t now = time(NULL);
    char key[160];
    snprintf(key, sizeof key, "rate:%s:%s:%lld", cls, client, (long long)(now / 60));
    int slot;
    pc_redis *r = acquire(l, &slot);
    pc_status st = PC_EUNAVAIL;
    long long count = 0;
    if (r) {
        count = integer_of(pc_redis_command(r, &st, "EVAL %s 1 %s 61", HIT_SCRIPT, key), &st);
        release(l, slot, st);
    }
    if (st != PC_OK) /* -1: the table is full, which refuses too */
        count = gw_local_limit_hit(l->local, key, now - now % 60, 61, now);
    if (count >= 0 && count <= per_minute) return PC_OK;
    *retry_after = (int)(60 - now % 60);
    return PC_ELIMIT;
}

pc_status gw_limiter_locked(gw_limiter *l, const char *cls, const char *client, int *retry_after) {
    *retry_after = 0;
    char key[160];
    snprintf(key, sizeof key, "lock:%s:%s", cls, client);
    int slot;
    pc_redis *r = acquire(l, &slot);
    pc_status st = PC_EUNAVAIL;
    long long ttl = 0;
    if (r) {
        ttl = integer_of(pc_redis_command(r, &st, "TTL %s", key), &st);
        release(l, slot, st);
    }
    /* A lock set in memory while Redis was away still holds. */
    int local = gw_local_limit_locked(l->local, key, time(NULL));
    if (local > ttl) ttl = local;
    if (ttl <= 0) return PC_OK;
    *retry_after = (int)ttl;
    return PC_ELIMIT;
}

int gw_limiter_failure(gw_limiter *l, const char *cls, const char *client, int after) {
    if (after <= 0) return 0;
    char fails[160], lock[160];
    snprintf(fails, sizeof fails, "fail:%s:%s", cls, client);
    snprintf(lock, sizeof lock, "lock:%s:%s", cls, client);
    int slot;
    pc_redis *r = acquire(l, &slot);
    pc_status st = PC_EUNAVAIL;
    long long secs = 0;
    if (r) {
        secs = integer_of(pc_redis_command(r, &st, "EVAL %s 2 %s %s %d", FAIL_SCRIPT, fails, lock, after), &st);
        release(l, slot, st);
    }
    if (st == PC_OK) return (int)secs;
    /* In memory, as FAIL_SCRIPT does it (failures counted per clock hour). */
    time_t now = time(NULL);
    long n = gw_local_limit_hit(l->local, fails, now - now % 3600, 3600, now);
    if (n >= 0 && n < after) return 0;
    double grow = 30.0;
    for (long i = after; n >= 0 && i < n && grow < 3600; i++) grow *= 2;
    secs = grow < 3600 ? (long long)grow : 3600;
    gw_local_limit_lock(l->local, lock, (int)secs, now);
    return (int)secs;
}

int gw_limiter_ping(gw_limiter *l) {
    int slot = take(l, 0);
    if (slot < 0) return 1; /* every connection busy counting: Redis answers */
    pc_redis *r = conn_of(l, slot);
    int ok = r && pc_redis_ping(r);
    give_back(l, slot);
    return ok;
}

void gw_limiter_free(gw_limiter *l) {
    if (!l) return;
    for (int i = 0; i < l->size; i++) pc_redis_close(l->conns[i]);
    free(l->conns);
    free(l->free_slots);
    gw_local_limit_free(l->local);
    pthread_cond_destroy(&l->freed);
    pthread_mutex_destroy(&l->lock);
    free(l);
}
