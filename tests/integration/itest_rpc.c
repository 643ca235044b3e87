/* itest_rpc.c -- request/reply against the real broker and identity service:
 * two independent reply channels (as two gateway instances) under concurrent
 * load each get exactly their own replies; a request nobody answers times out.
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
    unsigned seed;
    atomic_int *wrong, *failed, *good;
} worker_arg;

static void *worker(void *p) {
    worker_arg *a = p;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        a->seed = a->seed * 1103515245u + 12345u;
        const char *nip = nips[(a->seed >> 8) % nnips];
        json_t *data = json_pack("{s:s}", "nip", nip), *reply = NULL;
        pc_status st = pc_rpc_call(a->rpc, PC_TOPIC_IDENTITY_REQUESTS, nip, PC_TYPE_IDENTITY_LOOKUP,
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

    atomic_int wrong = 0, failed = 0, good = 0;
    pthread_t th[2 * THREADS_PER_CHANNEL];
    worker_arg args[2 * THREADS_PER_CHANNEL];
    for (int i = 0; i < 2 * THREADS_PER_CHANNEL; i++) {
        args[i] = (worker_arg){ i % 2 ? b : a, (unsigned)(i * 7919 + 1), &wrong, &failed, &good };
        pthread_create(&th[i], NULL, worker, &args[i]);
    }
    for (int i = 0; i < 2 * THREADS_PER_CHANNEL; i++) pthread_join(th[i], NULL);
    int total = 2 * THREADS_PER_CHANNEL * CALLS_PER_THREAD;
    printf("# %d good, %d wrong, %d failed of %d\n", atomic_load(&good), atomic_load(&wrong),
           atomic_load(&failed), total);
    tap(atomic_load(&good) == total, "every concurrent call got the reply for its own NIP");
    tap(atomic_load(&wrong) == 0, "no call got another call's reply");
    tap(pc_rpc_late_replies(a) == 0 && pc_rpc_late_replies(b) == 0,
        "no channel saw a reply meant for the other");

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

    pc_rpc_free(a);
    pc_rpc_free(b);
    pc_producer_free(p);
    free(nips);
    return 0;
}
