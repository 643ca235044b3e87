/* pns.c -- the PNS of a unit kerja with their verification state, the
 * state of one PNS (for their own account page) and a unit's status.
 *
 * States: not_registered (on the identity roster, no registration yet),
 * registered, receipt_received (Verifikator 1 holds the receipt),
 * in_batch (in a draft, submitted or returned batch), accepted (in an
 * accepted batch). The roster comes from the identity service
 * (identity.unit.members.v1); when it does not answer, the list holds the
 * registered PNS only and says so ("roster": false). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "verifier.h"
#include "verifier_sql.h"

#define ROSTER_TIMEOUT_MS 3000
#define ROSTER_PAGE 1000
#define ROSTER_MAX_PAGES 50

/* The state of the PNS rows p (verifier.pns), m (receipt_mark), b (batch). */
#define STATE_SQL                                                                                                 \
    "CASE WHEN p.nip IS NULL THEN 'not_registered' WHEN b.state = 'accepted' THEN 'accepted'"                  \
    " WHEN b.id IS NOT NULL THEN 'in_batch' WHEN m.nip IS NOT NULL THEN 'receipt_received' ELSE 'registered' END"

static int state_valid(const char *s) {
    static const char *const states[] = { "not_registered", "registered", "receipt_received", "in_batch",
                                          "accepted" };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (strcmp(s, states[i]) == 0) return 1;
    return 0;
}

/* Asks identity for the unit's members, page by page. On PC_OK *members is
 * an array of {nip, nama} and *unit, *instansi the identity's refs (owned);
 * PC_ENOTFOUND for an unknown unit; other: the roster is not available. */
static pc_status roster(verifier_ctx *ctx, const char *kode, json_t **members, json_t **unit, json_t **instansi) {
    *members = json_array();
    *unit = *instansi = NULL;
    char after[32] = "";
    for (int page = 0; page < ROSTER_MAX_PAGES; page++) {
        json_t *req = json_pack("{s:s, s:i}", "unit_kerja_kode", kode, "limit", ROSTER_PAGE);
        if (after[0]) json_object_set_new(req, "after_nip", json_string(after));
        json_t *reply = NULL;
        pc_status st = pc_rpc_call(ctx->rpc, PC_TOPIC_IDENTITY_REQUESTS, kode, VERIFIER_TYPE_UNIT_MEMBERS, req,
                                   ROSTER_TIMEOUT_MS, &reply);
        json_decref(req);
        const char *status = verifier_str(reply, "status");
        if (st == PC_OK && status && strcmp(status, "not_found") == 0) st = PC_ENOTFOUND;
        else if (st == PC_OK && !json_is_array(json_object_get(reply, "members"))) st = PC_EUNAVAIL;
        if (st != PC_OK) {
            json_decref(reply);
            return st;
        }
        if (!*unit) *unit = json_incref(json_object_get(reply, "unit_kerja"));
        if (!*instansi) *instansi = json_incref(json_object_get(reply, "instansi"));
        json_array_extend(*members, json_object_get(reply, "members"));
        const char *next = verifier_str(reply, "next_after");
        snprintf(after, sizeof after, "%s", next ? next : "");
        json_decref(reply);
        if (!after[0]) return PC_OK;
    }
    return PC_OK;
}

pc_status verifier_op_pns_list(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                               verifier_result *r) {
    const char *kode = verifier_str(args, "kode"), *status = verifier_str(args, "status"), *q = verifier_str(args, "q");
    if (!kode || strlen(kode) > 64)
        return verifier_problem(r, 400, "unit_kerja_tidak_valid", "Unit kerja tidak valid", "Sebutkan kode unit kerja.",
                                "kode");
    if (status && !state_valid(status))
        return verifier_problem(r, 400, "status_tidak_valid", "Status tidak valid",
                                "Status harus salah satu dari: not_registered, registered, receipt_received, "
                                "in_batch, accepted.", "status");
    if (q && strlen(q) > 100)
        return verifier_problem(r, 400, "pencarian_tidak_valid", "Pencarian tidak valid",
                                "Teks pencarian paling panjang 100 karakter.", "q");
    long limit = json_integer_value(json_object_get(args, "limit")), offset = json_integer_value(json_object_get(args, "offset"));
    if (limit <= 0 || limit > 1000) limit = 100;
    if (offset < 0) offset = 0;
    /* A Verifikator 1 is checked before anything is fetched. */
    if (p->role == VR_V1 && !verifier_has_unit(p, kode))
        return verifier_problem(r, 403, "di_luar_wewenang", "Di luar wewenang",
                                "Unit kerja ini bukan unit kerja Anda.", "kode");
    pc_status st;
    const char *kp[] = { kode };
    json_t *local = verifier_sql_json(db,
                                      "SELECT json_build_object('kode', kode, 'nama', nama, 'instansi',"
                                      " json_build_object('kode', instansi_kode, 'nama', instansi_nama),"
                                      " 'aktif', activated_at IS NOT NULL, 'diaktifkan_at', activated_at)::text"
                                      " FROM verifier.unit WHERE kode = $1",
                                      1, kp, &st);
    if (!local && st != PC_ENOTFOUND) return st;
    json_t *members = NULL, *iunit = NULL, *iinst = NULL;
    pc_status rst = roster(ctx, kode, &members, &iunit, &iinst);
    if (rst == PC_ENOTFOUND && !local) {
        json_decref(members);
        json_decref(iunit);
        json_decref(iinst);
        return verifier_problem(r, 404, "unit_kerja_tidak_ditemukan", "Unit kerja tidak ditemukan",
                                "Kode unit kerja tidak dikenal.", "kode");
    }
    if (rst != PC_OK && rst != PC_ENOTFOUND) PC_INFO("pns.list %s: identity roster unavailable (%s)", kode, pc_status_name(rst));
    if (!local) {
        if (!iunit || !iinst) {
            json_decref(members);
            json_decref(iunit);
            json_decref(iinst);
            return verifier_problem(r, 404, "unit_kerja_tidak_ditemukan", "Unit kerja tidak ditemukan",
                                    "Belum ada data unit kerja ini.", "kode");
        }
        local = json_pack("{s:s, s:O, s:O, s:b, s:n}", "kode", kode, "nama", json_object_get(iunit, "nama"),
                          "instansi", iinst, "aktif", 0, "diaktifkan_at");
    }
    json_decref(iunit);
    json_decref(iinst);
    const char *inst = verifier_str(json_object_get(local, "instansi"), "kode");
    if (p->role == VR_V2 && !verifier_in_bkd(p, inst)) {
        json_decref(members);
        json_decref(local);
        return verifier_problem(r, 403, "di_luar_wewenang", "Di luar wewenang",
                                "Unit kerja ini bukan bagian dari BKD Anda.", "kode");
    }
    char *roster_text = rst == PC_OK ? json_dumps(members, JSON_COMPACT) : NULL;
    json_decref(members);
    char lim[24], off[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    snprintf(off, sizeof off, "%ld", offset);
    const char *params[] = { kode, roster_text ? roster_text : "[]", status ? status : "", q ? q : "", lim, off };
    json_t *body = verifier_sql_json(
        db,
        "WITH roster AS (SELECT r.nip, r.nama FROM jsonb_to_recordset($2::jsonb) AS r(nip text, nama text)),"
        " people AS (SELECT coalesce(p.nip, r.nip) AS nip, coalesce(p.nama, r.nama) AS nama, p.no_registrasi,"
        "  p.registered_at, m.marked_at, m.method, b.id AS batch_id, b.state AS batch_state, " STATE_SQL " AS state"
        "  FROM (SELECT * FROM verifier.pns WHERE unit_kerja_kode = $1) p FULL JOIN roster r ON r.nip = p.nip"
        "  LEFT JOIN verifier.receipt_mark m ON m.nip = p.nip LEFT JOIN verifier.batch_item bi ON bi.nip = p.nip"
        "  LEFT JOIN verifier.batch b ON b.id = bi.batch_id),"
        " filtered AS (SELECT * FROM people WHERE ($3 = '' OR state = $3) AND ($4 = '' OR nip LIKE $4 || '%'"
        "  OR strpos(lower(nama), lower($4)) > 0))"
        " SELECT json_build_object("
        "  'counts', (SELECT json_build_object('total', count(*),"
        "   'not_registered', count(*) FILTER (WHERE state = 'not_registered'),"
        "   'registered', count(*) FILTER (WHERE state = 'registered'),"
        "   'receipt_received', count(*) FILTER (WHERE state = 'receipt_received'),"
        "   'in_batch', count(*) FILTER (WHERE state = 'in_batch'),"
        "   'accepted', count(*) FILTER (WHERE state = 'accepted')) FROM people),"
        "  'total', (SELECT count(*) FROM filtered), 'limit', $5::int, 'offset', $6::int,"
        "  'items', coalesce((SELECT json_agg(json_build_object('nip', nip, 'nama', nama, 'state', state,"
        "   'no_registrasi', no_registrasi, 'registrasi_at', " VERIFIER_TS("registered_at") ", 'diterima_at', " VERIFIER_TS("marked_at") ","
        "   'metode', method, 'batch_id', batch_id, 'batch_state', batch_state) ORDER BY nip)"
        "   FROM (SELECT * FROM filtered ORDER BY nip LIMIT $5::int OFFSET $6::int) f), '[]'))::text",
        6, params, &st);
    free(roster_text);
    if (!body) {
        json_decref(local);
        return st == PC_ENOTFOUND ? PC_ERROR : st;
    }
    json_object_set_new(body, "unit_kerja", local);
    json_object_set_new(body, "roster", json_boolean(rst == PC_OK));
    return verifier_ok(r, 200, body);
}

pc_status verifier_pns_state(pc_pg *db, json_t *data, json_t **reply) {
    const char *nip = verifier_str(data, "nip"), *unit = verifier_str(data, "unit_kerja_kode");
    if (!nip || strlen(nip) != 18) {
        *reply = json_pack("{s:s}", "status", "invalid");
        return PC_OK;
    }
    const char *params[] = { nip, unit ? unit : "" };
    pc_status st;
    json_t *o = verifier_sql_json(
        db,
        "SELECT json_build_object('nip', $1::text, 'state', coalesce((SELECT " STATE_SQL
        "  FROM verifier.pns p LEFT JOIN verifier.receipt_mark m ON m.nip = p.nip"
        "  LEFT JOIN verifier.batch_item bi ON bi.nip = p.nip LEFT JOIN verifier.batch b ON b.id = bi.batch_id"
        "  WHERE p.nip = $1), 'registered'),"
        " 'unit_kerja_kode', coalesce((SELECT unit_kerja_kode FROM verifier.pns WHERE nip = $1), nullif($2, '')),"
        " 'unit_active', coalesce((SELECT u.activated_at IS NOT NULL FROM verifier.unit u WHERE u.kode ="
        "  coalesce((SELECT unit_kerja_kode FROM verifier.pns WHERE nip = $1), $2)), false),"
        " 'unit_activated_at', (SELECT u.activated_at FROM verifier.unit u WHERE u.kode ="
        "  coalesce((SELECT unit_kerja_kode FROM verifier.pns WHERE nip = $1), $2)))::text",
        2, params, &st);
    if (!o) return st;
    *reply = o;
    return PC_OK;
}

pc_status verifier_unit_status(pc_pg *db, json_t *data, json_t **reply) {
    const char *kode = verifier_str(data, "kode");
    if (!kode || strlen(kode) > 64) {
        *reply = json_pack("{s:s}", "status", "invalid");
        return PC_OK;
    }
    const char *params[] = { kode };
    pc_status st;
    json_t *o = verifier_sql_json(
        db,
        "SELECT json_build_object('status', 'found', 'kode', u.kode, 'nama', u.nama, 'instansi',"
        " json_build_object('kode', u.instansi_kode, 'nama', u.instansi_nama), 'aktif', u.activated_at IS NOT NULL,"
        " 'diaktifkan_at', u.activated_at, 'batch_diterima', (SELECT count(*) FROM verifier.batch b"
        "  WHERE b.unit_kerja_kode = u.kode AND b.state = 'accepted'),"
        " 'batch_terbuka', (SELECT count(*) FROM verifier.batch b WHERE b.unit_kerja_kode = u.kode"
        "  AND b.state IN ('draft', 'submitted', 'returned')),"
        " 'pns_terdaftar', (SELECT count(*) FROM verifier.pns p WHERE p.unit_kerja_kode = u.kode),"
        " 'pns_diterima', (SELECT count(*) FROM verifier.batch_item bi JOIN verifier.batch b ON b.id = bi.batch_id"
        "  WHERE b.unit_kerja_kode = u.kode AND b.state = 'accepted'))::text FROM verifier.unit u WHERE u.kode = $1",
        1, params, &st);
    if (!o && st != PC_ENOTFOUND) return st;
    /* A unit no registration has named yet: not active, nothing verified. */
    *reply = o ? o : json_pack("{s:s, s:s, s:b}", "status", "unknown", "kode", kode, "aktif", 0);
    return PC_OK;
}

/* May this verifier open the receipts (Bukti, Formulir) of registration
 * no_registrasi? A Verifikator 1 for the PNS's unit, a Verifikator 2 of
 * its BKD, an admin: yes, with the PNS's NIP (the gateway then asks the
 * receipt service for the document as that NIP's). Anyone else, and an
 * unknown number: the same 404, so numbers cannot be probed. */
pc_status verifier_op_receipt_access(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                     verifier_result *r) {
    (void)ctx;
    const char *no = verifier_str(args, "no_registrasi");
    if (!no || strlen(no) != 8)
        return verifier_problem(r, 404, "registrasi_tidak_ditemukan", "Registrasi tidak ditemukan",
                                "Nomor registrasi tidak dikenal atau di luar wewenang Anda.", "no_registrasi");
    const char *params[] = { no };
    pc_status st;
    PGresult *res = verifier_sql(db, "SELECT nip, unit_kerja_kode, instansi_kode FROM verifier.pns WHERE no_registrasi = $1",
                                 1, params, &st);
    if (!res) return st;
    int found = PQntuples(res) == 1;
    int allowed = found && (p->role == VR_ADMIN || (p->role == VR_V1 && verifier_has_unit(p, PQgetvalue(res, 0, 1))) ||
                            (p->role == VR_V2 && verifier_in_bkd(p, PQgetvalue(res, 0, 2))));
    json_t *body = allowed ? json_pack("{s:s, s:s}", "no_registrasi", no, "nip", PQgetvalue(res, 0, 0)) : NULL;
    PQclear(res);
    if (!allowed)
        return verifier_problem(r, 404, "registrasi_tidak_ditemukan", "Registrasi tidak ditemukan",
                                "Nomor registrasi tidak dikenal atau di luar wewenang Anda.", "no_registrasi");
    return verifier_ok(r, 200, body);
}
