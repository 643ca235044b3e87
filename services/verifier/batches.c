/* batches.c -- batches of received receipts of one unit kerja.
 *
 * Verifikator 1 creates a batch (draft) of the unit's received receipts
 * that are in no batch yet, may change it, and submits it; Verifikator 2
 * of the unit's BKD accepts it, or returns it with a reason, after which
 * Verifikator 1 fixes it (edit) and submits it again. A draft or returned
 * batch may be cancelled: its receipts are free for another batch. The
 * database keeps a receipt in at most one open or accepted batch
 * (batch_item.nip UNIQUE; 007_verifier.sql).
 *
 * Activation: accepting a batch activates its unit when nothing of the
 * unit is outstanding any more, i.e. no batch of it is draft, submitted or
 * returned, and no received receipt of it is outside a batch. PNS who
 * have not handed in a receipt do not hold the unit back (their receipts
 * may still come in a later batch); an active unit stays active. Accepts
 * of one unit are serialised on its row, so of two concurrent last
 * accepts exactly one activates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "plain_text.h"
#include "verifier.h"
#include "verifier_sql.h"

#define REASON_MIN 5
#define REASON_MAX 500

/* A batch as JSON ($1 = id); with its items when $2 is true. */
static const char BATCH_JSON[] =
    "SELECT json_build_object('id', b.id, 'state', b.state,"
    " 'unit_kerja', json_build_object('kode', u.kode, 'nama', u.nama),"
    " 'instansi', json_build_object('kode', u.instansi_kode, 'nama', u.instansi_nama),"
    " 'jumlah', (SELECT count(*) FROM verifier.batch_item bi WHERE bi.batch_id = b.id),"
    " 'dibuat_oleh', ca.username, 'dibuat_at', " VERIFIER_TS("b.created_at") ","
    " 'dikirim_at', " VERIFIER_TS("b.submitted_at") ", 'pengiriman', b.submissions,"
    " 'diputuskan_oleh', da.username, 'diputuskan_at', " VERIFIER_TS("b.decided_at") ","
    " 'alasan_pengembalian', b.return_reason,"
    " 'items', CASE WHEN $2::boolean THEN coalesce((SELECT json_agg(json_build_object('nip', p.nip, 'nama', p.nama,"
    "  'no_registrasi', p.no_registrasi) ORDER BY p.nip) FROM verifier.batch_item bi JOIN verifier.pns p"
    "  ON p.nip = bi.nip WHERE bi.batch_id = b.id), '[]') END)::text"
    " FROM verifier.batch b JOIN verifier.unit u ON u.kode = b.unit_kerja_kode"
    " JOIN verifier.account ca ON ca.id = b.created_by LEFT JOIN verifier.account da ON da.id = b.decided_by"
    " WHERE b.id = $1::bigint";

static json_t *batch_json(pc_pg *db, const char *id, int items, pc_status *st) {
    const char *params[] = { id, items ? "true" : "false" };
    return verifier_sql_json(db, BATCH_JSON, 2, params, st);
}

/* The batch named by args "id": its unit, instansi and state. Returns 1
 * with them set; 0 with a problem in r (bad id, unknown) or *st set. With
 * lock the row is locked for the transaction. */
typedef struct {
    char id[24];
    char unit[65];
    char inst[65];
    char state[16];
} batch_ref;

static int load_batch(pc_pg *db, json_t *args, int lock, batch_ref *b, verifier_result *r, pc_status *st) {
    const char *id = verifier_str(args, "id");
    *st = PC_OK;
    if (!id || strlen(id) > 18 || strspn(id, "0123456789") != strlen(id)) {
        verifier_problem(r, 404, "batch_tidak_ditemukan", "Batch tidak ditemukan", "Nomor batch tidak dikenal.", "id");
        return 0;
    }
    snprintf(b->id, sizeof b->id, "%s", id);
    const char *params[] = { id };
    PGresult *res = verifier_sql(db,
                                 lock ? "SELECT unit_kerja_kode, instansi_kode, state FROM verifier.batch WHERE id = $1::bigint"
                                        " FOR UPDATE"
                                      : "SELECT unit_kerja_kode, instansi_kode, state FROM verifier.batch WHERE id = $1::bigint",
                                 1, params, st);
    if (!res) return 0;
    int found = PQntuples(res) == 1;
    if (found) {
        snprintf(b->unit, sizeof b->unit, "%s", PQgetvalue(res, 0, 0));
        snprintf(b->inst, sizeof b->inst, "%s", PQgetvalue(res, 0, 1));
        snprintf(b->state, sizeof b->state, "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    if (!found) verifier_problem(r, 404, "batch_tidak_ditemukan", "Batch tidak ditemukan", "Nomor batch tidak dikenal.", "id");
    return found;
}

static pc_status out_of_scope(verifier_result *r) {
    return verifier_problem(r, 403, "di_luar_wewenang", "Di luar wewenang",
                            "Batch ini milik unit kerja atau BKD lain.", "id");
}

/* 1 if p may see batch b (V1 of its unit, V2 of its BKD, admin). */
static int may_see(const verifier_principal *p, const batch_ref *b) {
    return p->role == VR_ADMIN || verifier_has_unit(p, b->unit) || verifier_in_bkd(p, b->inst);
}

static int state_in(const char *state, const char *a, const char *b) {
    return strcmp(state, a) == 0 || (b && strcmp(state, b) == 0);
}

static pc_status wrong_state(verifier_result *r, const char *state, const char *what) {
    char detail[300];
    static const char *const names[][2] = { { "draft", "masih draf" }, { "submitted", "sudah dikirim" },
                                            { "returned", "dikembalikan" }, { "accepted", "sudah diterima" },
                                            { "cancelled", "dibatalkan" } };
    const char *name = state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], state) == 0) name = names[i][1];
    snprintf(detail, sizeof detail, "Batch ini %s, sehingga tidak dapat %s.", name, what);
    return verifier_problem(r, 409, "status_batch_tidak_sesuai", "Status batch tidak sesuai", detail, NULL);
}

/* A JSON array of NIP strings as a Postgres text[] literal, or NULL with a
 * problem in r. NULL array: "" (no filter). */
static char *nip_array(json_t *a, const char *field, verifier_result *r) {
    if (!a) return strdup("");
    if (!json_is_array(a) || json_array_size(a) > 5000) {
        verifier_problem(r, 400, "data_tidak_valid", "Data tidak valid", "Daftar NIP harus berupa larik NIP.", field);
        return NULL;
    }
    size_t n = json_array_size(a), cap = n * 20 + 3, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[len++] = '{';
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s || strlen(s) != 18 || strspn(s, "0123456789") != 18) {
            free(out);
            verifier_problem(r, 400, "nip_tidak_valid", "NIP tidak valid", "Setiap NIP terdiri dari 18 digit angka.",
                             field);
            return NULL;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", s);
    }
    snprintf(out + len, cap - len, "}");
    return out;
}

/* Adds the unit's received receipts that are in no batch (only those of
 * nips when it is not "") to batch id; *added says how many. */
static pc_status add_items(pc_pg *db, const char *id, const char *unit, const char *nips, long *added) {
    const char *params[] = { id, unit, nips };
    pc_status st;
    PGresult *res = verifier_sql(db,
                                 "INSERT INTO verifier.batch_item (batch_id, nip) SELECT $1::bigint, m.nip"
                                 " FROM verifier.receipt_mark m WHERE m.unit_kerja_kode = $2"
                                 " AND ($3 = '' OR m.nip = ANY($3::text[]))"
                                 " AND NOT EXISTS (SELECT 1 FROM verifier.batch_item bi WHERE bi.nip = m.nip)"
                                 " ON CONFLICT DO NOTHING",
                                 3, params, &st);
    *added = res ? atol(PQcmdTuples(res)) : 0;
    PQclear(res);
    return st;
}

static long item_count(pc_pg *db, const char *id, pc_status *st) {
    const char *params[] = { id };
    PGresult *res = verifier_sql(db, "SELECT count(*) FROM verifier.batch_item WHERE batch_id = $1::bigint", 1, params, st);
    long n = res ? atol(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return n;
}

/* Submits batch b (locked, draft or returned, not empty) in the open
 * transaction: state, audit, batch.submitted. */
static pc_status submit_locked(pc_pg *db, verifier_principal *p, const batch_ref *b) {
    const char *params[] = { b->id };
    pc_status st;
    PQclear(verifier_sql(db,
                         "UPDATE verifier.batch SET state = 'submitted', submitted_at = now(), submissions = submissions + 1,"
                         " decided_by = NULL, decided_at = NULL WHERE id = $1::bigint",
                         1, params, &st));
    json_t *ev = st == PC_OK ? batch_json(db, b->id, 1, &st) : NULL;
    if (!ev) return st == PC_ENOTFOUND ? PC_ERROR : st;
    json_object_set_new(ev, "dikirim_oleh", json_string(p->username));
    st = verifier_audit(db, p, "kirim_batch", b->id,
                        json_pack("{s:s, s:O, s:O}", "unit_kerja", b->unit, "jumlah", json_object_get(ev, "jumlah"),
                                  "pengiriman", json_object_get(ev, "pengiriman")));
    if (st == PC_OK) return verifier_emit(db, PC_TYPE_BATCH_SUBMITTED, b->inst, ev);
    json_decref(ev);
    return st;
}

/* Commits, then answers with the batch (items included). */
static pc_status finish(pc_pg *db, const char *id, int http, verifier_result *r, json_t *extra) {
    pc_status st = verifier_tx(db, "COMMIT");
    if (st != PC_OK) {
        verifier_tx(db, "ROLLBACK");
        json_decref(extra);
        return st;
    }
    json_t *body = batch_json(db, id, 1, &st);
    if (!body) {
        json_decref(extra);
        return st == PC_ENOTFOUND ? PC_ERROR : st;
    }
    if (extra) json_object_update(body, extra);
    json_decref(extra);
    return verifier_ok(r, http, body);
}

static pc_status fail(pc_pg *db, pc_status st) {
    verifier_tx(db, "ROLLBACK");
    return st;
}

pc_status verifier_op_batch_create(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                   verifier_result *r) {
    (void)ctx;
    json_t *body = json_object_get(args, "body");
    const char *unit = verifier_str(body, "unit_kerja_kode");
    if (!unit || strlen(unit) > 64)
        return verifier_problem(r, 400, "unit_kerja_tidak_valid", "Unit kerja tidak valid",
                                "Isi unit_kerja_kode: unit kerja batch ini.", "unit_kerja_kode");
    if (!verifier_has_unit(p, unit))
        return verifier_problem(r, 403, "di_luar_wewenang", "Di luar wewenang", "Unit kerja ini bukan unit kerja Anda.",
                                "unit_kerja_kode");
    char *nips = nip_array(json_object_get(body, "nips"), "nips", r);
    if (!nips) return r->code[0] ? PC_OK : PC_ERROR;
    const char *up[] = { unit };
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", p->id);
    const char *bp[] = { unit, uid };
    pc_status st = verifier_tx(db, "BEGIN");
    batch_ref b = { 0 };
    PGresult *res = st == PC_OK ? verifier_sql(db, "SELECT instansi_kode FROM verifier.unit WHERE kode = $1", 1, up, &st)
                                : NULL;
    if (res && PQntuples(res) == 1) snprintf(b.inst, sizeof b.inst, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (st == PC_OK && !b.inst[0]) {
        free(nips);
        verifier_tx(db, "ROLLBACK");
        return verifier_problem(r, 409, "tidak_ada_tanda_terima", "Tidak ada tanda terima",
                                "Belum ada tanda terima yang diterima di unit kerja ini.", "unit_kerja_kode");
    }
    res = st == PC_OK ? verifier_sql(db,
                                     "INSERT INTO verifier.batch (unit_kerja_kode, instansi_kode, state, created_by)"
                                     " SELECT kode, instansi_kode, 'draft', $2::bigint FROM verifier.unit WHERE kode = $1"
                                     " RETURNING id",
                                     2, bp, &st)
                      : NULL;
    if (res && PQntuples(res) == 1) snprintf(b.id, sizeof b.id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    snprintf(b.unit, sizeof b.unit, "%s", unit);
    long added = 0;
    if (st == PC_OK) st = add_items(db, b.id, unit, nips, &added);
    free(nips);
    if (st != PC_OK) return fail(db, st);
    if (added == 0) {
        verifier_tx(db, "ROLLBACK");
        return verifier_problem(r, 409, "tidak_ada_tanda_terima", "Tidak ada tanda terima",
                                "Tidak ada tanda terima yang diterima dan belum masuk batch di unit kerja ini.",
                                "unit_kerja_kode");
    }
    st = verifier_audit(db, p, "buat_batch", b.id, json_pack("{s:s, s:I}", "unit_kerja", unit, "jumlah", (json_int_t)added));
    if (st == PC_OK && json_is_true(json_object_get(body, "kirim"))) st = submit_locked(db, p, &b);
    if (st != PC_OK) return fail(db, st);
    PC_INFO("batch %s of %s created by %s (%ld receipts)", b.id, unit, p->username, added);
    return finish(db, b.id, 201, r, NULL);
}

pc_status verifier_op_batch_list(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                 verifier_result *r) {
    (void)ctx;
    const char *unit = verifier_str(args, "unit_kerja_kode"), *state = verifier_str(args, "status");
    static const char *const states[] = { "draft", "submitted", "returned", "accepted", "cancelled" };
    int ok = !state;
    for (size_t i = 0; state && i < sizeof states / sizeof states[0]; i++) ok |= strcmp(state, states[i]) == 0;
    if (!ok)
        return verifier_problem(r, 400, "status_tidak_valid", "Status tidak valid",
                                "Status batch: draft, submitted, returned, accepted atau cancelled.", "status");
    if (unit && p->role == VR_V1 && !verifier_has_unit(p, unit))
        return verifier_problem(r, 403, "di_luar_wewenang", "Di luar wewenang", "Unit kerja ini bukan unit kerja Anda.",
                                "unit_kerja_kode");
    char *units = json_dumps(p->units, JSON_COMPACT), *inst = json_dumps(p->instansi, JSON_COMPACT);
    const char *params[] = { p->role_name, units ? units : "[]", inst ? inst : "[]", unit ? unit : "", state ? state : "" };
    pc_status st;
    json_t *items = verifier_sql_json(
        db,
        "SELECT coalesce(json_agg(json_build_object('id', b.id, 'state', b.state,"
        " 'unit_kerja', json_build_object('kode', u.kode, 'nama', u.nama),"
        " 'instansi', json_build_object('kode', u.instansi_kode, 'nama', u.instansi_nama),"
        " 'jumlah', (SELECT count(*) FROM verifier.batch_item bi WHERE bi.batch_id = b.id),"
        " 'dikirim_at', " VERIFIER_TS("b.submitted_at") ", 'pengiriman', b.submissions,"
        " 'alasan_pengembalian', b.return_reason) ORDER BY b.id), '[]')::text"
        " FROM verifier.batch b JOIN verifier.unit u ON u.kode = b.unit_kerja_kode"
        " WHERE ($1 = 'admin' OR ($1 = 'verifikator1' AND b.unit_kerja_kode IN (SELECT jsonb_array_elements_text($2::jsonb)))"
        "  OR ($1 = 'verifikator2' AND b.instansi_kode IN (SELECT jsonb_array_elements_text($3::jsonb))))"
        " AND ($4 = '' OR b.unit_kerja_kode = $4)"
        " AND (($5 = '' AND b.state <> 'cancelled') OR b.state = $5)",
        5, params, &st);
    free(units);
    free(inst);
    if (!items) return st == PC_ENOTFOUND ? PC_ERROR : st;
    return verifier_ok(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(items), "items", items));
}

pc_status verifier_op_batch_get(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                verifier_result *r) {
    (void)ctx;
    batch_ref b;
    pc_status st;
    if (!load_batch(db, args, 0, &b, r, &st)) return st;
    if (!may_see(p, &b)) return out_of_scope(r);
    json_t *body = batch_json(db, b.id, 1, &st);
    if (!body) return st == PC_ENOTFOUND ? PC_ERROR : st;
    return verifier_ok(r, 200, body);
}

/* Opens the transaction and locks a batch Verifikator 1 of its unit may
 * change. 1 with the transaction open; 0 with it closed and r or *st set. */
static int begin_v1(pc_pg *db, verifier_principal *p, json_t *args, batch_ref *b, verifier_result *r, pc_status *st) {
    if ((*st = verifier_tx(db, "BEGIN")) != PC_OK) return 0;
    if (!load_batch(db, args, 1, b, r, st)) {
        verifier_tx(db, "ROLLBACK");
        return 0;
    }
    if (!verifier_has_unit(p, b->unit)) {
        verifier_tx(db, "ROLLBACK");
        out_of_scope(r);
        return 0;
    }
    return 1;
}

pc_status verifier_op_batch_edit(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                 verifier_result *r) {
    (void)ctx;
    json_t *body = json_object_get(args, "body");
    char *add = nip_array(json_object_get(body, "tambah"), "tambah", r);
    char *del = add ? nip_array(json_object_get(body, "hapus"), "hapus", r) : NULL;
    int add_all = json_is_true(json_object_get(body, "tambah_semua"));
    batch_ref b;
    pc_status st = PC_OK;
    if (!add || !del || !begin_v1(db, p, args, &b, r, &st)) {
        free(add);
        free(del);
        return r->code[0] ? PC_OK : (st != PC_OK ? st : PC_ERROR);
    }
    if (!state_in(b.state, "draft", "returned")) {
        free(add);
        free(del);
        verifier_tx(db, "ROLLBACK");
        return wrong_state(r, b.state, "diubah");
    }
    long removed = 0, added = 0;
    /* Adding first: "tambah_semua" must not take back what "hapus" takes out. */
    if (*add || add_all) st = add_items(db, b.id, b.unit, add_all ? "" : add, &added);
    if (st == PC_OK && *del) {
        const char *dp[] = { b.id, del };
        PGresult *res = verifier_sql(db, "DELETE FROM verifier.batch_item WHERE batch_id = $1::bigint AND nip = ANY($2::text[])",
                                     2, dp, &st);
        removed = res ? atol(PQcmdTuples(res)) : 0;
        PQclear(res);
    }
    free(add);
    free(del);
    if (st == PC_OK)
        st = verifier_audit(db, p, "ubah_batch", b.id,
                            json_pack("{s:I, s:I}", "ditambah", (json_int_t)added, "dihapus", (json_int_t)removed));
    if (st != PC_OK) return fail(db, st);
    return finish(db, b.id, 200, r, json_pack("{s:I, s:I}", "ditambah", (json_int_t)added, "dihapus", (json_int_t)removed));
}

pc_status verifier_op_batch_submit(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                   verifier_result *r) {
    (void)ctx;
    batch_ref b;
    pc_status st;
    if (!begin_v1(db, p, args, &b, r, &st)) return st;
    if (!state_in(b.state, "draft", "returned")) {
        verifier_tx(db, "ROLLBACK");
        return wrong_state(r, b.state, "dikirim");
    }
    long n = item_count(db, b.id, &st);
    if (st == PC_OK && n == 0) {
        verifier_tx(db, "ROLLBACK");
        return verifier_problem(r, 409, "batch_kosong", "Batch kosong", "Batch tanpa tanda terima tidak dapat dikirim.", NULL);
    }
    if (st == PC_OK) st = submit_locked(db, p, &b);
    if (st != PC_OK) return fail(db, st);
    PC_INFO("batch %s of %s submitted by %s", b.id, b.unit, p->username);
    return finish(db, b.id, 200, r, NULL);
}

pc_status verifier_op_batch_cancel(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                   verifier_result *r) {
    (void)ctx;
    batch_ref b;
    pc_status st;
    if (!begin_v1(db, p, args, &b, r, &st)) return st;
    if (!state_in(b.state, "draft", "returned")) {
        verifier_tx(db, "ROLLBACK");
        return wrong_state(r, b.state, "dibatalkan");
    }
    const char *params[] = { b.id };
    long n = item_count(db, b.id, &st);
    if (st == PC_OK) PQclear(verifier_sql(db, "DELETE FROM verifier.batch_item WHERE batch_id = $1::bigint", 1, params, &st));
    if (st == PC_OK)
        PQclear(verifier_sql(db, "UPDATE verifier.batch SET state = 'cancelled' WHERE id = $1::bigint", 1, params, &st));
    if (st == PC_OK) st = verifier_audit(db, p, "batal_batch", b.id, json_pack("{s:s, s:I}", "unit_kerja", b.unit, "jumlah", (json_int_t)n));
    if (st != PC_OK) return fail(db, st);
    return finish(db, b.id, 200, r, NULL);
}

/* Opens the transaction and locks the unit, then the batch, for a
 * Verifikator 2 of the batch's BKD. Same contract as begin_v1. */
static int begin_v2(pc_pg *db, verifier_principal *p, json_t *args, batch_ref *b, verifier_result *r, pc_status *st) {
    if (!load_batch(db, args, 0, b, r, st)) return 0;
    if (!verifier_in_bkd(p, b->inst)) {
        out_of_scope(r);
        return 0;
    }
    if ((*st = verifier_tx(db, "BEGIN")) != PC_OK) return 0;
    const char *up[] = { b->unit };
    PQclear(verifier_sql(db, "SELECT 1 FROM verifier.unit WHERE kode = $1 FOR UPDATE", 1, up, st));
    if (*st != PC_OK || !load_batch(db, args, 1, b, r, st)) {
        verifier_tx(db, "ROLLBACK");
        return 0;
    }
    return 1;
}

pc_status verifier_op_batch_accept(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                   verifier_result *r) {
    (void)ctx;
    batch_ref b;
    pc_status st;
    if (!begin_v2(db, p, args, &b, r, &st)) return st;
    if (strcmp(b.state, "submitted") != 0) {
        verifier_tx(db, "ROLLBACK");
        return wrong_state(r, b.state, "diterima");
    }
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", p->id);
    const char *params[] = { b.id, uid };
    PQclear(verifier_sql(db,
                         "UPDATE verifier.batch SET state = 'accepted', decided_by = $2::bigint, decided_at = now()"
                         " WHERE id = $1::bigint",
                         2, params, &st));
    json_t *ev = st == PC_OK ? batch_json(db, b.id, 1, &st) : NULL;
    if (!ev) return fail(db, st == PC_ENOTFOUND ? PC_ERROR : st);
    st = verifier_audit(db, p, "terima_batch", b.id,
                        json_pack("{s:s, s:O}", "unit_kerja", b.unit, "jumlah", json_object_get(ev, "jumlah")));
    if (st == PC_OK) st = verifier_emit(db, PC_TYPE_BATCH_ACCEPTED, b.inst, ev);
    else json_decref(ev);
    /* The last outstanding batch activates the unit (see the top). */
    const char *ap[] = { b.unit, uid, b.id };
    json_t *act = NULL;
    if (st == PC_OK) {
        act = verifier_sql_json(
            db,
            "WITH a AS (UPDATE verifier.unit u SET activated_at = now(), activated_by = $2::bigint,"
            "  activated_batch = $3::bigint WHERE u.kode = $1 AND u.activated_at IS NULL"
            "  AND NOT EXISTS (SELECT 1 FROM verifier.batch b WHERE b.unit_kerja_kode = $1"
            "   AND b.state IN ('draft', 'submitted', 'returned'))"
            "  AND NOT EXISTS (SELECT 1 FROM verifier.receipt_mark m WHERE m.unit_kerja_kode = $1"
            "   AND NOT EXISTS (SELECT 1 FROM verifier.batch_item bi WHERE bi.nip = m.nip))"
            "  RETURNING u.*)"
            " SELECT json_build_object('unit_kerja', json_build_object('kode', a.kode, 'nama', a.nama),"
            " 'instansi', json_build_object('kode', a.instansi_kode, 'nama', a.instansi_nama),"
            " 'batch_id', $3::bigint, 'diaktifkan_oleh', (SELECT username FROM verifier.account WHERE id = $2::bigint),"
            " 'diaktifkan_at', " VERIFIER_TS("a.activated_at") ","
            " 'pns_diterima', (SELECT count(*) FROM verifier.batch_item bi JOIN verifier.batch b ON b.id = bi.batch_id"
            "  WHERE b.unit_kerja_kode = $1 AND b.state = 'accepted'))::text FROM a",
            3, ap, &st);
        if (st == PC_ENOTFOUND) st = PC_OK;
    }
    if (st == PC_OK && act) {
        st = verifier_audit(db, p, "aktifkan_unit", b.unit, json_pack("{s:s}", "batch", b.id));
        if (st == PC_OK) st = verifier_emit(db, PC_TYPE_UNIT_ACTIVATED, b.inst, act);
        else json_decref(act);
    }
    if (st != PC_OK) return fail(db, st);
    const char *up[] = { b.unit };
    PGresult *res = verifier_sql(db, "SELECT activated_at IS NOT NULL FROM verifier.unit WHERE kode = $1", 1, up, &st);
    int active = res && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (st != PC_OK) return fail(db, st);
    PC_INFO("batch %s of %s accepted by %s%s", b.id, b.unit, p->username, act ? "; unit activated" : "");
    return finish(db, b.id, 200, r, json_pack("{s:b, s:b}", "unit_aktif", active, "unit_diaktifkan", act != NULL));
}

pc_status verifier_op_batch_return(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                   verifier_result *r) {
    (void)ctx;
    const char *reason = verifier_str(json_object_get(args, "body"), "alasan");
    size_t len = reason ? strlen(reason) : 0;
    if (len < REASON_MIN || len > REASON_MAX || pc_plain_text_check(reason, REASON_MAX, 0) != PC_TEXT_OK)
        return verifier_problem(r, 400, "alasan_tidak_valid", "Alasan tidak valid",
                                "Tuliskan alasan pengembalian (5-500 karakter teks biasa) agar Verifikator 1 dapat "
                                "memperbaikinya.", "alasan");
    batch_ref b;
    pc_status st;
    if (!begin_v2(db, p, args, &b, r, &st)) return st;
    if (strcmp(b.state, "submitted") != 0) {
        verifier_tx(db, "ROLLBACK");
        return wrong_state(r, b.state, "dikembalikan");
    }
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", p->id);
    const char *params[] = { b.id, uid, reason };
    PQclear(verifier_sql(db,
                         "UPDATE verifier.batch SET state = 'returned', decided_by = $2::bigint, decided_at = now(),"
                         " return_reason = $3 WHERE id = $1::bigint",
                         3, params, &st));
    json_t *ev = st == PC_OK ? batch_json(db, b.id, 1, &st) : NULL;
    if (!ev) return fail(db, st == PC_ENOTFOUND ? PC_ERROR : st);
    json_object_set_new(ev, "alasan", json_string(reason));
    st = verifier_audit(db, p, "kembalikan_batch", b.id, json_pack("{s:s, s:s}", "unit_kerja", b.unit, "alasan", reason));
    if (st == PC_OK) st = verifier_emit(db, PC_TYPE_BATCH_RETURNED, b.inst, ev);
    else json_decref(ev);
    if (st != PC_OK) return fail(db, st);
    PC_INFO("batch %s of %s returned by %s", b.id, b.unit, p->username);
    return finish(db, b.id, 200, r, NULL);
}
