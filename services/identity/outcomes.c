/* outcomes.c -- identity.correction.list.v1: a PNS's own correction
 * reports with their outcome (open / accepted / rejected and why), for
 * GET /api/v1/pns/{nip}/koreksi. The gateway has checked that the caller's
 * session belongs to this NIP. */
#include "corrections.h"

#include "nip.h"

/* The newest reports; a PNS files a handful in a career. */
#define LIST_MAX "50"

static const char LIST_SQL[] =
    "SELECT id, field, nilai_lama, usulan, catatan,"
    "       CASE status WHEN 'terbuka' THEN 'open' WHEN 'diterima' THEN 'accepted' ELSE 'rejected' END,"
    "       alasan,"
    "       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    "       to_char(resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    "  FROM identity.koreksi WHERE nip = $1"
    " ORDER BY created_at DESC, id LIMIT " LIST_MAX;

/* A nullable column as a JSON string or null. */
static json_t *text_or_null(PGresult *res, int r, int c) {
    return PQgetisnull(res, r, c) ? json_null() : json_string(PQgetvalue(res, r, c));
}

pc_status identity_correction_list(pc_pg *db, json_t *data, json_t **reply) {
    const char *nip = json_string_value(json_object_get(data, "nip"));
    *reply = NULL;
    if (!nip || pc_nip_parse(nip, NULL) != PC_NIP_OK) {
        *reply = json_pack("{s:s}", "status", "invalid");
        return PC_OK;
    }
    const char *params[] = { nip };
    pc_status st;
    PGresult *res = pc_pg_exec(db, LIST_SQL, 1, params, 1, &st);
    if (!res) return st;
    json_t *list = json_array();
    for (int r = 0; r < PQntuples(res); r++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "id",
                                              PQgetvalue(res, r, 0), "field", PQgetvalue(res, r, 1), "nilai_lama",
                                              PQgetvalue(res, r, 2), "usulan", PQgetvalue(res, r, 3), "catatan",
                                              PQgetvalue(res, r, 4), "status", PQgetvalue(res, r, 5), "alasan",
                                              text_or_null(res, r, 6), "created_at", PQgetvalue(res, r, 7),
                                              "resolved_at", text_or_null(res, r, 8)));
    PQclear(res);
    *reply = json_pack("{s:s, s:o}", "status", "ok", "koreksi", list);
    return *reply ? PC_OK : PC_ERROR;
}
