/* units.c -- unit kerja look-ups and keyset paging of a unit's members. */
#include "units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unit kerja kode: instansi kode + '.' + digits (002_identity.sql); the
 * bound keeps a foreign producer's text out of the query plan's way. */
#define KODE_MAX 32

static const char UNIT_SQL[] =
    "SELECT u.kode, u.nama, i.kode, i.nama,"
    "       (SELECT count(*) FROM identity.pns p WHERE p.unit_kerja_kode = u.kode)"
    "  FROM identity.unit_kerja u JOIN identity.instansi i ON i.kode = u.instansi_kode"
    " WHERE u.kode = $1";

/* One row more than the page: whether there is a next page, without a count. */
static const char MEMBERS_SQL[] =
    "SELECT nip, nama FROM identity.pns"
    " WHERE unit_kerja_kode = $1 AND nip > $2"
    " ORDER BY nip LIMIT $3::int + 1";

static int kode_valid(const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > KODE_MAX) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.')) return 0;
    return 1;
}

/* A cursor is a NIP or a prefix of one: digits, at most 18. */
static int cursor_valid(const char *s) {
    size_t n = strlen(s);
    if (n > 18) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static json_t *status_only(const char *status) { return json_pack("{s:s}", "status", status); }

/* The unit's row (UNIT_SQL): *unit = {"status":"ok", unit_kerja, instansi},
 * or NULL when the unit is unknown; *total its members (total may be NULL). */
static pc_status unit_row(pc_pg *db, const char *kode, json_t **unit, long long *total) {
    const char *params[] = { kode };
    pc_status st;
    PGresult *res = pc_pg_exec(db, UNIT_SQL, 1, params, 1, &st);
    *unit = NULL;
    if (!res) return st;
    if (PQntuples(res) == 1) {
        *unit = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "status", "ok", "unit_kerja", "kode",
                          PQgetvalue(res, 0, 0), "nama", PQgetvalue(res, 0, 1), "instansi", "kode",
                          PQgetvalue(res, 0, 2), "nama", PQgetvalue(res, 0, 3));
        if (total) *total = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
        if (!*unit) st = PC_ERROR;
    }
    PQclear(res);
    return st;
}

pc_status identity_unit_get(pc_pg *db, json_t *data, json_t **reply) {
    const char *kode = json_string_value(json_object_get(data, "unit_kerja_kode"));
    *reply = NULL;
    if (!kode_valid(kode)) {
        *reply = status_only("invalid");
        return PC_OK;
    }
    json_t *unit;
    long long total = 0;
    pc_status st = unit_row(db, kode, &unit, &total);
    if (st != PC_OK) return st;
    if (unit) json_object_set_new(unit, "members_total", json_integer(total));
    *reply = unit ? unit : status_only("not_found");
    return PC_OK;
}

pc_status identity_unit_members(pc_pg *db, json_t *data, json_t **reply) {
    const char *kode = json_string_value(json_object_get(data, "unit_kerja_kode"));
    json_t *after_v = json_object_get(data, "after_nip"), *limit_v = json_object_get(data, "limit");
    const char *after = json_is_null(after_v) || !after_v ? "" : json_string_value(after_v);
    json_int_t limit = limit_v ? (json_is_integer(limit_v) ? json_integer_value(limit_v) : -1)
                               : IDENTITY_MEMBERS_DEFAULT;
    *reply = NULL;
    if (!kode_valid(kode) || !after || !cursor_valid(after) || limit < 1 || limit > IDENTITY_MEMBERS_MAX) {
        *reply = status_only("invalid");
        return PC_OK;
    }
    json_t *unit;
    pc_status st = unit_row(db, kode, &unit, NULL);
    if (st != PC_OK) return st;
    if (!unit) {
        *reply = status_only("not_found");
        return PC_OK;
    }
    char lim[24];
    snprintf(lim, sizeof lim, "%lld", (long long)limit);
    const char *params[] = { kode, after, lim };
    PGresult *res = pc_pg_exec(db, MEMBERS_SQL, 3, params, 1, &st);
    if (!res) {
        json_decref(unit);
        return st;
    }
    int rows = PQntuples(res), page = rows > limit ? (int)limit : rows;
    json_t *members = json_array();
    for (int r = 0; r < page; r++)
        json_array_append_new(members, json_pack("{s:s, s:s}", "nip", PQgetvalue(res, r, 0), "nama",
                                                 PQgetvalue(res, r, 1)));
    json_object_set_new(unit, "members", members);
    json_object_set_new(unit, "next_after",
                        rows > limit ? json_string(PQgetvalue(res, page - 1, 0)) : json_null());
    PQclear(res);
    *reply = unit;
    return PC_OK;
}
