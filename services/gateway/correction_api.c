/* correction_api.c -- POST /api/v1/pns/{nip}/koreksi: "Jika data Nama /
 * Instansi terdapat kesalahan, silahkan click disini". The report goes to
 * the identity service; the PNS may go on registering meanwhile. And GET
 * of the same path: the owner's reports with their outcome.
 *
 * Who may report for a NIP: whoever holds a registration flow token for
 * that NIP (step 2, Lanjut: the NIP and an email, signed by the gateway),
 * or -- for a PNS who has registered already, whom step 2 refuses -- the
 * owner's own session. Either way with a solved captcha, under the
 * "register" rate limit, and with plain text only (plain_text.h). */
#include <string.h>
#include <time.h>

#include "contract.h"
#include "flow_token.h"
#include "gateway.h"
#include "ids.h"
#include "nip.h"
#include "plain_text.h"
#include "problem.h"
#include "respond.h"

#define MAX_PROPOSAL 200
#define MAX_NOTE 500

/* A 401 that names the flow token (the body's field "token"); a session
 * would do too, hence the Bearer challenge. */
static void unauthorized(struct _u_response *resp, const char *code, const char *title, const char *detail) {
    gw_fail_unauthorized(resp, "pupns", code, title, detail, "token");
}

/* 1 if the caller may report for nip (a flow token of this NIP, else the
 * owner's session); 0 after answering 401, 403 or 5xx. A token that is
 * present decides alone, so a stale one is never silently replaced. */
static int reporter_ok(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, const char *nip,
                       json_t *body) {
    const char *token = json_string_value(json_object_get(body, "token"));
    if (json_object_get(body, "token") && !json_is_null(json_object_get(body, "token")) && (!token || !*token))
        token = "-"; /* a token that is not a string, or empty, is a malformed one */
    if (token) {
        char tnip[19], email[256];
        pc_status st = gw_flow_token_check(gw->flow_key, token, time(NULL), tnip, email, NULL);
        if (st == PC_ETIMEDOUT) {
            unauthorized(resp, "token_kedaluwarsa", "Waktu pengisian sudah habis",
                         "Waktu pengisian sudah habis. Isi kembali email Anda (langkah Lanjut), lalu kirim ulang laporan.");
            return 0;
        }
        if (st != PC_OK) {
            unauthorized(resp, "token_tidak_valid", "Sesi pendaftaran tidak valid",
                         "Sesi pendaftaran tidak valid. Cari kembali NIP Anda dan isi email Anda, lalu kirim ulang laporan.");
            return 0;
        }
        if (strcmp(tnip, nip) != 0) {
            gw_fail(resp, 403, "token_nip_lain", "Akses ditolak",
                    "Sesi pendaftaran ini untuk NIP lain. Laporan koreksi hanya dapat dikirim untuk NIP yang Anda cari.",
                    "token");
            return 0;
        }
        return 1;
    }
    char owner[19], hash[65];
    pc_status st = gw_session_lookup(gw, req, owner);
    if (st == PC_OK) {
        if (strcmp(owner, nip) == 0) return 1;
        gw_fail(resp, 403, "bukan_pemilik", "Akses ditolak",
                "Anda hanya dapat melaporkan kesalahan data milik Anda sendiri.", NULL);
    } else if (st != PC_ENOTFOUND) {
        gw_service_failure(resp, st, "registrasi");
    } else if (gw_bearer_hash(req, hash)) {
        unauthorized(resp, "perlu_login", "Perlu masuk (login)",
                     "Sesi Anda tidak valid atau sudah berakhir. Silakan masuk kembali, lalu kirim ulang laporan.");
    } else {
        unauthorized(resp, "token_wajib", "Email belum diisi",
                     "Untuk melaporkan kesalahan data, isi email Anda yang masih aktif terlebih dahulu. "
                     "Jika NIP Anda sudah terdaftar, masuk (login) lalu kirim laporan.");
    }
    return 0;
}

/* The report's own fields (nama/instansi, usulan, catatan) into problem. */
static void check_fields(json_t *body, json_t *problem) {
    const char *field = json_string_value(json_object_get(body, "field"));
    const char *proposal = json_string_value(json_object_get(body, "usulan"));
    const char *note = json_string_value(json_object_get(body, "catatan"));
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
}

static int has_errors(json_t *problem) {
    return json_array_size(json_object_get(problem, "errors")) > 0;
}

/* Sends the checked report to identity and answers with its outcome. */
static void submit(gw_ctx *gw, struct _u_response *resp, const char *nip, json_t *body) {
    const char *note = json_string_value(json_object_get(body, "catatan"));
    char id[PC_UUID_LEN];
    pc_uuid_v4(id);
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_IDENTITY_COMMANDS, nip, PC_TYPE_IDENTITY_CORRECTION_SUBMIT,
                           json_pack("{s:s, s:s, s:s, s:s, s:s}", "command_id", id, "nip", nip, "field",
                                     json_string_value(json_object_get(body, "field")), "usulan",
                                     json_string_value(json_object_get(body, "usulan")), "catatan",
                                     note ? note : ""),
                           gw->cfg.request_timeout_ms, &reply);
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

/* Order: a malformed NIP is 400 at once (no token can name it); then who
 * reports (401/403, before the captcha is spent); then the fields and the
 * captcha, every error at once, as the registration form does. */
void gw_correction_new(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "register", gw->cfg.rate_register_per_min)) return;
    const char *nip = u_map_get(req->map_url, "nip");
    json_t *body = gw_body_json(req, resp);
    if (!body) return;
    json_t *problem = pc_problem_new(400, "data_tidak_valid", "Laporan koreksi belum benar",
                                     "Periksa kembali isian yang ditandai.", NULL);
    pc_nip_error ne = pc_nip_parse(nip, NULL);
    if (ne != PC_NIP_OK) {
        pc_problem_add_error(problem, "nip", pc_nip_error_code(ne), pc_nip_error_message(ne));
        check_fields(body, problem);
        gw_send_problem(resp, problem);
        problem = NULL;
    } else if (reporter_ok(gw, req, resp, nip, body)) {
        check_fields(body, problem);
        if (gw_captcha_check(gw, resp, json_string_value(json_object_get(body, "captcha_id")),
                             json_string_value(json_object_get(body, "captcha_jawaban")), problem)) {
            if (has_errors(problem)) {
                gw_send_problem(resp, problem);
                problem = NULL;
            } else {
                submit(gw, resp, nip, body);
            }
        }
    }
    json_decref(problem);
    json_decref(body);
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
