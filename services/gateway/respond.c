/* respond.c -- response helpers; the status-to-HTTP table lives here alone. */
#include "respond.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

int gw_http_status(pc_status st) {
    switch (st) {
    case PC_OK: return 200;
    case PC_EINVAL: return 400;
    case PC_EDENIED: return 401;
    case PC_ENOTFOUND: return 404;
    case PC_ECONFLICT: return 409;
    case PC_ELIMIT: return 429;
    case PC_EUNAVAIL: return 503;
    case PC_ETIMEDOUT: return 504;
    case PC_ERROR: break;
    }
    return 500;
}

static void send_text(struct _u_response *resp, int http_status, const char *content_type,
                      const json_t *body) {
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text) {
        ulfius_set_string_body_response(resp, 500, "");
        return;
    }
    ulfius_set_binary_body_response(resp, (unsigned)http_status, text, strlen(text));
    u_map_put(resp->map_header, "Content-Type", content_type);
    free(text);
}

void gw_send_json(struct _u_response *resp, int http_status, const json_t *body) {
    send_text(resp, http_status, "application/json; charset=utf-8", body);
}

void gw_send_problem(struct _u_response *resp, json_t *problem) {
    int status = (int)json_integer_value(json_object_get(problem, "status"));
    send_text(resp, status ? status : 500, PC_PROBLEM_CONTENT_TYPE, problem);
    json_decref(problem);
}

void gw_fail(struct _u_response *resp, int http_status, const char *code, const char *title,
             const char *detail, const char *field) {
    gw_send_problem(resp, pc_problem_new(http_status, code, title, detail, field));
}

void gw_fail_unauthorized(struct _u_response *resp, const char *realm, const char *code, const char *title,
                          const char *detail, const char *field) {
    gw_fail(resp, 401, code, title, detail, field);
    char challenge[64];
    snprintf(challenge, sizeof challenge, "Bearer realm=\"%s\"", realm);
    u_map_put(resp->map_header, "WWW-Authenticate", challenge);
}

void gw_fail_pns_login(struct _u_response *resp) {
    gw_fail_unauthorized(resp, "pupns", "perlu_login", "Perlu masuk (login)",
                         "Sesi Anda tidak valid atau sudah berakhir. Silakan masuk kembali.", NULL);
}
