/* outbox.c -- the registration service's use of the shared outbox
 * (libcommon/outbox.h): its events go to pupns.registration.events, its
 * notices for the notify service to pupns.registration.notices. */
#include "contract.h"
#include "lifecycle.h"
#include "outbox.h"
#include "registration.h"

pc_status registration_tx(pc_pg *db, const char *sql) {
    pc_status st;
    PGresult *res = pc_pg_exec(db, sql, 0, NULL, 0, &st);
    PQclear(res);
    return st;
}

pc_status registration_outbox_add(pc_pg *db, const char *type, const char *nip, json_t *data) {
    return pc_outbox_add(db, "registration", PC_TOPIC_REG_EVENTS, type, nip, data);
}

void *registration_relay_thread(void *arg) {
    registration_ctx *ctx = arg;
    if (pc_outbox_relay_run(ctx->cfg.pg_url, "registration", ctx->events) != PC_OK) pc_lifecycle_fail();
    return NULL;
}

pc_status registration_notice_add(pc_pg *db, const char *type, const char *nip, json_t *data) {
    return pc_outbox_add(db, "registration", PC_TOPIC_REG_NOTICES, type, nip, data);
}
