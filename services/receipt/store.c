/* store.c -- the receipt schema: stored receipts and revocations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "receipt.h"

pc_status receipt_store_put(pc_pg *db, const char *event_id, const receipt_row *r, int *inserted) {
    char *data = json_dumps(r->data, JSON_COMPACT | JSON_SORT_KEYS);
    char issued[24];
    snprintf(issued, sizeof issued, "%lld", r->issued);
    if (!data) return PC_ERROR;
    const char *params[] = { r->no_registrasi, r->nip, event_id, data, issued, r->kid, r->signature };
    pc_status st;
    /* ON CONFLICT: a re-delivered event (same id) or a second event of the
     * same registration changes nothing; the first receipt stands. */
    PGresult *res = pc_pg_exec(db,
                               "INSERT INTO receipt.document (no_registrasi, nip, event_id, data, issued_at,"
                               " key_id, signature) VALUES ($1, $2, $3, $4::jsonb, to_timestamp($5::bigint),"
                               " $6, $7) ON CONFLICT DO NOTHING RETURNING 1",
                               7, params, 1, &st);
    free(data);
    if (!res) return st;
    *inserted = PQntuples(res) == 1;
    PQclear(res);
    return PC_OK;
}

pc_status receipt_store_get(pc_pg *db, const char *no_registrasi, receipt_row *r) {
    memset(r, 0, sizeof *r);
    const char *params[] = { no_registrasi };
    pc_status st;
    PGresult *res = pc_pg_exec(db,
                               "SELECT no_registrasi, nip, data::text, extract(epoch FROM issued_at)::bigint,"
                               " key_id, signature FROM receipt.document WHERE no_registrasi = $1",
                               1, params, 1, &st);
    if (!res) return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return PC_ENOTFOUND;
    }
    snprintf(r->no_registrasi, sizeof r->no_registrasi, "%s", PQgetvalue(res, 0, 0));
    snprintf(r->nip, sizeof r->nip, "%s", PQgetvalue(res, 0, 1));
    r->data = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    r->issued = atoll(PQgetvalue(res, 0, 3));
    snprintf(r->kid, sizeof r->kid, "%s", PQgetvalue(res, 0, 4));
    snprintf(r->signature, sizeof r->signature, "%s", PQgetvalue(res, 0, 5));
    PQclear(res);
    return r->data ? PC_OK : PC_ERROR;
}

pc_status receipt_store_revoked(pc_pg *db, const char *no_registrasi, int *revoked, char *reason, size_t cap) {
    const char *params[] = { no_registrasi };
    pc_status st;
    PGresult *res = pc_pg_exec(db, "SELECT reason FROM receipt.revocation WHERE no_registrasi = $1", 1, params, 1,
                               &st);
    if (!res) return st;
    *revoked = PQntuples(res) > 0;
    snprintf(reason, cap, "%s", *revoked ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return PC_OK;
}

void receipt_row_clear(receipt_row *r) {
    json_decref(r->data);
    memset(r, 0, sizeof *r);
}

void *receipt_worker_open(void *ctx, int index, char *errstr, size_t errlen) {
    (void)index;
    receipt_worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    w->ctx = ctx;
    if (!(w->db = pc_pg_connect(w->ctx->cfg.pg_url, 30000, errstr, errlen))) {
        free(w);
        return NULL;
    }
    return w;
}

void receipt_worker_close(void *arg) {
    receipt_worker *w = arg;
    pc_pg_close(w->db);
    free(w);
}
