/* feed.c -- pupns-ctl feed: the reference consumer of a regional office.
 *
 * Prints one instansi's public events (pupns.verifier.events,
 * pupns.identity.events, pupns.registration.events) as JSON lines: each line
 * is one CloudEvent, data included. An event belongs to the region by its
 * `instansi` extension attribute, or, for events that carry none
 * (registration.completed.v1), by data.instansi.kode.
 *
 * Offsets live in the consumer group pupns-feed-<KODE>, and an offset is
 * stored only after its event is printed and stdout flushed (events of
 * other regions are stored as soon as they are skipped); stored offsets are
 * committed whenever the brokers have nothing more at once, every
 * COMMIT_EVERY messages, before a rebalance takes partitions away, and at
 * the end. So a feed stopped by SIGINT/SIGTERM and started again reads on
 * with nothing lost and nothing repeated; a feed killed outright repeats at
 * most what it printed since its last commit. An outbox publishes at least
 * once (a producer killed between publishing and marking its row sent
 * publishes the same event again, with the same id): the feed prints an
 * envelope id once however often it arrives, remembering the last
 * SEEN_GENERATION to 2 * SEEN_GENERATION ids it printed (a copy comes
 * seconds after the original). A consumer that keeps state keeps the ids
 * handled with it instead. A group never seen starts at
 * the oldest retained event; --from-beginning sets every partition of the
 * group back to it.
 *
 * An operator tool, not a service: it consumes with librdkafka directly
 * rather than through the serve loop (nothing to answer, nothing to retry). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "ctl.h"
#include "envelope.h"
#include "ids.h"
#include "kafka.h"
#include "lifecycle.h"
#include "log.h"

/* pupns.verifier.events (the verifier service's): named here too so the
 * feed builds and runs on a tree or a stack from before it. */
#ifndef PC_TOPIC_VERIFIER_EVENTS
#define PC_TOPIC_VERIFIER_EVENTS "pupns.verifier.events"
#endif

#define POLL_MS 100
#define SEEN_GENERATION 50000
#define COMMIT_EVERY 100
#define KODE_MAX 16

typedef struct {
    const char *instansi;
    int from_beginning;
    long max;          /* events to print, then stop; 0: no limit */
    long idle_exit_ms; /* stop after this long without a message; 0: never */
    int64_t active_us; /* the last message or assignment (monotonic), for idle_exit_ms */
    /* Partitions set back to the start in this run (--from-beginning): a
     * partition that comes back after a rebalance keeps its progress. */
    rd_kafka_topic_partition_list_t *reset;
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

static int kode_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > KODE_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'))) return 0;
    return 1;
}

/* Commits the stored offsets; 0 ok (or nothing to commit), -1 failed. */
static int commit(rd_kafka_t *rk) {
    rd_kafka_resp_err_t err = rd_kafka_commit(rk, NULL, 0);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return 0;
    PC_WARN("feed: commit failed: %s", rd_kafka_err2str(err));
    return -1;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    feed *f = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; f->from_beginning && i < parts->cnt; i++) {
            rd_kafka_topic_partition_t *p = &parts->elems[i];
            if (rd_kafka_topic_partition_list_find(f->reset, p->topic, p->partition)) continue;
            p->offset = RD_KAFKA_OFFSET_BEGINNING;
            rd_kafka_topic_partition_list_add(f->reset, p->topic, p->partition);
        }
        rd_kafka_assign(rk, parts);
        /* Joining a group takes seconds: idleness counts from here. */
        f->active_us = pc_mono_us();
    } else {
        /* What was printed stays printed: commit it before another member
         * (or this one, later) is handed the partitions. */
        commit(rk);
        rd_kafka_assign(rk, NULL);
    }
}

static rd_kafka_t *consumer_new(const pc_config *cfg, feed *f, char *errstr, size_t errlen) {
    char group[32 + KODE_MAX];
    snprintf(group, sizeof group, "pupns-feed-%s", f->instansi);
    const char *kv[] = {
        "bootstrap.servers", cfg->kafka_brokers,
        "client.id", cfg->instance_id,
        "group.id", group,
        "enable.auto.commit", "false",
        "enable.auto.offset.store", "false",
        "auto.offset.reset", "earliest",
        "isolation.level", "read_committed",
        "fetch.wait.max.ms", "100",
        NULL,
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (pc_kafka_conf_apply(conf, kv, errstr, errlen) != PC_OK ||
        pc_kafka_conf_auth(conf, cfg, errstr, errlen) != PC_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_conf_set_error_cb(conf, pc_kafka_error_cb);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_opaque(conf, f);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errlen);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    size_t n = sizeof TOPICS / sizeof TOPICS[0];
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++) rd_kafka_topic_partition_list_add(subs, TOPICS[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (err) {
        snprintf(errstr, errlen, "subscribe: %s", rd_kafka_err2str(err));
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

/* The instansi kode an event belongs to, or NULL. */
static const char *region_of(const pc_event *ev) {
    const char *kode = pc_event_get_ext(ev, PC_EXT_INSTANSI);
    if (kode) return kode;
    return json_string_value(json_object_get(json_object_get(ev->data, "instansi"), "kode"));
}

/* Handles one message: 1 printed, 0 skipped (another region's, a copy of
 * one printed, or not an event), -1 stdout failed (nothing stored: the
 * event comes again). */
static int handle(feed *f, const rd_kafka_message_t *m) {
    pc_event ev;
    char why[128];
    if (pc_event_decode(m->payload, m->len, &ev, why, sizeof why) != PC_OK) {
        PC_WARN("feed: %s [%d] offset %lld is not a CloudEvent (%s); skipped", rd_kafka_topic_name(m->rkt),
                (int)m->partition, (long long)m->offset, why);
        return 0;
    }
    const char *kode = region_of(&ev);
    int mine = kode && strcmp(kode, f->instansi) == 0, rc = 0;
    if (mine && !seen_before(f, ev.id)) {
        char *line = json_dumps(ev.root, JSON_COMPACT);
        rc = line && printf("%s\n", line) >= 0 && fflush(stdout) == 0 && remember(f, ev.id) == 0 ? 1 : -1;
        free(line);
    }
    pc_event_clear(&ev);
    return rc;
}

/* Stores m's offset for the next commit: the group reads on after it. */
static void store(rd_kafka_t *rk, const rd_kafka_message_t *m) {
    rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(one, rd_kafka_topic_name(m->rkt), m->partition)->offset = m->offset + 1;
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk, one);
    if (err) PC_WARN("feed: storing an offset failed: %s", rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(one);
}

/* The consume loop; returns the exit status. */
static int run(rd_kafka_t *rk, feed *f) {
    long printed = 0, uncommitted = 0;
    f->active_us = pc_mono_us();
    int rc = 0, warned_topic = 0;
    while (pc_running() && !pc_lifecycle_failed()) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, POLL_MS);
        if (!m) {
            if (uncommitted && commit(rk) == 0) uncommitted = 0;
            if (f->idle_exit_ms && pc_mono_us() - f->active_us >= f->idle_exit_ms * 1000) break;
            continue;
        }
        if (m->err) {
            /* A topic not made yet (e.g. a stack older than the verifier)
             * is followed once it exists; other errors librdkafka retries. */
            if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
                if (!warned_topic++) PC_WARN("feed: %s", rd_kafka_message_errstr(m));
            } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                PC_WARN("feed: %s", rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(m);
            continue;
        }
        f->active_us = pc_mono_us();
        int h = handle(f, m);
        if (h < 0) {
            PC_ERROR("feed: writing to stdout failed (%s); stopping", strerror(errno));
            rd_kafka_message_destroy(m);
            rc = 1;
            break;
        }
        store(rk, m);
        rd_kafka_message_destroy(m);
        printed += h;
        if (++uncommitted >= COMMIT_EVERY && commit(rk) == 0) uncommitted = 0;
        if (f->max && printed >= f->max) break;
    }
    if (commit(rk) != 0) rc = 1;
    return pc_lifecycle_failed() ? 1 : rc;
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
    for (int i = 0; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--instansi") == 0 && next) f.instansi = argv[++i];
        else if (strcmp(argv[i], "--from-beginning") == 0) f.from_beginning = 1;
        else if (strcmp(argv[i], "--max") == 0 && (f.max = count_arg(next)) >= 0) i++;
        else if (strcmp(argv[i], "--idle-exit") == 0 && (f.idle_exit_ms = count_arg(next)) >= 0) {
            f.idle_exit_ms *= 1000;
            i++;
        } else return usage();
    }
    if (!kode_valid(f.instansi)) {
        fprintf(stderr, "pupns-ctl: feed: --instansi needs an instansi kode such as K3507\n");
        return 2;
    }
    if (pc_lifecycle_init() != PC_OK) return 1;
    char err[512];
    f.reset = rd_kafka_topic_partition_list_new(16);
    f.seen = json_object();
    rd_kafka_t *rk = consumer_new(cfg, &f, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "pupns-ctl: feed: %s\n", err);
        rd_kafka_topic_partition_list_destroy(f.reset);
        json_decref(f.seen);
        return 1;
    }
    PC_INFO("feed: instansi %s, group pupns-feed-%s%s", f.instansi, f.instansi,
            f.from_beginning ? ", from the beginning" : "");
    int rc = run(rk, &f);
    rd_kafka_consumer_close(rk); /* leaves the group; the offsets are committed */
    rd_kafka_destroy(rk);
    rd_kafka_topic_partition_list_destroy(f.reset);
    json_decref(f.seen);
    json_decref(f.seen_old);
    return rc;
}
