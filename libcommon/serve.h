/* serve.h -- the one consume loop every PUPNS consumer runs on.
 *
 * A service describes what it consumes (topics, the CloudEvents types it
 * handles and, for requests, the type of their reply) and supplies domain
 * functions; pc_serve_run owns everything else:
 *
 *  - envelope checks: a message that is not JSON, not a CloudEvent, larger
 *    than PC_SERVE_MAX_BYTES, of a type the service does not handle, or a
 *    request whose `replyto` is not a reply topic (PC_TOPIC_REPLY_PREFIX),
 *    is written with its reason to pupns.deadletter, counted, and never
 *    handled: it cannot block its partition;
 *  - a relative time budget: a request's `deadline_ms` is measured from its
 *    receipt on this host's monotonic clock; work whose budget ran out is
 *    skipped (nobody waits for it), never judged by another host's clock;
 *  - replies: built here, with the request's id as correlationid; a request
 *    the handler cannot serve gets {"status": "error"} (or "unavailable"
 *    when its backend stayed down for its whole budget), never silence;
 *  - commits: a message's offset is stored only once it is finished: its
 *    reply or dead letter acknowledged by the brokers (acks=all), or, for a
 *    message without a reply, the handler returned (its database
 *    transaction and outbox row committed). Offsets advance over finished
 *    messages in partition order only, so nothing unfinished is ever
 *    committed by a later offset;
 *  - backends that are down: the handler says PC_EUNAVAIL and the message is
 *    retried with backoff; meanwhile the loop keeps polling (so the group
 *    never times the member out) and pauses a partition whose unfinished
 *    work reaches a bound, resuming it from its first undispatched offset;
 *  - rebalances: before a partition moves, the work of it that is running
 *    finishes, its replies are acknowledged, what is finished is committed,
 *    and what has not started is abandoned for the next owner; so one key's
 *    (one NIP's) messages are never handled by two instances at once;
 *  - ordering: a partition always goes to the same worker thread, which
 *    handles its messages one after another (PC_SERVE_ONE) or in batches.
 *
 * Observer mode (spec.observe) is the same loop for a read-only consumer,
 * e.g. pupns-ctl feed, which runs as a regional office's principal that may
 * read the public event topics and write nothing: there is no producer and
 * nothing is ever written; what would be a dead letter (not JSON, not a
 * CloudEvent, oversized, a type no route takes, data the handler refuses)
 * is skipped instead: counted, logged (rate-limited), and committed like a
 * handled message, so it cannot block its partition. Routes have no reply
 * type; a catch-all route (type NULL) hands every type to the handler,
 * which never judges the producer's types (it passes over what it does not
 * know). Commits are as above: an offset is stored only once the handler
 * returned PC_OK for it (e.g. after the line it printed was flushed). Two
 * options serve such tools and work in any mode: spec.rewind (partitions
 * assigned for the first time in this run start at their oldest retained
 * message) and spec.idle_stop_ms (pc_serve_run returns after that long
 * without a message, counted from the last message or assignment, never
 * before the first assignment). A
 * handler may end the loop early with pc_lifecycle_stop() (e.g. after the
 * last message it wants): the message it is handling still finishes and is
 * committed, those not started are left for the next run.
 *
 * Metrics: pupns_serve_messages_total{topic,result},
 * pupns_deadletter_total{topic,reason} and, for an observer,
 * pupns_serve_skipped_total{topic,reason}. See docs/ARCHITECTURE.md. */
#ifndef PUPNS_SERVE_H
#define PUPNS_SERVE_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "envelope.h"
#include "kafka.h"
#include "status.h"

/* Messages larger than this are dead letters (the brokers allow ~1 MB). */
#define PC_SERVE_MAX_BYTES (256 * 1024)
/* Budget of a request that names none. */
#define PC_SERVE_DEFAULT_BUDGET_MS 30000

/* A CloudEvents type the service handles. reply_type NULL: an event or a
 * command without a reply (the message is finished when the handler
 * returns PC_OK). type NULL: a catch-all, taking every type that no other
 * route names (no reply type then). */
typedef struct {
    const char *type;
    const char *reply_type;
} pc_serve_route;

/* One message handed to a batch handler. */
typedef struct {
    const pc_event *ev;        /* decoded envelope; valid during the call */
    const pc_serve_route *route;
    pc_status status;          /* set by the handler, see pc_serve_fn */
    json_t *reply;             /* set by the handler: the reply's data (the loop takes it) */
} pc_serve_item;

/* Handles one message on worker state w. Returns:
 *  PC_OK       done; *reply (when the route has a reply type) is the reply's data,
 *              taken by the loop;
 *  PC_EUNAVAIL a backend is down: the same message comes back after a backoff,
 *              until its budget runs out (then {"status": "unavailable"});
 *  PC_EINVAL   the message is malformed beyond an answer: dead letter, and a
 *              request gets {"status": "error"};
 *  other       failed: a request gets {"status": "error"}; an event is
 *              retried like PC_EUNAVAIL (an event is never dropped). */
typedef pc_status (*pc_serve_fn)(void *w, const pc_event *ev, json_t **reply);

/* Handles n messages at once (e.g. one database query for many look-ups);
 * sets each item's status and reply as pc_serve_fn would. Items that say
 * PC_EUNAVAIL come back in a later call, so their order against the others
 * is not kept: use it only for requests whose order does not matter. */
typedef void (*pc_serve_batch_fn)(void *w, pc_serve_item *items, size_t n);

typedef struct {
    const char *name;                  /* for logs, e.g. "lookups" */
    const char *group;                 /* consumer group id */
    const char *const *topics;
    size_t ntopics;
    const pc_serve_route *routes;
    size_t nroutes;
    pc_serve_fn handle;                /* one of handle and handle_batch */
    pc_serve_batch_fn handle_batch;
    int workers;                       /* threads (>= 1); a partition stays on one */
    int batch_max;                     /* messages per handle_batch call (>= 1) */
    /* Per-worker state (e.g. a database connection); either may be NULL.
     * open returns NULL with errstr set on failure: the service stops and
     * exits non-zero. w is NULL when open is NULL. */
    void *(*worker_open)(void *ctx, int index, char *errstr, size_t errlen);
    void (*worker_close)(void *w);
    void *ctx;
    pc_producer *producer;             /* replies and dead letters (low latency); NULL when observe */
    int observe;                       /* read-only: nothing is written, would-be dead letters are skipped */
    int rewind;                        /* partitions new in this run start at their oldest message */
    long idle_stop_ms;                 /* > 0: return after this long without a message */
} pc_serve_spec;

/* Consumes spec's topics until pc_running() turns false (or idle_stop_ms
 * passes without a message), then finishes the running work, commits what
 * is finished and leaves the group. Runs in the calling thread. PC_OK after
 * a clean stop; PC_EINVAL for a spec it cannot run (a reply type in observer
 * mode or on a catch-all, no producer otherwise), PC_EUNAVAIL when the
 * consumer or a worker could not start, PC_ERROR on a fatal consumer error
 * or after pc_lifecycle_fail (all of them after pc_lifecycle_fail, so the
 * process exits non-zero). */
pc_status pc_serve_run(const pc_config *cfg, const pc_serve_spec *spec);

/* 1 if topic is a reply topic a service may answer on. */
int pc_serve_reply_topic_valid(const char *topic);

#endif
