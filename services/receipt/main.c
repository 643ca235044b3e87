/* main.c -- receipt service: owns schema receipt; stores a receipt per
 * registration.completed event and renders Bukti Registrasi and Formulir
 * PDFs with a signed QR code on request. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "fonts.h"
#include "health.h"
#include "lifecycle.h"
#include "log.h"
#include "receipt.h"
#include "service.h"

#define SERVICE "receipt"
#define SYSTEM_FONTS "/usr/share/fonts/truetype/dejavu"

int main(int argc, char **argv) {
    static receipt_ctx ctx; /* holds the signing key; zeroed on exit */
    char err[512];
    int early = pc_service_init(argc, argv, SERVICE, "receipts: Bukti Registrasi and Formulir PDFs", &ctx.cfg);
    if (early >= 0) return early;
    if (receipt_keys_load(&ctx.keys, ctx.cfg.receipt_signing_key, ctx.cfg.receipt_old_public_keys, err,
                          sizeof err) != PC_OK) {
        PC_ERROR("%s", err);
        return 2;
    }
    /* An empty PUPNS_RECEIPT_FONT_DIR: the build's subsets, else the system's. */
    if (receipt_fonts_find(ctx.cfg.receipt_font_dir, SYSTEM_FONTS, ctx.font_dir, sizeof ctx.font_dir) != PC_OK ||
        receipt_fonts_tag(ctx.font_dir, ctx.font_tag) != PC_OK) {
        PC_ERROR("no DejaVu fonts in %s (Debian: fonts-dejavu-core)", ctx.font_dir);
        receipt_keys_clear(&ctx.keys);
        return 2;
    }
    int rc = 1, threads = 0;
    pc_health *health = NULL;
    pc_status hst = PC_OK;
    pthread_t requests;
    ctx.replies = pc_producer_new(&ctx.cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!ctx.replies) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    health = pc_health_start(&ctx.cfg, ctx.replies, PC_TOPIC_RECEIPT_REQUESTS, &hst);
    if (hst != PC_OK) goto out;
    PC_INFO("signing receipts with key %s (%d retired keys still verify); fonts %s (%s)", ctx.keys.current.kid,
            ctx.keys.nold, ctx.font_dir, ctx.font_tag);
    if (pthread_create(&requests, NULL, receipt_request_thread, &ctx) != 0) goto out;
    threads++;
    rc = receipt_serve_events(&ctx) == PC_OK && !pc_lifecycle_failed() ? 0 : 1;
out:
    if (rc != 0) pc_lifecycle_fail();
    pc_lifecycle_stop();
    if (threads > 0) pthread_join(requests, NULL);
    pc_health_stop(health);
    pc_producer_free(ctx.replies);
    receipt_keys_clear(&ctx.keys);
    sodium_memzero(&ctx, sizeof ctx);
    if (pc_lifecycle_failed()) rc = 1;
    PC_INFO("stopped");
    return rc;
}
