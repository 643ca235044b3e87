/* itest_rpc.c -- request/reply against the real broker and identity service:
 * two independent reply channels (as two gateway instances) under concurrent
 * load each get exactly their own replies, by single calls and by batched
 * ones (pc_rpc_call_batched, the path the gateway's look-ups take); a
 * request nobody answers times out, batched or not.
 *
 *   itest_rpc NIPS_FILE     (one known NIP per line; env PUPNS_KAFKA_BROKERS)
 * Prints TAP lines. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "kafka.h"
#include "log.h"
#include "rpc.h"

#define THREADS_PER_CHANNEL 8
#define CALLS_PER_THREAD 60

static char (*nips)[19];
static size_t nnips;
static int tap_n;

static void tap(int ok, const char *name) { printf("%sok %d - %s\n", ok ? "" : "not ", ++tap_n, name); }

typedef struct {
    pc_rpc *rpc;
    int batched;
    unsigned seed;
    atomic_int *wrong, *failed, *good;
} worker_arg;

static void *worker(void *p) {
    worker_arg *a = p;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        a->seed = a->seed * 1103515245u + 12345u;
        const char *nip = nips[(a->seed >> 8) % nnips];
        json_t *data = json_pack("{s:s}", "nip", nip), *reply = NULL;
        pc_status st = a->batched ? pc_rpc_call_batched(a->rpc, PC_TOPIC_IDENTITY_REQUESTS,
                                                        PC_TYPE_IDENTITY_LOOKUP_BATCH, data, 10000, &reply)
                                  : pc_rpc_call(a->rpc, PC_TOPIC_IDENTITY_REQUESTS, nip, PC_TYPE_IDENTITY_LOOKUP,
                                                data, 10000, &reply);
        json_decref(data);
        const char *got = json_string_value(json_object_get(json_object_get(reply, "pns"), "nip"));
        if (st != PC_OK) atomic_fetch_add(a->failed, 1);
        else if (!got || strcmp(got, nip) != 0) atomic_fetch_add(a->wrong, 1);
        else atomic_fetch_add(a->good, 1);
        json_decref(reply);
    }
    return NULL;
}

static int load_nips(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[64];
    size_t cap = 1024;
    nips = malloc(cap * sizeof *nips);
    while (nips && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strlen(line) != 18) continue;
        if (nnips == cap) {
            void *grown = realloc(nips, (cap *= 2) * sizeof *nips);
            if (!grown) break;
            nips = grown;
        }
        memcpy(nips[nnips++], line, 19);
    }
    fclose(f);
    return nnips ? 0 : -1;
}

static pc_rpc *channel(const char *instance, pc_producer *p) {
    pc_config cfg;
    char err[256];
    setenv("PUPNS_INSTANCE_ID", instance, 1);
    pc_config_load(&cfg, "itest", err, sizeof err);
    pc_rpc *r = pc_rpc_new(&cfg, p, err, sizeof err);
    if (!r) fprintf(stderr, "# %s: %s\n", instance, err);
    return r;
}

int main(int argc, char **argv) {
    if (argc < 2 || load_nips(argv[1]) != 0) {
        fprintf(stderr, "usage: itest_rpc NIPS_FILE\n");
        return 2;
    }
    pc_log_init("itest", PC_LOG_WARN);
    pc_ids_init();
    char err[256], instance[64];
    pc_config cfg;
    pc_config_load(&cfg, "itest", err, sizeof err);
    pc_event_set_source("itest", "rpc");
    pc_producer *p = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    snprintf(instance, sizeof instance, "itest-a-%d", (int)getpid());
    pc_rpc *a = p ? channel(instance, p) : NULL;
    snprintf(instance, sizeof instance, "itest-b-%d", (int)getpid());
    pc_rpc *b = p ? channel(instance, p) : NULL;
    tap(a && b, "two reply channels open");
    if (!a || !b) return 1;

    for (int batched = 0; batched <= 1; batched++) {
        atomic_int wrong = 0, failed = 0, good = 0;
        pthread_t th[2 * THREADS_PER_CHANNEL];
        worker_arg args[2 * THREADS_PER_CHANNEL];
        long late_before = pc_rpc_late_replies(a) + pc_rpc_late_replies(b);
        for (int i = 0; i < 2 * THREADS_PER_CHANNEL; i++) {
            args[i] = (worker_arg){ i % 2 ? b : a, batched, (unsigned)(i * 7919 + 1 + batched), &wrong, &failed,
                                    &good };
            pthread_create(&th[i], NULL, worker, &args[i]);
        }
        for (int i = 0; i < 2 * THREADS_PER_CHANNEL; i++) pthread_join(th[i], NULL);
        int total = 2 * THREADS_PER_CHANNEL * CALLS_PER_THREAD;
        const char *how = batched ? "batched" : "single";
        printf("# %s: %d good, %d wrong, %d failed of %d\n", how, atomic_load(&good), atomic_load(&wrong),
               atomic_load(&failed), total);
        char name[160];
        snprintf(name, sizeof name, "%s calls: every concurrent call got the reply for its own NIP", how);
        tap(atomic_load(&good) == total, name);
        snprintf(name, sizeof name, "%s calls: no call got another call's reply", how);
        tap(atomic_load(&wrong) == 0, name);
        snprintf(name, sizeof name, "%s calls: no channel saw a reply meant for the other", how);
        tap(pc_rpc_late_replies(a) + pc_rpc_late_replies(b) == late_before, name);
    }

    /* One batch holding a known and an unknown NIP: each caller gets its own answer. */
    {
        json_t *known = json_pack("{s:s}", "nip", nips[0]), *unknown = json_pack("{s:s}", "nip", "199901012020011999");
        json_t *r1 = NULL, *r2 = NULL;
        pc_status s1 = pc_rpc_call_batched(a, PC_TOPIC_IDENTITY_REQUESTS, PC_TYPE_IDENTITY_LOOKUP_BATCH, known,
                                           10000, &r1);
        pc_status s2 = pc_rpc_call_batched(a, PC_TOPIC_IDENTITY_REQUESTS, PC_TYPE_IDENTITY_LOOKUP_BATCH, unknown,
                                           10000, &r2);
        const char *got = json_string_value(json_object_get(json_object_get(r1, "pns"), "nip"));
        tap(s1 == PC_OK && got && strcmp(got, nips[0]) == 0 && s2 == PC_OK && !json_object_get(r2, "pns") &&
                !json_object_get(r2, "id"),
            "a batched call for an unknown NIP gets its own answer without a PNS, and no batch id leaks");
        json_decref(known);
        json_decref(unknown);
        json_decref(r1);
        json_decref(r2);
    }

    /* Nobody consumes this topic: the call must end as a timeout, not hang. */
    pc_kafka_create_topic(p, &(pc_topic_spec){ "pupns.itest.void", 1, 1, 0, 60000 }, NULL, err,
                          sizeof err);
    json_t *data = json_pack("{s:s}", "nip", nips[0]), *reply = NULL;
    int64_t t0 = pc_mono_us();
    pc_status st = pc_rpc_call(a, "pupns.itest.void", nips[0], PC_TYPE_IDENTITY_LOOKUP, data, 300, &reply);
    int64_t took_ms = (pc_mono_us() - t0) / 1000;
    json_decref(data);
    printf("# unanswered call returned after %lld ms\n", (long long)took_ms);
    tap(st == PC_ETIMEDOUT && reply == NULL, "an unanswered request times out");
    data = json_pack("{s:s}", "nip", nips[0]);
    st = pc_rpc_call_batched(b, "pupns.itest.void", PC_TYPE_IDENTITY_LOOKUP_BATCH, data, 300, &reply);
    json_decref(data);
    tap(st == PC_ETIMEDOUT && reply == NULL, "an unanswered batched request times out");

    pc_rpc_free(a);
    pc_rpc_free(b);
    pc_producer_free(p);
    free(nips);
    printf("1..%d\n", tap_n);
    return 0;
}
