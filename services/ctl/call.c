/* call.c -- pupns-ctl call: one request/reply to a service through
 * libcommon's rpc (its own reply topic, deleted at the end), the reply's
 * data printed as one JSON line. For operators and tests that ask a
 * service something the gateway does not offer (e.g. the verifier's
 * identity.unit.members.v1, or identity.correction.resolve.v1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "kafka.h"
#include "rpc.h"

int ctl_call(const pc_config *cfg, const char *topic, const char *type, const char *key, const char *data_text,
             int timeout_ms) {
    json_error_t jerr;
    json_t *data = json_loads(data_text, 0, &jerr);
    if (!json_is_object(data)) {
        fprintf(stderr, "pupns-ctl: call: DATA must be a JSON object (%s)\n", data ? "not an object" : jerr.text);
        json_decref(data);
        return 2;
    }
    char err[512];
    int rc = 1;
    pc_rpc *rpc = NULL;
    pc_producer *p = pc_producer_new(cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!p || !(rpc = pc_rpc_new(cfg, p, err, sizeof err))) {
        fprintf(stderr, "pupns-ctl: call: %s\n", err);
        goto out;
    }
    json_t *reply = NULL;
    pc_status st = pc_rpc_call(rpc, topic, key && strcmp(key, "-") != 0 ? key : NULL, type, data, timeout_ms, &reply);
    if (st == PC_OK) {
        char *text = json_dumps(reply, JSON_COMPACT);
        if (text) printf("%s\n", text);
        rc = text && fflush(stdout) == 0 ? 0 : 1;
        free(text);
        json_decref(reply);
    } else {
        fprintf(stderr, "pupns-ctl: call: no reply (%s)\n", pc_status_name(st));
    }
out:
    pc_rpc_free(rpc);
    pc_producer_free(p);
    json_decref(data);
    return rc;
}
