/* captcha_api.c -- POST /api/v1/captcha: a new challenge from the captcha
 * service; and the check of a form's answer, shared by every form that
 * carries a captcha (registration, recovery). */
#include <ctype.h>
#include <string.h>

#include "contract.h"
#include "gateway.h"
#include "problem.h"
#include "respond.h"

void gw_captcha_new(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "captcha", gw->cfg.rate_captcha_per_min)) return;
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_CAPTCHA_REQUESTS, NULL, PC_TYPE_CAPTCHA_ISSUE, json_object(),
                           gw->cfg.request_timeout_ms, &reply);
    if (st != PC_OK || !json_is_string(json_object_get(reply, "id")) ||
        !json_is_string(json_object_get(reply, "image"))) {
        gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "captcha");
    } else {
        u_map_put(resp->map_header, "Cache-Control", "no-store");
        gw_send_json(resp, 201, reply);
    }
    json_decref(reply);
}

static int blank(const char *s) {
    if (!s) return 1;
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == '\0';
}

int gw_captcha_check(gw_ctx *gw, struct _u_response *resp, const char *id, const char *answer, json_t *problem) {
    if (blank(id) || blank(answer)) {
        pc_problem_add_error(problem, "captcha_jawaban", "captcha_kosong", "Masukkan kode yang terlihat pada gambar.");
        return 1;
    }
    /* Ids are UUIDs and answers short: anything else cannot be right, and
     * the captcha service need not see it. */
    if (strlen(id) != 36 || strspn(id, "0123456789abcdefABCDEF-") != 36 ||
        strlen(answer) > 16) {
        pc_problem_add_error(problem, "captcha_jawaban", "captcha_salah",
                             "Kode yang dimasukkan tidak sesuai dengan gambar. Muat kode baru dan coba lagi.");
        return 1;
    }
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_CAPTCHA_REQUESTS, id, PC_TYPE_CAPTCHA_CHECK,
                           json_pack("{s:s, s:s}", "id", id, "answer", answer),
                           gw->cfg.request_timeout_ms, &reply);
    if (st != PC_OK) {
        gw_service_failure(resp, st, "captcha");
        return 0;
    }
    const char *reason = json_string_value(json_object_get(reply, "reason"));
    if (!json_is_true(json_object_get(reply, "valid"))) {
        if (reason && strcmp(reason, "expired") == 0)
            pc_problem_add_error(problem, "captcha_jawaban", "captcha_kedaluwarsa",
                                 "Kode gambar sudah kedaluwarsa atau sudah dipakai. Muat kode baru.");
        else
            pc_problem_add_error(problem, "captcha_jawaban", "captcha_salah",
                                 "Kode yang dimasukkan tidak sesuai dengan gambar. Muat kode baru dan coba lagi.");
    }
    json_decref(reply);
    return 1;
}
