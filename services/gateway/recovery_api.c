/* recovery_api.c -- a PNS who lost the password or the number (issue 11):
 *   POST /api/v1/kata-kunci/reset   NIP + No. Registrasi + jawaban + captcha + new password twice
 *   POST /api/v1/kata-kunci/lupa    NIP + captcha -> 202, the same whether or not the NIP exists
 *   POST /api/v1/kata-kunci/baru    the mailed link's token + new password twice
 *   POST /api/v1/status             NIP + nama ibu kandung + jawaban + captcha -> number and state
 *   POST /api/v1/email/verifikasi   the mailed link's token -> the address is verified
 *
 * Every wrong part of a reset or a status check gets the same refusal (the
 * registration service does the same work for each). Secrets are sealed to
 * the registration service's key; a link's token travels only as its
 * SHA-256. Rate limits per address like login ("recovery": the login rate
 * and the login lock-outs per address); per NIP in the registration service. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "gateway.h"
#include "nip.h"
#include "password_policy.h"
#include "problem.h"
#include "respond.h"
#include "seal.h"

#define CLS "recovery"
#define MAX_ANSWER 200
#define TOKEN_LEN 43 /* 32 bytes, base64url without padding */

static const char *field(json_t *body, const char *name) {
    return json_string_value(json_object_get(body, name));
}

static int blank(const char *s) {
    if (!s) return 1;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    return *s == '\0';
}

/* Rate limit and per-address lock-out; 0 after answering 429. */
static int admitted(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, CLS, gw->cfg.rate_login_per_min)) return 0;
    char client[64];
    int wait = 0;
    gw_client_address(req, client);
    if (gw->cfg.login_lock_after <= 0 || gw_limiter_locked(gw->limiter, CLS, client, &wait) != PC_ELIMIT) return 1;
    char detail[200], retry[24];
    snprintf(detail, sizeof detail,
             "Terlalu banyak percobaan yang gagal. Silakan coba lagi dalam %d detik.", wait);
    snprintf(retry, sizeof retry, "%d", wait);
    gw_fail(resp, 429, "percobaan_dikunci", "Percobaan dikunci sementara", detail, NULL);
    u_map_put(resp->map_header, "Retry-After", retry);
    return 0;
}

static void count_failure(gw_ctx *gw, const struct _u_request *req) {
    char client[64];
    gw_client_address(req, client);
    gw_limiter_failure(gw->limiter, CLS, client, gw->cfg.login_lock_after);
}

static void locked(struct _u_response *resp, json_t *reply) {
    long long wait = json_integer_value(json_object_get(reply, "retry_after"));
    char detail[200], retry[24];
    snprintf(detail, sizeof detail,
             "Terlalu banyak percobaan yang gagal untuk NIP ini. Silakan coba lagi dalam %lld detik.", wait);
    snprintf(retry, sizeof retry, "%lld", wait);
    gw_fail(resp, 429, "percobaan_dikunci", "Percobaan dikunci sementara", detail, NULL);
    u_map_put(resp->map_header, "Retry-After", retry);
}

/* The password and its confirmation (fields kata_kunci, konfirmasi). */
static void check_password(json_t *body, const char *nip, json_t *problem) {
    const char *pw = field(body, "kata_kunci"), *conf = field(body, "konfirmasi"), *code = NULL, *msg = NULL;
    if (!pw)
        pc_problem_add_error(problem, "kata_kunci", "kata_kunci_pendek", "Kata kunci wajib diisi (minimal 8 karakter).");
    else if (pc_password_check(pw, NULL, nip, &code, &msg) != PC_OK)
        pc_problem_add_error(problem, "kata_kunci", code, msg);
    if (pc_password_confirm_check(pw, conf, &code, &msg) != PC_OK)
        pc_problem_add_error(problem, "konfirmasi", code, msg);
}

static void check_nip(json_t *body, json_t *problem) {
    pc_nip_error ne = pc_nip_parse(field(body, "nip"), NULL);
    if (ne != PC_NIP_OK) pc_problem_add_error(problem, "nip", pc_nip_error_code(ne), pc_nip_error_message(ne));
}

static void check_text(json_t *body, const char *name, const char *code, const char *message, json_t *problem) {
    const char *v = field(body, name);
    if (blank(v) || strlen(v) > MAX_ANSWER) pc_problem_add_error(problem, name, code, message);
}

/* Sends problem if it holds field errors (returns 1: answered), else frees it. */
static int answered_problem(struct _u_response *resp, json_t *problem) {
    if (json_array_size(json_object_get(problem, "errors")) == 0) {
        json_decref(problem);
        return 0;
    }
    gw_send_problem(resp, problem);
    return 1;
}

static json_t *form_problem(void) {
    return pc_problem_new(400, "data_tidak_valid", "Data belum benar", "Periksa kembali isian yang ditandai.", NULL);
}

/* A {"status": "rejected", "errors": [...]} reply as 400. */
static void rejected(struct _u_response *resp, json_t *reply) {
    json_t *p = form_problem();
    json_object_set(p, "errors", json_object_get(reply, "errors"));
    gw_send_problem(resp, p);
}

/* Seals n plaintexts under the given names into {"name": b64, ...}; NULL on failure. */
static json_t *sealed_object(gw_ctx *gw, const char *const *names, const char *const *values, int n) {
    json_t *obj = json_object();
    for (int i = 0; i < n && obj; i++) {
        char *b64 = NULL;
        if (!values[i] || pc_seal_b64(gw->reg_public_key, values[i], &b64) != PC_OK) {
            json_decref(obj);
            return NULL;
        }
        json_object_set_new(obj, names[i], json_string(b64));
        free(b64);
    }
    return obj;
}

/* Sends a command and answers the client's failure itself (returns 0). */
static int command(gw_ctx *gw, struct _u_response *resp, const char *key, const char *type, json_t *data,
                   json_t **reply) {
    if (!data) {
        gw_service_failure(resp, PC_EUNAVAIL, "registrasi");
        return 0;
    }
    pc_status st = gw_call(gw, PC_TOPIC_REG_COMMANDS, key, type, data, gw->cfg.registration_timeout_ms, reply);
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

static void send_message(struct _u_response *resp, int http, const char *status, const char *pesan) {
    json_t *out = json_pack("{s:s, s:s}", "status", status, "pesan", pesan);
    u_map_put(resp->map_header, "Cache-Control", "no-store");
    gw_send_json(resp, http, out);
    json_decref(out);
}

void gw_password_reset(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!admitted(gw, req, resp)) return;
    json_t *body = gw_body_json(req, resp), *reply = NULL;
    if (!body) return;
    const char *nip = field(body, "nip");
    json_t *problem = form_problem();
    check_nip(body, problem);
    if (blank(field(body, "no_registrasi")) || strlen(field(body, "no_registrasi")) > 32)
        pc_problem_add_error(problem, "no_registrasi", "no_registrasi_kosong", "Nomor registrasi wajib diisi.");
    check_text(body, "jawaban", "jawaban_kosong", "Jawaban pertanyaan pengaman wajib diisi (maksimal 200 karakter).",
               problem);
    check_password(body, nip && strlen(nip) == 18 ? nip : NULL, problem);
    if (!gw_captcha_check(gw, resp, field(body, "captcha_id"), field(body, "captcha_jawaban"), problem)) {
        json_decref(problem);
        goto out;
    }
    if (answered_problem(resp, problem)) goto out;
    const char *names[] = { "jawaban", "password" };
    const char *values[] = { field(body, "jawaban"), field(body, "kata_kunci") };
    json_t *sealed = sealed_object(gw, names, values, 2);
    json_t *cmd = sealed ? json_pack("{s:s, s:s, s:o}", "nip", nip, "no_registrasi", field(body, "no_registrasi"),
                                     "sealed", sealed)
                         : NULL;
    if (!command(gw, resp, nip, PC_TYPE_REG_PW_RESET, cmd, &reply)) goto out;
    if (is_status(reply, "ok")) {
        send_message(resp, 200, "berhasil",
                     "Kata kunci berhasil diganti. Semua sesi lama telah diakhiri; silakan masuk dengan kata kunci baru.");
    } else if (is_status(reply, "rejected")) {
        rejected(resp, reply);
    } else {
        count_failure(gw, req);
        if (is_status(reply, "locked")) locked(resp, reply);
        else
            gw_fail(resp, 401, "data_tidak_cocok", "Data tidak cocok",
                    "NIP, nomor registrasi, atau jawaban pertanyaan pengaman tidak cocok dengan data registrasi.", NULL);
    }
out:
    json_decref(reply);
    json_decref(body);
}

void gw_password_forgot(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, CLS, gw->cfg.rate_login_per_min)) return;
    json_t *body = gw_body_json(req, resp), *reply = NULL;
    if (!body) return;
    json_t *problem = form_problem();
    check_nip(body, problem);
    if (!gw_captcha_check(gw, resp, field(body, "captcha_id"), field(body, "captcha_jawaban"), problem)) {
        json_decref(problem);
        goto out;
    }
    if (answered_problem(resp, problem)) goto out;
    const char *nip = field(body, "nip");
    if (!command(gw, resp, nip, PC_TYPE_REG_PW_FORGOT, json_pack("{s:s}", "nip", nip), &reply)) goto out;
    /* One answer, whatever the service found. */
    send_message(resp, 202, "diterima",
                 "Jika NIP tersebut terdaftar dengan alamat email yang sudah terverifikasi, tautan untuk membuat "
                 "kata kunci baru telah dikirim ke alamat itu. Tautan berlaku 30 menit dan hanya dapat dipakai sekali.");
out:
    json_decref(reply);
    json_decref(body);
}

/* 1 if t looks like a link's token (what the registration service makes). */
static int token_plausible(const char *t) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    return t && strlen(t) == TOKEN_LEN && strspn(t, alphabet) == TOKEN_LEN;
}

static void link_invalid(struct _u_response *resp, const char *detail) {
    gw_fail(resp, 400, "tautan_tidak_berlaku", "Tautan tidak berlaku", detail, "token");
}

static const char RESET_LINK_INVALID[] =
    "Tautan ini tidak berlaku: sudah dipakai, sudah kedaluwarsa (30 menit), atau tidak dikenal. "
    "Silakan minta tautan baru melalui Lupa Kata Kunci.";

void gw_password_token_reset(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, CLS, gw->cfg.rate_login_per_min)) return;
    json_t *body = gw_body_json(req, resp), *reply = NULL;
    if (!body) return;
    const char *token = field(body, "token");
    json_t *problem = form_problem();
    check_password(body, NULL, problem); /* the NIP rule again in the service, which knows the NIP */
    if (answered_problem(resp, problem)) goto out;
    if (!token_plausible(token)) {
        link_invalid(resp, RESET_LINK_INVALID);
        goto out;
    }
    char hash[65];
    gw_token_hash(token, hash);
    const char *names[] = { "password" };
    const char *values[] = { field(body, "kata_kunci") };
    json_t *sealed = sealed_object(gw, names, values, 1);
    json_t *cmd = sealed ? json_pack("{s:s, s:o}", "token_hash", hash, "sealed", sealed) : NULL;
    if (!command(gw, resp, hash, PC_TYPE_REG_PW_TOKEN_RESET, cmd, &reply)) goto out;
    if (is_status(reply, "ok"))
        send_message(resp, 200, "berhasil",
                     "Kata kunci berhasil diganti. Semua sesi lama telah diakhiri; silakan masuk dengan kata kunci baru.");
    else if (is_status(reply, "rejected")) rejected(resp, reply);
    else link_invalid(resp, RESET_LINK_INVALID);
out:
    json_decref(reply);
    json_decref(body);
}

void gw_status_check(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!admitted(gw, req, resp)) return;
    json_t *body = gw_body_json(req, resp), *reply = NULL, *mail = NULL;
    if (!body) return;
    const char *nip = field(body, "nip");
    json_t *problem = form_problem();
    check_nip(body, problem);
    check_text(body, "nama_ibu_kandung", "nama_ibu_kosong", "Nama ibu kandung wajib diisi (maksimal 200 karakter).",
               problem);
    check_text(body, "jawaban", "jawaban_kosong", "Jawaban pertanyaan pengaman wajib diisi (maksimal 200 karakter).",
               problem);
    if (!gw_captcha_check(gw, resp, field(body, "captcha_id"), field(body, "captcha_jawaban"), problem)) {
        json_decref(problem);
        goto out;
    }
    if (answered_problem(resp, problem)) goto out;
    const char *names[] = { "ibu_kandung", "jawaban" };
    const char *values[] = { field(body, "nama_ibu_kandung"), field(body, "jawaban") };
    json_t *sealed = sealed_object(gw, names, values, 2);
    json_t *cmd = sealed ? json_pack("{s:s, s:o}", "nip", nip, "sealed", sealed) : NULL;
    if (!command(gw, resp, nip, PC_TYPE_REG_STATUS_CHECK, cmd, &reply)) goto out;
    if (!is_status(reply, "ok")) {
        count_failure(gw, req);
        if (is_status(reply, "locked")) locked(resp, reply);
        else
            gw_fail(resp, 401, "data_tidak_cocok", "Data tidak cocok",
                    "NIP, nama ibu kandung, atau jawaban pertanyaan pengaman tidak cocok dengan data registrasi.", NULL);
        goto out;
    }
    json_t *out = json_pack("{s:s}", "nip", nip);
    gw_verifier_state(gw, nip, json_string_value(json_object_get(reply, "unit_kerja_kode")), out);
    if (json_is_true(json_object_get(reply, "email_terverifikasi"))) {
        /* The number goes to the verified address, not on the screen. */
        if (!command(gw, resp, nip, PC_TYPE_REG_STATUS_MAIL,
                     json_pack("{s:s, s:O}", "nip", nip, "state", json_object_get(out, "status")), &mail)) {
            json_decref(out);
            goto out;
        }
        json_decref(out);
        out = json_pack("{s:b, s:O}", "dikirim_ke_email", 1, "email", json_object_get(reply, "email_tersamar"));
    } else {
        json_object_set(out, "nama", json_object_get(reply, "nama"));
        json_object_set(out, "no_registrasi", json_object_get(reply, "no_registrasi"));
        json_object_set_new(out, "dikirim_ke_email", json_false());
    }
    u_map_put(resp->map_header, "Cache-Control", "no-store");
    gw_send_json(resp, 200, out);
    json_decref(out);
out:
    json_decref(mail);
    json_decref(reply);
    json_decref(body);
}

void gw_email_verify(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    static const char invalid[] =
        "Tautan verifikasi ini tidak berlaku: sudah dipakai, sudah kedaluwarsa (7 hari), alamat email sudah "
        "diganti, atau tidak dikenal. Masuk (login) dan minta tautan baru dari halaman Akun.";
    if (!gw_rate_ok(gw, req, resp, CLS, gw->cfg.rate_login_per_min)) return;
    json_t *body = gw_body_json(req, resp), *reply = NULL;
    if (!body) return;
    const char *token = field(body, "token");
    if (!token_plausible(token)) {
        link_invalid(resp, invalid);
        goto out;
    }
    char hash[65];
    gw_token_hash(token, hash);
    if (!command(gw, resp, hash, PC_TYPE_REG_EMAIL_VERIFY, json_pack("{s:s}", "token_hash", hash), &reply)) goto out;
    if (is_status(reply, "ok")) send_message(resp, 200, "terverifikasi", "Alamat email Anda berhasil diverifikasi.");
    else link_invalid(resp, invalid);
out:
    json_decref(reply);
    json_decref(body);
}
