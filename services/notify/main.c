/* main.c -- notify service: owns schema notify; mails the notices of
 * pupns.registration.notices (Bahasa Indonesia, plain text and HTML) over
 * SMTP, once per event id, with retries and dead letters (deliver.c). */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "health.h"
#include "lifecycle.h"
#include "log.h"
#include "notify.h"
#include "service.h"

#define SERVICE "notify"

/* The key pair the notices' tokens are sealed to; the public half is
 * derived from the secret one when not given, and must match it if given. */
static int load_keys(notify_ctx *ctx) {
    if (pc_config_key(ctx->cfg.notify_secret_key, ctx->sk) != PC_OK) {
        PC_ERROR("PUPNS_NOTIFY_SECRET_KEY must be 64 hex digits (pupns-ctl keygen)");
        return 0;
    }
    unsigned char derived[32];
    crypto_scalarmult_base(derived, ctx->sk);
    if (ctx->cfg.notify_public_key[0]) {
        if (pc_config_key(ctx->cfg.notify_public_key, ctx->pk) != PC_OK || sodium_memcmp(ctx->pk, derived, 32) != 0) {
            PC_ERROR("PUPNS_NOTIFY_PUBLIC_KEY is not the public half of PUPNS_NOTIFY_SECRET_KEY");
            return 0;
        }
    }
    memcpy(ctx->pk, derived, 32);
    return 1;
}

int main(int argc, char **argv) {
    static notify_ctx ctx; /* holds the secret key; zeroed on exit */
    char err[512];
    int early = pc_service_init(argc, argv, SERVICE, "notify: the registration notices as mails over SMTP", &ctx.cfg);
    if (early == 0 && argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("\nnotify's own settings:\n");
        notify_settings_usage(stdout);
    }
    if (early >= 0) return early;
    if (notify_settings_load(&ctx.set, &ctx.cfg, err, sizeof err) != PC_OK) {
        PC_ERROR("%s", err);
        return 2;
    }
    if (!load_keys(&ctx)) return 2;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        PC_ERROR("libcurl did not initialise");
        return 1;
    }
    int rc = 1;
    pc_health *health = NULL;
    pc_status hst = PC_OK;
    ctx.producer = pc_producer_new(&ctx.cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!ctx.producer) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    notify_metrics_init();
    health = pc_health_start(&ctx.cfg, ctx.producer, PC_TOPIC_REG_NOTICES, &hst);
    if (hst != PC_OK) goto out;
    PC_INFO("mailing through %s (TLS %s%s), from %s, links to %s, %d worker(s)", ctx.set.smtp_url,
            ctx.set.smtp_tls == NOTIFY_TLS_REQUIRED ? "required" : "when offered",
            ctx.set.smtp_ca_file[0] ? ", CA file given" : ", system CAs", ctx.set.mail_from, ctx.set.public_url,
            ctx.set.workers);
    rc = notify_serve(&ctx) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
out:
    if (rc != 0) pc_lifecycle_fail();
    pc_lifecycle_stop();
    pc_health_stop(health);
    pc_producer_free(ctx.producer);
    curl_global_cleanup();
    sodium_memzero(&ctx, sizeof ctx);
    if (pc_lifecycle_failed()) rc = 1;
    PC_INFO("stopped");
    return rc;
}
