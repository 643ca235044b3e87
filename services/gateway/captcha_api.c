/* captcha_api.c -- POST /api/v1/captcha: a new challenge from the captcha service. */
#include "contract.h"
#include "gateway.h"
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
