/* main.c -- identity service: owns schema identity; answers NIP look-ups
 * and takes correction reports from Kafka. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "corrections.h"
#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "kafka.h"
#include "health.h"
#include "lifecycle.h"
#include "log.h"
#include "service.h"
#include "pg.h"
#include "purge.h"
#include "requests.h"

#define SERVICE "identity"

/* Sent outbox rows a day on (identity.koreksi is the record; kept). */
static const pc_purge_rule purge_rules[] = {
    { "identity.outbox", "sent_at < now() - interval '1 day'" },
};

int main(int argc, char **argv) {
    char err[512];
    pc_config cfg;
    int early = pc_service_init(argc, argv, SERVICE, "answers NIP look-ups and takes correction reports", &cfg);
    if (early >= 0) return early;

    int rc = 1, threads = 0;
    pc_health *health = NULL;
    pc_purge *purge = NULL;
    pc_status hst = PC_OK;
    corrections_ctx corr = { .cfg = &cfg };
    pthread_t corr_thread, relay_thread;
    pc_producer *replies = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!replies) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    health = pc_health_start(&cfg, replies, PC_TOPIC_IDENTITY_REQUESTS, &hst);
    if (hst != PC_OK) goto out;
    if (!(purge = pc_purge_start(&cfg, purge_rules, 1, err, sizeof err))) {
        PC_ERROR("purge: %s", err);
        goto out;
    }
    corr.replies = replies;
    corr.events = pc_producer_new(&cfg, PC_PRODUCER_BULK, err, sizeof err);
    if (!corr.events) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    if (pthread_create(&relay_thread, NULL, identity_relay_thread, &corr) != 0) goto out;
    threads++;
    if (pthread_create(&corr_thread, NULL, identity_corrections_thread, &corr) != 0) goto out;
    threads++;
    PC_INFO("serving %s and %s as %s", PC_TOPIC_IDENTITY_REQUESTS, PC_TOPIC_IDENTITY_COMMANDS, cfg.instance_id);
    /* One look-up worker: the gateway batches, so one query serves many callers. */
    rc = identity_serve(&cfg, replies, 1) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
out:
    if (rc != 0) pc_lifecycle_fail();
    pc_lifecycle_stop();
    if (threads > 1) pthread_join(corr_thread, NULL);
    if (threads > 0) pthread_join(relay_thread, NULL);
    pc_purge_stop(purge);
    pc_health_stop(health);
    pc_producer_free(corr.events);
    pc_producer_free(replies);
    if (pc_lifecycle_failed()) rc = 1; /* a thread failed, maybe while stopping */
    PC_INFO("stopped");
    return rc;
}
