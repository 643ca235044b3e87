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
#include "requests.h"

#define SERVICE "identity"

int main(int argc, char **argv) {
    char err[512];
    pc_config cfg;
    int early = pc_service_init(argc, argv, SERVICE, "answers NIP look-ups and takes correction reports", &cfg);
    if (early >= 0) return early;

    int rc = 1, threads = 0;
    pc_health *health = NULL;
    pc_status hst = PC_OK;
    identity_ctx ctx = { .cfg = &cfg };
    corrections_ctx corr = { .cfg = &cfg };
    pthread_t corr_thread, relay_thread;
    const char *topics[] = { PC_TOPIC_IDENTITY_REQUESTS };
    ctx.db = pc_pg_connect(cfg.pg_url, 30000, err, sizeof err);
    if (!ctx.db) {
        PC_ERROR("database: %s", err);
        goto out;
    }
    ctx.producer = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!ctx.producer) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    health = pc_health_start(&cfg, ctx.producer, PC_TOPIC_IDENTITY_REQUESTS, &hst);
    if (hst != PC_OK) goto out;
    ctx.consumer = pc_consumer_new(&cfg, "pupns-identity", topics, 1, err, sizeof err);
    if (!ctx.consumer) {
        PC_ERROR("consumer: %s", err);
        goto out;
    }
    corr.replies = ctx.producer;
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
    rc = identity_serve(&ctx) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
out:
    pc_lifecycle_stop();
    if (threads > 1) pthread_join(corr_thread, NULL);
    if (threads > 0) pthread_join(relay_thread, NULL);
    pc_health_stop(health);
    pc_producer_free(corr.events);
    PC_INFO("stopped");
    pc_consumer_free(ctx.consumer);
    pc_producer_free(ctx.producer);
    pc_pg_close(ctx.db);
    return rc;
}
