/* events.c -- what the verifier learns from other services' events, each
 * applied once (verifier.inbox, by envelope id) in one transaction with
 * its effect, so the serve loop commits the offset only after both:
 *  - registration.completed (pupns.registration.events): a registered PNS
 *    and their unit;
 *  - identity.correction.requested / corrected / correction.rejected
 *    (pupns.identity.events): the correction reports Verifikator 2 decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "serve.h"
#include "verifier.h"

static const char *sub(json_t *d, const char *obj, const char *k) {
    return verifier_str(json_object_get(d, obj), k);
}

/* 1 if this event id is new (and now recorded), 0 if seen before. */
static int first_time(pc_pg *db, const pc_event *ev, pc_status *st) {
    const char *params[] = { ev->id, ev->type };
    PGresult *res = verifier_sql(db,
                                 "INSERT INTO verifier.inbox (event_id, type) VALUES ($1, $2)"
                                 " ON CONFLICT DO NOTHING RETURNING 1",
                                 2, params, st);
    if (!res) return 0;
    int n = PQntuples(res);
    PQclear(res);
    return n == 1;
}

static pc_status on_registered(pc_pg *db, const pc_event *ev) {
    json_t *d = ev->data;
    const char *no = verifier_str(d, "no_registrasi"), *nip = verifier_str(d, "nip"), *nama = verifier_str(d, "nama");
    const char *uk = sub(d, "unit_kerja", "kode"), *un = sub(d, "unit_kerja", "nama");
    const char *ik = sub(d, "instansi", "kode"), *in = sub(d, "instansi", "nama");
    const char *at = verifier_str(d, "created_at");
    if (!no || !nip || !nama || !uk || !un || !ik || !in || !at || strlen(nip) != 18) {
        PC_WARN("on_registered - event %s lacks the registration's data", ev->id);
        return PC_EINVAL;
    }
    const char *up[] = { uk, un, ik, in };
    const char *pp[] = { nip, no, nama, uk, ik, at, ev->id };
    pc_status st;
    PQclear(verifier_sql(db,
                         "INSERT INTO verifier.unit (kode, nama, instansi_kode, instansi_nama) VALUES ($1, $2, $3, $4)"
                         " ON CONFLICT (kode) DO NOTHING",
                         4, up, &st));
    if (st != PC_OK) return st;
    /* A NIP registers once; a second event for it changes nothing. */
    PGresult *res = verifier_sql(db,
                                 "INSERT INTO verifier.pns (nip, no_registrasi, nama, unit_kerja_kode, instansi_kode,"
                                 " registered_at, event_id) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7)"
                                 " ON CONFLICT DO NOTHING RETURNING 1",
                                 7, pp, &st);
    int inserted = res && PQntuples(res) == 1;
    PQclear(res);
    if (st != PC_OK || inserted) return st;
    /* Not inserted: the NIP is known (a repeated registration), or, which
     * the registration service's unique numbers rule out, another NIP holds
     * the number; say so rather than drop it silently. */
    const char *np[] = { nip };
    res = verifier_sql(db, "SELECT 1 FROM verifier.pns WHERE nip = $1", 1, np, &st);
    if (res && PQntuples(res) == 0)
        PC_WARN("on_registered - event %s: number %s of %s is held by another NIP; not recorded", ev->id, no, nip);
    PQclear(res);
    return st;
}

/* The instansi of a correction: the event's extension, else its data. */
static const char *correction_instansi(const pc_event *ev) {
    const char *k = pc_event_get_ext(ev, PC_EXT_INSTANSI);
    if (!k) k = verifier_str(ev->data, "instansi_kode");
    if (!k) k = sub(ev->data, "instansi", "kode");
    return k;
}

static const char *correction_id(json_t *d) {
    const char *id = verifier_str(d, "correction_id");
    return id ? id : verifier_str(d, "id");
}

static pc_status on_correction(pc_pg *db, const pc_event *ev) {
    json_t *d = ev->data;
    const char *id = correction_id(d), *nip = verifier_str(d, "nip");
    if (!id || !nip) {
        PC_WARN("on_correction - event %s lacks correction_id or nip", ev->id);
        return PC_EINVAL;
    }
    const char *status = strcmp(ev->type, PC_TYPE_IDENTITY_CORRECTION_REQUESTED) == 0 ? "open"
                         : strcmp(ev->type, VERIFIER_TYPE_CORRECTED) == 0           ? "accepted"
                                                                                    : "rejected";
    char *data = json_dumps(d, JSON_COMPACT);
    const char *unit = verifier_str(d, "unit_kerja_kode");
    if (!unit) unit = sub(d, "unit_kerja", "kode");
    const char *params[] = { id, nip, correction_instansi(ev), unit, data ? data : "{}", status,
                             verifier_str(d, "reason") ? verifier_str(d, "reason") : verifier_str(d, "alasan"),
                             verifier_str(d, "resolved_by") };
    pc_status st;
    /* A decision may arrive before its request was seen (other partitions'
     * order is not kept): either order ends in the decided state. */
    PQclear(verifier_sql(db,
                         "INSERT INTO verifier.correction AS c (id, nip, instansi_kode, unit_kerja_kode, data, status,"
                         " reason, resolved_by, resolved_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8,"
                         " CASE WHEN $6 = 'open' THEN NULL ELSE now() END)"
                         " ON CONFLICT (id) DO UPDATE SET"
                         " instansi_kode = coalesce(c.instansi_kode, EXCLUDED.instansi_kode),"
                         " unit_kerja_kode = coalesce(c.unit_kerja_kode, EXCLUDED.unit_kerja_kode),"
                         " data = CASE WHEN EXCLUDED.status = 'open' THEN EXCLUDED.data ELSE c.data || jsonb_build_object("
                         "'keputusan', EXCLUDED.data) END,"
                         " status = CASE WHEN EXCLUDED.status = 'open' THEN c.status ELSE EXCLUDED.status END,"
                         " reason = coalesce(EXCLUDED.reason, c.reason),"
                         " resolved_by = coalesce(EXCLUDED.resolved_by, c.resolved_by),"
                         " resolved_at = coalesce(c.resolved_at, EXCLUDED.resolved_at)",
                         8, params, &st));
    free(data);
    return st;
}

pc_status verifier_on_event(verifier_ctx *ctx, pc_pg *db, const pc_event *ev) {
    (void)ctx;
    int reg = strcmp(ev->type, PC_TYPE_REG_COMPLETED) == 0;
    int corr = strcmp(ev->type, PC_TYPE_IDENTITY_CORRECTION_REQUESTED) == 0 ||
               strcmp(ev->type, VERIFIER_TYPE_CORRECTED) == 0 || strcmp(ev->type, VERIFIER_TYPE_CORRECTION_REJECTED) == 0;
    if (!reg && !corr) return PC_OK; /* e.g. registration.rejected: nothing to verify */
    pc_status st = verifier_tx(db, "BEGIN");
    if (st != PC_OK) return st;
    int fresh = first_time(db, ev, &st);
    if (st == PC_OK && fresh) st = reg ? on_registered(db, ev) : on_correction(db, ev);
    if (st == PC_OK) st = verifier_tx(db, "COMMIT");
    if (st != PC_OK) {
        verifier_tx(db, "ROLLBACK");
        return st;
    }
    pc_metrics_inc("pupns_verifier_events_total", fresh ? "result=\"applied\"" : "result=\"duplicate\"", 1);
    return PC_OK;
}

static pc_status handle(void *w, const pc_event *ev, json_t **reply) {
    (void)reply;
    verifier_worker *wk = w;
    return verifier_on_event(wk->ctx, wk->db, ev);
}

void *verifier_event_thread(void *arg) {
    verifier_ctx *ctx = arg;
    static const pc_serve_route routes[] = {
        { PC_TYPE_REG_COMPLETED, NULL },
        { PC_TYPE_REG_REJECTED, NULL },
        { PC_TYPE_IDENTITY_CORRECTION_REQUESTED, NULL },
        { VERIFIER_TYPE_CORRECTED, NULL },
        { VERIFIER_TYPE_CORRECTION_REJECTED, NULL },
    };
    const char *topics[] = { PC_TOPIC_REG_EVENTS, PC_TOPIC_IDENTITY_EVENTS };
    pc_serve_spec spec = {
        .name = "events",
        .group = "pupns-verifier",
        .topics = topics,
        .ntopics = 2,
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .handle = handle,
        .workers = 1,
        .batch_max = 64,
        .worker_open = verifier_worker_open,
        .worker_close = verifier_worker_close,
        .ctx = ctx,
        .producer = ctx->replies,
    };
    if (pc_serve_run(&ctx->cfg, &spec) != PC_OK) pc_lifecycle_fail();
    return NULL;
}
