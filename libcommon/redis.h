/* redis.h -- a small hiredis (0.14) client: one connection, URL parsing,
 * timeouts, AUTH/SELECT, and one transparent reconnect per command.
 *
 * A pc_redis is one blocking connection and is NOT thread-safe: use one per
 * thread (or hand them out from a pool, as the gateway's rate limiter does).
 * Every connect and command is bounded by PC_REDIS_TIMEOUT_MS, so a dead
 * Redis costs a caller at most about two timeouts, never a hang. Passwords
 * from the URL are never logged or copied into errstr. */
#ifndef PUPNS_REDIS_H
#define PUPNS_REDIS_H

#include <hiredis.h>
#include <stddef.h>

#include "status.h"

#define PC_REDIS_TIMEOUT_MS 1000

typedef struct pc_redis pc_redis;

/* Connects to redis://[[user]:password@]host[:port][/db] (port 6379 and db 0
 * by default), authenticates when a password is given and SELECTs db when it
 * is not 0. Returns NULL when the URL is malformed or Redis is unreachable
 * or refuses; errstr then says why (without the password). */
pc_redis *pc_redis_connect(const char *url, char *errstr, size_t errlen);

/* Runs one command, printf-like as hiredis's redisCommand (%s, %b, %d ...;
 * arguments given through %s are binary-safe single arguments, never split).
 * If the connection is broken it reconnects and retries once, so a command
 * whose reply was lost may run twice: send only commands for which that is
 * harmless (reads, SET NX, GETDEL, counters that tolerate it).
 *
 * Returns the reply, which the caller frees with freeReplyObject(); *st is
 * PC_OK, or PC_ERROR when the reply is an error reply (REDIS_REPLY_ERROR,
 * still returned so the caller may look at it). Returns NULL with *st =
 * PC_EUNAVAIL when Redis could not be reached or did not answer in time.
 * st may be NULL. */
redisReply *pc_redis_command(pc_redis *r, pc_status *st, const char *fmt, ...);

/* 1 when Redis answers PING (reconnecting if needed), 0 otherwise. */
int pc_redis_ping(pc_redis *r);

/* Closes the connection and frees r. NULL is fine. */
void pc_redis_close(pc_redis *r);

#endif
