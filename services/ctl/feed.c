/* feed.c -- pupns-ctl feed: the reference consumer of a regional office.
 *
 * Prints one instansi's public events (pupns.verifier.events,
 * pupns.identity.events, pupns.registration.events) as JSON lines: each line
 * is one CloudEvent, data included, whatever its type (a new type of the
 * region is printed too; the feed does not judge the producers' types). An
 * event belongs to the region by its `instansi` extension attribute, or,
 * for events that carry none (registration.completed.v1), by
 * data.instansi.kode.
 *
 * It runs on libcommon's serve loop in observer mode (serve.h), as the
 * regional principal may read these topics and write nothing: one worker
 * (so lines never interleave), a catch-all route, and what is not a
 * CloudEvent skipped and counted, never dead-lettered. Offsets live in the
 * consumer group pupns-feed-<KODE>; the loop stores an offset only after
 * the handler returned, and the handler returns only after the event's line
 * is printed and stdout flushed (events of other regions return at once).
 * The loop commits stored offsets every 200 ms, before a rebalance takes
 * partitions away, and at the end. So a feed stopped by SIGINT/SIGTERM and
 * started again reads on with nothing lost and nothing repeated; a feed
 * killed outright repeats at most what it printed since the last commit.
 * An outbox publishes at least once (a producer killed between publishing
 * and marking its row sent publishes the same event again, with the same
 * id): the feed prints an envelope id once however often it arrives,
 * remembering the last SEEN_GENERATION to 2 * SEEN_GENERATION ids it
 * printed (a copy comes seconds after the original). A consumer that keeps
 * state keeps the ids handled with it instead. A group never seen starts
 * at the oldest retained event; --from-beginning (the loop's rewind) sets
 * every partition back to it once per run. --max stops after N lines,
 * --idle-exit after S seconds without a message (the loop's idle stop). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "ctl.h"
#include "envelope.h"
#include "lifecycle.h"
#include "log.h"
#include "serve.h"

/* pupns.verifier.events (the verifier service's): named here too so the
 * feed builds and runs on a tree or a stack from before it. */
#ifndef PC_TOPIC_VERIFIER_EVENTS
#define PC_TOPIC_VERIFIER_EVENTS "pupns.verifier.events"
#endif

#define SEEN_GENERATION 50000
#define KODE_MAX 16

typedef struct {
    const char *instansi;
    long max;     /* events to print, then stop; 0: no limit */
    long printed;
    /* Envelope ids printed: two generations of jansson objects used as
     * hash sets; when the newer is full the older is dropped. */
    json_t *seen, *seen_old;
} feed;

static int seen_before(const feed *f, const char *id) {
    return json_object_get(f->seen, id) || json_object_get(f->seen_old, id);
}

/* Remembers a printed id; 0, or -1 when out of memory. */
static int remember(feed *f, const char *id) {
    if (json_object_size(f->seen) >= SEEN_GENERATION) {
        json_decref(f->seen_old);
        f->seen_old = f->seen;
        f->seen = json_object();
    }
    return f->seen && json_object_set_new(f->seen, id, json_true()) == 0 ? 0 : -1;
}

static const char *const TOPICS[] = { PC_TOPIC_VERIFIER_EVENTS, PC_TOPIC_IDENTITY_EVENTS, PC_TOPIC_REG_EVENTS };

/* Every type: the region's events are printed whatever they are. */
static const pc_serve_route ROUTES[] = { { NULL, NULL } };

static int kode_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > KODE_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))) return 0;
    return 1;
}

/* The instansi kode an event belongs to, or NULL. */
static const char *region_of(const pc_event *ev) {
    const char *kode = pc_event_get_ext(ev, PC_EXT_INSTANSI);
    if (kode) return kode;
    return json_string_value(json_object_get(json_object_get(ev->data, "instansi"), "kode"));
}

/* The one worker's state is the feed itself. */
static void *feed_open(void *ctx, int index, char *errstr, size_t errlen) {
    (void)index, (void)errstr, (void)errlen;
    return ctx;
}

/* Prints ev if it is the region's and not printed before. PC_OK once its
 * line is flushed (or it is another region's, or a copy): the loop may
 * commit it. When stdout fails the feed stops, exit status 1, with the
 * event unfinished, so it is not committed and the next run prints it. */
static pc_status on_event(void *w, const pc_event *ev, json_t **reply) {
    (void)reply;
    feed *f = w;
    const char *kode = region_of(ev);
    if (!kode || strcmp(kode, f->instansi) != 0 || seen_before(f, ev->id)) return PC_OK;
    char *line = json_dumps(ev->root, JSON_COMPACT);
    int ok = line && printf("%s\n", line) >= 0 && fflush(stdout) == 0 && remember(f, ev->id) == 0;
    free(line);
    if (!ok) {
        pc_lifecycle_fail_because("feed: writing to stdout failed (%s)", strerror(errno));
        return PC_EUNAVAIL; /* abandoned by the stopping loop, never stored */
    }
    if (f->max && ++f->printed >= f->max) pc_lifecycle_stop(); /* this one is still committed */
    return PC_OK;
}

static int usage(void) {
    fprintf(stderr, "usage: pupns-ctl feed --instansi KODE [--from-beginning] [--max N] [--idle-exit SECONDS]\n");
    return 2;
}

/* A whole non-negative number, or -1. */
static long count_arg(const char *s) {
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : -1;
    return s && *s && !*end && errno == 0 && v >= 0 ? v : -1;
}

int ctl_feed(const pc_config *cfg, int argc, char **argv) {
    feed f = { 0 };
    int from_beginning = 0;
    long idle_exit_s = 0;
    for (int i = 0; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--instansi") == 0 && next) f.instansi = argv[++i];
        else if (strcmp(argv[i], "--from-beginning") == 0) from_beginning = 1;
        else if (strcmp(argv[i], "--max") == 0 && (f.max = count_arg(next)) >= 0) i++;
        else if (strcmp(argv[i], "--idle-exit") == 0 && (idle_exit_s = count_arg(next)) >= 0 &&
                 idle_exit_s <= LONG_MAX / 1000) i++;
        else return usage();
    }
    if (!kode_valid(f.instansi)) {
        fprintf(stderr, "pupns-ctl: feed: --instansi needs an instansi kode such as K3507\n");
        return 2;
    }
    if (pc_lifecycle_init() != PC_OK) return 1;
    char group[32 + KODE_MAX];
    snprintf(group, sizeof group, "pupns-feed-%s", f.instansi);
    f.seen = json_object();
    pc_serve_spec spec = {
        .name = "feed",
        .group = group,
        .topics = TOPICS,
        .ntopics = sizeof TOPICS / sizeof TOPICS[0],
        .routes = ROUTES,
        .nroutes = sizeof ROUTES / sizeof ROUTES[0],
        .handle = on_event,
        .workers = 1,
        .worker_open = feed_open,
        .ctx = &f,
        .observe = 1,
        .rewind = from_beginning,
        .idle_stop_ms = idle_exit_s * 1000,
    };
    PC_INFO("feed: instansi %s, group %s%s", f.instansi, group, from_beginning ? ", from the beginning" : "");
    pc_status st = pc_serve_run(cfg, &spec);
    json_decref(f.seen);
    json_decref(f.seen_old);
    return st == PC_OK ? 0 : 1;
}
