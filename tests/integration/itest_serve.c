/* itest_serve.c -- the serve loop against the real broker and services:
 * poison on every consumed topic (not JSON, not a CloudEvent, oversized,
 * unknown type, a replyto outside the reply topics, malformed data) goes to
 * pupns.deadletter with its reason and never blocks its partition: a valid
 * request with the same key right after is answered; a replyto naming a
 * topic that does not exist stalls nothing; nothing is ever published on a
 * topic a request merely names.
 *
 * Then the loop's observer mode (a read-only consumer, as pupns-ctl feed
 * runs): poison and a type the handler refuses are skipped, never written to
 * pupns.deadletter; a named route and the catch-all get every other type;
 * the loop returns after idle_stop_ms; a second run of the group reads on
 * (nothing again), a run with rewind reads everything again; a spec with a
 * reply route is refused.
 *
 *   itest_serve NIPS_FILE   (uses the file's last NIPs; env PUPNS_KAFKA_BROKERS)
 * Prints TAP lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "contract.h"
#include "deadletter.h"
#include "envelope.h"
#include "ids.h"
#include "kafka.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "rpc.h"
#include "serve.h"

#define ANSWER_MS 10000
#define OVERSIZED (300 * 1024)

static int tap_n;
static void tap(int ok, const char *name) {
    printf("%sok %d - %s\n", ok ? "" : "not ", ++tap_n, name);
    fflush(stdout);
}

typedef struct {
    const char *topic;
    const char *type;        /* a request type the topic's service handles */
    const char *data;        /* JSON of a valid request's data ("nip" becomes the key) */
    const char *answered_by; /* a member every answer to it has */
} consumed_topic;

static const consumed_topic TOPICS[] = {
    { PC_TOPIC_IDENTITY_REQUESTS, PC_TYPE_IDENTITY_LOOKUP, "{\"nip\":\"\"}", "status" },
    { PC_TOPIC_IDENTITY_COMMANDS, PC_TYPE_IDENTITY_CORRECTION_SUBMIT, "{\"nip\":\"\"}", "status" },
    { PC_TOPIC_CAPTCHA_REQUESTS, PC_TYPE_CAPTCHA_ISSUE, "{}", "id" },
    { PC_TOPIC_REG_COMMANDS, PC_TYPE_REG_LOGIN,
      "{\"nip\":\"\",\"token_hash\":\"00000000000000000000000000000000000000000000000000000000000000\","
      "\"sealed\":{\"password\":\"AAAA\"}}",
      "status" },
    { PC_TOPIC_REG_QUERIES, PC_TYPE_REG_STATUS, "{\"nip\":\"\"}", "registered" },
};
#define NTOPICS (sizeof TOPICS / sizeof TOPICS[0])

static const char *const REASONS[] = { "not_json", "bad_envelope", "oversized", "unknown_type", "bad_replyto" };
#define NREASONS (sizeof REASONS / sizeof REASONS[0])

static char last_nips[NTOPICS][19];

static int load_nips(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[64], ring[NTOPICS][19];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strlen(line) == 18) memcpy(ring[n++ % NTOPICS], line, 19);
    }
    fclose(f);
    for (size_t i = 0; i < NTOPICS && n >= NTOPICS; i++) memcpy(last_nips[i], ring[i], 19);
    return n >= NTOPICS ? 0 : -1;
}

/* A valid request's data for t, about key. */
static json_t *data_of(const consumed_topic *t, const char *key) {
    json_t *data = json_loads(t->data, 0, NULL);
    if (json_object_get(data, "nip")) json_object_set_new(data, "nip", json_string(key));
    return data ? data : json_object();
}

/* A CloudEvent text of type with data (taken), replyto and a budget. */
static char *request(const char *type, json_t *data, const char *replyto, char id[PC_UUID_LEN]) {
    json_t *ev = pc_event_new(type, NULL, data);
    if (replyto) json_object_set_new(ev, "replyto", json_string(replyto));
    json_object_set_new(ev, "deadline_ms", json_integer(ANSWER_MS));
    if (id) snprintf(id, PC_UUID_LEN, "%s", json_string_value(json_object_get(ev, "id")));
    char *text = pc_event_encode(ev, NULL);
    json_decref(ev);
    return text;
}

static int send_raw(pc_producer *p, const char *topic, const char *key, const void *buf, size_t len) {
    return pc_producer_send(p, topic, RD_KAFKA_PARTITION_UA, key, buf, len, NULL, NULL) == PC_OK;
}

/* Sends every kind of poison to t, keyed by key. */
static int send_poison(pc_producer *p, const consumed_topic *t, const char *key, const char *reply_topic) {
    static const char not_json[] = "\x01\xff{not json";
    static const char not_event[] = "{\"hello\":\"world\"}";
    int ok = send_raw(p, t->topic, key, not_json, sizeof not_json - 1) &&
             send_raw(p, t->topic, key, not_event, sizeof not_event - 1);
    char *big = malloc(OVERSIZED);
    if (big) {
        memset(big, 'x', OVERSIZED);
        ok = ok && send_raw(p, t->topic, key, big, OVERSIZED);
        free(big);
    }
    char *unknown = request("id.go.bkn.pupns.itest.unknown.v1", data_of(t, key), reply_topic, NULL);
    /* A crafted request asking a service to publish onto a public topic. */
    char *hijack = request(t->type, data_of(t, key), PC_TOPIC_REG_EVENTS, NULL);
    ok = ok && unknown && hijack && send_raw(p, t->topic, key, unknown, strlen(unknown)) &&
         send_raw(p, t->topic, key, hijack, strlen(hijack));
    free(unknown);
    free(hijack);
    return ok;
}

/* A plain consumer reading every partition of topic from the start. */
static rd_kafka_t *reader_new(const pc_config *cfg, const char *topic) {
    char err[256];
    const char *kv[] = { "bootstrap.servers", cfg->kafka_brokers, "group.id", "itest-serve-reader",
                         "enable.auto.commit", "false", "enable.partition.eof", "true", NULL };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (pc_kafka_conf_apply(conf, kv, err, sizeof err) != PC_OK || pc_kafka_conf_auth(conf, cfg, err, sizeof err) != PC_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1) {
        if (md) rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        return NULL;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (int i = 0; i < md->topics[0].partition_cnt; i++)
        rd_kafka_topic_partition_list_add(parts, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return rk;
}

/* Dead letters seen per (topic, reason) with key == that topic's key. */
static void read_dead_letters(const pc_config *cfg, int seen[NTOPICS][NREASONS + 1]) {
    rd_kafka_t *rk = reader_new(cfg, PC_TOPIC_DEADLETTER);
    if (!rk) return;
    int64_t until = pc_mono_us() + 20 * 1000000LL;
    while (pc_mono_us() < until) {
        int complete = seen[0][NREASONS] > 0; /* the look-up batch's invalid_data, checked below too */
        for (size_t t = 0; t < NTOPICS; t++)
            for (size_t r = 0; r < NREASONS; r++) complete &= seen[t][r] > 0;
        if (complete) break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        pc_event ev;
        char err[128];
        if (!m->err && pc_event_decode(m->payload, m->len, &ev, err, sizeof err) == PC_OK) {
            const char *topic = json_string_value(json_object_get(ev.data, "topic"));
            const char *reason = json_string_value(json_object_get(ev.data, "reason"));
            const char *key = json_string_value(json_object_get(ev.data, "key"));
            for (size_t t = 0; topic && reason && key && t < NTOPICS; t++) {
                if (strcmp(TOPICS[t].topic, topic) != 0 || strcmp(last_nips[t], key) != 0) continue;
                for (size_t r = 0; r < NREASONS; r++)
                    if (strcmp(REASONS[r], reason) == 0) seen[t][r]++;
                if (strcmp(reason, "invalid_data") == 0) seen[t][NREASONS]++;
            }
            pc_event_clear(&ev);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static int64_t high_watermarks(const pc_config *cfg, const char *topic) {
    rd_kafka_t *rk = reader_new(cfg, topic);
    if (!rk) return -1;
    int64_t sum = 0;
    for (int part = 0; part < 64; part++) {
        int64_t lo = 0, hi = 0;
        if (rd_kafka_query_watermark_offsets(rk, topic, part, &lo, &hi, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) break;
        sum += hi;
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return sum;
}

/* ---- observer mode ---- */

#define OBS_TOPIC PC_TOPIC_VERIFIER_EVENTS /* read only by regional offices and the feed */
#define OBS_IDLE_MS 3000
#define OBS_OBSERVED "id.go.bkn.pupns.itest.observed.v1"
#define OBS_REFUSED "id.go.bkn.pupns.itest.refused.v1"
#define OBS_OTHER "id.go.bkn.pupns.itest.other.v1"

typedef struct {
    char key[64];
    int observed, refused, other;
} observer;

/* Counts this run's own messages (data.itest == key) by type. */
static pc_status observe(void *w, const pc_event *ev, json_t **reply) {
    (void)reply;
    observer *o = w;
    const char *mark = json_string_value(json_object_get(ev->data, "itest"));
    if (!mark || strcmp(mark, o->key) != 0) return PC_OK;
    if (strcmp(ev->type, OBS_REFUSED) == 0) {
        o->refused++;
        return PC_EINVAL;
    }
    if (strcmp(ev->type, OBS_OBSERVED) == 0) o->observed++;
    else o->other++;
    return PC_OK;
}

static void *observer_open(void *ctx, int index, char *errstr, size_t errlen) {
    (void)index, (void)errstr, (void)errlen;
    return ctx;
}

static const char *const OBS_TOPICS[] = { OBS_TOPIC };
static const pc_serve_route OBS_ROUTES[] = { { OBS_OBSERVED, NULL }, { OBS_REFUSED, NULL }, { NULL, NULL } };

/* One run of the observer loop in group; its counts in *o, its time in *ms. */
static pc_status observer_run(const pc_config *cfg, const char *group, int rewind, observer *o, long *ms) {
    o->observed = o->refused = o->other = 0;
    pc_serve_spec spec = {
        .name = "itest-observer", .group = group,
        .topics = OBS_TOPICS, .ntopics = 1,
        .routes = OBS_ROUTES, .nroutes = sizeof OBS_ROUTES / sizeof OBS_ROUTES[0],
        .handle = observe, .workers = 1,
        .worker_open = observer_open, .ctx = o,
        .observe = 1, .rewind = rewind, .idle_stop_ms = OBS_IDLE_MS,
    };
    int64_t t0 = pc_mono_us();
    pc_status st = pc_serve_run(cfg, &spec);
    *ms = (long)((pc_mono_us() - t0) / 1000);
    return st;
}

/* Records on pupns.deadletter whose key is key (read to the end of every partition). */
static int dead_letters_keyed(const pc_config *cfg, const char *key) {
    rd_kafka_t *rk = reader_new(cfg, PC_TOPIC_DEADLETTER);
    if (!rk) return -1;
    int found = 0, eofs = 0, parts = 0;
    rd_kafka_topic_partition_list_t *assigned = NULL;
    if (rd_kafka_assignment(rk, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) parts = assigned->cnt;
    if (assigned) rd_kafka_topic_partition_list_destroy(assigned);
    int64_t until = pc_mono_us() + 20 * 1000000LL;
    while (eofs < parts && pc_mono_us() < until) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            eofs++;
        } else if (!m->err && m->key_len == strlen(key) && memcmp(m->key, key, m->key_len) == 0) {
            found++;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return eofs == parts && parts > 0 ? found : -1;
}

/* Poison, the three kinds of event, and one more observed after all of them, under one key. */
static int plant_for_observer(pc_producer *p, const char *key) {
    static const char not_json[] = "\x01\xff{not json";
    static const char not_event[] = "{\"hello\":\"world\"}";
    int ok = send_raw(p, OBS_TOPIC, key, not_json, sizeof not_json - 1) &&
             send_raw(p, OBS_TOPIC, key, not_event, sizeof not_event - 1);
    char *big = malloc(OVERSIZED);
    if (big) {
        memset(big, 'x', OVERSIZED);
        ok = ok && send_raw(p, OBS_TOPIC, key, big, OVERSIZED);
        free(big);
    }
    const char *types[] = { OBS_OBSERVED, OBS_REFUSED, OBS_OTHER, OBS_OBSERVED };
    for (size_t i = 0; ok && i < sizeof types / sizeof types[0]; i++) {
        json_t *ev = pc_event_new(types[i], NULL, json_pack("{s:s, s:i}", "itest", key, "n", (int)i));
        char *text = ev ? pc_event_encode(ev, NULL) : NULL;
        ok = text && send_raw(p, OBS_TOPIC, key, text, strlen(text));
        free(text);
        json_decref(ev);
    }
    return ok && pc_producer_flush(p, 10000) == PC_OK;
}

static void observer_checks(const pc_config *cfg, pc_producer *p) {
    char name[256], group[96];
    observer o = { 0 };
    snprintf(o.key, sizeof o.key, "itest-observer-%d", (int)getpid());
    snprintf(group, sizeof group, "itest-serve-observer-%d", (int)getpid());
    tap(plant_for_observer(p, o.key), "observer: poison and four events planted on " OBS_TOPIC " under one key");
    pc_metrics_reset();
    long ms = 0;
    pc_status st = observer_run(cfg, group, 0, &o, &ms);
    printf("# observer: first run %ld ms (idle stop after %d ms)\n", ms, OBS_IDLE_MS);
    tap(st == PC_OK && ms >= OBS_IDLE_MS, "observer: the loop returns PC_OK once idle_stop_ms passed without a message");
    snprintf(name, sizeof name, "observer: a named route and the catch-all get their types, past the poison (observed %d/2, other %d/1)",
             o.observed, o.other);
    tap(o.observed == 2 && o.other == 1, name);
    tap(o.refused == 1, "observer: data the handler refuses (PC_EINVAL) is skipped, not retried");
    char *text = pc_metrics_render();
    int counted = text != NULL;
    const char *reasons[] = { "not_json", "bad_envelope", "oversized", "invalid_data" };
    for (size_t i = 0; counted && i < sizeof reasons / sizeof reasons[0]; i++) {
        snprintf(name, sizeof name, "pupns_serve_skipped_total{topic=\"%s\",reason=\"%s\"}", OBS_TOPIC, reasons[i]);
        counted = strstr(text, name) != NULL;
    }
    tap(counted && !strstr(text, "pupns_deadletter_total"),
        "observer: not JSON, not a CloudEvent, oversized and refused data are counted as skipped, none as a dead letter");
    free(text);
    tap(dead_letters_keyed(cfg, o.key) == 0, "observer: nothing on pupns.deadletter under the planted key");
    st = observer_run(cfg, group, 0, &o, &ms);
    tap(st == PC_OK && o.observed + o.refused + o.other == 0, "observer: the group's next run reads on (none of them again)");
    st = observer_run(cfg, group, 1, &o, &ms);
    tap(st == PC_OK && o.observed == 2 && o.refused == 1 && o.other == 1,
        "observer: a run with rewind reads them all again, once each");
    /* Last: a refused spec marks the process failed, as a service's would. */
    static const pc_serve_route with_reply[] = { { OBS_OBSERVED, "id.go.bkn.pupns.itest.reply.v1" } };
    pc_serve_spec bad = { .name = "itest-bad", .group = group, .topics = OBS_TOPICS, .ntopics = 1, .routes = with_reply,
                          .nroutes = 1, .handle = observe, .workers = 1, .observe = 1 };
    tap(pc_serve_run(cfg, &bad) == PC_EINVAL, "observer: a spec with a reply route is refused (PC_EINVAL)");
}

int main(int argc, char **argv) {
    if (argc < 2 || load_nips(argv[1]) != 0) {
        fprintf(stderr, "usage: itest_serve NIPS_FILE\n");
        return 2;
    }
    pc_log_init("itest", PC_LOG_ERROR);
    pc_ids_init();
    char err[256], instance[64], name[256];
    snprintf(instance, sizeof instance, "itest-serve-%d", (int)getpid());
    setenv("PUPNS_INSTANCE_ID", instance, 1);
    pc_config cfg;
    pc_config_load(&cfg, "itest", err, sizeof err);
    pc_event_set_source("itest", "serve");
    pc_producer *p = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    pc_rpc *rpc = p ? pc_rpc_new(&cfg, p, err, sizeof err) : NULL;
    tap(rpc != NULL, "a reply channel opens");
    if (!rpc) {
        fprintf(stderr, "# %s\n", err);
        return 1;
    }
    int64_t events_before = high_watermarks(&cfg, PC_TOPIC_REG_EVENTS);

    for (size_t t = 0; t < NTOPICS; t++) {
        const consumed_topic *ct = &TOPICS[t];
        const char *key = last_nips[t];
        snprintf(name, sizeof name, "poison of every kind is accepted by the broker on %s", ct->topic);
        tap(send_poison(p, ct, key, pc_rpc_reply_topic(rpc)), name);
        json_t *data = data_of(ct, key), *reply = NULL;
        pc_status st = pc_rpc_call(rpc, ct->topic, key, ct->type, data, ANSWER_MS, &reply);
        snprintf(name, sizeof name, "a valid request right after the poison on %s is answered", ct->topic);
        tap(st == PC_OK && json_object_get(reply, ct->answered_by), name);
        if (st != PC_OK) printf("#   status %s\n", pc_status_name(st));
        json_decref(reply);
        json_decref(data);
    }

    /* Malformed data in a valid envelope: a dead letter, and an error reply instead of silence. */
    json_t *bad = json_pack("{s:s}", "items", "not a list"), *reply = NULL;
    pc_status st = pc_rpc_call(rpc, PC_TOPIC_IDENTITY_REQUESTS, last_nips[0], PC_TYPE_IDENTITY_LOOKUP_BATCH, bad,
                               ANSWER_MS, &reply);
    const char *status = json_string_value(json_object_get(reply, "status"));
    tap(st == PC_OK && status && strcmp(status, "error") == 0,
        "a request with malformed data gets an error reply, not silence");
    json_decref(reply);
    json_decref(bad);

    /* A reply topic that does not exist: the reply is lost, the next request is not held up. */
    for (size_t t = 0; t < NTOPICS; t += 2) {
        char missing[128];
        snprintf(missing, sizeof missing, "%smissing-%d", PC_TOPIC_REPLY_PREFIX, (int)getpid());
        char *text = request(TOPICS[t].type, data_of(&TOPICS[t], last_nips[t]), missing, NULL);
        send_raw(p, TOPICS[t].topic, last_nips[t], text, strlen(text));
        free(text);
        json_t *data = data_of(&TOPICS[t], last_nips[t]);
        reply = NULL;
        int64_t t0 = pc_mono_us();
        st = pc_rpc_call(rpc, TOPICS[t].topic, last_nips[t], TOPICS[t].type, data, ANSWER_MS, &reply);
        printf("# %s: answered %lld ms after a request naming a missing reply topic\n", TOPICS[t].topic,
               (long long)(pc_mono_us() - t0) / 1000);
        snprintf(name, sizeof name, "a replyto naming a missing topic does not stall %s", TOPICS[t].topic);
        tap(st == PC_OK, name);
        json_decref(reply);
        json_decref(data);
    }

    int seen[NTOPICS][NREASONS + 1];
    memset(seen, 0, sizeof seen);
    read_dead_letters(&cfg, seen);
    for (size_t t = 0; t < NTOPICS; t++) {
        for (size_t r = 0; r < NREASONS; r++) {
            snprintf(name, sizeof name, "%s: a %s message is on %s with its reason", TOPICS[t].topic, REASONS[r],
                     PC_TOPIC_DEADLETTER);
            tap(seen[t][r] > 0, name);
        }
    }
    tap(seen[0][NREASONS] > 0, "the malformed look-up batch is a dead letter too (invalid_data)");
    tap(events_before >= 0 && high_watermarks(&cfg, PC_TOPIC_REG_EVENTS) == events_before,
        "no service published onto pupns.registration.events because a request named it");

    observer_checks(&cfg, p);

    pc_rpc_free(rpc);
    pc_producer_free(p);
    printf("1..%d\n", tap_n);
    return 0;
}
