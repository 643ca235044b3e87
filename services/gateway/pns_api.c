/* pns_api.c -- GET /api/v1/pns/{nip}: step 1 (Cari) of the registration. */
#include "contract.h"
#include "gateway.h"
#include "log.h"
#include "nip.h"
#include "problem.h"
#include "respond.h"

#include <string.h>

void gw_pns_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    /* Counted before validation: guessing NIPs is what the limit is for. */
    if (!gw_rate_ok(gw, req, resp, "lookup", gw->cfg.rate_lookup_per_min)) return;
    const char *nip = u_map_get(req->map_url, "nip");
    pc_nip_error ne = pc_nip_parse(nip, NULL);
    if (ne != PC_NIP_OK) {
        json_t *p = pc_problem_new(400, pc_nip_error_code(ne), "NIP tidak valid",
                                   pc_nip_error_message(ne), "nip");
        pc_problem_add_error(p, pc_nip_error_field(ne), pc_nip_error_code(ne), pc_nip_error_message(ne));
        gw_send_problem(resp, p);
        return;
    }
    json_t *data = json_pack("{s:s}", "nip", nip);
    json_t *reply = NULL;
    /* Batched: concurrent look-ups share one Kafka message each way. */
    pc_status st = pc_rpc_call_batched(gw->rpc, PC_TOPIC_IDENTITY_REQUESTS,
                                       PC_TYPE_IDENTITY_LOOKUP_BATCH, data,
                                       gw->cfg.request_timeout_ms, &reply);
    gw_bp_observe(PC_TOPIC_IDENTITY_REQUESTS, st);
    json_decref(data);
    if (st != PC_OK) {
        gw_service_failure(resp, st, "data kepegawaian");
        return;
    }
    const char *status = json_string_value(json_object_get(reply, "status"));
    if (status && strcmp(status, "found") == 0 && json_is_object(json_object_get(reply, "pns"))) {
        gw_send_json(resp, 200, json_object_get(reply, "pns"));
    } else if (status && strcmp(status, "not_found") == 0) {
        gw_nip_unknown(resp);
    } else {
        /* "error" / "unavailable" are the serve loop's answers for a failed look-up. */
        if (!status || (strcmp(status, "error") != 0 && strcmp(status, "unavailable") != 0))
            PC_ERROR("identity replied with an unexpected status %s", status ? status : "(none)");
        gw_service_failure(resp, PC_EUNAVAIL, "data kepegawaian");
    }
    json_decref(reply);
}
