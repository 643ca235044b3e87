/* registration_api.c -- steps 2-4 of the tutorial over the API:
 *   GET  /api/v1/pertanyaan-pengaman   the security questions
 *   POST /api/v1/registrasi/mulai      step 2 (Lanjut): NIP + email -> flow token
 *   POST /api/v1/registrasi            step 3 (Registrasi): the form -> 201 (step 4)
 *   GET  /api/v1/registrasi/{no}       the registration, for its owner
 * Every field error of the form is reported at once. Secrets are sealed to
 * the registration service's key before they touch Kafka. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "contract.h"
#include "flow_token.h"
#include "gateway.h"
#include "ids.h"
#include "log.h"
#include "nip.h"
#include "password_policy.h"
#include "problem.h"
#include "questions.h"
#include "respond.h"
#include "seal.h"

#define FLOW_TTL_S 1800
#define MAX_ANSWER 200

void gw_questions(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    (void)gw;
    (void)req;
    json_t *list = json_array();
    for (int i = 0; i < pc_questions_count; i++)
        json_array_append_new(list, json_pack("{s:i, s:s}", "id", pc_questions[i].id, "teks", pc_questions[i].text));
    gw_send_json(resp, 200, list);
    json_decref(list);
}

/* Looks the NIP up; *pns is the PNS or NULL when unknown. Answers the
 * client itself on failure and returns 0. */
static int lookup_pns(gw_ctx *gw, struct _u_response *resp, const char *nip, json_t **pns) {
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_IDENTITY_REQUESTS, nip, PC_TYPE_IDENTITY_LOOKUP,
                           json_pack("{s:s}", "nip", nip), gw->cfg.request_timeout_ms, &reply);
    if (st != PC_OK) {
        gw_service_failure(resp, st, "data kepegawaian");
        return 0;
    }
    *pns = json_incref(json_object_get(reply, "pns"));
    json_decref(reply);
    return 1;
}

static void already_registered(struct _u_response *resp) {
    gw_fail(resp, 409, "sudah_terdaftar", "NIP sudah terdaftar",
            "NIP ini sudah terdaftar di e-PUPNS. Silakan masuk (login) dengan kata kunci Anda. "
            "Jika Anda tidak merasa mendaftar, segera hubungi Verifikator 1 di unit kerja Anda.", "nip");
}

void gw_registration_start(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "register", gw->cfg.rate_register_per_min)) return;
    json_t *body = gw_body_json(req, resp);
    if (!body) return;
    const char *nip = json_string_value(json_object_get(body, "nip"));
    const char *email = json_string_value(json_object_get(body, "email"));
    pc_nip_error ne = pc_nip_parse(nip, NULL);
    json_t *problem = pc_problem_new(400, "data_tidak_valid", "Data belum benar",
                                     "Periksa kembali isian yang ditandai.", NULL);
    if (ne != PC_NIP_OK) pc_problem_add_error(problem, "nip", pc_nip_error_code(ne), pc_nip_error_message(ne));
    if (!gw_email_valid(email))
        pc_problem_add_error(problem, "email", "email_tidak_valid",
                             "Alamat email tidak valid. Gunakan alamat email Anda yang masih aktif.");
    if (json_array_size(json_object_get(problem, "errors")) > 0) {
        gw_send_problem(resp, problem);
        json_decref(body);
        return;
    }
    json_decref(problem);

    json_t *pns = NULL, *status = NULL;
    if (!lookup_pns(gw, resp, nip, &pns)) goto out;
    if (!pns) {
        gw_nip_unknown(resp);
        goto out;
    }
    pc_status st = gw_call(gw, PC_TOPIC_REG_QUERIES, nip, PC_TYPE_REG_STATUS, json_pack("{s:s}", "nip", nip),
                           gw->cfg.request_timeout_ms, &status);
    if (st != PC_OK) {
        gw_service_failure(resp, st, "registrasi");
        goto out;
    }
    if (json_is_true(json_object_get(status, "registered"))) {
        already_registered(resp);
        goto out;
    }
    char token[GW_FLOW_TOKEN_MAX];
    if (gw_flow_token_make(gw->flow_key, nip, email, pns, time(NULL), FLOW_TTL_S, token) != PC_OK) {
        gw_fail(resp, 400, "email_tidak_valid", "Email tidak valid", "Alamat email terlalu panjang.", "email");
        goto out;
    }
    json_t *out = json_pack("{s:s, s:i, s:O}", "token", token, "expires_in", FLOW_TTL_S, "pns", pns);
    gw_send_json(resp, 200, out);
    json_decref(out);
out:
    json_decref(status);
    json_decref(pns);
    json_decref(body);
}

/* The form's fields, borrowed from the body, and what the flow token carries. */
typedef struct {
    const char *token, *password, *confirmation, *ibu, *jawaban, *captcha_id, *captcha_answer;
    int pertanyaan_id;
    char nip[19], email[256];
    json_t *pns; /* the identity snapshot shown at step 2; owned */
} reg_form;

static const char *field(json_t *body, const char *name) {
    return json_string_value(json_object_get(body, name));
}

static int blank(const char *s) {
    if (!s) return 1;
    while (*s && isspace((unsigned char)*s)) s++;
    return *s == '\0';
}

/* Checks the form's captcha (consuming it); see gw_captcha_check. */
static int check_captcha(gw_ctx *gw, struct _u_response *resp, const reg_form *f, json_t *problem) {
    return gw_captcha_check(gw, resp, f->captcha_id, f->captcha_answer, problem);
}

static void validate_form(gw_ctx *gw, json_t *body, reg_form *f, json_t *problem) {
    f->token = field(body, "token");
    f->password = field(body, "kata_kunci");
    f->confirmation = field(body, "konfirmasi_kata_kunci");
    f->ibu = field(body, "nama_ibu_kandung");
    f->jawaban = field(body, "jawaban");
    f->captcha_id = field(body, "captcha_id");
    f->captcha_answer = field(body, "captcha_jawaban");
    json_t *pid = json_object_get(body, "pertanyaan_id");
    f->pertanyaan_id = json_is_integer(pid) ? (int)json_integer_value(pid) : 0;

    pc_status tst = gw_flow_token_check(gw->flow_key, f->token, time(NULL), f->nip, f->email, &f->pns);
    if (tst == PC_ETIMEDOUT)
        pc_problem_add_error(problem, "token", "token_kedaluwarsa",
                             "Waktu pengisian sudah habis. Silakan ulangi dari langkah Cari NIP.");
    else if (tst != PC_OK)
        pc_problem_add_error(problem, "token", "token_tidak_valid",
                             "Sesi pendaftaran tidak valid. Silakan ulangi dari langkah Cari NIP.");
    const char *code = NULL, *message = NULL;
    if (!f->password)
        pc_problem_add_error(problem, "kata_kunci", "kata_kunci_pendek", "Kata kunci wajib diisi (minimal 8 karakter).");
    else if (pc_password_check(f->password, NULL, f->nip, &code, &message) != PC_OK)
        pc_problem_add_error(problem, "kata_kunci", code, message);
    if (pc_password_confirm_check(f->password, f->confirmation, &code, &message) != PC_OK)
        pc_problem_add_error(problem, "konfirmasi_kata_kunci", code, message);
    if (blank(f->ibu) || strlen(f->ibu) > MAX_ANSWER)
        pc_problem_add_error(problem, "nama_ibu_kandung", "nama_ibu_kosong",
                             "Nama ibu kandung wajib diisi (maksimal 200 karakter).");
    if (!pc_question_find(f->pertanyaan_id))
        pc_problem_add_error(problem, "pertanyaan_id", "pertanyaan_tidak_valid", "Pilih salah satu pertanyaan pengaman.");
    if (blank(f->jawaban) || strlen(f->jawaban) > MAX_ANSWER)
        pc_problem_add_error(problem, "jawaban", "jawaban_kosong",
                             "Jawaban pertanyaan pengaman wajib diisi (maksimal 200 karakter).");
}

/* The registration command with its secrets sealed; NULL if sealing failed. */
static json_t *build_command(gw_ctx *gw, const reg_form *f, const char *command_id, json_t *pns) {
    char *sp = NULL, *si = NULL, *sj = NULL;
    json_t *cmd = NULL;
    if (pc_seal_b64(gw->reg_public_key, f->password, &sp) == PC_OK &&
        pc_seal_b64(gw->reg_public_key, f->ibu, &si) == PC_OK &&
        pc_seal_b64(gw->reg_public_key, f->jawaban, &sj) == PC_OK)
        cmd = json_pack("{s:s, s:s, s:s, s:i, s:O, s:{s:s, s:s, s:s}}", "command_id", command_id, "nip", f->nip,
                        "email", f->email, "pertanyaan_id", f->pertanyaan_id, "pns", pns, "sealed",
                        "password", sp, "ibu_kandung", si, "jawaban", sj);
    free(sp);
    free(si);
    free(sj);
    return cmd;
}

/* Idempotency-Key: a client that retries with the same key (per NIP) gets
 * the first result. The command id is a hash of NIP and key, so the
 * client's key is never published in events. */
static void command_id_of(const struct _u_request *req, const char *nip, char out[80]) {
    const char *k = u_map_get_case(req->map_header, "Idempotency-Key");
    size_t n = k ? strlen(k) : 0;
    if (n < 8 || n > 128) {
        pc_uuid_v4(out);
        return;
    }
    unsigned char digest[16];
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, sizeof digest);
    crypto_generichash_update(&h, (const unsigned char *)nip, strlen(nip));
    crypto_generichash_update(&h, (const unsigned char *)"\n", 1);
    crypto_generichash_update(&h, (const unsigned char *)k, n);
    crypto_generichash_final(&h, digest, sizeof digest);
    memcpy(out, "idem-", 5);
    sodium_bin2hex(out + 5, 80 - 5, digest, sizeof digest);
}

static void answer_result(struct _u_response *resp, json_t *reply) {
    const char *status = json_string_value(json_object_get(reply, "status"));
    const char *code = json_string_value(json_object_get(reply, "code"));
    json_t *reg = json_object_get(reply, "registrasi");
    const char *no = json_string_value(json_object_get(reg, "no_registrasi"));
    if (status && strcmp(status, "completed") == 0 && no) {
        char location[64];
        snprintf(location, sizeof location, "/api/v1/registrasi/%s", no);
        u_map_put(resp->map_header, "Location", location);
        gw_send_json(resp, 201, reg);
    } else if (status && strcmp(status, "completed") == 0) {
        gw_service_failure(resp, PC_EUNAVAIL, "registrasi"); /* a reply without its number */
    } else if (code && strcmp(code, "sudah_terdaftar") == 0) {
        already_registered(resp);
    } else {
        json_t *p = pc_problem_new(400, code ? code : "data_tidak_valid", "Data registrasi tidak valid",
                                   json_string_value(json_object_get(reply, "message")), NULL);
        json_object_set(p, "errors", json_object_get(reply, "errors"));
        gw_send_problem(resp, p);
    }
}

void gw_registration_submit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "register", gw->cfg.rate_register_per_min)) return;
    json_t *body = gw_body_json(req, resp);
    if (!body) return;
    reg_form f = { 0 };
    json_t *problem = pc_problem_new(400, "data_tidak_valid", "Data registrasi belum benar",
                                     "Periksa kembali isian yang ditandai.", NULL);
    validate_form(gw, body, &f, problem);
    json_t *reply = NULL, *cmd = NULL;
    if (!check_captcha(gw, resp, &f, problem)) goto out;
    if (json_array_size(json_object_get(problem, "errors")) > 0) {
        gw_send_problem(resp, problem);
        problem = NULL;
        goto out;
    }
    char command_id[80];
    command_id_of(req, f.nip, command_id);
    cmd = build_command(gw, &f, command_id, f.pns);
    if (!cmd) {
        gw_service_failure(resp, PC_EUNAVAIL, "registrasi");
        goto out;
    }
    pc_status st = gw_call(gw, PC_TOPIC_REG_COMMANDS, f.nip, PC_TYPE_REG_SUBMIT, cmd,
                           gw->cfg.registration_timeout_ms, &reply);
    cmd = NULL;
    if (st != PC_OK) gw_service_failure(resp, st, "registrasi");
    else answer_result(resp, reply);
out:
    json_decref(problem);
    json_decref(reply);
    json_decref(f.pns);
    json_decref(body);
}

void gw_registration_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    char nip[19];
    if (!gw_session_nip(gw, req, resp, nip)) return;
    const char *no = u_map_get(req->map_url, "no");
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_REG_QUERIES, nip, PC_TYPE_REG_GET,
                           json_pack("{s:s, s:s}", "no_registrasi", no ? no : "", "nip", nip),
                           gw->cfg.request_timeout_ms, &reply);
    if (st != PC_OK) {
        gw_service_failure(resp, st, "registrasi");
    } else if (json_is_object(json_object_get(reply, "registrasi"))) {
        gw_send_json(resp, 200, json_object_get(reply, "registrasi"));
    } else {
        /* Someone else's number looks exactly like a missing one. */
        gw_fail(resp, 404, "registrasi_tidak_ditemukan", "Registrasi tidak ditemukan",
                "Nomor registrasi tidak ditemukan untuk akun Anda.", NULL);
    }
    json_decref(reply);
}
