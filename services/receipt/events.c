/* events.c -- registration.completed from pupns.registration.events: the
 * receipt of each registration is stored once (de-duplicated by event id),
 * signed at its first delivery. The handler returns PC_OK only after the
 * row is committed, so the serve loop commits the offset only then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract.h"
#include "log.h"
#include "metrics.h"
#include "payload.h"
#include "receipt.h"
#include "render.h"
#include "serve.h"

static const char *str_at(json_t *o, const char *k) {
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s ? s : NULL;
}

static int ref_valid(json_t *r) {
    return json_is_object(r) && str_at(r, "kode") && str_at(r, "nama");
}

/* 1 if data carries what the documents need (registration.completed.v1). */
static int data_valid(json_t *d) {
    char when[96];
    const char *no = str_at(d, "no_registrasi"), *nip = str_at(d, "nip");
    if (!no || strlen(no) != 8 || strspn(no, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") != 8) return 0;
    if (!nip || strlen(nip) != 18 || strspn(nip, "0123456789") != 18) return 0;
    return str_at(d, "nama") && ref_valid(json_object_get(d, "instansi")) &&
           ref_valid(json_object_get(d, "unit_kerja")) && receipt_format_wib(str_at(d, "created_at"), when, sizeof when);
}

pc_status receipt_on_event(receipt_ctx *ctx, pc_pg *db, const pc_event *ev) {
    if (strcmp(ev->type, PC_TYPE_REG_COMPLETED) != 0) return PC_OK; /* rejected: nothing to print */
    if (!data_valid(ev->data)) {
        PC_WARN("receipt_on_event - event %s lacks the data a receipt needs", ev->id);
        return PC_EINVAL;
    }
    receipt_row r = { .data = ev->data, .issued = (long long)time(NULL) };
    snprintf(r.no_registrasi, sizeof r.no_registrasi, "%s", str_at(ev->data, "no_registrasi"));
    snprintf(r.nip, sizeof r.nip, "%s", str_at(ev->data, "nip"));
    receipt_claims c = { .issued = r.issued };
    memcpy(c.no, r.no_registrasi, sizeof c.no);
    memcpy(c.nip, r.nip, sizeof c.nip);
    char payload[RECEIPT_PAYLOAD_MAX];
    if (receipt_payload_sign(&ctx->keys, &c, payload) != PC_OK) return PC_EINVAL;
    snprintf(r.kid, sizeof r.kid, "%s", c.kid);
    snprintf(r.signature, sizeof r.signature, "%s", strrchr(payload, '.') + 1);
    int inserted = 0;
    pc_status st = receipt_store_put(db, ev->id, &r, &inserted);
    if (st != PC_OK) return st;
    pc_metrics_inc("pupns_receipt_events_total", inserted ? "result=\"stored\"" : "result=\"duplicate\"", 1);
    if (inserted) PC_INFO("receipt %s stored for %s (key %s)", r.no_registrasi, r.nip, r.kid);
    else PC_INFO("receipt %s: event %s seen before, nothing changed", r.no_registrasi, ev->id);
    return PC_OK;
}

static pc_status handle(void *w, const pc_event *ev, json_t **reply) {
    (void)reply;
    receipt_worker *wk = w;
    return receipt_on_event(wk->ctx, wk->db, ev);
}

pc_status receipt_serve_events(receipt_ctx *ctx) {
    static const pc_serve_route routes[] = {
        { PC_TYPE_REG_COMPLETED, NULL },
        { PC_TYPE_REG_REJECTED, NULL },
    };
    const char *topics[] = { PC_TOPIC_REG_EVENTS };
    pc_serve_spec spec = {
        .name = "events",
        .group = "pupns-receipt",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = 2,
        .handle = handle,
        .workers = 1,
        .batch_max = 64,
        .worker_open = receipt_worker_open,
        .worker_close = receipt_worker_close,
        .ctx = ctx,
        .producer = ctx->replies,
    };
    return pc_serve_run(&ctx->cfg, &spec);
}
