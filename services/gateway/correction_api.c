/* correction_api.c -- POST /api/v1/pns/{nip}/koreksi: "Jika data Nama /
 * Instansi terdapat kesalahan, silahkan click disini". The report goes to
 * the identity service; the PNS may go on registering meanwhile. And GET
 * of the same path: the owner's reports with their outcome. */
#include <string.h>

#include "contract.h"
#include "gateway.h"
#include "ids.h"
#include "nip.h"
#include "plain_text.h"
#include "problem.h"
#include "respond.h"

#define MAX_PROPOSAL 200
#define MAX_NOTE 500

void gw_correction_new(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "register", gw->cfg.rate_register_per_min)) return;
    const char *nip = u_map_get(req->map_url, "nip");
    json_t *body = gw_body_json(req, resp);
    if (!body) return;
    const char *field = json_string_value(json_object_get(body, "field"));
    const char *proposal = json_string_value(json_object_get(body, "usulan"));
    const char *note = json_string_value(json_object_get(body, "catatan"));
    json_t *problem = pc_problem_new(400, "data_tidak_valid", "Laporan koreksi belum benar",
                                     "Periksa kembali isian yang ditandai.", NULL);
    pc_nip_error ne = pc_nip_parse(nip, NULL);
    if (ne != PC_NIP_OK) pc_problem_add_error(problem, "nip", pc_nip_error_code(ne), pc_nip_error_message(ne));
    if (!field || (strcmp(field, "nama") != 0 && strcmp(field, "instansi") != 0))
        pc_problem_add_error(problem, "field", "bidang_tidak_valid", "Pilih data yang salah: nama atau instansi.");
    pc_text_error te = pc_plain_text_check(proposal, MAX_PROPOSAL, 0);
    if (te == PC_TEXT_BLANK || te == PC_TEXT_TOO_LONG)
        pc_problem_add_error(problem, "usulan", "usulan_kosong",
                             "Tuliskan data yang benar (maksimal 200 karakter).");
    else if (te != PC_TEXT_OK)
        pc_problem_add_error(problem, "usulan", "karakter_tidak_diizinkan",
                             "Data yang benar hanya boleh berisi teks biasa (tanpa tanda < > atau karakter kontrol).");
    if (json_object_get(body, "catatan") && !note)
        pc_problem_add_error(problem, "catatan", "catatan_terlalu_panjang", "Catatan maksimal 500 karakter.");
    else if ((te = pc_plain_text_check(note, MAX_NOTE, 1)) == PC_TEXT_TOO_LONG)
        pc_problem_add_error(problem, "catatan", "catatan_terlalu_panjang", "Catatan maksimal 500 karakter.");
    else if (te != PC_TEXT_OK)
        pc_problem_add_error(problem, "catatan", "karakter_tidak_diizinkan",
                             "Catatan hanya boleh berisi teks biasa (tanpa tanda < > atau karakter kontrol).");
    if (json_array_size(json_object_get(problem, "errors")) > 0) {
        gw_send_problem(resp, problem);
        json_decref(body);
        return;
    }
    json_decref(problem);
    char id[PC_UUID_LEN];
    pc_uuid_v4(id);
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_IDENTITY_COMMANDS, nip, PC_TYPE_IDENTITY_CORRECTION_SUBMIT,
                           json_pack("{s:s, s:s, s:s, s:s, s:s}", "command_id", id, "nip", nip, "field", field,
                                     "usulan", proposal, "catatan", note ? note : ""),
                           gw->cfg.request_timeout_ms, &reply);
    json_decref(body);
    const char *status = json_string_value(json_object_get(reply, "status"));
    if (st != PC_OK || !status) {
        gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "data kepegawaian");
    } else if (strcmp(status, "open") == 0) {
        gw_send_json(resp, 201, json_object_get(reply, "koreksi"));
    } else if (strcmp(status, "not_found") == 0) {
        gw_nip_unknown(resp);
    } else {
        gw_fail(resp, 400, "data_tidak_valid", "Laporan koreksi tidak valid",
                "Laporan koreksi tidak dapat diterima. Periksa kembali isian Anda.", NULL);
    }
    json_decref(reply);
}

/* GET /api/v1/pns/{nip}/koreksi: the logged-in PNS's own reports and what
 * became of them (open, accepted, or rejected with the reason). Someone
 * else's NIP is 403: the caller knows whose reports they asked for. */
void gw_correction_list(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    char owner[19];
    if (!gw_session_nip(gw, req, resp, owner)) return;
    const char *nip = u_map_get(req->map_url, "nip");
    if (!nip || strcmp(nip, owner) != 0) {
        gw_fail(resp, 403, "bukan_pemilik", "Akses ditolak",
                "Anda hanya dapat melihat laporan koreksi milik Anda sendiri.", NULL);
        return;
    }
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_IDENTITY_REQUESTS, owner, PC_TYPE_IDENTITY_CORRECTION_LIST,
                           json_pack("{s:s}", "nip", owner), gw->cfg.request_timeout_ms, &reply);
    json_t *list = json_object_get(reply, "koreksi");
    if (st != PC_OK || !json_is_array(list)) {
        gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "data kepegawaian");
    } else {
        json_t *body = json_pack("{s:s, s:O}", "nip", owner, "koreksi", list);
        gw_send_json(resp, 200, body);
        json_decref(body);
    }
    json_decref(reply);
}
