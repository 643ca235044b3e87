/* redis.c -- one hiredis connection with timeouts and a single reconnect. */
#include "redis.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "log.h"

struct pc_redis {
    redisContext *c;     /* NULL while disconnected */
    char host[256];
    int port;
    int db;
    char user[128];      /* empty: AUTH with the password alone (Redis < 6 style) */
    char password[256];  /* empty: no AUTH; never logged */
    int down;            /* the last attempt failed: log the outage once, not per retry */
};

/* Copies n bytes of s into a terminated dst of size cap; -1 if too long. */
static int copy_part(char *dst, size_t cap, const char *s, size_t n) {
    if (n >= cap) return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/* Parses redis://[[user]:password@]host[:port][/db] into r. Returns a
 * reason on error (never quoting the password), NULL on success. */
static const char *parse_url(pc_redis *r, const char *url) {
    static const char scheme[] = "redis://";
    if (!url || strncmp(url, scheme, sizeof scheme - 1) != 0) return "URL must start with redis://";
    const char *p = url + sizeof scheme - 1;
    const char *end = p + strcspn(p, "/");
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@') at = q; /* the last '@': a password may contain '@' */
    r->port = 6379;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (!colon) return "credentials must be [user]:password@";
        if (copy_part(r->user, sizeof r->user, p, (size_t)(colon - p)) != 0 ||
            copy_part(r->password, sizeof r->password, colon + 1, (size_t)(at - colon - 1)) != 0)
            return "credentials too long";
        p = at + 1;
    }
    const char *colon = memchr(p, ':', (size_t)(end - p));
    const char *host_end = colon ? colon : end;
    if (host_end == p) return "no host";
    if (copy_part(r->host, sizeof r->host, p, (size_t)(host_end - p)) != 0) return "host too long";
    if (colon) {
        char *stop = NULL;
        errno = 0;
        long port = strtol(colon + 1, &stop, 10);
        if (errno || stop != end || port < 1 || port > 65535) return "bad port";
        r->port = (int)port;
    }
    r->db = 0;
    if (*end == '/' && end[1] != '\0') {
        char *stop = NULL;
        errno = 0;
        long db = strtol(end + 1, &stop, 10);
        if (errno || *stop != '\0' || db < 0 || db > 100000) return "bad database number";
        r->db = (int)db;
    }
    return NULL;
}

/* Sends a command during connection set-up; 0 when Redis said OK. */
static int setup_ok(redisContext *c, redisReply *reply) {
    int ok = reply && reply->type == REDIS_REPLY_STATUS;
    if (reply) freeReplyObject(reply);
    return ok && !c->err;
}

/* (Re)opens r->c. Returns PC_OK, PC_EUNAVAIL (unreachable) or PC_EDENIED
 * (AUTH or SELECT refused); errstr says why. */
static pc_status open_conn(pc_redis *r, char *errstr, size_t errlen) {
    if (r->c) {
        redisFree(r->c);
        r->c = NULL;
    }
    struct timeval tv = { PC_REDIS_TIMEOUT_MS / 1000, (PC_REDIS_TIMEOUT_MS % 1000) * 1000 };
    redisContext *c = redisConnectWithTimeout(r->host, r->port, tv);
    if (!c || c->err) {
        snprintf(errstr, errlen, "redis %s:%d: %s", r->host, r->port, c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return PC_EUNAVAIL;
    }
    /* Without a read timeout a stalled server would block the caller forever. */
    if (redisSetTimeout(c, tv) != REDIS_OK) {
        snprintf(errstr, errlen, "redis %s:%d: cannot set timeout", r->host, r->port);
        redisFree(c);
        return PC_EUNAVAIL;
    }
    redisEnableKeepAlive(c);
    if (r->password[0]) {
        redisReply *reply = r->user[0] ? redisCommand(c, "AUTH %s %s", r->user, r->password)
                                       : redisCommand(c, "AUTH %s", r->password);
        if (!setup_ok(c, reply)) {
            /* Redis's own message is not passed on: keep it generic. */
            snprintf(errstr, errlen, "redis %s:%d: authentication failed", r->host, r->port);
            pc_status st = c->err ? PC_EUNAVAIL : PC_EDENIED;
            redisFree(c);
            return st;
        }
    }
    if (r->db != 0 && !setup_ok(c, redisCommand(c, "SELECT %d", r->db))) {
        snprintf(errstr, errlen, "redis %s:%d: cannot select database %d", r->host, r->port, r->db);
        pc_status st = c->err ? PC_EUNAVAIL : PC_EDENIED;
        redisFree(c);
        return st;
    }
    r->c = c;
    return PC_OK;
}

pc_redis *pc_redis_connect(const char *url, char *errstr, size_t errlen) {
    pc_redis *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    const char *bad = parse_url(r, url);
    if (bad) {
        snprintf(errstr, errlen, "PUPNS_REDIS_URL: %s", bad);
        pc_redis_close(r);
        return NULL;
    }
    if (open_conn(r, errstr, errlen) != PC_OK) {
        pc_redis_close(r);
        return NULL;
    }
    return r;
}

/* One attempt; NULL when the connection failed (r->c is then dropped). */
static redisReply *attempt(pc_redis *r, const char *fmt, va_list ap) {
    char err[512];
    if (!r->c && open_conn(r, err, sizeof err) != PC_OK) goto failed;
    redisReply *reply = redisvCommand(r->c, fmt, ap);
    if (reply && !r->c->err) {
        if (r->down) PC_INFO("redis %s:%d: reachable again", r->host, r->port);
        r->down = 0;
        return reply;
    }
    snprintf(err, sizeof err, "redis %s:%d: %s", r->host, r->port, r->c->errstr[0] ? r->c->errstr : "no reply");
    /* hiredis cannot use a context after an I/O error: drop it. */
    if (reply) freeReplyObject(reply);
    redisFree(r->c);
    r->c = NULL;
failed:
    if (!r->down) PC_WARN("%s", err);
    else PC_DEBUG("%s", err);
    r->down = 1;
    return NULL;
}

redisReply *pc_redis_command(pc_redis *r, pc_status *st, const char *fmt, ...) {
    pc_status dummy;
    if (!st) st = &dummy;
    *st = PC_EUNAVAIL;
    if (!r) return NULL;
    int had_conn = r->c != NULL;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    redisReply *reply = attempt(r, fmt, ap);
    /* A connection that was open may have been closed by the server (idle
     * timeout, restart): one fresh connection deserves one more try. */
    if (!reply && had_conn) reply = attempt(r, fmt, again);
    va_end(again);
    va_end(ap);
    if (!reply) return NULL;
    *st = reply->type == REDIS_REPLY_ERROR ? PC_ERROR : PC_OK;
    if (*st == PC_ERROR) {
        /* Only the error code (first word): the rest may quote arguments. */
        PC_WARN("redis error reply %.*s", (int)strcspn(reply->str ? reply->str : "", " "),
                reply->str ? reply->str : "");
    }
    return reply;
}

int pc_redis_ping(pc_redis *r) {
    pc_status st;
    redisReply *reply = pc_redis_command(r, &st, "PING");
    int ok = st == PC_OK && reply && reply->type == REDIS_REPLY_STATUS && reply->str &&
             strcmp(reply->str, "PONG") == 0;
    if (reply) freeReplyObject(reply);
    return ok;
}

void pc_redis_close(pc_redis *r) {
    if (!r) return;
    if (r->c) redisFree(r->c);
    /* Wipe the password from freed memory. */
    explicit_bzero(r->password, sizeof r->password);
    free(r);
}
