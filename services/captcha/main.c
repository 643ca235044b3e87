/* main.c -- captcha service: owns Redis keys captcha:*, issues and checks captchas from Kafka. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "kafka.h"
#include "health.h"
#include "lifecycle.h"
#include "log.h"
#include "service.h"
#include "redis.h"
#include "requests.h"

#define SERVICE "captcha"
#define REDIS_WAIT_S 30

/* Connects to Redis, waiting up to REDIS_WAIT_S for it to come up (the
 * stack may start us first). NULL if it never does or we are stopped. */
static pc_redis *redis_wait(const pc_config *cfg) {
    char err[320];
    for (int i = 0; i < REDIS_WAIT_S * 2 && pc_running(); i++) {
        pc_redis *r = pc_redis_connect(cfg->redis_url, err, sizeof err);
        if (r) return r;
        if (i == 0) PC_WARN("%s; waiting for Redis", err);
        usleep(500 * 1000);
    }
    PC_ERROR("%s", err);
    return NULL;
}

int main(int argc, char **argv) {
    char err[512];
    pc_config cfg;
    /* pc_service_init also initialises libsodium, which draws the answers. */
    int early = pc_service_init(argc, argv, SERVICE, "issues and checks captchas", &cfg);
    if (early >= 0) return early;

    int rc = 1;
    pc_health *health = NULL;
    pc_status hst = PC_OK;
    captcha_ctx ctx = { .cfg = &cfg };
    const char *topics[] = { PC_TOPIC_CAPTCHA_REQUESTS };
    ctx.redis = redis_wait(&cfg);
    if (!ctx.redis) goto out;
    ctx.producer = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!ctx.producer) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    health = pc_health_start(&cfg, ctx.producer, PC_TOPIC_CAPTCHA_REQUESTS, &hst);
    if (hst != PC_OK) goto out;
    ctx.consumer = pc_consumer_new(&cfg, "pupns-captcha", topics, 1, err, sizeof err);
    if (!ctx.consumer) {
        PC_ERROR("consumer: %s", err);
        goto out;
    }
    PC_INFO("serving %s as %s (captcha lifetime %d s)", PC_TOPIC_CAPTCHA_REQUESTS, cfg.instance_id,
            cfg.captcha_ttl_s);
    rc = captcha_serve(&ctx) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
    PC_INFO("stopped");
out:
    pc_consumer_free(ctx.consumer);
    pc_health_stop(health);
    pc_producer_free(ctx.producer);
    pc_redis_close(ctx.redis);
    return rc;
}
