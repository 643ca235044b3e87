/* ratelimit.c -- fixed-window counters in Redis over a small connection pool. */
#include "ratelimit.h"

#include <hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "redis.h"

/* INCR and, on the first hit of a window, EXPIRE: atomic in one call. */
static const char HIT_SCRIPT[] =
    "local c = redis.call('INCR', KEYS[1]) "
    "if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return c";

/* After a Redis failure, requests skip the limiter for this long instead of
 * each waiting out a connect or read timeout. */
#define BREAKER_MS 5000

/* Counts a failed login for an address; from the `after`-th failure within
 * an hour the address is locked for 30 s, doubling with each further
 * failure, at most an hour. Returns the lock's length in seconds, or 0. */
static const char FAIL_SCRIPT[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "redis.call('EXPIRE', KEYS[1], 3600) "
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
};

gw_limiter *gw_limiter_new(const char *redis_url, int pool_size) {
    gw_limiter *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    snprintf(l->url, sizeof l->url, "%s", redis_url);
    l->size = l->free_count = pool_size;
    l->conns = calloc((size_t)pool_size, sizeof *l->conns);
    l->free_slots = calloc((size_t)pool_size, sizeof *l->free_slots);
    if (!l->conns || !l->free_slots) {
        free(l->conns);
        free(l->free_slots);
        free(l);
        return NULL;
    }
    for (int i = 0; i < pool_size; i++) l->free_slots[i] = i;
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

/* A free connection slot, or -1 when all are busy: callers then let the
 * request through rather than queue behind a slow Redis. */
static int take(gw_limiter *l) {
    pthread_mutex_lock(&l->lock);
    int slot = l->free_count > 0 ? l->free_slots[--l->free_count] : -1;
    pthread_mutex_unlock(&l->lock);
    return slot;
}

static void give_back(gw_limiter *l, int slot) {
    pthread_mutex_lock(&l->lock);
    l->free_slots[l->free_count++] = slot;
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
 * connection is busy): callers then let the request through. */
static pc_redis *acquire(gw_limiter *l, int *slot) {
    *slot = -1;
    if ((long long)time(NULL) * 1000 < atomic_load(&l->down_until_ms)) return NULL;
    *slot = take(l);
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
        PC_WARN("rate limiter unavailable (%s): letting requests through for %d s", pc_status_name(st),
                BREAKER_MS / 1000);
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
    if (!r) return PC_OK;
    pc_status st = PC_EUNAVAIL;
    long long count = integer_of(pc_redis_command(r, &st, "EVAL %s 1 %s 61", HIT_SCRIPT, key), &st);
    release(l, slot, st);
    if (st != PC_OK || count <= per_minute) return PC_OK;
    *retry_after = (int)(60 - now % 60);
    return PC_ELIMIT;
}

pc_status gw_limiter_locked(gw_limiter *l, const char *cls, const char *client, int *retry_after) {
    *retry_after = 0;
    char key[160];
    snprintf(key, sizeof key, "lock:%s:%s", cls, client);
    int slot;
    pc_redis *r = acquire(l, &slot);
    if (!r) return PC_OK;
    pc_status st = PC_EUNAVAIL;
    long long ttl = integer_of(pc_redis_command(r, &st, "TTL %s", key), &st);
    release(l, slot, st);
    if (st != PC_OK || ttl <= 0) return PC_OK;
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
    if (!r) return 0;
    pc_status st = PC_EUNAVAIL;
    long long secs = integer_of(pc_redis_command(r, &st, "EVAL %s 2 %s %s %d", FAIL_SCRIPT, fails, lock, after), &st);
    release(l, slot, st);
    return st == PC_OK ? (int)secs : 0;
}

void gw_limiter_success(gw_limiter *l, const char *cls, const char *client) {
    char fails[160];
    snprintf(fails, sizeof fails, "fail:%s:%s", cls, client);
    int slot;
    pc_redis *r = acquire(l, &slot);
    if (!r) return;
    pc_status st = PC_EUNAVAIL;
    integer_of(pc_redis_command(r, &st, "DEL %s", fails), &st);
    release(l, slot, st);
}

int gw_limiter_ping(gw_limiter *l) {
    int slot = take(l);
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
    pthread_mutex_destroy(&l->lock);
    free(l);
}
