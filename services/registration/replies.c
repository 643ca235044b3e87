/* replies.c -- small pieces the recovery and account handlers share:
 * opening a sealed field, the shapes of their replies, ending a transaction. */
#include <string.h>

#include "registration.h"
#include "seal.h"

char *registration_open_sealed(registration_ctx *ctx, json_t *data, const char *field) {
    const char *b64 = json_string_value(json_object_get(json_object_get(data, "sealed"), field));
    char *plain = NULL;
    if (!b64 || pc_unseal_b64(ctx->public_key, ctx->secret_key, b64, &plain) != PC_OK) return NULL;
    return plain;
}

json_t *registration_refusal(long retry_after) {
    json_t *r = json_pack("{s:s}", "status", retry_after > 0 ? "locked" : "denied");
    if (retry_after > 0) json_object_set_new(r, "retry_after", json_integer(retry_after));
    return r;
}

json_t *registration_rejected(const char *field, const char *code, const char *message) {
    return json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "status", "rejected", "errors", "field", field, "code", code,
                     "message", message);
}

json_t *registration_status_reply(const char *s) { return json_pack("{s:s}", "status", s); }

pc_status registration_tx_end(pc_pg *db, pc_status st) {
    if (st == PC_OK && (st = registration_tx(db, "COMMIT")) == PC_OK) return PC_OK;
    registration_tx(db, "ROLLBACK");
    return st;
}
