/* requests.c -- pupns.receipt.requests: a document (Bukti Registrasi or
 * Formulir, for its owner's NIP), the public keys, and the verification of
 * a QR payload. Documents are rendered here, on request, from the stored
 * receipt; their ETag is known without rendering, so a revalidation costs
 * one row read. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract.h"
#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "payload.h"
#include "receipt.h"
#include "render.h"
#include "serve.h"

static const char *sub(json_t *d, const char *obj, const char *k) {
    const char *s = json_string_value(json_object_get(json_object_get(d, obj), k));
    return s ? s : "";
}

static const char *str(json_t *d, const char *k) {
    const char *s = json_string_value(json_object_get(d, k));
    return s ? s : "";
}

/* The payload of a stored receipt (as its QR code carries it). */
static void row_payload(const receipt_row *r, char out[RECEIPT_PAYLOAD_MAX]) {
    snprintf(out, RECEIPT_PAYLOAD_MAX, RECEIPT_PAYLOAD_PREFIX ".%s.%s.%lld.%s.%s", r->no_registrasi, r->nip,
             r->issued, r->kid, r->signature);
}

/* "r1-<32 hex>": the template version, the fonts, the kind and the row. */
static void etag_of(const receipt_ctx *ctx, receipt_kind kind, const receipt_row *r, char out[48]) {
    char *data = json_dumps(r->data, JSON_COMPACT | JSON_SORT_KEYS);
    char head[160];
    int n = snprintf(head, sizeof head, "%d|%s|%d|%lld|%s|%s|", RECEIPT_TEMPLATE_VERSION, ctx->font_tag, (int)kind,
                     r->issued, r->kid, r->signature);
    unsigned char h[16];
    crypto_generichash_state s;
    crypto_generichash_init(&s, NULL, 0, sizeof h);
    crypto_generichash_update(&s, (const unsigned char *)head, (unsigned long long)n);
    if (data) crypto_generichash_update(&s, (const unsigned char *)data, strlen(data));
    crypto_generichash_final(&s, h, sizeof h);
    free(data);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, 48, "r%d-%s", RECEIPT_TEMPLATE_VERSION, hex);
}

/* What a person may type: case and spaces do not matter. 0 if it cannot be a number. */
static int normalise_no(const char *typed, char out[9]) {
    size_t n = 0;
    for (const char *c = typed; *c; c++) {
        if (*c == ' ' || *c == '-') continue;
        if (n == 8) return 0;
        out[n++] = (char)toupper((unsigned char)*c);
    }
    out[n] = 0;
    return n == 8 && strspn(out, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") == 8;
}

static pc_status document(receipt_ctx *ctx, pc_pg *db, json_t *d, json_t **reply) {
    const char *jenis = str(d, "jenis");
    receipt_kind kind = strcmp(jenis, "formulir") == 0 ? RECEIPT_FORMULIR : RECEIPT_BUKTI;
    if (strcmp(jenis, "bukti") != 0 && strcmp(jenis, "formulir") != 0) return PC_EINVAL;
    char no[9];
    if (!normalise_no(str(d, "no_registrasi"), no)) {
        *reply = json_pack("{s:s}", "status", "not_found");
        return PC_OK;
    }
    receipt_row r;
    pc_status st = receipt_store_get(db, no, &r);
    if (st == PC_ENOTFOUND) {
        /* Not consumed yet, or no such number: the gateway tells them apart. */
        *reply = json_pack("{s:s}", "status", "pending");
        return PC_OK;
    }
    if (st != PC_OK) return st;
    if (strcmp(r.nip, str(d, "nip")) != 0) {
        receipt_row_clear(&r);
        *reply = json_pack("{s:s}", "status", "not_found");
        return PC_OK;
    }
    char etag[48], payload[RECEIPT_PAYLOAD_MAX], err[256];
    etag_of(ctx, kind, &r, etag);
    if (strcmp(etag, str(d, "etag")) == 0) {
        receipt_row_clear(&r);
        *reply = json_pack("{s:s, s:s}", "status", "not_modified", "etag", etag);
        return PC_OK;
    }
    row_payload(&r, payload);
    receipt_doc doc = {
        .no_registrasi = r.no_registrasi, .nip = r.nip, .nama = str(r.data, "nama"),
        .instansi_kode = sub(r.data, "instansi", "kode"), .instansi_nama = sub(r.data, "instansi", "nama"),
        .unit_kode = sub(r.data, "unit_kerja", "kode"), .unit_nama = sub(r.data, "unit_kerja", "nama"),
        .created_at = str(r.data, "created_at"), .qr_payload = payload,
    };
    unsigned char *pdf = NULL;
    size_t len = 0;
    int64_t t0 = pc_mono_us();
    st = receipt_render(ctx->font_dir, kind, &doc, &pdf, &len, err, sizeof err);
    double secs = (double)(pc_mono_us() - t0) / 1e6;
    if (st != PC_OK) {
        PC_ERROR("document - rendering %s of %s failed: %s", jenis, no, err);
        receipt_row_clear(&r);
        return PC_ERROR;
    }
    pc_metrics_observe("pupns_receipt_render_seconds", kind == RECEIPT_BUKTI ? "kind=\"bukti\"" : "kind=\"formulir\"",
                       secs);
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len);
    if (!b64) {
        free(pdf);
        receipt_row_clear(&r);
        return PC_ERROR;
    }
    sodium_bin2base64(b64, b64len, pdf, len, sodium_base64_VARIANT_ORIGINAL);
    char filename[64];
    snprintf(filename, sizeof filename, "%s-%s.pdf", kind == RECEIPT_BUKTI ? "bukti-registrasi" : "formulir", no);
    *reply = json_pack("{s:s, s:s, s:s, s:I, s:s}", "status", "found", "etag", etag, "filename", filename, "bytes",
                       (json_int_t)len, "pdf_base64", b64);
    PC_INFO("document %s of %s: %zu bytes in %.1f ms", jenis, no, len, secs * 1e3);
    free(b64);
    free(pdf);
    receipt_row_clear(&r);
    return PC_OK;
}

static json_t *invalid(const char *alasan, const char *pesan, const receipt_claims *c) {
    json_t *o = json_pack("{s:b, s:s, s:s}", "valid", 0, "alasan", alasan, "pesan", pesan);
    if (c && c->no[0]) json_object_set_new(o, "no_registrasi", json_string(c->no));
    return o;
}

static pc_status verify(receipt_ctx *ctx, pc_pg *db, json_t *d, json_t **reply) {
    receipt_claims c;
    receipt_check chk = receipt_payload_verify(&ctx->keys, str(d, "q"), &c);
    switch (chk) {
    case RECEIPT_MALFORMED:
        *reply = invalid("format_tidak_valid", "Isi kode QR bukan bukti registrasi e-PUPNS.", NULL);
        return PC_OK;
    case RECEIPT_UNKNOWN_KEY:
        *reply = invalid("kunci_tidak_dikenal", "Bukti ini ditandatangani dengan kunci yang tidak dikenal.", &c);
        return PC_OK;
    case RECEIPT_BAD_SIGNATURE:
        *reply = invalid("tanda_tangan_tidak_valid", "Tanda tangan bukti tidak cocok dengan isinya (bukti diubah "
                                                     "atau palsu).", &c);
        return PC_OK;
    case RECEIPT_VALID: break;
    }
    receipt_row r;
    pc_status st = receipt_store_get(db, c.no, &r);
    if (st == PC_ENOTFOUND || (st == PC_OK && (strcmp(r.nip, c.nip) != 0 || r.issued != c.issued))) {
        if (st == PC_OK) receipt_row_clear(&r);
        *reply = invalid("registrasi_tidak_dikenal", "Registrasi pada bukti ini tidak tercatat.", &c);
        return PC_OK;
    }
    if (st != PC_OK) return st;
    int revoked = 0;
    char reason[256];
    if ((st = receipt_store_revoked(db, c.no, &revoked, reason, sizeof reason)) != PC_OK) {
        receipt_row_clear(&r);
        return st;
    }
    if (revoked) {
        *reply = invalid("registrasi_dicabut", "Registrasi pada bukti ini telah dicabut.", &c);
        json_object_set_new(*reply, "keterangan", json_string(reason));
    } else {
        char issued[32];
        time_t t = (time_t)c.issued;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(issued, sizeof issued, "%Y-%m-%dT%H:%M:%SZ", &tm);
        *reply = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "valid", 1, "no_registrasi", c.no, "nip",
                           c.nip, "nama", str(r.data, "nama"), "instansi", sub(r.data, "instansi", "nama"),
                           "unit_kerja", sub(r.data, "unit_kerja", "nama"), "diterbitkan", issued, "kid", c.kid);
    }
    receipt_row_clear(&r);
    return PC_OK;
}

pc_status receipt_on_request(receipt_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    if (strcmp(ev->type, PC_TYPE_RECEIPT_DOCUMENT) == 0) return document(ctx, db, ev->data, reply);
    if (strcmp(ev->type, PC_TYPE_RECEIPT_VERIFY) == 0) return verify(ctx, db, ev->data, reply);
    if (strcmp(ev->type, PC_TYPE_RECEIPT_KEYS) == 0) {
        *reply = receipt_keys_json(&ctx->keys);
        return PC_OK;
    }
    return PC_EINVAL;
}

static pc_status handle(void *w, const pc_event *ev, json_t **reply) {
    receipt_worker *wk = w;
    return receipt_on_request(wk->ctx, wk->db, ev, reply);
}

void *receipt_request_thread(void *arg) {
    receipt_ctx *ctx = arg;
    static const pc_serve_route routes[] = {
        { PC_TYPE_RECEIPT_DOCUMENT, PC_TYPE_RECEIPT_DOCUMENT_REPLY },
        { PC_TYPE_RECEIPT_KEYS, PC_TYPE_RECEIPT_KEYS_REPLY },
        { PC_TYPE_RECEIPT_VERIFY, PC_TYPE_RECEIPT_VERIFY_REPLY },
    };
    const char *topics[] = { PC_TOPIC_RECEIPT_REQUESTS };
    pc_serve_spec spec = {
        .name = "requests",
        .group = "pupns-receipt-requests",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = 3,
        .handle = handle,
        .workers = ctx->cfg.workers > 0 ? ctx->cfg.workers : 2,
        .batch_max = 16,
        .worker_open = receipt_worker_open,
        .worker_close = receipt_worker_close,
        .ctx = ctx,
        .producer = ctx->replies,
    };
    pc_serve_run(&ctx->cfg, &spec); /* a failure has already marked the process failed */
    return NULL;
}
