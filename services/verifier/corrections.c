/* corrections.c -- correction reports (a wrong Nama or Instansi) that
 * Verifikator 2 of the PNS's BKD, or admin, decides. The reports come from
 * identity's events (events.c); a decision is sent to the identity service
 * (identity.correction.resolve.v1), which changes the master data and
 * publishes identity.corrected / identity.correction.rejected. The local
 * row follows the identity's answer at once and its event later. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "ids.h"
#include "log.h"
#include "plain_text.h"
#include "verifier.h"
#include "verifier_sql.h"

#define RESOLVE_TIMEOUT_MS 5000
#define REASON_MAX 500

pc_status verifier_op_correction_list(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                      verifier_result *r) {
    (void)ctx;
    const char *status = verifier_str(args, "status");
    if (!status) status = "open";
    if (strcmp(status, "open") != 0 && strcmp(status, "accepted") != 0 && strcmp(status, "rejected") != 0 &&
        strcmp(status, "all") != 0)
        return verifier_problem(r, 400, "status_tidak_valid", "Status tidak valid",
                                "Status koreksi: open, accepted, rejected atau all.", "status");
    char *inst = json_dumps(p->instansi, JSON_COMPACT);
    const char *params[] = { p->role_name, inst ? inst : "[]", status };
    pc_status st;
    json_t *items = verifier_sql_json(
        db,
        "SELECT coalesce(json_agg(json_build_object('id', c.id, 'nip', c.nip, 'instansi_kode', c.instansi_kode,"
        " 'unit_kerja_kode', c.unit_kerja_kode, 'status', c.status, 'alasan', c.reason, 'diputuskan_oleh', c.resolved_by,"
        " 'dilaporkan_at', " VERIFIER_TS("c.requested_at") ", 'diputuskan_at', " VERIFIER_TS("c.resolved_at") ","
        " 'laporan', c.data) ORDER BY c.requested_at, c.id), '[]')::text FROM verifier.correction c"
        " WHERE ($1 = 'admin' OR c.instansi_kode IN (SELECT jsonb_array_elements_text($2::jsonb)))"
        " AND ($3 = 'all' OR c.status = $3)",
        3, params, &st);
    free(inst);
    if (!items) return st == PC_ENOTFOUND ? PC_ERROR : st;
    return verifier_ok(r, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(items), "items", items));
}

pc_status verifier_op_correction_resolve(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                         verifier_result *r) {
    const char *id = verifier_str(args, "id");
    json_t *body = json_object_get(args, "body");
    const char *keputusan = verifier_str(body, "keputusan"), *alasan = verifier_str(body, "alasan");
    int accept = keputusan && strcmp(keputusan, "terima") == 0;
    if (!keputusan || (!accept && strcmp(keputusan, "tolak") != 0))
        return verifier_problem(r, 400, "keputusan_tidak_valid", "Keputusan tidak valid",
                                "Keputusan harus \"terima\" atau \"tolak\".", "keputusan");
    if ((!accept && !alasan) || (alasan && pc_plain_text_check(alasan, REASON_MAX, 0) != PC_TEXT_OK))
        return verifier_problem(r, 400, "alasan_tidak_valid", "Alasan tidak valid",
                                "Penolakan harus disertai alasan (teks biasa, paling panjang 500 karakter).", "alasan");
    if (!id || strlen(id) > 64)
        return verifier_problem(r, 404, "koreksi_tidak_ditemukan", "Koreksi tidak ditemukan",
                                "Laporan koreksi tidak dikenal.", "id");
    const char *params[] = { id };
    pc_status st;
    PGresult *res = verifier_sql(db, "SELECT nip, coalesce(instansi_kode, ''), status FROM verifier.correction WHERE id = $1",
                                 1, params, &st);
    if (!res) return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return verifier_problem(r, 404, "koreksi_tidak_ditemukan", "Koreksi tidak ditemukan",
                                "Laporan koreksi tidak dikenal.", "id");
    }
    char nip[19], inst[65], status[16];
    snprintf(nip, sizeof nip, "%s", PQgetvalue(res, 0, 0));
    snprintf(inst, sizeof inst, "%s", PQgetvalue(res, 0, 1));
    snprintf(status, sizeof status, "%s", PQgetvalue(res, 0, 2));
    PQclear(res);
    if (p->role != VR_ADMIN && !verifier_in_bkd(p, inst))
        return verifier_problem(r, 403, "di_luar_wewenang", "Di luar wewenang",
                                "Laporan koreksi ini milik PNS dari BKD lain.", "id");
    if (strcmp(status, "open") != 0)
        return verifier_problem(r, 409, "koreksi_sudah_diputuskan", "Koreksi sudah diputuskan",
                                "Laporan koreksi ini sudah diputuskan sebelumnya.", "id");
    char command_id[PC_UUID_LEN];
    pc_uuid_v4(command_id);
    json_t *cmd = json_pack("{s:s, s:s, s:s, s:s}", "command_id", command_id, "correction_id", id, "decision",
                            accept ? "accept" : "reject", "resolved_by", p->username);
    if (alasan) json_object_set_new(cmd, "reason", json_string(alasan));
    /* An Instansi report accepted: the unit the PNS moves to, when Verifikator 2
     * names it (else identity takes the proposal as the unit's kode). */
    const char *unit = verifier_str(body, "unit_kerja_kode");
    if (unit && accept) json_object_set_new(cmd, "unit_kerja_kode", json_string(unit));
    json_t *reply = NULL;
    pc_status cs = pc_rpc_call(ctx->rpc, PC_TOPIC_IDENTITY_COMMANDS, nip, VERIFIER_TYPE_CORRECTION_RESOLVE, cmd,
                               RESOLVE_TIMEOUT_MS, &reply);
    json_decref(cmd);
    const char *answer = verifier_str(reply, "status");
    if (cs != PC_OK || !answer || strcmp(answer, "error") == 0 || strcmp(answer, "unavailable") == 0) {
        json_decref(reply);
        return verifier_problem(r, cs == PC_ETIMEDOUT ? 504 : 503, "layanan_kepegawaian_tidak_tersedia",
                                "Layanan data kepegawaian tidak tersedia",
                                "Keputusan belum dapat disampaikan ke layanan data kepegawaian. Silakan coba lagi.", NULL);
    }
    int ok = strcmp(answer, "ok") == 0, already = strcmp(answer, "already_resolved") == 0;
    if (strcmp(answer, "invalid") == 0) { /* identity refused the decision itself */
        const char *code = verifier_str(reply, "code");
        int unknown_unit = code && strcmp(code, "unit_kerja_tidak_dikenal") == 0;
        verifier_problem(r, 400, unknown_unit ? "unit_kerja_tidak_dikenal" : "keputusan_tidak_dapat_diterapkan",
                         unknown_unit ? "Unit kerja tidak dikenal" : "Keputusan tidak dapat diterapkan",
                         unknown_unit ? "Unit kerja tujuan tidak ada dalam data kepegawaian. Isi kode unit kerja yang "
                                        "benar (unit_kerja_kode) untuk menerima laporan Instansi ini."
                                      : "Layanan data kepegawaian menolak keputusan ini. Periksa isian keputusan.",
                         unknown_unit ? "unit_kerja_kode" : "keputusan");
        json_decref(reply);
        return PC_OK;
    }
    json_decref(reply);
    if (!ok && !already)
        return verifier_problem(r, 404, "koreksi_tidak_ditemukan", "Koreksi tidak ditemukan",
                                "Layanan data kepegawaian tidak mengenal laporan koreksi ini.", "id");
    const char *up[] = { id, ok ? (accept ? "accepted" : "rejected") : "open", alasan, p->username };
    if ((st = verifier_tx(db, "BEGIN")) != PC_OK) return st;
    if (ok)
        PQclear(verifier_sql(db,
                             "UPDATE verifier.correction SET status = $2, reason = $3, resolved_by = $4,"
                             " resolved_at = now() WHERE id = $1 AND status = 'open'",
                             4, up, &st));
    if (st == PC_OK)
        st = verifier_audit(db, p, ok ? "putuskan_koreksi" : "putuskan_koreksi_ditolak_identitas", id,
                            json_pack("{s:s, s:s, s:s?}", "nip", nip, "keputusan", keputusan, "alasan", alasan));
    if (st == PC_OK) st = verifier_tx(db, "COMMIT");
    if (st != PC_OK) {
        verifier_tx(db, "ROLLBACK");
        return st;
    }
    if (already)
        return verifier_problem(r, 409, "koreksi_sudah_diputuskan", "Koreksi sudah diputuskan",
                                "Laporan koreksi ini sudah diputuskan sebelumnya.", "id");
    PC_INFO("correction %s of %s %s by %s", id, nip, accept ? "accepted" : "rejected", p->username);
    return verifier_ok(r, 200, json_pack("{s:s, s:s, s:s}", "id", id, "nip", nip, "status",
                                         accept ? "accepted" : "rejected"));
}
