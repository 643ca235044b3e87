/* account_api.c -- the PNS's own account, with a bearer session (issue 11):
 *   GET  /api/v1/akun                    own data, the verifier's state, the address and whether it is verified
 *   POST /api/v1/akun/email              a new address: unverified until the link mailed to it is used
 *   POST /api/v1/akun/email/kirim-ulang  a new verification link
 *   POST /api/v1/akun/kata-kunci         change the password (old + new twice); other sessions end
 * and the verifier's view of a PNS (gw_verifier_state), shared with cek status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "gateway.h"
#include "password_policy.h"
#include "problem.h"
#include "respond.h"
#include "seal.h"

/* The verifier is asked briefly: without its answer the PNS still sees
 * "registered", which is always true of a registered PNS. */
#define VERIFIER_TIMEOUT_MS 1500

void gw_verifier_state(gw_ctx *gw, const char *nip, const char *unit_kerja_kode, json_t *out) {
    static const char *const states[] = { "registered", "receipt_received", "in_batch", "accepted" };
    json_t *reply = NULL;
    int timeout = gw->cfg.request_timeout_ms < VERIFIER_TIMEOUT_MS ? gw->cfg.request_timeout_ms : VERIFIER_TIMEOUT_MS;
    pc_status st = gw_call(gw, PC_TOPIC_VERIFIER_REQUESTS, unit_kerja_kode ? unit_kerja_kode : nip,
                           PC_TYPE_VERIFIER_PNS_STATE,
                           json_pack("{s:s, s:s}", "nip", nip, "unit_kerja_kode", unit_kerja_kode ? unit_kerja_kode : ""),
                           timeout, &reply);
    const char *state = json_string_value(json_object_get(reply, "state"));
    int known = 0;
    for (size_t i = 0; st == PC_OK && state && i < sizeof states / sizeof states[0]; i++)
        known |= strcmp(state, states[i]) == 0;
    if (known) {
        json_t *aktif = json_object_get(reply, "unit_active");
        json_object_set_new(out, "status", json_string(state));
        json_object_set_new(out, "status_sumber", json_string("verifikator"));
        json_object_set_new(out, "unit_aktif", json_is_boolean(aktif) ? json_incref(aktif) : json_null());
    } else {
        json_object_set_new(out, "status", json_string("registered"));
        json_object_set_new(out, "status_sumber", json_string("registrasi"));
        json_object_set_new(out, "unit_aktif", json_null());
    }
    json_decref(reply);
}

/* Sends a registration command or query for the session's NIP; answers
 * the client's failure itself (returns 0). */
static int call_registration(gw_ctx *gw, struct _u_response *resp, const char *topic, const char *nip,
                             const char *type, json_t *data, json_t **reply) {
    if (!data) {
        gw_service_failure(resp, PC_EUNAVAIL, "registrasi");
        return 0;
    }
    int timeout = strcmp(topic, PC_TOPIC_REG_COMMANDS) == 0 ? gw->cfg.registration_timeout_ms
                                                            : gw->cfg.request_timeout_ms;
    pc_status st = gw_call(gw, topic, nip, type, data, timeout, reply);
    if (st == PC_OK && json_is_string(json_object_get(*reply, "status"))) return 1;
    gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "registrasi");
    json_decref(*reply);
    *reply = NULL;
    return 0;
}

static int is_status(json_t *reply, const char *s) {
    const char *v = json_string_value(json_object_get(reply, "status"));
    return v && strcmp(v, s) == 0;
}

static void no_account(struct _u_response *resp) {
    gw_fail(resp, 404, "akun_tidak_ditemukan", "Akun tidak ditemukan", "Akun untuk sesi ini tidak ditemukan.", NULL);
}

static void send_no_store(struct _u_response *resp, int http, json_t *out) {
    u_map_put(resp->map_header, "Cache-Control", "no-store");
    gw_send_json(resp, http, out);
    json_decref(out);
}

void gw_account_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    char nip[19];
    if (!gw_session_nip(gw, req, resp, nip)) return;
    json_t *reply = NULL;
    if (!call_registration(gw, resp, PC_TOPIC_REG_QUERIES, nip, PC_TYPE_REG_ACCOUNT, json_pack("{s:s}", "nip", nip),
                           &reply))
        return;
    json_t *akun = json_object_get(reply, "akun");
    if (is_status(reply, "found") && json_is_object(akun)) {
        json_t *out = json_deep_copy(akun);
        gw_verifier_state(gw, nip, json_string_value(json_object_get(json_object_get(akun, "unit_kerja"), "kode")),
                          out);
        send_no_store(resp, 200, out);
    } else {
        no_account(resp);
    }
    json_decref(reply);
}

void gw_account_email(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    char nip[19];
    if (!gw_session_nip(gw, req, resp, nip)) return;
    json_t *body = gw_body_json(req, resp), *reply = NULL;
    if (!body) return;
    const char *email = json_string_value(json_object_get(body, "email"));
    if (!gw_email_valid(email)) {
        json_t *p = pc_problem_new(400, "data_tidak_valid", "Data belum benar", "Periksa kembali isian yang ditandai.", NULL);
        pc_problem_add_error(p, "email", "email_tidak_valid",
                             "Alamat email tidak valid. Gunakan alamat email Anda yang masih aktif.");
        gw_send_problem(resp, p);
        goto out;
    }
    if (!call_registration(gw, resp, PC_TOPIC_REG_COMMANDS, nip, PC_TYPE_REG_EMAIL_CHANGE,
                           json_pack("{s:s, s:s}", "nip", nip, "email", email), &reply))
        goto out;
    if (is_status(reply, "ok"))
        send_no_store(resp, 202,
                      json_pack("{s:s, s:b, s:s}", "email", email, "email_terverifikasi", 0, "pesan",
                                "Alamat email diganti. Tautan verifikasi telah dikirim ke alamat baru (berlaku 7 hari); "
                                "pemberitahuan dikirim ke alamat lama."));
    else if (is_status(reply, "unchanged"))
        gw_fail(resp, 409, "email_sama", "Alamat email sama", "Alamat email ini sudah tercatat pada akun Anda.", "email");
    else if (is_status(reply, "not_found"))
        no_account(resp);
    else
        gw_fail(resp, 400, "email_tidak_valid", "Email tidak valid", "Alamat email tidak valid.", "email");
out:
    json_decref(reply);
    json_decref(body);
}

void gw_account_email_resend(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    char nip[19];
    if (!gw_session_nip(gw, req, resp, nip)) return;
    json_t *reply = NULL;
    if (!call_registration(gw, resp, PC_TOPIC_REG_COMMANDS, nip, PC_TYPE_REG_EMAIL_RESEND,
                           json_pack("{s:s}", "nip", nip), &reply))
        return;
    if (is_status(reply, "ok")) {
        send_no_store(resp, 202,
                      json_pack("{s:s, s:s}", "status", "dikirim", "pesan",
                                "Tautan verifikasi baru telah dikirim ke alamat email Anda (berlaku 7 hari). "
                                "Tautan yang lama tidak berlaku lagi."));
    } else if (is_status(reply, "already_verified")) {
        gw_fail(resp, 409, "email_sudah_terverifikasi", "Email sudah terverifikasi",
                "Alamat email Anda sudah terverifikasi.", NULL);
    } else if (is_status(reply, "too_soon")) {
        long long wait = json_integer_value(json_object_get(reply, "retry_after"));
        char detail[200], retry[24];
        snprintf(detail, sizeof detail, "Tautan baru saja dikirim. Silakan tunggu %lld detik sebelum meminta lagi.", wait);
        snprintf(retry, sizeof retry, "%lld", wait);
        gw_fail(resp, 429, "terlalu_cepat", "Tunggu sebentar", detail, NULL);
        u_map_put(resp->map_header, "Retry-After", retry);
    } else {
        no_account(resp);
    }
    json_decref(reply);
}

void gw_account_password(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    char nip[19], keep[65];
    if (!gw_rate_ok(gw, req, resp, "recovery", gw->cfg.rate_login_per_min)) return;
    if (!gw_session_nip(gw, req, resp, nip) || !gw_bearer_hash(req, keep)) return;
    json_t *body = gw_body_json(req, resp), *reply = NULL;
    if (!body) return;
    const char *old = json_string_value(json_object_get(body, "kata_kunci_lama"));
    const char *pw = json_string_value(json_object_get(body, "kata_kunci"));
    const char *conf = json_string_value(json_object_get(body, "konfirmasi"));
    const char *code = NULL, *msg = NULL;
    json_t *p = pc_problem_new(400, "data_tidak_valid", "Data belum benar", "Periksa kembali isian yang ditandai.", NULL);
    if (!old || !*old || strlen(old) > 1024)
        pc_problem_add_error(p, "kata_kunci_lama", "kata_kunci_lama_kosong", "Masukkan kata kunci Anda yang sekarang.");
    if (!pw)
        pc_problem_add_error(p, "kata_kunci", "kata_kunci_pendek", "Kata kunci wajib diisi (minimal 8 karakter).");
    else if (pc_password_check(pw, NULL, nip, &code, &msg) != PC_OK)
        pc_problem_add_error(p, "kata_kunci", code, msg);
    if (pc_password_confirm_check(pw, conf, &code, &msg) != PC_OK) pc_problem_add_error(p, "konfirmasi", code, msg);
    if (json_array_size(json_object_get(p, "errors")) > 0) {
        gw_send_problem(resp, p);
        goto out;
    }
    json_decref(p);
    char *so = NULL, *sp = NULL;
    json_t *cmd = NULL;
    if (pc_seal_b64(gw->reg_public_key, old, &so) == PC_OK && pc_seal_b64(gw->reg_public_key, pw, &sp) == PC_OK)
        cmd = json_pack("{s:s, s:s, s:{s:s, s:s}}", "nip", nip, "token_hash", keep, "sealed", "old_password", so,
                        "password", sp);
    free(so);
    free(sp);
    if (!call_registration(gw, resp, PC_TOPIC_REG_COMMANDS, nip, PC_TYPE_REG_PW_CHANGE, cmd, &reply)) goto out;
    if (is_status(reply, "ok")) {
        send_no_store(resp, 200,
                      json_pack("{s:s, s:s}", "status", "berhasil", "pesan",
                                "Kata kunci berhasil diganti. Sesi lain pada perangkat lain telah diakhiri."));
    } else if (is_status(reply, "rejected")) {
        json_t *r = pc_problem_new(400, "data_tidak_valid", "Data belum benar", "Periksa kembali isian yang ditandai.", NULL);
        json_object_set(r, "errors", json_object_get(reply, "errors"));
        gw_send_problem(resp, r);
    } else if (is_status(reply, "locked")) {
        long long wait = json_integer_value(json_object_get(reply, "retry_after"));
        char detail[200], retry[24];
        snprintf(detail, sizeof detail, "Terlalu banyak percobaan yang gagal. Silakan coba lagi dalam %lld detik.", wait);
        snprintf(retry, sizeof retry, "%lld", wait);
        gw_fail(resp, 429, "percobaan_dikunci", "Percobaan dikunci sementara", detail, NULL);
        u_map_put(resp->map_header, "Retry-After", retry);
    } else {
        gw_fail(resp, 403, "kata_kunci_lama_salah", "Kata kunci lama salah", "Kata kunci Anda yang sekarang salah.",
                "kata_kunci_lama");
    }
out:
    json_decref(reply);
    json_decref(body);
}
