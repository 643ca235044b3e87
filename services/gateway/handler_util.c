/* handler_util.c -- small pieces every API handler needs: body parsing,
 * client address, rate limits, service calls and their failures. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gateway.h"
#include "log.h"
#include "problem.h"
#include "respond.h"

json_t *gw_body_json(const struct _u_request *req, struct _u_response *resp) {
    json_error_t jerr;
    json_t *body = req->binary_body_length ? json_loadb(req->binary_body, req->binary_body_length, JSON_REJECT_DUPLICATES, &jerr)
                                           : NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        gw_fail(resp, 400, "json_tidak_valid", "Format data tidak valid",
                "Data harus dikirim sebagai objek JSON yang valid.", NULL);
        return NULL;
    }
    return body;
}

int gw_rate_ok(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, const char *cls,
               int per_minute) {
    char client[64], retry[16];
    int retry_after = 0;
    gw_client_address(req, client);
    if (gw_limiter_hit(gw->limiter, cls, client, per_minute, &retry_after) == PC_OK) return 1;
    snprintf(retry, sizeof retry, "%d", retry_after);
    char detail[200];
    snprintf(detail, sizeof detail,
             "Terlalu banyak permintaan dari alamat Anda. Silakan coba lagi dalam %d detik.", retry_after);
    gw_fail(resp, 429, "terlalu_banyak_permintaan", "Terlalu banyak permintaan", detail, NULL);
    u_map_put(resp->map_header, "Retry-After", retry);
    return 0;
}

void gw_nip_unknown(struct _u_response *resp) {
    gw_fail(resp, 404, "nip_tidak_ditemukan", "NIP tidak ditemukan",
            "NIP tidak terdaftar dalam data kepegawaian BKN. Periksa kembali NIP Anda atau "
            "hubungi pengelola kepegawaian instansi Anda.", "nip");
}

/* The one answer for work the gateway cannot get done now: 503 or 504 (the
 * status table says which), Retry-After in seconds, and the same number as
 * `retry_after` in the problem. */
static void answer_unavailable(struct _u_response *resp, pc_status st, const char *code, const char *title,
                               const char *detail, int retry_after) {
    char retry[16];
    json_t *p = pc_problem_new(gw_http_status(st), code, title, detail, NULL);
    json_object_set_new(p, "retry_after", json_integer(retry_after));
    gw_send_problem(resp, p);
    snprintf(retry, sizeof retry, "%d", retry_after);
    u_map_put(resp->map_header, "Retry-After", retry);
}

void gw_service_failure(struct _u_response *resp, pc_status st, const char *layanan) {
    char title[160], detail[320];
    int retry_after = gw_bp_retry_hint();
    if (st == PC_ETIMEDOUT) {
        snprintf(title, sizeof title, "Layanan %s tidak menjawab", layanan);
        snprintf(detail, sizeof detail,
                 "Layanan %s sedang sibuk dan tidak menjawab tepat waktu. Silakan coba beberapa saat lagi.",
                 layanan);
        answer_unavailable(resp, PC_ETIMEDOUT, "layanan_tidak_menjawab", title, detail, retry_after);
    } else {
        snprintf(title, sizeof title, "Layanan %s tidak tersedia", layanan);
        snprintf(detail, sizeof detail,
                 "Layanan %s sedang tidak dapat dihubungi. Silakan coba beberapa saat lagi.", layanan);
        answer_unavailable(resp, PC_EUNAVAIL, "layanan_tidak_tersedia", title, detail, retry_after);
    }
}

/* HH:MM in WIB (UTC+7, no daylight saving) of the first whole minute at or
 * after now + seconds: coming back at that minute is never too early. */
static void wib_clock(int seconds, char out[16]) {
    time_t t = time(NULL) + seconds;
    t = (t + 59) / 60 * 60 + 7 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 16, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void gw_service_busy(struct _u_response *resp, int retry_after) {
    char clock[16], detail[200];
    wib_clock(retry_after, clock);
    snprintf(detail, sizeof detail,
             "Sistem sedang sibuk. Silakan coba lagi pukul %s WIB. Permintaan Anda belum diproses.", clock);
    answer_unavailable(resp, PC_EUNAVAIL, "sistem_sibuk", "Sistem sedang sibuk", detail, retry_after);
}

pc_status gw_call(gw_ctx *gw, const char *topic, const char *key, const char *type, json_t *data,
                  int timeout_ms, json_t **reply) {
    pc_status st = pc_rpc_call(gw->rpc, topic, key, type, data, timeout_ms, reply);
    gw_bp_observe(topic, st); /* a reply, even {"status": "error"}, is work the service drained */
    json_decref(data);
    /* {"status": "error"}: the service failed on its side (said in its log);
     * "unavailable": its backend stayed down for the request's whole budget. */
    const char *status = json_string_value(json_object_get(*reply, "status"));
    if (st == PC_OK && status && (strcmp(status, "error") == 0 || strcmp(status, "unavailable") == 0)) {
        json_decref(*reply);
        *reply = NULL;
        st = PC_EUNAVAIL;
    }
    return st;
}

/* A deliberately plain check: one @, a dotted domain, no spaces or controls. */
int gw_email_valid(const char *e) {
    size_t n = e ? strlen(e) : 0;
    const char *at = e ? strchr(e, '@') : NULL;
    if (n < 6 || n > 254 || !at || at == e || strchr(at + 1, '@') || at - e > 64) return 0;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || strlen(dot) < 3) return 0;
    for (const char *c = e; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == '"' || *c == ',' || *c == '<' || *c == '>' || *c == '\\')
            return 0;
    return 1;
}
