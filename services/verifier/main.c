/* main.c -- verifier service: owns schema verifier; Verifikator 1 and 2,
 * batches of receipts per unit kerja, unit activation, correction
 * decisions, and the public events of all that (pupns.verifier.events). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "health.h"
#include "lifecycle.h"
#include "log.h"
#include "outbox.h"
#include "service.h"
#include "verifier.h"

#define SERVICE "verifier"

static pc_status load_keys(verifier_ctx *ctx) {
    if (pc_config_key(ctx->cfg.verifier_public_key, ctx->public_key) != PC_OK ||
        pc_config_key(ctx->cfg.verifier_secret_key, ctx->secret_key) != PC_OK) {
        PC_ERROR("PUPNS_VERIFIER_PUBLIC_KEY and PUPNS_VERIFIER_SECRET_KEY must each be 64 hex digits "
                 "(pupns-ctl keygen makes them)");
        return PC_EINVAL;
    }
    unsigned char derived[crypto_box_PUBLICKEYBYTES];
    crypto_scalarmult_base(derived, ctx->secret_key);
    if (sodium_memcmp(derived, ctx->public_key, sizeof derived) != 0) {
        PC_ERROR("PUPNS_VERIFIER_PUBLIC_KEY does not belong to PUPNS_VERIFIER_SECRET_KEY");
        return PC_EINVAL;
    }
    return PC_OK;
}

void *verifier_relay_thread(void *arg) {
    verifier_ctx *ctx = arg;
    if (pc_outbox_relay_run(ctx->cfg.pg_url, "verifier", ctx->events) != PC_OK) pc_lifecycle_fail();
    return NULL;
}

int main(int argc, char **argv) {
    static verifier_ctx ctx; /* holds the secret key; zeroed on exit */
    char err[512];
    int early = pc_service_init(argc, argv, SERVICE, "Verifikator 1 and 2: receipts, batches, unit activation",
                                &ctx.cfg);
    if (early >= 0) return early;
    if (load_keys(&ctx) != PC_OK) return 2;
    int rc = 1, threads = 0;
    pc_health *health = NULL;
    pc_status hst = PC_OK;
    pthread_t events, relay;
    ctx.replies = pc_producer_new(&ctx.cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    ctx.events = ctx.replies ? pc_producer_new(&ctx.cfg, PC_PRODUCER_BULK, err, sizeof err) : NULL;
    if (!ctx.events) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    ctx.rpc = pc_rpc_new(&ctx.cfg, ctx.replies, err, sizeof err);
    if (!ctx.rpc) {
        PC_ERROR("reply channel: %s", err);
        goto out;
    }
    health = pc_health_start(&ctx.cfg, ctx.replies, PC_TOPIC_VERIFIER_REQUESTS, &hst);
    if (hst != PC_OK) goto out;
    if (pthread_create(&relay, NULL, verifier_relay_thread, &ctx) != 0) goto out;
    threads++;
    if (pthread_create(&events, NULL, verifier_event_thread, &ctx) != 0) goto out;
    threads++;
    rc = verifier_serve_requests(&ctx) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
out:
    if (rc != 0) pc_lifecycle_fail();
    pc_lifecycle_stop();
    if (threads > 1) pthread_join(events, NULL);
    if (threads > 0) pthread_join(relay, NULL);
    pc_health_stop(health);
    pc_rpc_free(ctx.rpc);
    pc_producer_free(ctx.events);
    pc_producer_free(ctx.replies);
    sodium_memzero(&ctx, sizeof ctx);
    if (pc_lifecycle_failed()) rc = 1;
    PC_INFO("stopped");
    return rc;
}
