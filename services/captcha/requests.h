/* requests.h -- the captcha service's requests (issue, check), served on
 * libcommon's serve loop; each worker has its own Redis connection. */
#ifndef CAPTCHA_REQUESTS_H
#define CAPTCHA_REQUESTS_H

#include "config.h"
#include "kafka.h"
#include "redis.h"
#include "status.h"

typedef struct {
    const pc_config *cfg;
    pc_producer *producer;
    int workers;
} captcha_ctx;

typedef struct {
    captcha_ctx *ctx;
    pc_redis *redis;       /* this worker's own */
} captcha_worker;

/* Connects to Redis, waiting up to 30 s for it to come up (the stack may
 * start us first). NULL with errstr set if it never does or we stop. */
pc_redis *captcha_redis_wait(const pc_config *cfg, char *errstr, size_t errlen);

/* Serves requests until pc_running() turns false (pc_serve_run's status). */
pc_status captcha_serve(captcha_ctx *ctx);

#endif
