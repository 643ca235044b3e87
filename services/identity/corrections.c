/* corrections.c -- identity.correction.submit.v1 commands, the command
 * consumer (submit and resolve) and the outbox relay. */
#include "corrections.h"

#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "envelope.h"
#include "lookup.h"
#include "lifecycle.h"
#include "log.h"
#include "nip.h"
#include "outbox.h"
#include "plain_text.h"
#include "pg.h"
#include "serve.h"

#define MAX_PROPOSAL 200
#define MAX_NOTE 500

static const char REPORT_COLUMNS[] =
    "id, nip, field, nilai_lama, usulan, catatan, status,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

static json_t *report_json(PGresult *res) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", PQgetvalue(res, 0, 0), "nip",
                     PQgetvalue(res, 0, 1), "field", PQgetvalue(res, 0, 2), "nilai_lama", PQgetvalue(res, 0, 3),
                     "usulan", PQgetvalue(res, 0, 4), "catatan", PQgetvalue(res, 0, 5), "status",
                     PQgetvalue(res, 0, 6), "created_at", PQgetvalue(res, 0, 7));
}

static pc_status exec_simple(pc_pg *db, const char *sql) {
    pc_status st;
    PGresult *res = pc_pg_exec(db, sql, 0, NULL, 0, &st);
    PQclear(res);
    return st;
}

/* The reply for one report command; PC_EUNAVAIL asks for a retry. */
static pc_status submit(pc_pg *db, json_t *d, json_t **reply) {
    const char *id = json_string_value(json_object_get(d, "command_id"));
    const char *nip = json_string_value(json_object_get(d, "nip"));
    const char *field = json_string_value(json_object_get(d, "field"));
    const char *proposal = json_string_value(json_object_get(d, "usulan"));
    const char *note = json_string_value(json_object_get(d, "catatan"));
    if (!note) note = "";
    if (!id || strlen(id) > 80 || !nip || pc_nip_parse(nip, NULL) != PC_NIP_OK || !field ||
        (strcmp(field, "nama") != 0 && strcmp(field, "instansi") != 0) ||
        pc_plain_text_check(proposal, MAX_PROPOSAL, 0) != PC_TEXT_OK ||
        pc_plain_text_check(note, MAX_NOTE, 1) != PC_TEXT_OK) {
        *reply = json_pack("{s:s}", "status", "invalid");
        return PC_OK;
    }
    char sql[640];
    json_t *pns = NULL;
    pc_status st = exec_simple(db, "BEGIN");
    if (st != PC_OK) return st;
    /* The value being disputed, as held now: the report keeps it; the
     * event names the PNS's instansi and unit (the region that handles it). */
    if ((st = identity_lookup_one(db, nip, 0, &pns)) != PC_OK) goto fail;
    if (!pns) {
        exec_simple(db, "ROLLBACK");
        *reply = json_pack("{s:s}", "status", "not_found");
        return PC_OK;
    }
    const char *old = strcmp(field, "nama") == 0
                          ? json_string_value(json_object_get(pns, "nama"))
                          : json_string_value(json_object_get(json_object_get(pns, "instansi"), "nama"));
    snprintf(sql, sizeof sql,
             "INSERT INTO identity.koreksi (id, nip, field, nilai_lama, usulan, catatan)"
             " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING %s", REPORT_COLUMNS);
    const char *ins[] = { id, nip, field, old, proposal, note };
    PGresult *res = pc_pg_exec(db, sql, 6, ins, 0, &st);
    if (!res) goto fail;
    if (PQntuples(res) == 1) {
        json_t *report = report_json(res);
        PQclear(res);
        json_t *event = json_deep_copy(report);
        json_object_set_new(event, "correction_id", json_string(id));
        json_object_set(event, "instansi", json_object_get(pns, "instansi"));
        json_object_set(event, "unit_kerja", json_object_get(pns, "unit_kerja"));
        st = identity_correction_event(db, PC_TYPE_IDENTITY_CORRECTION_REQUESTED, nip,
                                       json_string_value(json_object_get(json_object_get(pns, "instansi"), "kode")),
                                       event);
        if (st != PC_OK || (st = exec_simple(db, "COMMIT")) != PC_OK) {
            json_decref(report);
            goto fail;
        }
        json_decref(pns);
        PC_INFO("correction of %s reported for %s", field, nip);
        *reply = json_pack("{s:s, s:o}", "status", "open", "koreksi", report);
        return PC_OK;
    }
    /* Seen before (a retry): answer with the stored report. */
    PQclear(res);
    snprintf(sql, sizeof sql, "SELECT %s FROM identity.koreksi WHERE id = $1", REPORT_COLUMNS);
    const char *by_id[] = { id };
    res = pc_pg_exec(db, sql, 1, by_id, 0, &st);
    if (!res) goto fail;
    *reply = PQntuples(res) == 1 ? json_pack("{s:s, s:o}", "status", "open", "koreksi", report_json(res))
                                 : json_pack("{s:s}", "status", "invalid");
    PQclear(res);
    json_decref(pns);
    return exec_simple(db, "COMMIT");
fail:
    json_decref(pns);
    exec_simple(db, "ROLLBACK");
    return st == PC_OK ? PC_ERROR : st;
}

pc_status identity_correction_event(pc_pg *db, const char *type, const char *nip, const char *instansi_kode,
                                    json_t *data) {
    const pc_event_ext ext[] = { { PC_EXT_INSTANSI, instansi_kode }, { NULL, NULL } };
    return pc_outbox_add_ext(db, "identity", PC_TOPIC_IDENTITY_EVENTS, type, nip, data, ext);
}

/* The serve loop's handler; w is the worker's database connection. */
static pc_status handle(void *w, const pc_event *ev, json_t **reply) {
    if (strcmp(ev->type, PC_TYPE_IDENTITY_CORRECTION_RESOLVE) == 0)
        return identity_correction_resolve(w, ev->data, reply);
    return submit(w, ev->data, reply);
}

void *identity_corrections_thread(void *arg) {
    corrections_ctx *ctx = arg;
    static const pc_serve_route routes[] = {
        { PC_TYPE_IDENTITY_CORRECTION_SUBMIT, PC_TYPE_IDENTITY_CORRECTION_REPLY },
        { PC_TYPE_IDENTITY_CORRECTION_RESOLVE, PC_TYPE_IDENTITY_CORRECTION_RESOLVE_REPLY },
    };
    const char *topics[] = { PC_TOPIC_IDENTITY_COMMANDS };
    pc_serve_spec spec = {
        .name = "corrections",
        .group = "pupns-identity-commands",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .handle = handle,
        .workers = 1,
        .batch_max = 16,
        .worker_open = pc_pg_worker_open,
        .worker_close = pc_pg_worker_close,
        .ctx = (void *)ctx->cfg->pg_url,
        .producer = ctx->replies,
    };
    pc_serve_run(ctx->cfg, &spec); /* a failure has already marked the process failed */
    return NULL;
}

void *identity_relay_thread(void *arg) {
    corrections_ctx *ctx = arg;
    if (pc_outbox_relay_run(ctx->cfg->pg_url, "identity", ctx->events) != PC_OK) pc_lifecycle_fail();
    return NULL;
}
