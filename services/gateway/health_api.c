/* health_api.c -- /healthz (process alive), /readyz (Kafka and the reply
 * channel usable), /metrics (Prometheus text). */
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "gateway.h"
#include "metrics.h"
#include "respond.h"

void gw_healthz(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    (void)gw;
    (void)req;
    ulfius_set_string_body_response(resp, 200, "ok\n");
    u_map_put(resp->map_header, "Content-Type", "text/plain; charset=utf-8");
}

void gw_readyz(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    (void)req;
    char err[256] = "";
    pc_status kafka = pc_kafka_check_topic(gw->producer, PC_TOPIC_IDENTITY_REQUESTS, 1000, err, sizeof err);
    int redis = gw_limiter_ping(gw->limiter);
    json_t *body = json_pack("{s:s, s:s, s:s}", "kafka", kafka == PC_OK ? "ok" : err, "redis",
                             redis ? "ok" : "unreachable", "reply_topic", pc_rpc_reply_topic(gw->rpc));
    if (kafka == PC_OK && redis) {
        json_object_set_new(body, "status", json_string("ready"));
        gw_send_json(resp, 200, body);
    } else {
        json_object_set_new(body, "status", json_string("not_ready"));
        gw_send_json(resp, 503, body);
    }
    json_decref(body);
}

void gw_metrics(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    (void)gw;
    (void)req;
    char *text = pc_metrics_render();
    if (!text) {
        ulfius_set_string_body_response(resp, 500, "");
        return;
    }
    ulfius_set_binary_body_response(resp, 200, text, strlen(text));
    u_map_put(resp->map_header, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    free(text);
}
