/* itest_producer.c -- the producer's re-creation after a fatal idempotence
 * error, against the real broker: every message's owner hears back (failure
 * for the purged ones), the fresh producer delivers, and senders hammering
 * the producer from many threads do not keep the re-creation from its lock.
 *
 *   itest_producer [NIPS_FILE]   (the file is ignored; env PUPNS_KAFKA_BROKERS)
 * The fatal error is librdkafka's own test hook (rd_kafka_test_fatal_error).
 * Prints TAP lines and figures. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ids.h"
#include "kafka.h"
#include "log.h"
#include "topics.h"

#define TOPIC "pupns.itest.producer"
#define MESSAGES 20000
#define SENDERS 8

static int tap_n;
static void tap(int ok, const char *name) { printf("%sok %d - %s\n", ok ? "" : "not ", ++tap_n, name); }

static atomic_int delivered, failed;
static atomic_int hammering;

static void on_report(void *opaque, pc_status st) {
    (void)opaque;
    atomic_fetch_add(st == PC_OK ? &delivered : &failed, 1);
}

static void make_fatal(pc_producer *p) {
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_test_fatal_error(rk, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "itest");
    pc_producer_release(p);
}

/* Waits up to ms for pred; returns the ms it took, or -1. */
static long wait_for(int (*pred)(pc_producer *), pc_producer *p, long ms) {
    int64_t t0 = pc_mono_us();
    while (!pred(p)) {
        if ((pc_mono_us() - t0) / 1000 > ms) return -1;
        usleep(1000);
    }
    return (long)((pc_mono_us() - t0) / 1000);
}

static atomic_int expected;
static int all_reported(pc_producer *p) {
    (void)p;
    return atomic_load(&delivered) + atomic_load(&failed) >= atomic_load(&expected);
}
static int healthy(pc_producer *p) { return !pc_producer_broken(p); }
static int broken(pc_producer *p) { return pc_producer_broken(p); }

static void *sender(void *arg) {
    pc_producer *p = arg;
    while (atomic_load(&hammering)) {
        atomic_fetch_add(&expected, 1);
        if (pc_producer_send(p, TOPIC, RD_KAFKA_PARTITION_UA, "k", "x", 1, on_report, NULL) != PC_OK)
            atomic_fetch_add(&failed, 1); /* refused: no report will come, count it here */
    }
    return NULL;
}

int main(void) {
    char err[512];
    pc_config cfg;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (pc_config_load(&cfg, "itest", err, sizeof err) != PC_OK) return 1;
    pc_log_init("itest", PC_LOG_ERROR);
    pc_ids_init();
    pc_producer *p = pc_producer_new(&cfg, PC_PRODUCER_BULK, err, sizeof err);
    tap(p != NULL, "producer starts");
    if (!p) return 1;
    int brokers = pc_kafka_broker_count(p, 10000, err, sizeof err);
    pc_topic_spec t = pc_topic_fit((pc_topic_spec){ TOPIC, 3, 3, 2, 600000 }, brokers);
    tap(pc_kafka_create_topic(p, &t, NULL, err, sizeof err) == PC_OK, "test topic exists");

    /* 1. A fatal error with messages queued and in flight. */
    int refused = 0;
    for (int i = 0; i < MESSAGES; i++) {
        if (i == MESSAGES / 2) make_fatal(p);
        atomic_fetch_add(&expected, 1);
        if (pc_producer_send(p, TOPIC, RD_KAFKA_PARTITION_UA, "k", "payload", 7, on_report, NULL) !=
            PC_OK) {
            refused++;
            atomic_fetch_add(&failed, 1);
        }
    }
    long took = wait_for(all_reported, p, 15000);
    printf("# %d messages: %d delivered, %d failed (%d refused at send) in %ld ms\n", MESSAGES,
           atomic_load(&delivered), atomic_load(&failed), refused, took);
    tap(took >= 0, "every message's owner heard back after a fatal error");
    tap(atomic_load(&failed) > 0, "messages caught by the fatal error report failure");
    long healed = wait_for(healthy, p, 10000);
    printf("# producer healthy again %ld ms later\n", healed);
    tap(healed >= 0, "the producer is re-created");

    int before = atomic_load(&delivered);
    atomic_store(&expected, atomic_load(&delivered) + atomic_load(&failed) + 100);
    for (int i = 0; i < 100; i++)
        pc_producer_send(p, TOPIC, RD_KAFKA_PARTITION_UA, "k", "after", 5, on_report, NULL);
    tap(wait_for(all_reported, p, 15000) >= 0 && atomic_load(&delivered) - before == 100,
        "the fresh producer delivers every message");

    /* 2. Re-creation while many threads send as fast as they can. */
    pthread_t th[SENDERS];
    atomic_store(&hammering, 1);
    for (int i = 0; i < SENDERS; i++) pthread_create(&th[i], NULL, sender, p);
    usleep(300 * 1000);
    int64_t t0 = pc_mono_us();
    make_fatal(p);
    long seen = wait_for(broken, p, 5000);
    long back = seen >= 0 ? wait_for(healthy, p, 15000) : -1;
    printf("# under %d busy senders: fatal seen after %ld ms, re-created %ld ms later (%lld ms)\n",
           SENDERS, seen, back, (long long)((pc_mono_us() - t0) / 1000));
    tap(back >= 0, "busy senders do not starve the re-creation of its lock");
    atomic_store(&hammering, 0);
    for (int i = 0; i < SENDERS; i++) pthread_join(th[i], NULL);
    took = wait_for(all_reported, p, 70000);
    printf("# %d sends in all, %d delivered, %d failed; all reported: %s\n", atomic_load(&expected),
           atomic_load(&delivered), atomic_load(&failed), took >= 0 ? "yes" : "no");
    tap(took >= 0, "every hammering sender heard back");

    pc_producer_free(p);
    printf("1..%d\n", tap_n);
    return 0;
}
