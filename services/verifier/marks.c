/* marks.c -- Verifikator 1 marks a receipt received, by the typed
 * registration number (its mod-31 check symbol catches a typo) or by the
 * QR payload of the Bukti Registrasi (verified by the receipt service),
 * and may undo a mark until the receipt's batch is sent. Only for PNS of
 * their own units. One mark per receipt whatever runs at once: the
 * primary key decides, the second verifier is told who marked it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "registration_number.h"
#include "verifier.h"
#include "verifier_sql.h"

#define QR_MAX 512
#define VERIFY_TIMEOUT_MS 3000

/* The mark of nip with its PNS, unit and marker, as JSON (event data and reply). */
static const char MARK_JSON[] =
    "SELECT json_build_object('nip', p.nip, 'no_registrasi', p.no_registrasi, 'nama', p.nama,"
    " 'unit_kerja', json_build_object('kode', u.kode, 'nama', u.nama),"
    " 'instansi', json_build_object('kode', u.instansi_kode, 'nama', u.instansi_nama),"
    " 'metode', m.method, 'diterima_oleh', a.username, 'diterima_at', " VERIFIER_TS("m.marked_at") ")::text"
    " FROM verifier.receipt_mark m JOIN verifier.pns p ON p.nip = m.nip JOIN verifier.unit u ON u.kode = p.unit_kerja_kode"
    " JOIN verifier.account a ON a.id = m.marked_by WHERE m.nip = $1";

/* The typed number in canonical form, or a problem in r (returns 0). */
static int typed_number(const char *typed, char no[9], verifier_result *r) {
    switch (pc_regno_parse_typed(typed, no)) {
    case PC_REGNO_OK: return 1;
    case PC_REGNO_LENGTH:
        verifier_problem(r, 400, "no_registrasi_tidak_valid", "Nomor registrasi tidak valid",
                         "Nomor registrasi terdiri dari 8 karakter huruf dan angka, seperti tercetak pada Bukti "
                         "Registrasi.", "no_registrasi");
        return 0;
    case PC_REGNO_SYMBOL:
        verifier_problem(r, 400, "no_registrasi_tidak_valid", "Nomor registrasi tidak valid",
                         "Nomor registrasi hanya memakai angka 2-9 dan huruf A-Z tanpa I, L dan O. Periksa huruf dan "
                         "angka yang mirip (0/O, 1/I/L).", "no_registrasi");
        return 0;
    case PC_REGNO_CHECK: break;
    }
    verifier_problem(r, 400, "no_registrasi_salah_ketik", "Nomor registrasi salah ketik",
                     "Nomor registrasi ini tidak mungkin benar: ada karakter yang salah ketik atau tertukar "
                     "(karakter terakhir adalah karakter pemeriksa). Periksa kembali setiap karakter pada Bukti "
                     "Registrasi.", "no_registrasi");
    return 0;
}

/* Verifies a QR payload with the receipt service. 1 with no/nip set; 0
 * with a problem in r, or with *st set when the service did not answer. */
static int qr_number(verifier_ctx *ctx, const char *q, char no[9], char nip[19], verifier_result *r, pc_status *st) {
    *st = PC_OK;
    if (strlen(q) > QR_MAX) {
        verifier_problem(r, 400, "qr_tidak_valid", "Kode QR tidak valid", "Isi kode QR terlalu panjang.", "qr");
        return 0;
    }
    json_t *req = json_pack("{s:s}", "q", q), *reply = NULL;
    pc_status cs = pc_rpc_call(ctx->rpc, PC_TOPIC_RECEIPT_REQUESTS, "verifikasi", PC_TYPE_RECEIPT_VERIFY, req,
                               VERIFY_TIMEOUT_MS, &reply);
    json_decref(req);
    if (cs != PC_OK || !json_is_boolean(json_object_get(reply, "valid"))) {
        json_decref(reply);
        verifier_problem(r, cs == PC_ETIMEDOUT ? 504 : 503, "layanan_bukti_tidak_tersedia",
                         "Layanan bukti registrasi tidak tersedia",
                         "Kode QR belum dapat diperiksa. Silakan coba lagi atau ketik nomor registrasinya.", "qr");
        return 0;
    }
    if (!json_is_true(json_object_get(reply, "valid"))) {
        const char *pesan = verifier_str(reply, "pesan");
        verifier_problem(r, 422, "qr_tidak_valid", "Bukti registrasi tidak sah",
                         pesan ? pesan : "Kode QR ini bukan bukti registrasi e-PUPNS yang sah.", "qr");
        json_decref(reply);
        return 0;
    }
    snprintf(no, 9, "%s", verifier_str(reply, "no_registrasi") ? verifier_str(reply, "no_registrasi") : "");
    snprintf(nip, 19, "%s", verifier_str(reply, "nip") ? verifier_str(reply, "nip") : "");
    json_decref(reply);
    return strlen(no) == 8;
}

/* The PNS of a number: *found, and nip/unit/instansi filled. */
static pc_status pns_of(pc_pg *db, const char *no, int *found, char nip[19], char unit[65], char inst[65]) {
    const char *params[] = { no };
    pc_status st;
    PGresult *res = verifier_sql(db, "SELECT nip, unit_kerja_kode, instansi_kode FROM verifier.pns WHERE no_registrasi = $1",
                                 1, params, &st);
    if (!res) return st;
    *found = PQntuples(res) == 1;
    if (*found) {
        snprintf(nip, 19, "%s", PQgetvalue(res, 0, 0));
        snprintf(unit, 65, "%s", PQgetvalue(res, 0, 1));
        snprintf(inst, 65, "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return PC_OK;
}

static pc_status not_known(verifier_result *r) {
    return verifier_problem(r, 404, "registrasi_tidak_ditemukan", "Registrasi tidak ditemukan",
                            "Nomor registrasi ini tidak tercatat. Jika PNS baru saja mendaftar, coba lagi dalam "
                            "beberapa saat.", "no_registrasi");
}

static pc_status other_unit(verifier_result *r, const char *unit) {
    char detail[256];
    snprintf(detail, sizeof detail, "PNS pemilik bukti ini terdaftar di unit kerja lain (%s), bukan unit kerja Anda.",
             unit);
    return verifier_problem(r, 403, "di_luar_wewenang", "Di luar wewenang", detail, "no_registrasi");
}

pc_status verifier_op_mark(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args, verifier_result *r) {
    json_t *body = json_object_get(args, "body");
    const char *typed = verifier_str(body, "no_registrasi"), *q = verifier_str(body, "qr");
    char no[9] = "", qr_nip[19] = "", nip[19], unit[65], inst[65];
    pc_status st = PC_OK;
    if (!typed == !q)
        return verifier_problem(r, 400, "data_tidak_valid", "Data tidak lengkap",
                                "Isi salah satu: no_registrasi (diketik) atau qr (isi kode QR pada Bukti Registrasi).",
                                "no_registrasi");
    if (q ? !qr_number(ctx, q, no, qr_nip, r, &st) : !typed_number(typed, no, r)) return st;
    int found = 0;
    if ((st = pns_of(db, no, &found, nip, unit, inst)) != PC_OK) return st;
    if (!found || (q && strcmp(qr_nip, nip) != 0)) return not_known(r);
    if (!verifier_has_unit(p, unit)) return other_unit(r, unit);
    char id[24];
    snprintf(id, sizeof id, "%lld", p->id);
    const char *mp[] = { nip, no, unit, q ? "qr" : "ketik", id };
    const char *np[] = { nip };
    if ((st = verifier_tx(db, "BEGIN")) != PC_OK) return st;
    PGresult *res = verifier_sql(db,
                                 "INSERT INTO verifier.receipt_mark (nip, no_registrasi, unit_kerja_kode, method, marked_by)"
                                 " VALUES ($1, $2, $3, $4, $5::bigint) ON CONFLICT DO NOTHING RETURNING 1",
                                 5, mp, &st);
    int inserted = res && PQntuples(res) == 1;
    PQclear(res);
    json_t *mark = st == PC_OK ? verifier_sql_json(db, MARK_JSON, 1, np, &st) : NULL;
    if (st == PC_OK && inserted) {
        st = verifier_audit(db, p, "tanda_terima", no, json_pack("{s:s, s:s, s:s}", "nip", nip, "unit_kerja", unit,
                                                                  "metode", q ? "qr" : "ketik"));
        if (st == PC_OK) st = verifier_emit(db, PC_TYPE_RECEIPT_RECEIVED, inst, json_incref(mark));
    }
    if (st == PC_OK) st = verifier_tx(db, "COMMIT");
    if (st != PC_OK) {
        verifier_tx(db, "ROLLBACK");
        json_decref(mark);
        return st == PC_ENOTFOUND ? PC_ERROR : st;
    }
    json_object_set_new(mark, "state", json_string("receipt_received"));
    json_object_set_new(mark, "baru", json_boolean(inserted));
    if (inserted) PC_INFO("receipt %s of %s marked received by %s", no, nip, p->username);
    return verifier_ok(r, inserted ? 201 : 200, mark);
}

pc_status verifier_op_unmark(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args, verifier_result *r) {
    (void)ctx;
    char no[9], nip[19], unit[65], inst[65];
    if (!typed_number(verifier_str(args, "no"), no, r)) return PC_OK;
    int found = 0;
    pc_status st = pns_of(db, no, &found, nip, unit, inst);
    if (st != PC_OK) return st;
    if (!found) return not_known(r);
    if (!verifier_has_unit(p, unit)) return other_unit(r, unit);
    const char *np[] = { nip };
    if ((st = verifier_tx(db, "BEGIN")) != PC_OK) return st;
    json_t *mark = verifier_sql_json(db, MARK_JSON, 1, np, &st);
    if (!mark) {
        verifier_tx(db, "ROLLBACK");
        if (st != PC_ENOTFOUND) return st;
        return verifier_problem(r, 404, "tanda_terima_tidak_ditemukan", "Tanda terima tidak ditemukan",
                                "Bukti registrasi ini belum ditandai diterima.", "no_registrasi");
    }
    /* The batch row is locked: a concurrent submit waits, or is seen. */
    PGresult *res = verifier_sql(db,
                                 "SELECT b.id, b.state FROM verifier.batch_item bi JOIN verifier.batch b ON b.id = bi.batch_id"
                                 " WHERE bi.nip = $1 FOR UPDATE OF b",
                                 1, np, &st);
    char batch_state[16] = "";
    long long batch_id = 0;
    if (res && PQntuples(res) == 1) {
        batch_id = atoll(PQgetvalue(res, 0, 0));
        snprintf(batch_state, sizeof batch_state, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    if (st == PC_OK && (strcmp(batch_state, "submitted") == 0 || strcmp(batch_state, "accepted") == 0)) {
        verifier_tx(db, "ROLLBACK");
        json_decref(mark);
        return verifier_problem(r, 409, "sudah_dikirim", "Sudah dikirim",
                                strcmp(batch_state, "accepted") == 0
                                    ? "Tanda terima ini sudah diterima BKD dan tidak dapat dibatalkan."
                                    : "Tanda terima ini sudah dikirim ke Verifikator 2 dalam sebuah batch dan tidak "
                                      "dapat dibatalkan.",
                                "no_registrasi");
    }
    if (st == PC_OK && batch_id)
        PQclear(verifier_sql(db, "DELETE FROM verifier.batch_item WHERE nip = $1", 1, np, &st));
    if (st == PC_OK) PQclear(verifier_sql(db, "DELETE FROM verifier.receipt_mark WHERE nip = $1", 1, np, &st));
    if (st == PC_OK) {
        json_t *d = json_pack("{s:s, s:s, s:s}", "nip", nip, "unit_kerja", unit, "metode",
                              verifier_str(mark, "metode") ? verifier_str(mark, "metode") : "");
        if (batch_id) json_object_set_new(d, "dikeluarkan_dari_batch", json_integer(batch_id));
        st = verifier_audit(db, p, "batal_tanda_terima", no, d);
    }
    if (st == PC_OK) {
        json_t *ev = json_pack("{s:s, s:s, s:O, s:O, s:s}", "nip", nip, "no_registrasi", no, "unit_kerja",
                               json_object_get(mark, "unit_kerja"), "instansi", json_object_get(mark, "instansi"),
                               "dibatalkan_oleh", p->username);
        st = verifier_emit(db, PC_TYPE_RECEIPT_UNMARKED, inst, ev);
    }
    if (st == PC_OK) st = verifier_tx(db, "COMMIT");
    json_decref(mark);
    if (st != PC_OK) {
        verifier_tx(db, "ROLLBACK");
        return st;
    }
    PC_INFO("receipt %s of %s unmarked by %s", no, nip, p->username);
    return verifier_ok(r, 200, json_pack("{s:s, s:s, s:s}", "nip", nip, "no_registrasi", no, "state", "registered"));
}
