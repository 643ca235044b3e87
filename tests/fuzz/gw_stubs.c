/* gw_stubs.c -- the network behind the gateway, for the fuzz targets:
 * rate limits and backpressure that always allow, and a pc_rpc_call that
 * checks the request data and answers from a table (fuzz_gateway.h). */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "fuzz_gateway.h"
#include "nip.h"
#include "plain_text.h"

const unsigned char fuzz_flow_key[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                         16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
fuzz_gw_seen fuzz_seen;
unsigned fuzz_variant;
static gw_ctx ctx;

void fuzz_gw_init(void) {
    if (sodium_init() < 0) abort();
    unsigned char sk[32];
    crypto_box_keypair(ctx.reg_public_key, sk);
    memcpy(ctx.flow_key, fuzz_flow_key, 32);
    ctx.cfg.request_timeout_ms = 3000;
    ctx.cfg.registration_timeout_ms = 30000;
    ctx.cfg.rate_lookup_per_min = 300;
    ctx.cfg.rate_captcha_per_min = 30;
    ctx.cfg.rate_register_per_min = 20;
    ctx.cfg.rate_login_per_min = 30;
    ctx.cfg.login_lock_after = 10;
}

gw_ctx *fuzz_gw(void) { return &ctx; }

unsigned fuzz_hash(const uint8_t *data, size_t size) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 16777619u;
    h ^= h >> 16;
    h *= 0x45d9f3bu;
    h ^= h >> 16;
    return h;
}

pc_status gw_limiter_hit(gw_limiter *l, const char *cls, const char *client, int per_minute, int *retry_after) {
    (void)l, (void)cls, (void)client, (void)per_minute;
    *retry_after = 0;
    return PC_OK;
}

pc_status gw_limiter_locked(gw_limiter *l, const char *cls, const char *client, int *retry_after) {
    (void)l, (void)cls, (void)client;
    *retry_after = 0;
    return PC_OK;
}

int gw_limiter_failure(gw_limiter *l, const char *cls, const char *client, int after) {
    (void)l, (void)cls, (void)client, (void)after;
    return 0;
}

void gw_bp_observe(const char *topic, pc_status st) { (void)topic, (void)st; }
int gw_bp_retry_hint(void) { return 5; }

static const char *str(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* What every request the gateway sends must satisfy. */
static void check_request(const char *type, const json_t *data) {
    FUZZ_CHECK(json_is_object(data), "%s: data is not an object", type);
    const char *nip = str(data, "nip");
    if (json_object_get(data, "nip"))
        FUZZ_CHECK(nip && pc_nip_parse(nip, NULL) == PC_NIP_OK, "%s: sends an invalid NIP", type);
    if (strcmp(type, PC_TYPE_IDENTITY_CORRECTION_SUBMIT) == 0) {
        const char *field = str(data, "field");
        FUZZ_CHECK(field && (!strcmp(field, "nama") || !strcmp(field, "instansi")), "correction field");
        FUZZ_CHECK(pc_plain_text_check(str(data, "usulan"), 200, 0) == PC_TEXT_OK, "correction usulan not plain text");
        FUZZ_CHECK(pc_plain_text_check(str(data, "catatan"), 500, 1) == PC_TEXT_OK, "correction catatan not plain text");
    } else if (strcmp(type, PC_TYPE_CAPTCHA_CHECK) == 0) {
        const char *id = str(data, "id"), *answer = str(data, "answer");
        FUZZ_CHECK(id && strlen(id) == 36 && answer && *answer && strlen(answer) <= 16, "captcha check request");
        fuzz_seen.captcha_checks++;
    } else if (strcmp(type, PC_TYPE_REG_SUBMIT) == 0 || strcmp(type, PC_TYPE_REG_LOGIN) == 0) {
        FUZZ_CHECK(nip, "%s without a NIP", type);
        json_t *sealed = json_object_get(data, "sealed");
        FUZZ_CHECK(str(sealed, "password"), "%s without a sealed password", type);
        if (strcmp(type, PC_TYPE_REG_SUBMIT) == 0) {
            const char *email = str(data, "email");
            FUZZ_CHECK(email && strlen(email) < 256 && str(sealed, "ibu_kandung") && str(sealed, "jawaban") &&
                           json_is_object(json_object_get(data, "pns")),
                       "submit command incomplete");
        }
    } else if (strcmp(type, PC_TYPE_REG_PW_RESET) == 0 || strcmp(type, PC_TYPE_REG_STATUS_CHECK) == 0 ||
               strcmp(type, PC_TYPE_REG_PW_TOKEN_RESET) == 0) {
        /* Recovery: every secret sealed, a link's token only as its hash. */
        json_t *sealed = json_object_get(data, "sealed");
        if (strcmp(type, PC_TYPE_REG_PW_TOKEN_RESET) == 0) {
            const char *h = str(data, "token_hash");
            FUZZ_CHECK(h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64 && !json_object_get(data, "token"),
                       "token reset without a hash");
            FUZZ_CHECK(str(sealed, "password"), "token reset without a sealed password");
        } else {
            FUZZ_CHECK(nip, "%s without a NIP", type);
            FUZZ_CHECK(str(sealed, "jawaban") && json_object_size(sealed) == 2, "%s: secrets not all sealed", type);
            FUZZ_CHECK(!json_object_get(data, "jawaban") && !json_object_get(data, "kata_kunci"),
                       "%s: a secret in clear", type);
        }
    } else if (strcmp(type, PC_TYPE_REG_EMAIL_VERIFY) == 0) {
        const char *h = str(data, "token_hash");
        FUZZ_CHECK(h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64, "verification without a hash");
    } else if (strcmp(type, PC_TYPE_REG_SESSION) == 0 || strcmp(type, PC_TYPE_REG_LOGOUT) == 0) {
        const char *h = str(data, "token_hash");
        FUZZ_CHECK(h && strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64, "session query without a hash");
        fuzz_seen.session_queries++;
    }
}

pc_status pc_rpc_call(pc_rpc *r, const char *topic, const char *key, const char *type, json_t *data,
                      int timeout_ms, json_t **reply) {
    (void)r, (void)topic, (void)key, (void)timeout_ms;
    *reply = NULL;
    fuzz_seen.rpc_calls++;
    if (getenv("FUZZ_TRACE")) fprintf(stderr, "fuzz: call %s\n", type);
    check_request(type, data);
    unsigned v = fuzz_variant % 4;
    if (fuzz_variant % 7 == 6) return PC_ETIMEDOUT;
    const char *text = "{\"status\": \"error\"}";
    if (!strcmp(type, PC_TYPE_IDENTITY_LOOKUP))
        text = v == 0 ? "{}" : "{\"pns\": {\"nama\": \"AKHMAD SOLEH ARIFIN\", \"instansi\": \"Pemerintah Kota Malang\"}}";
    else if (!strcmp(type, PC_TYPE_REG_STATUS))
        text = v == 1 ? "{\"registered\": true}" : "{\"registered\": false}";
    else if (!strcmp(type, PC_TYPE_CAPTCHA_CHECK))
        text = v == 2 ? "{\"valid\": false, \"reason\": \"expired\"}" : v == 3 ? "{\"valid\": false}" : "{\"valid\": true}";
    else if (!strcmp(type, PC_TYPE_REG_SUBMIT))
        text = v == 0   ? "{\"status\": \"completed\", \"registrasi\": {\"no_registrasi\": \"PUPNS-2015-0000001\"}}"
               : v == 1 ? "{\"status\": \"rejected\", \"code\": \"sudah_terdaftar\"}"
               : v == 2 ? "{\"status\": \"rejected\", \"code\": \"kata_kunci_lemah\", \"message\": \"m\", \"errors\": []}"
                        : "{\"status\": \"rejected\"}";
    else if (!strcmp(type, PC_TYPE_REG_LOGIN))
        text = v == 0   ? "{\"status\": \"ok\", \"expires_in\": 28800, \"nip\": \"197501022014071003\"}"
               : v == 1 ? "{\"status\": \"locked\", \"retry_after\": 30}"
               : v == 2 ? "{\"status\": \"denied\"}"
                        : "{}";
    else if (!strcmp(type, PC_TYPE_REG_SESSION) || !strcmp(type, PC_TYPE_REG_LOGOUT))
        text = v == 0 ? "{\"valid\": false}" : "{\"valid\": true, \"nip\": \"197501022014071003\"}";
    else if (!strcmp(type, PC_TYPE_REG_GET))
        text = v == 0 ? "{}" : "{\"registrasi\": {\"no_registrasi\": \"PUPNS-2015-0000001\"}}";
    else if (!strcmp(type, PC_TYPE_IDENTITY_CORRECTION_SUBMIT))
        text = v == 0   ? "{\"status\": \"open\", \"koreksi\": {\"id\": \"k1\"}}"
               : v == 1 ? "{\"status\": \"not_found\"}"
               : v == 2 ? "{\"status\": \"invalid\"}"
                        : "{}";
    else if (!strcmp(type, PC_TYPE_REG_PW_RESET) || !strcmp(type, PC_TYPE_REG_PW_TOKEN_RESET))
        text = v == 0   ? "{\"status\": \"ok\"}"
               : v == 1 ? "{\"status\": \"locked\", \"retry_after\": 30}"
               : v == 2 ? "{\"status\": \"rejected\", \"errors\": [{\"field\": \"kata_kunci\", \"code\": \"c\", \"message\": \"m\"}]}"
                        : "{\"status\": \"denied\"}";
    else if (!strcmp(type, PC_TYPE_REG_STATUS_CHECK))
        text = v == 0   ? "{\"status\": \"ok\", \"nama\": \"N\", \"unit_kerja_kode\": \"K1\", \"email_terverifikasi\": true, \"email_tersamar\": \"a***@b.id\"}"
               : v == 1 ? "{\"status\": \"ok\", \"nama\": \"N\", \"no_registrasi\": \"C8Y9GVRX\", \"email_terverifikasi\": false}"
               : v == 2 ? "{\"status\": \"locked\", \"retry_after\": 30}"
                        : "{\"status\": \"denied\"}";
    else if (!strcmp(type, PC_TYPE_REG_PW_FORGOT) || !strcmp(type, PC_TYPE_REG_STATUS_MAIL))
        text = v == 3 ? "{}" : "{\"status\": \"accepted\"}";
    else if (!strcmp(type, PC_TYPE_REG_EMAIL_VERIFY))
        text = v == 0 ? "{\"status\": \"ok\", \"nip\": \"197501022014071003\"}" : "{\"status\": \"invalid\"}";
    else if (!strcmp(type, PC_TYPE_VERIFIER_PNS_STATE))
        text = v == 0 ? "{\"state\": \"in_batch\", \"unit_active\": false}" : v == 1 ? "{\"state\": \"bogus\"}" : "{}";
    *reply = json_loads(text, 0, NULL);
    if (!*reply) abort();
    return PC_OK;
}

static int known_status(int s) {
    static const int ok[] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 409, 413, 415, 429, 503, 504};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (s == ok[i]) return 1;
    return 0;
}

int fuzz_gw_run(gw_handler handler, const uint8_t *body, size_t len, const char *header_name,
                const char *header_value, const char *url_key, const char *url_value) {
    struct _u_request req;
    struct _u_response resp;
    memset(&fuzz_seen, 0, sizeof fuzz_seen);
    if (ulfius_init_request(&req) != U_OK || ulfius_init_response(&resp) != U_OK) abort();
    o_free(req.http_verb);
    req.http_verb = o_strdup("POST");
    if (len) {
        req.binary_body = o_malloc(len);
        if (!req.binary_body) abort();
        memcpy(req.binary_body, body, len);
        req.binary_body_length = len;
    }
    if (header_name) u_map_put(req.map_header, header_name, header_value);
    if (url_key) u_map_put(req.map_url, url_key, url_value);
    handler(fuzz_gw(), &req, &resp);
    int status = (int)resp.status;
    if (getenv("FUZZ_TRACE"))
        fprintf(stderr, "fuzz: HTTP %d %.*s\n", status, (int)resp.binary_body_length, (const char *)resp.binary_body);
    FUZZ_CHECK(known_status(status), "answered HTTP %d", status);
    if (resp.binary_body_length) {
        json_t *j = json_loadb(resp.binary_body, resp.binary_body_length, 0, NULL);
        FUZZ_CHECK(j != NULL, "HTTP %d with a body that is not JSON", status);
        json_decref(j);
    }
    ulfius_clean_request(&req);
    ulfius_clean_response(&resp);
    return status;
}
