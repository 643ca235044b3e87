/* receipt_api.c -- receipts over the API:
 *   GET /api/v1/registrasi/{no}/bukti.pdf     Bukti Registrasi, for its owner
 *   GET /api/v1/registrasi/{no}/formulir.pdf  Formulir, for its owner
 *   GET /api/v1/bukti/kunci                   the public keys of the QR signatures
 *   GET /api/v1/bukti/verifikasi?q=...        is this QR payload a valid receipt?
 * The receipt service renders and verifies; the gateway checks the session,
 * maps the answers and sets the caching headers. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "gateway.h"
#include "respond.h"

#define PENDING_RETRY_S "2"
#define MAX_Q 512

/* If-None-Match without quotes and weak prefix, or "". */
static void wanted_etag(const struct _u_request *req, char out[64]) {
    const char *v = u_map_get_case(req->map_header, "If-None-Match");
    out[0] = 0;
    if (!v) return;
    if (strncmp(v, "W/", 2) == 0) v += 2;
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    if (n < 63 && !memchr(v, ',', n)) {
        memcpy(out, v, n);
        out[n] = 0;
    }
}

static void not_found(struct _u_response *resp) {
    gw_fail(resp, 404, "registrasi_tidak_ditemukan", "Registrasi tidak ditemukan",
            "Nomor registrasi tidak ditemukan untuk akun Anda.", NULL);
}

/* The receipt is not stored yet: is the number the caller's (202, soon
 * ready) or not (404)? The registration service knows. */
static void pending_or_absent(gw_ctx *gw, struct _u_response *resp, const char *no, const char *nip) {
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_REG_QUERIES, nip, PC_TYPE_REG_GET,
                           json_pack("{s:s, s:s}", "no_registrasi", no, "nip", nip), gw->cfg.request_timeout_ms,
                           &reply);
    if (st != PC_OK) {
        gw_service_failure(resp, st, "registrasi");
    } else if (json_is_object(json_object_get(reply, "registrasi"))) {
        json_t *body = json_pack("{s:s, s:s, s:i}", "status", "diproses", "pesan",
                                 "Bukti registrasi sedang disiapkan. Silakan coba lagi dalam beberapa detik.",
                                 "retry_after", atoi(PENDING_RETRY_S));
        gw_send_json(resp, 202, body);
        json_decref(body);
        u_map_put(resp->map_header, "Retry-After", PENDING_RETRY_S);
        u_map_put(resp->map_header, "Cache-Control", "no-store");
    } else {
        not_found(resp);
    }
    json_decref(reply);
}

static void send_pdf(struct _u_response *resp, json_t *reply) {
    const char *b64 = json_string_value(json_object_get(reply, "pdf_base64"));
    const char *etag = json_string_value(json_object_get(reply, "etag"));
    const char *filename = json_string_value(json_object_get(reply, "filename"));
    size_t cap = b64 ? strlen(b64) : 0, len = 0;
    unsigned char *pdf = cap ? malloc(cap) : NULL;
    if (!pdf || !etag || !filename ||
        sodium_base642bin(pdf, cap, b64, cap, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        free(pdf);
        gw_service_failure(resp, PC_EUNAVAIL, "bukti registrasi");
        return;
    }
    ulfius_set_binary_body_response(resp, 200, (const char *)pdf, len);
    free(pdf);
    char quoted[80], disposition[128];
    snprintf(quoted, sizeof quoted, "\"%s\"", etag);
    snprintf(disposition, sizeof disposition, "inline; filename=\"%s\"", filename);
    u_map_put(resp->map_header, "Content-Type", "application/pdf");
    u_map_put(resp->map_header, "Content-Disposition", disposition);
    u_map_put(resp->map_header, "ETag", quoted);
    u_map_put(resp->map_header, "Cache-Control", "private, max-age=3600, must-revalidate");
}

static void document(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, const char *jenis) {
    char nip[19], etag[64];
    const char *no = u_map_get(req->map_url, "no");
    /* The owner (a PNS session), or a verifier whose unit or BKD the PNS
     * belongs to (the verifier service says whose receipt it is). */
    pc_status sst = gw_session_lookup(gw, req, nip);
    if (sst != PC_OK && sst != PC_ENOTFOUND) {
        gw_service_failure(resp, sst, "registrasi");
        return;
    }
    if (!no || strlen(no) > 32) {
        not_found(resp);
        return;
    }
    if (sst == PC_ENOTFOUND && !gw_verifier_receipt_nip(gw, req, resp, no, nip)) return;
    wanted_etag(req, etag);
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_RECEIPT_REQUESTS, no, PC_TYPE_RECEIPT_DOCUMENT,
                           json_pack("{s:s, s:s, s:s, s:s}", "no_registrasi", no, "nip", nip, "jenis", jenis, "etag",
                                     etag),
                           gw->cfg.request_timeout_ms, &reply);
    const char *status = json_string_value(json_object_get(reply, "status"));
    if (st != PC_OK || !status) {
        gw_service_failure(resp, st != PC_OK ? st : PC_EUNAVAIL, "bukti registrasi");
    } else if (strcmp(status, "found") == 0) {
        send_pdf(resp, reply);
    } else if (strcmp(status, "not_modified") == 0) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "\"%s\"", json_string_value(json_object_get(reply, "etag")));
        ulfius_set_empty_body_response(resp, 304);
        u_map_put(resp->map_header, "ETag", quoted);
        u_map_put(resp->map_header, "Cache-Control", "private, max-age=3600, must-revalidate");
    } else if (strcmp(status, "pending") == 0) {
        pending_or_absent(gw, resp, no, nip);
    } else {
        not_found(resp);
    }
    json_decref(reply);
}

void gw_receipt_bukti(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    document(gw, req, resp, "bukti");
}

void gw_receipt_formulir(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    document(gw, req, resp, "formulir");
}

void gw_receipt_keys(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    (void)req;
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_RECEIPT_REQUESTS, "kunci", PC_TYPE_RECEIPT_KEYS, json_object(),
                           gw->cfg.request_timeout_ms, &reply);
    if (st != PC_OK || !json_is_array(json_object_get(reply, "keys"))) {
        gw_service_failure(resp, st != PC_OK ? st : PC_EUNAVAIL, "bukti registrasi");
    } else {
        json_object_set_new(reply, "format",
                            json_string("PUPNS1.<no_registrasi>.<nip>.<diterbitkan, detik Unix>.<kid>.<tanda tangan "
                                        "Ed25519 base64url atas semua sebelum titik terakhir>"));
        gw_send_json(resp, 200, reply);
        u_map_put(resp->map_header, "Cache-Control", "public, max-age=300");
    }
    json_decref(reply);
}

void gw_receipt_verify(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    /* Public and unauthenticated: it shares the NIP look-ups' budget per address. */
    if (!gw_rate_ok(gw, req, resp, "lookup", gw->cfg.rate_lookup_per_min)) return;
    const char *q = u_map_get(req->map_url, "q");
    if (!q || !*q || strlen(q) > MAX_Q) {
        gw_fail(resp, 400, "q_tidak_valid", "Parameter q tidak valid",
                "Isi parameter q dengan teks kode QR pada Bukti Registrasi.", "q");
        return;
    }
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_RECEIPT_REQUESTS, "verifikasi", PC_TYPE_RECEIPT_VERIFY,
                           json_pack("{s:s}", "q", q), gw->cfg.request_timeout_ms, &reply);
    if (st != PC_OK || !json_is_boolean(json_object_get(reply, "valid"))) {
        gw_service_failure(resp, st != PC_OK ? st : PC_EUNAVAIL, "bukti registrasi");
    } else {
        gw_send_json(resp, 200, reply);
        u_map_put(resp->map_header, "Cache-Control", "no-store");
    }
    json_decref(reply);
}
