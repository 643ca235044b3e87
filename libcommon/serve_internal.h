/* serve_internal.h -- what the serve loop's three files share: the entry
 * of a message (serve_answer.c answers it, serve_worker.c runs it,
 * serve.c tracks it in its partition and commits it). Not for services.
 *
 * An entry's state moves QUEUED -> RUNNING -> SENDING -> DONE; the delivery
 * report of its reply (or dead letter) makes it DONE, or FAILED, which the
 * poller re-sends while the request's budget lasts. ABANDONED: left
 * unfinished (stop, revoke) for the partition's next owner. */
#ifndef PUPNS_SERVE_INTERNAL_H
#define PUPNS_SERVE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "serve.h"

enum { E_QUEUED, E_RUNNING, E_SENDING, E_DONE, E_FAILED, E_ABANDONED };

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000

struct part;
struct serve;

typedef struct entry {
    struct part *part;
    int64_t offset;
    pc_event ev;                   /* empty for dead letters */
    const pc_serve_route *route;   /* NULL for dead letters */
    int64_t deadline_us;           /* monotonic; 0: none (events, dead letters) */
    atomic_int state;
    /* The message being delivered for it, kept for a re-send. */
    char *out_topic, *out_key, *out;
    size_t out_len;
    int32_t out_partition;
    int resends;
    int64_t retry_at_us;
    struct entry *next;            /* partition FIFO (poller) */
    struct entry *wnext;           /* worker queue (under the worker's lock) */
} entry;

typedef struct part {
    struct serve *s;
    char *topic;
    int32_t partition;
    entry *head, *tail;            /* unfinished and finished-but-unstored, in offset order */
    int count;
    int64_t next_offset;           /* first offset not yet taken in; -1 unknown */
    int held;                      /* paused: messages at or past next_offset are dropped */
    atomic_int revoked;
    int worker;
    struct part *next;
} part;

typedef struct worker {
    struct serve *s;
    int index;
    pthread_t thread;
    void *state;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    entry *head, *tail;
    int stopping;
} worker;

typedef struct serve {
    const pc_config *cfg;
    const pc_serve_spec *spec;
    rd_kafka_t *rk;
    part *parts;
    part *zombies;                 /* revoked, with deliveries still outstanding */
    worker *workers;
    int nworkers;
    int part_max;
    atomic_int resend_due;
    atomic_int bad_replyto_logged;
    atomic_long dead_letters;      /* and, in observer mode, skipped messages */
    atomic_int stop;               /* the loop itself ends (idle_stop_ms), not the process */
    int64_t active_us;             /* last message taken in or partitions assigned (monotonic); 0: none yet */
    rd_kafka_topic_partition_list_t *rewound; /* spec->rewind: partitions set back in this run */
} serve;

/* 1 while the loop serves: the process runs and the loop was not ended. */
int pc__serve_on(serve *s);

/* serve_answer.c */
void pc__serve_count(const char *topic, const char *result);
void pc__serve_entry_free(entry *e);
/* (Re-)sends e's output; e becomes SENDING, then DONE or FAILED. */
void pc__serve_send(serve *s, entry *e);
/* Dead letter for e: tracked (e finishes when the brokers have it) or, as a
 * copy beside a reply, fire-and-forget. raw may be NULL (then e's event).
 * In observer mode nothing is written: e is skipped (counted, finished). */
void pc__serve_dead_letter(serve *s, entry *e, const char *reason, const char *detail, const void *raw,
                           size_t raw_len, const char *key, int tracked);
/* The handler is done with e (status st, reply data taken): answer,
 * dead-letter or finish it. */
void pc__serve_finish(serve *s, entry *e, pc_status st, json_t *data);

/* serve_worker.c */
void pc__serve_worker_push(worker *w, entry *e);
/* Takes the not-yet-started entries of revoked parts (all, when stopping)
 * out of every worker's queue, as ABANDONED. */
void pc__serve_workers_drop_revoked(serve *s);
/* Opens every worker's state and starts its thread; returns how many started. */
int pc__serve_workers_start(serve *s);
void pc__serve_workers_stop(serve *s, int started);

#endif
