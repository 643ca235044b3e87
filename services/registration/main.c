/* main.c -- registration service: owns schema registration; registers PNS,
 * logs them in, and publishes registration events through its outbox. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "envelope.h"
#include "ids.h"
#include "health.h"
#include "lifecycle.h"
#include "log.h"
#include "purge.h"
#include "service.h"
#include "registration.h"

#define SERVICE "registration"

/* Rows nothing can need any more. Command results outlive the commands'
 * 7 days in Kafka (a command redelivered later cannot exist); sessions
 * and mail tokens a day past their end, for the helpdesk's questions. */
static const pc_purge_rule purge_rules[] = {
    { "registration.session", "expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day'" },
    { "registration.command_result", "created_at < now() - interval '8 days'" },
    { "registration.outbox", "sent_at < now() - interval '1 day'" },
    { "registration.login_throttle", "window_start < now() - interval '1 hour'"
                                     " AND (locked_until IS NULL OR locked_until < now())" },
    { "registration.recovery_throttle", "window_start < now() - interval '1 hour'"
                                        " AND (locked_until IS NULL OR locked_until < now())" },
    { "registration.email_token", "expires_at < now() - interval '1 day'" },
};

static pc_status load_keys(registration_ctx *ctx) {
    if (pc_config_key(ctx->cfg.reg_public_key, ctx->public_key) != PC_OK ||
        pc_config_key(ctx->cfg.reg_secret_key, ctx->secret_key) != PC_OK ||
        pc_config_key(ctx->cfg.pepper, ctx->pepper) != PC_OK ||
        pc_config_key(ctx->cfg.notify_public_key, ctx->notify_public_key) != PC_OK) {
        PC_ERROR("PUPNS_REGISTRATION_PUBLIC_KEY, PUPNS_REGISTRATION_SECRET_KEY, PUPNS_REGISTRATION_PEPPER and "
                 "PUPNS_NOTIFY_PUBLIC_KEY must each be 64 hex digits (pupns-ctl keygen makes them)");
        return PC_EINVAL;
    }
    /* The pair must match, or every sealed command would be unreadable. */
    unsigned char derived[crypto_box_PUBLICKEYBYTES];
    crypto_scalarmult_base(derived, ctx->secret_key);
    if (sodium_memcmp(derived, ctx->public_key, sizeof derived) != 0) {
        PC_ERROR("PUPNS_REGISTRATION_PUBLIC_KEY does not belong to PUPNS_REGISTRATION_SECRET_KEY");
        return PC_EINVAL;
    }
    return PC_OK;
}

int main(int argc, char **argv) {
    static registration_ctx ctx; /* large keys; zeroed on exit */
    char err[512];
    int early = pc_service_init(argc, argv, SERVICE, "registrations and logins", &ctx.cfg);
    if (early >= 0) return early;
    if (load_keys(&ctx) != PC_OK) return 1;

    int rc = 1;
    pc_health *health = NULL;
    pc_purge *purge = NULL;
    pc_status hst = PC_OK;
    pthread_t queries, relay;
    int threads = 0;
    ctx.replies = pc_producer_new(&ctx.cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    ctx.events = ctx.replies ? pc_producer_new(&ctx.cfg, PC_PRODUCER_BULK, err, sizeof err) : NULL;
    if (!ctx.events) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    health = pc_health_start(&ctx.cfg, ctx.replies, PC_TOPIC_REG_COMMANDS, &hst);
    if (hst != PC_OK) goto out;
    purge = pc_purge_start(&ctx.cfg, purge_rules, (int)(sizeof purge_rules / sizeof purge_rules[0]), err,
                           sizeof err);
    if (!purge) {
        PC_ERROR("purge: %s", err);
        goto out;
    }
    if (pthread_create(&relay, NULL, registration_relay_thread, &ctx) != 0) goto out;
    threads++;
    if (pthread_create(&queries, NULL, registration_query_thread, &ctx) != 0) goto out;
    threads++;
    rc = registration_serve_commands(&ctx) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
out:
    if (rc != 0) pc_lifecycle_fail();
    pc_lifecycle_stop();
    if (threads > 1) pthread_join(queries, NULL);
    if (threads > 0) pthread_join(relay, NULL);
    pc_purge_stop(purge);
    pc_health_stop(health);
    pc_producer_free(ctx.events);
    pc_producer_free(ctx.replies);
    sodium_memzero(&ctx, sizeof ctx);
    if (pc_lifecycle_failed()) rc = 1; /* a thread failed, maybe while stopping */
    PC_INFO("stopped");
    return rc;
}
