/* envelope.c -- CloudEvents 1.0 encode/decode with jansson. */
#include "envelope.h"

#include <stdio.h>
#include <string.h>

#include "ids.h"
#include "log.h"

static char event_source[160] = "/pupns/unknown";

void pc_event_set_source(const char *service, const char *instance) {
    snprintf(event_source, sizeof event_source, "/pupns/%s/%s", service, instance);
}

json_t *pc_event_new(const char *type, const char *subject, json_t *data) {
    char id[PC_UUID_LEN], ts[32];
    pc_uuid_v4(id);
    pc_rfc3339(pc_now_ms(), ts);
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "specversion", "1.0", "id", id,
                           "source", event_source, "type", type, "time", ts,
                           "datacontenttype", "application/json");
    if (!ev) {
        json_decref(data);
        return NULL;
    }
    if (subject) json_object_set_new(ev, "subject", json_string(subject));
    const char *rid = pc_log_request_id();
    if (rid[0]) json_object_set_new(ev, "requestid", json_string(rid));
    json_object_set_new(ev, "data", data ? data : json_object());
    return ev;
}

char *pc_event_encode(const json_t *ev, size_t *len) {
    char *s = json_dumps(ev, JSON_COMPACT);
    if (s && len) *len = strlen(s);
    return s;
}

/* Optional string attribute: NULL when absent; PC_EINVAL when not a string. */
static pc_status opt_string(json_t *root, const char *name, const char **out) {
    json_t *v = json_object_get(root, name);
    *out = NULL;
    if (!v) return PC_OK;
    if (!json_is_string(v)) return PC_EINVAL;
    *out = json_string_value(v);
    return PC_OK;
}

pc_status pc_event_decode(const void *buf, size_t len, pc_event *out, char *errstr, size_t errlen) {
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(errstr, errlen, "not JSON: %s", jerr.text);
        return PC_EINVAL;
    }
    const char *bad = NULL;
    json_t *spec = json_object_get(root, "specversion");
    if (!json_is_object(root)) bad = "envelope is not an object";
    else if (!json_is_string(spec) || strcmp(json_string_value(spec), "1.0") != 0)
        bad = "specversion must be \"1.0\"";
    else if (opt_string(root, "id", &out->id) || !out->id || !*out->id) bad = "id missing";
    else if (opt_string(root, "source", &out->source) || !out->source || !*out->source)
        bad = "source missing";
    else if (opt_string(root, "type", &out->type) || !out->type || !*out->type) bad = "type missing";
    else if (opt_string(root, "subject", &out->subject)) bad = "subject not a string";
    else if (opt_string(root, "time", &out->time)) bad = "time not a string";
    else if (opt_string(root, "replyto", &out->replyto)) bad = "replyto not a string";
    else if (opt_string(root, "correlationid", &out->correlationid)) bad = "correlationid not a string";
    else if (opt_string(root, "requestid", &out->requestid)) bad = "requestid not a string";
    else if (json_object_get(root, "deadline_ms") &&
             (!json_is_integer(json_object_get(root, "deadline_ms")) ||
              json_integer_value(json_object_get(root, "deadline_ms")) <= 0))
        bad = "deadline_ms not a positive integer";
    else if (!json_is_object(json_object_get(root, "data"))) bad = "data must be an object";
    if (bad) {
        snprintf(errstr, errlen, "%s", bad);
        json_decref(root);
        memset(out, 0, sizeof *out);
        return PC_EINVAL;
    }
    out->deadline_ms = json_integer_value(json_object_get(root, "deadline_ms"));
    out->data = json_object_get(root, "data");
    out->root = root;
    return PC_OK;
}

void pc_event_clear(pc_event *ev) {
    json_decref(ev->root);
    memset(ev, 0, sizeof *ev);
}

/* Attributes an extension may not be: CloudEvents' own and the ones this
 * envelope gives a meaning of its own (envelope.h). */
static const char *const RESERVED[] = { "specversion", "id", "source", "type", "subject", "time",
                                        "datacontenttype", "dataschema", "data", "data_base64",
                                        "replyto", "correlationid", "deadline_ms", "requestid" };

static int ext_name_valid(const char *name) {
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 20) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9'))) return 0;
    for (size_t i = 0; i < sizeof RESERVED / sizeof RESERVED[0]; i++)
        if (strcmp(name, RESERVED[i]) == 0) return 0;
    return 1;
}

pc_status pc_event_set_ext(json_t *ev, const char *name, const char *value) {
    if (!json_is_object(ev) || !value || !ext_name_valid(name)) return PC_EINVAL;
    return json_object_set_new(ev, name, json_string(value)) == 0 ? PC_OK : PC_ERROR;
}

const char *pc_event_get_ext(const pc_event *ev, const char *name) {
    return ev && ev->root ? json_string_value(json_object_get(ev->root, name)) : NULL;
}
