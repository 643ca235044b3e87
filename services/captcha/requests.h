/* requests.h -- the captcha service's request loop: consume issue and check
 * requests in batches, answer each on its reply topic, commit after the
 * answers are delivered. */
#ifndef CAPTCHA_REQUESTS_H
#define CAPTCHA_REQUESTS_H

#include "config.h"
#include "kafka.h"
#include "redis.h"
#include "status.h"

typedef struct {
    const pc_config *cfg;
    rd_kafka_t *consumer;
    pc_producer *producer;
    pc_redis *redis;       /* used by the serving thread only */
} captcha_ctx;

/* Runs until pc_running() turns false. PC_ERROR only when out of memory. */
pc_status captcha_serve(captcha_ctx *ctx);

#endif
