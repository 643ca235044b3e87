/* deadletter.c -- encoding dead-letter records. */
#include "deadletter.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

#include "envelope.h"

/* The kept part of raw: a string when it is UTF-8 (jansson checks), else base64. */
static void add_payload(json_t *data, const void *raw, size_t raw_len) {
    size_t keep = raw_len < PC_DEADLETTER_KEEP ? raw_len : PC_DEADLETTER_KEEP;
    json_object_set_new(data, "truncated", json_boolean(keep < raw_len));
    json_t *text = raw ? json_stringn(raw, keep) : NULL;
    if (text) {
        json_object_set_new(data, "payload", text);
        return;
    }
    if (!raw) return;
    size_t b64len = sodium_base64_ENCODED_LEN(keep, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len);
    if (!b64) return;
    sodium_bin2base64(b64, b64len, raw, keep, sodium_base64_VARIANT_ORIGINAL);
    json_object_set_new(data, "payload_base64", json_string(b64));
    free(b64);
}

char *pc_deadletter_encode(const char *reason, const char *detail, const char *topic, int32_t partition,
                           int64_t offset, const char *key, const void *raw, size_t raw_len,
                           const char *type) {
    json_t *data = json_pack("{s:s, s:s, s:i, s:I, s:I}", "reason", reason, "topic", topic, "partition",
                             (int)partition, "offset", (json_int_t)offset, "size", (json_int_t)raw_len);
    if (!data) return NULL;
    /* Each of these may be invalid UTF-8 from a foreign producer: then left out. */
    if (detail) json_object_set_new(data, "detail", json_string(detail));
    if (key) json_object_set_new(data, "key", json_string(key));
    if (type) json_object_set_new(data, "type", json_string(type));
    add_payload(data, raw, raw_len);
    json_t *ev = pc_event_new(PC_TYPE_DEADLETTER, NULL, data);
    if (!ev) return NULL;
    if (json_is_string(json_object_get(data, "key")))
        json_object_set_new(ev, "subject", json_string(key));
    char *out = pc_event_encode(ev, NULL);
    json_decref(ev);
    return out;
}
