/* resolve.c -- identity.correction.resolve.v1: a verifier accepts or
 * rejects a correction report. One transaction holds the report's new
 * state, on acceptance the master data change, and the event that says so,
 * so a regional system learns of every change exactly when it happened. The
 * verifier service checked the resolver's role and scope and audited it. */
#include "corrections.h"

#include <stdio.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "lookup.h"
#include "plain_text.h"

#define ID_MAX 80
#define MAX_REASON 500
#define MAX_RESOLVER 100

static const char REPORT_SQL[] =
    "SELECT nip, field, nilai_lama, usulan, status, coalesce(resolve_command_id, ''), alasan,"
    "       to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    "  FROM identity.koreksi WHERE id = $1 FOR UPDATE";

static const char UNIT_SQL[] =
    "SELECT u.kode, u.nama, i.kode, i.nama"
    "  FROM identity.unit_kerja u JOIN identity.instansi i ON i.kode = u.instansi_kode WHERE u.kode = $1";

static const char RESOLVED_SQL[] =
    "UPDATE identity.koreksi SET status = $2, alasan = $3, resolved_by = $4, resolved_at = now(),"
    "       resolve_command_id = $5 WHERE id = $1"
    " RETURNING to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

typedef struct {
    const char *command_id, *correction_id, *decision, *reason, *resolved_by, *unit;
    int accept;
} resolve_cmd;

static pc_status exec_simple(pc_pg *db, const char *sql) {
    pc_status st;
    PGresult *res = pc_pg_exec(db, sql, 0, NULL, 0, &st);
    PQclear(res);
    return st;
}

static json_t *status_reply(const char *status, const char *code) {
    return code ? json_pack("{s:s, s:s}", "status", status, "code", code) : json_pack("{s:s}", "status", status);
}

static int id_valid(const char *s) { return s && *s && strlen(s) <= ID_MAX; }

/* 1 when the command is well formed; else *code says what is wrong. */
static int parse(json_t *d, resolve_cmd *c, const char **code) {
    c->command_id = json_string_value(json_object_get(d, "command_id"));
    c->correction_id = json_string_value(json_object_get(d, "correction_id"));
    c->decision = json_string_value(json_object_get(d, "decision"));
    c->reason = json_string_value(json_object_get(d, "reason"));
    c->resolved_by = json_string_value(json_object_get(d, "resolved_by"));
    c->unit = json_string_value(json_object_get(d, "unit_kerja_kode"));
    c->accept = c->decision && strcmp(c->decision, "accept") == 0;
    if (!id_valid(c->command_id) || !id_valid(c->correction_id)) *code = "id_tidak_valid";
    else if (!c->decision || (!c->accept && strcmp(c->decision, "reject") != 0)) *code = "keputusan_tidak_valid";
    else if (pc_plain_text_check(c->resolved_by, MAX_RESOLVER, 0) != PC_TEXT_OK) *code = "penyelesai_tidak_valid";
    /* A rejection always says why; an acceptance may. */
    else if (!c->accept && pc_plain_text_check(c->reason, MAX_REASON, 0) != PC_TEXT_OK) *code = "alasan_wajib";
    else if (c->reason && pc_plain_text_check(c->reason, MAX_REASON, 1) != PC_TEXT_OK) *code = "alasan_tidak_valid";
    else if (json_object_get(d, "unit_kerja_kode") && (!c->unit || strlen(c->unit) > 32)) *code = "unit_kerja_tidak_valid";
    else return 1;
    return 0;
}

/* {"old": a, "new": b}; steals both. */
static json_t *change(json_t *old, json_t *new_) { return json_pack("{s:o, s:o}", "old", old, "new", new_); }

/* Applies an accepted report to identity.pns (locked by the caller) and
 * returns in *fields what changed. PC_OK with *fields; PC_OK with *fields
 * NULL and *code set when the report cannot be applied as it stands (an
 * instansi report names no known unit kerja); else the database's status. */
static pc_status apply(pc_pg *db, const resolve_cmd *c, json_t *pns, const char *field, const char *proposal,
                       json_t **fields, const char **code) {
    const char *nip = json_string_value(json_object_get(pns, "nip"));
    pc_status st;
    *fields = NULL;
    if (strcmp(field, "nama") == 0) {
        const char *params[] = { nip, proposal };
        PGresult *res = pc_pg_exec(db, "UPDATE identity.pns SET nama = $2 WHERE nip = $1", 2, params, 0, &st);
        PQclear(res);
        if (st == PC_OK)
            *fields = json_pack("{s:o}", "nama", change(json_incref(json_object_get(pns, "nama")), json_string(proposal)));
        return st;
    }
    /* An instansi report is free text: the verifier names the unit kerja
     * (in the right instansi) the PNS belongs to, or the report itself
     * holds that unit's kode. */
    const char *unit = c->unit ? c->unit : proposal;
    const char *uparams[] = { unit };
    PGresult *res = pc_pg_exec(db, UNIT_SQL, 1, uparams, 0, &st);
    if (!res) return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        *code = "unit_kerja_tidak_dikenal";
        return PC_OK;
    }
    json_t *new_instansi = json_pack("{s:s, s:s}", "kode", PQgetvalue(res, 0, 2), "nama", PQgetvalue(res, 0, 3));
    json_t *new_unit = json_pack("{s:s, s:s}", "kode", PQgetvalue(res, 0, 0), "nama", PQgetvalue(res, 0, 1));
    PQclear(res);
    const char *params[] = { nip, json_string_value(json_object_get(new_instansi, "kode")),
                             json_string_value(json_object_get(new_unit, "kode")) };
    res = pc_pg_exec(db, "UPDATE identity.pns SET instansi_kode = $2, unit_kerja_kode = $3 WHERE nip = $1", 3,
                     params, 0, &st);
    PQclear(res);
    if (st == PC_OK)
        *fields = json_pack("{s:o, s:o}", "instansi",
                            change(json_incref(json_object_get(pns, "instansi")), json_incref(new_instansi)),
                            "unit_kerja", change(json_incref(json_object_get(pns, "unit_kerja")), json_incref(new_unit)));
    json_decref(new_instansi);
    json_decref(new_unit);
    return st;
}

/* The report in its resolved state: the outcome the PNS and the verifier see. */
static json_t *outcome(const resolve_cmd *c, const char *resolved_at) {
    return json_pack("{s:s, s:s, s:s, s:s?, s:s}", "status", "ok", "correction_id", c->correction_id, "outcome",
                     c->accept ? "accepted" : "rejected", "reason", c->reason, "resolved_at", resolved_at);
}

pc_status identity_correction_resolve(pc_pg *db, json_t *d, json_t **reply) {
    resolve_cmd c;
    const char *code = NULL;
    *reply = NULL;
    if (!parse(d, &c, &code)) {
        *reply = status_reply("invalid", code);
        return PC_OK;
    }
    json_t *pns = NULL, *fields = NULL;
    pc_status st = exec_simple(db, "BEGIN");
    if (st != PC_OK) return st;
    const char *rparams[] = { c.correction_id };
    PGresult *rep = pc_pg_exec(db, REPORT_SQL, 1, rparams, 0, &st);
    if (!rep) goto fail;
    if (PQntuples(rep) != 1 || strcmp(PQgetvalue(rep, 0, 4), "terbuka") != 0) {
        /* Unknown, or resolved already: by this very command (a retry gets
         * the same answer) or by another. */
        if (PQntuples(rep) != 1) {
            *reply = status_reply("not_found", NULL);
        } else if (strcmp(PQgetvalue(rep, 0, 5), c.command_id) == 0) {
            /* The stored outcome: the same answer as the first time. */
            c.accept = strcmp(PQgetvalue(rep, 0, 4), "diterima") == 0;
            c.reason = PQgetisnull(rep, 0, 6) ? NULL : PQgetvalue(rep, 0, 6);
            *reply = outcome(&c, PQgetvalue(rep, 0, 7));
        } else {
            *reply = status_reply("already_resolved", NULL);
        }
        PQclear(rep);
        exec_simple(db, "ROLLBACK"); /* nothing was written */
        return PC_OK;
    }
    const char *nip = PQgetvalue(rep, 0, 0), *field = PQgetvalue(rep, 0, 1);
    if ((st = identity_lookup_one(db, nip, 1, &pns)) != PC_OK) goto fail;
    if (!pns) {
        /* The master data no longer holds the NIP (reloaded without it). */
        *reply = status_reply("not_found", "pns_tidak_ada");
        goto rollback;
    }
    if (c.accept) {
        if ((st = apply(db, &c, pns, field, PQgetvalue(rep, 0, 3), &fields, &code)) != PC_OK) goto fail;
        if (!fields) {
            *reply = status_reply("invalid", code);
            goto rollback;
        }
    } else {
        /* Nothing changes: the event says what was proposed and refused. */
        fields = json_pack("{s:o}", field, change(json_string(PQgetvalue(rep, 0, 2)), json_string(PQgetvalue(rep, 0, 3))));
    }
    const char *uparams[] = { c.correction_id, c.accept ? "diterima" : "ditolak", c.reason, c.resolved_by,
                              c.command_id };
    PGresult *res = pc_pg_exec(db, RESOLVED_SQL, 5, uparams, 0, &st);
    if (!res) goto fail;
    json_t *result = outcome(&c, PQgetvalue(res, 0, 0));
    PQclear(res);
    /* The instansi the report belonged to when resolved: the region that
     * handled it (an accepted instansi report names the new one in fields). */
    json_t *instansi = json_object_get(pns, "instansi");
    json_t *event = json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:s?, s:s, s:O}", "correction_id", c.correction_id,
                              "nip", nip, "field", field, "instansi", instansi, "unit_kerja",
                              json_object_get(pns, "unit_kerja"), "fields", fields, "reason", c.reason,
                              "resolved_by", c.resolved_by, "resolved_at", json_object_get(result, "resolved_at"));
    st = identity_correction_event(db, c.accept ? PC_TYPE_IDENTITY_CORRECTED : PC_TYPE_IDENTITY_CORRECTION_REJECTED,
                                   nip, json_string_value(json_object_get(instansi, "kode")), event);
    if (st != PC_OK || (st = exec_simple(db, "COMMIT")) != PC_OK) {
        json_decref(result);
        goto fail;
    }
    PC_INFO("correction %s of %s for %s %s", c.correction_id, field, nip, c.accept ? "accepted" : "rejected");
    *reply = result;
    PQclear(rep);
    json_decref(pns);
    json_decref(fields);
    return PC_OK;
rollback:
    exec_simple(db, "ROLLBACK");
    PQclear(rep);
    json_decref(pns);
    json_decref(fields);
    return PC_OK; /* *reply is set; nothing was written */
fail:
    exec_simple(db, "ROLLBACK");
    PQclear(rep);
    json_decref(pns);
    json_decref(fields);
    json_decref(*reply);
    *reply = NULL;
    return st == PC_OK ? PC_ERROR : st;
}
