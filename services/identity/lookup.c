/* lookup.c -- batched NIP look-up: one `nip = ANY($1)` query per batch. */
#include "lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char LOOKUP_SQL[] =
    "SELECT p.nip, p.nama, i.kode, i.nama, u.kode, u.nama"
    "  FROM identity.pns p"
    "  JOIN identity.instansi i ON i.kode = p.instansi_kode"
    "  JOIN identity.unit_kerja u ON u.kode = p.unit_kerja_kode"
    " WHERE p.nip = ANY($1::text[])";

static const char ONE_SQL[] =
    "SELECT p.nip, p.nama, i.kode, i.nama, u.kode, u.nama"
    "  FROM identity.pns p"
    "  JOIN identity.instansi i ON i.kode = p.instansi_kode"
    "  JOIN identity.unit_kerja u ON u.kode = p.unit_kerja_kode"
    " WHERE p.nip = $1";

static json_t *pns_json(PGresult *res, int r) {
    return json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "nip", PQgetvalue(res, r, 0), "nama",
                     PQgetvalue(res, r, 1), "instansi", "kode", PQgetvalue(res, r, 2), "nama",
                     PQgetvalue(res, r, 3), "unit_kerja", "kode", PQgetvalue(res, r, 4), "nama",
                     PQgetvalue(res, r, 5));
}

pc_status identity_lookup_one(pc_pg *db, const char *nip, int lock, json_t **pns) {
    char sql[sizeof ONE_SQL + 32];
    snprintf(sql, sizeof sql, "%s%s", ONE_SQL, lock ? " FOR UPDATE OF p" : "");
    const char *params[] = { nip };
    pc_status st;
    *pns = NULL;
    /* Not idempotent: it runs inside the caller's transaction. */
    PGresult *res = pc_pg_exec(db, sql, 1, params, 0, &st);
    if (!res) return st;
    if (PQntuples(res) == 1 && !(*pns = pns_json(res, 0))) st = PC_ERROR;
    PQclear(res);
    return st;
}

/* Postgres array literal {n1,n2,...}: NIPs are digits only, no quoting needed. */
static char *nip_array_literal(const char *const *nips, size_t n) {
    char *lit = malloc(n * 19 + 3);
    if (!lit) return NULL;
    char *p = lit;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i) *p++ = ',';
        memcpy(p, nips[i], 18);
        p += 18;
    }
    *p++ = '}';
    *p = '\0';
    return lit;
}

/* Request positions sorted by NIP, so each returned row finds its askers by
 * binary search: batches reach thousands of NIPs under load. */
typedef struct {
    const char *nip;
    size_t index;
} asked;

static int asked_cmp(const void *a, const void *b) {
    return strcmp(((const asked *)a)->nip, ((const asked *)b)->nip);
}

pc_status identity_lookup_batch(pc_pg *db, const char *const *nips, size_t n, json_t **found) {
    memset(found, 0, n * sizeof *found);
    if (n == 0) return PC_OK;
    char *lit = nip_array_literal(nips, n);
    if (!lit) return PC_ERROR;
    const char *params[] = { lit };
    pc_status st;
    PGresult *res = pc_pg_exec(db, LOOKUP_SQL, 1, params, 1, &st);
    free(lit);
    if (!res) return st;
    asked *order = malloc(n * sizeof *order);
    if (!order) {
        PQclear(res);
        return PC_ERROR;
    }
    for (size_t i = 0; i < n; i++) order[i] = (asked){ nips[i], i };
    qsort(order, n, sizeof *order, asked_cmp);
    for (int r = 0; r < PQntuples(res); r++) {
        const char *nip = PQgetvalue(res, r, 0);
        json_t *pns = pns_json(res, r);
        /* The same NIP may be asked twice in one batch: answer every one. */
        asked key = { nip, 0 };
        asked *hit = bsearch(&key, order, n, sizeof *order, asked_cmp);
        while (hit && hit > order && strcmp(hit[-1].nip, nip) == 0) hit--;
        for (; hit && hit < order + n && strcmp(hit->nip, nip) == 0; hit++)
            found[hit->index] = json_incref(pns);
        json_decref(pns);
    }
    free(order);
    PQclear(res);
    return PC_OK;
}
