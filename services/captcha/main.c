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
#include "requests.h"

#define SERVICE "captcha"
int main(int argc, char **argv) {
    char err[512];
    pc_config cfg;
    /* pc_service_init also initialises libsodium, which draws the answers. */
    int early = pc_service_init(argc, argv, SERVICE, "issues and checks captchas", &cfg);
    if (early >= 0) return early;

    int rc = 1;
    pc_health *health = NULL;
    pc_status hst = PC_OK;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    captcha_ctx ctx = { .cfg = &cfg, .workers = cfg.workers > 0 ? cfg.workers : cpus > 0 ? (int)cpus : 1 };
    ctx.producer = pc_producer_new(&cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!ctx.producer) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    health = pc_health_start(&cfg, ctx.producer, PC_TOPIC_CAPTCHA_REQUESTS, &hst);
    if (hst != PC_OK) goto out;
    PC_INFO("serving %s as %s (captcha lifetime %d s)", PC_TOPIC_CAPTCHA_REQUESTS, cfg.instance_id,
            cfg.captcha_ttl_s);
    rc = captcha_serve(&ctx) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
    PC_INFO("stopped");
out:
    pc_health_stop(health);
    pc_producer_free(ctx.producer);
    return rc;
}
