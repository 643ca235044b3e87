/* auth_api.c -- login, logout and the bearer-session check for PNS.
 * One generic message for an unknown NIP and a wrong password.
 *
 * The gateway makes the bearer token itself and sends only its SHA-256 to
 * the registration service, so a token never travels on (or rests in)
 * Kafka: whoever reads a topic learns a hash the HTTP API does not accept. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>
#include <stdlib.h>

#include "contract.h"
#include "gateway.h"
#include "log.h"
#include "nip.h"
#include "problem.h"
#include "respond.h"
#include "seal.h"

static const char DENIED_DETAIL[] = "NIP atau kata kunci salah.";

static void denied(struct _u_response *resp) {
    gw_fail(resp, 401, "login_gagal", "Gagal masuk", DENIED_DETAIL, NULL);
}

/* captcha_wajib: the NIP has had too many failures; the next attempt must
 * bring a solved captcha (portal: show it). */
static void captcha_needed(struct _u_response *resp, int after_failure) {
    json_t *p = pc_problem_new(401, after_failure ? "login_gagal" : "captcha_wajib",
                               after_failure ? "Gagal masuk" : "Perlu kode captcha",
                               after_failure ? DENIED_DETAIL
                                             : "Terlalu banyak percobaan masuk yang gagal untuk NIP ini. Masukkan kode "
                                               "pada gambar (captcha) bersama kata kunci Anda.",
                               NULL);
    json_object_set_new(p, "captcha_wajib", json_true());
    gw_send_problem(resp, p);
}

static void locked(struct _u_response *resp, long long wait) {
    char detail[200], retry[24];
    snprintf(detail, sizeof detail,
             "Terlalu banyak percobaan masuk yang gagal. Silakan coba lagi dalam %lld detik.", wait);
    snprintf(retry, sizeof retry, "%lld", wait);
    gw_fail(resp, 429, "login_dikunci", "Percobaan masuk dikunci sementara", detail, NULL);
    u_map_put(resp->map_header, "Retry-After", retry);
}

void gw_login(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "login", gw->cfg.rate_login_per_min)) return;
    /* Lock-outs per NIP live in the registration service; these are per
     * client address, against one address guessing across many NIPs. */
    char client[64];
    int wait = 0;
    gw_client_address(req, client);
    if (gw->cfg.login_lock_after > 0 && gw_limiter_locked(gw->limiter, "login", client, &wait) == PC_ELIMIT) {
        locked(resp, wait);
        return;
    }
    json_t *body = gw_body_json(req, resp);
    if (!body) return;
    const char *nip = json_string_value(json_object_get(body, "nip"));
    const char *password = json_string_value(json_object_get(body, "kata_kunci"));
    int nip_ok = nip && pc_nip_parse(nip, NULL) == PC_NIP_OK;
    if (!nip_ok || !password || !*password || strlen(password) > 1024) {
        gw_fail(resp, 400, "data_login_kurang", "Data masuk tidak lengkap",
                "Isi NIP (18 digit angka) dan kata kunci Anda.", nip_ok ? "kata_kunci" : "nip");
        json_decref(body);
        return;
    }
    /* Growing delays for this NIP from this address only: the owner, from
     * another address, is not slowed by someone guessing at their NIP. */
    char pair[96];
    snprintf(pair, sizeof pair, "%s@%s", nip, client);
    if (gw->cfg.login_pair_lock_after > 0 && gw_limiter_locked(gw->limiter, "login-pair", pair, &wait) == PC_ELIMIT) {
        locked(resp, wait);
        json_decref(body);
        return;
    }
    /* A captcha, when the form brings one (it must after repeated failures
     * for the NIP; the registration service says when). */
    int captcha_verified = 0;
    const char *captcha_id = json_string_value(json_object_get(body, "captcha_id"));
    if (captcha_id) {
        json_t *problem = pc_problem_new(400, "data_tidak_valid", "Data belum benar",
                                         "Periksa kembali isian yang ditandai.", NULL);
        if (!gw_captcha_check(gw, resp, captcha_id, json_string_value(json_object_get(body, "captcha_jawaban")),
                              problem)) {
            json_decref(problem);
            json_decref(body);
            return;
        }
        if (json_array_size(json_object_get(problem, "errors")) > 0) {
            gw_send_problem(resp, problem);
            json_decref(body);
            return;
        }
        json_decref(problem);
        captcha_verified = 1;
    }
    char *sealed = NULL;
    if (pc_seal_b64(gw->reg_public_key, password, &sealed) != PC_OK) {
        json_decref(body);
        gw_service_failure(resp, PC_EUNAVAIL, "registrasi");
        return;
    }
    char token[64], token_hash[65];
    gw_token_new(token, token_hash);
    json_t *cmd = json_pack("{s:s, s:s, s:{s:s}, s:b}", "nip", nip, "token_hash", token_hash, "sealed", "password",
                            sealed, "captcha_verified", captcha_verified);
    free(sealed);
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_REG_COMMANDS, nip, PC_TYPE_REG_LOGIN, cmd,
                           gw->cfg.registration_timeout_ms, &reply);
    json_decref(body);
    const char *status = json_string_value(json_object_get(reply, "status"));
    if (st != PC_OK || !status) {
        gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "registrasi");
    } else if (strcmp(status, "ok") == 0) {
        json_t *out = json_pack("{s:s, s:s, s:O, s:O}", "token", token, "token_type", "Bearer", "expires_in",
                                json_object_get(reply, "expires_in"), "nip", json_object_get(reply, "nip"));
        u_map_put(resp->map_header, "Cache-Control", "no-store");
        gw_send_json(resp, 200, out);
        json_decref(out);
    } else if (strcmp(status, "captcha_required") == 0) {
        captcha_needed(resp, 0); /* no password was tried: counts as no failure */
    } else {
        gw_limiter_failure(gw->limiter, "login", client, gw->cfg.login_lock_after);
        gw_limiter_failure(gw->limiter, "login-pair", pair, gw->cfg.login_pair_lock_after);
        if (json_is_true(json_object_get(reply, "captcha_required"))) captcha_needed(resp, 1);
        else denied(resp);
    }
    sodium_memzero(token, sizeof token);
    json_decref(reply);
}

void gw_token_new(char token[64], char hash_hex[65]) {
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, 64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    gw_token_hash(token, hash_hex);
}

void gw_token_hash(const char *token, char hash_hex[65]) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash_hex, 65, digest, sizeof digest);
}

/* The bearer token of the request, or NULL. */
static const char *bearer(const struct _u_request *req) {
    const char *h = u_map_get_case(req->map_header, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return NULL;
    h += 7;
    size_t n = strlen(h);
    return n >= 16 && n <= 128 ? h : NULL;
}

int gw_bearer_hash(const struct _u_request *req, char hash_hex[65]) {
    const char *token = bearer(req);
    if (!token) return 0;
    gw_token_hash(token, hash_hex);
    return 1;
}

/* Asks the registration service about a token (session or logout query),
 * naming it by its hash only. */
static pc_status session_query(gw_ctx *gw, const char *type, const char *token, json_t **reply) {
    char hash[65];
    gw_token_hash(token, hash);
    return gw_call(gw, PC_TOPIC_REG_QUERIES, NULL, type, json_pack("{s:s}", "token_hash", hash),
                   gw->cfg.request_timeout_ms, reply);
}

pc_status gw_session_lookup(gw_ctx *gw, const struct _u_request *req, char nip[19]) {
    const char *token = bearer(req);
    if (!token) return PC_ENOTFOUND;
    json_t *reply = NULL;
    pc_status st = session_query(gw, PC_TYPE_REG_SESSION, token, &reply);
    const char *owner = json_string_value(json_object_get(reply, "nip"));
    if (st == PC_OK && json_is_true(json_object_get(reply, "valid")) && owner) snprintf(nip, 19, "%s", owner);
    else if (st == PC_OK) st = PC_ENOTFOUND;
    json_decref(reply);
    return st;
}

int gw_session_nip(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, char nip[19]) {
    pc_status st = gw_session_lookup(gw, req, nip);
    if (st == PC_ENOTFOUND) gw_fail_pns_login(resp);
    else if (st != PC_OK) gw_service_failure(resp, st, "registrasi");
    return st == PC_OK;
}

void gw_logout(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    const char *token = bearer(req);
    if (!token) {
        gw_fail_pns_login(resp);
        return;
    }
    json_t *reply = NULL;
    pc_status st = session_query(gw, PC_TYPE_REG_LOGOUT, token, &reply);
    if (st != PC_OK) gw_service_failure(resp, st, "registrasi");
    else if (json_is_true(json_object_get(reply, "valid"))) ulfius_set_empty_body_response(resp, 204);
    else gw_fail_pns_login(resp);
    json_decref(reply);
}
