/* itest_reply_gc.c -- `pupns-ctl topics --gc-replies` against the real
 * broker: a reply topic whose newest message is older than its retention is
 * deleted; one with a recent message, or an old and a recent one, and one
 * never written to are kept; --dry-run deletes nothing.
 *
 *   itest_reply_gc [NIPS_FILE]   (ignored; env PUPNS_KAFKA_BROKERS, BIN_DIR)
 * Old messages get an explicit CreateTime two hours back. Prints TAP lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "contract.h"
#include "ids.h"
#include "kafka.h"
#include "log.h"
#include "topics.h"

#define RETENTION_MS 3600000L

static int tap_n;
static void tap(int ok, const char *name) { printf("%sok %d - %s\n", ok ? "" : "not ", ++tap_n, name); }

static void produce_at(pc_producer *p, const char *topic, int64_t ts_ms) {
    rd_kafka_t *rk = pc_producer_acquire(p);
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                      RD_KAFKA_V_VALUE("{}", 2), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                      RD_KAFKA_V_TIMESTAMP(ts_ms), RD_KAFKA_V_END);
    pc_producer_release(p);
}

/* Runs pupns-ctl; returns its exit status and keeps its stdout in out. */
static int ctl(const char *args, char *out, size_t len) {
    char cmd[1024];
    const char *bin = getenv("BIN_DIR") ? getenv("BIN_DIR") : "build/asan/bin";
    snprintf(cmd, sizeof cmd, "'%s/pupns-ctl' topics %s 2>/dev/null", bin, args);
    FILE *f = popen(cmd, "r");
    if (!f) return -1;
    size_t n = fread(out, 1, len - 1, f);
    out[n] = '\0';
    return pclose(f);
}

static int exists(pc_producer *p, const char *topic) {
    char err[256];
    return pc_kafka_check_topic(p, topic, 5000, err, sizeof err) != PC_ENOTFOUND;
}

int main(void) {
    char err[512];
    pc_config cfg;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (pc_config_load(&cfg, "itest", err, sizeof err) != PC_OK) return 1;
    pc_log_init("itest", PC_LOG_ERROR);
    pc_producer *p = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    tap(p != NULL, "producer starts");
    if (!p) return 1;
    const char *kinds[] = { "old", "fresh", "mixed", "empty" };
    char names[4][160];
    int made = 1;
    for (int i = 0; i < 4; i++) {
        snprintf(names[i], sizeof names[i], "%sitest-gc-%d-%s", PC_TOPIC_REPLY_PREFIX, (int)getpid(),
                 kinds[i]);
        pc_topic_spec t = { names[i], 1, 1, 1, RETENTION_MS };
        made &= pc_kafka_create_topic(p, &t, NULL, err, sizeof err) == PC_OK;
    }
    tap(made, "four reply topics made");
    int64_t now = pc_now_ms(), old = now - 2 * RETENTION_MS;
    for (int i = 0; i < 3; i++) produce_at(p, names[0], old + i);
    produce_at(p, names[1], now);
    produce_at(p, names[2], old);
    produce_at(p, names[2], now);
    tap(pc_producer_flush(p, 10000) == PC_OK, "their messages are written");

    char out[65536];
    int rc = ctl("--gc-replies --dry-run", out, sizeof out);
    tap(rc == 0 && strstr(out, names[0]) && strstr(out, "would delete"), "--dry-run names the expired topic");
    tap(exists(p, names[0]), "--dry-run deletes nothing");

    rc = ctl("--gc-replies", out, sizeof out);
    printf("%s", out[0] ? "" : "# no output\n");
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
        if (strstr(line, "itest-gc-") || strstr(line, "reply topics")) printf("# %s\n", line);
    tap(rc == 0, "pupns-ctl topics --gc-replies succeeds");
    /* Deletion is final once the controller answers; allow metadata a moment. */
    int gone = 0;
    for (int i = 0; i < 50 && !gone; i++, usleep(100 * 1000)) gone = !exists(p, names[0]);
    tap(gone, "a reply topic with nothing newer than its retention is deleted");
    tap(exists(p, names[1]), "a reply topic with a recent message is kept");
    tap(exists(p, names[2]), "a reply topic with an old and a recent message is kept");
    tap(exists(p, names[3]), "a reply topic never written to is kept (age unknown)");

    for (int i = 1; i < 4; i++) pc_kafka_delete_topic(p, names[i], 5000, err, sizeof err);
    pc_producer_free(p);
    printf("1..%d\n", tap_n);
    return 0;
}
