/* verifier_api.c -- the Verifikator 1/2 and admin API, /api/v1/verifikator/...,
 * and the public unit status, GET /api/v1/unit-kerja/{kode}/status.
 *
 * Thin on purpose: authentication, role and scope checks, the audit log and
 * every state change live in the verifier service, the security boundary.
 * The gateway makes the bearer token at login (the service stores only its
 * SHA-256, as for PNS), seals the password to the verifier's key, passes
 * each request's token hash, the client's address (for the audit log),
 * path and query parameters and the JSON body, and maps the reply:
 * {status: ok, http, body} or {status: problem, http, code, title, detail}. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "gateway.h"
#include "problem.h"
#include "respond.h"
#include "seal.h"

#define MAX_PARAM 128

static void unauthenticated(struct _u_response *resp) {
    gw_fail_unauthorized(resp, "pupns-verifikator", "perlu_login", "Perlu masuk (login)",
                         "Sesi verifikator Anda tidak valid atau sudah berakhir. Silakan masuk kembali.", NULL);
}

/* The bearer token, or NULL. */
static const char *bearer(const struct _u_request *req) {
    const char *h = u_map_get_case(req->map_header, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return NULL;
    h += 7;
    size_t n = strlen(h);
    return n >= 16 && n <= 128 ? h : NULL;
}

/* Maps the verifier's reply to the response. */
static void answer(struct _u_response *resp, pc_status st, json_t *reply) {
    const char *status = json_string_value(json_object_get(reply, "status"));
    int http = (int)json_integer_value(json_object_get(reply, "http"));
    if (st != PC_OK || !status || http < 200 || http > 599) {
        gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "verifikasi");
    } else if (strcmp(status, "problem") == 0) {
        const char *code = json_string_value(json_object_get(reply, "code"));
        const char *field = json_string_value(json_object_get(reply, "field"));
        if (http == 401) {
            unauthenticated(resp);
        } else {
            gw_send_problem(resp, pc_problem_new(http, code ? code : "galat",
                                                 json_string_value(json_object_get(reply, "title")),
                                                 json_string_value(json_object_get(reply, "detail")), field));
        }
    } else if (http == 204) {
        ulfius_set_empty_body_response(resp, 204);
    } else {
        gw_send_json(resp, http, json_object_get(reply, "body"));
        u_map_put(resp->map_header, "Cache-Control", "no-store");
    }
    json_decref(reply);
}

/* Copies the named URL (path or query) parameters into args; 0 after
 * answering 400 for one that is too long. */
static int copy_params(const struct _u_request *req, struct _u_response *resp, json_t *args,
                       const char *const *names) {
    for (; names && *names; names++) {
        const char *v = u_map_get(req->map_url, *names);
        if (!v || !*v) continue;
        if (strlen(v) > MAX_PARAM) {
            gw_fail(resp, 400, "parameter_tidak_valid", "Parameter tidak valid", "Nilai parameter terlalu panjang.",
                    *names);
            return 0;
        }
        /* limit/offset are numbers; everything else stays text. */
        if (strcmp(*names, "limit") == 0 || strcmp(*names, "offset") == 0)
            json_object_set_new(args, *names, json_integer(atol(v)));
        else
            json_object_set_new(args, *names, json_string(v));
    }
    return 1;
}

/* One verifier operation: the session token's hash, the client's address,
 * the named parameters and (with_body) the JSON body. key orders the
 * requests of one unit or batch (may be NULL). */
static void operation(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, const char *op,
                      const char *const *names, int with_body, const char *key_param) {
    const char *token = bearer(req);
    if (!token) {
        unauthenticated(resp);
        return;
    }
    json_t *args = json_object();
    if (!copy_params(req, resp, args, names)) {
        json_decref(args);
        return;
    }
    if (with_body) {
        json_t *body = gw_body_json(req, resp);
        if (!body) {
            json_decref(args);
            return;
        }
        json_object_set_new(args, "body", body);
    }
    char hash[65], client[64];
    gw_token_hash(token, hash);
    gw_client_address(req, client);
    const char *key = key_param ? u_map_get(req->map_url, key_param) : NULL;
    json_t *data = json_pack("{s:s, s:s, s:s, s:o}", "op", op, "token_hash", hash, "client_address", client, "args", args);
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_VERIFIER_REQUESTS, key && strlen(key) <= MAX_PARAM ? key : NULL,
                           PC_TYPE_VERIFIER_API, data, gw->cfg.request_timeout_ms, &reply);
    answer(resp, st, reply);
}

void gw_verifier_login(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "login", gw->cfg.rate_login_per_min)) return;
    json_t *body = gw_body_json(req, resp);
    if (!body) return;
    const char *username = json_string_value(json_object_get(body, "username"));
    const char *password = json_string_value(json_object_get(body, "kata_kunci"));
    if (!username || !*username || strlen(username) > 64 || !password || !*password || strlen(password) > 1024) {
        gw_fail(resp, 400, "data_login_kurang", "Data masuk tidak lengkap", "Isi nama pengguna dan kata kunci Anda.",
                !username || !*username || strlen(username) > 64 ? "username" : "kata_kunci");
        json_decref(body);
        return;
    }
    unsigned char pk[32];
    char *sealed = NULL;
    if (pc_config_key(gw->cfg.verifier_public_key, pk) != PC_OK || pc_seal_b64(pk, password, &sealed) != PC_OK) {
        json_decref(body);
        gw_service_failure(resp, PC_EUNAVAIL, "verifikasi");
        return;
    }
    char token[64], token_hash[65], client[64];
    gw_token_new(token, token_hash);
    gw_client_address(req, client);
    json_t *cmd = json_pack("{s:s, s:s, s:s, s:{s:s}}", "username", username, "token_hash", token_hash,
                            "client_address", client, "sealed", "password", sealed);
    free(sealed);
    json_decref(body);
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_VERIFIER_REQUESTS, NULL, PC_TYPE_VERIFIER_LOGIN, cmd,
                           gw->cfg.registration_timeout_ms, &reply);
    const char *status = json_string_value(json_object_get(reply, "status"));
    if (st != PC_OK || !status) {
        gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "verifikasi");
    } else if (strcmp(status, "ok") == 0) {
        json_t *out = json_pack("{s:s, s:s, s:O, s:O}", "token", token, "token_type", "Bearer", "expires_in",
                                json_object_get(reply, "expires_in"), "akun", json_object_get(reply, "akun"));
        u_map_put(resp->map_header, "Cache-Control", "no-store");
        gw_send_json(resp, 200, out);
        json_decref(out);
    } else if (strcmp(status, "locked") == 0) {
        char detail[200], retry[24];
        long long wait = json_integer_value(json_object_get(reply, "retry_after"));
        snprintf(detail, sizeof detail,
                 "Terlalu banyak percobaan masuk yang gagal. Silakan coba lagi dalam %lld detik.", wait);
        snprintf(retry, sizeof retry, "%lld", wait);
        gw_fail(resp, 429, "login_dikunci", "Percobaan masuk dikunci sementara", detail, NULL);
        u_map_put(resp->map_header, "Retry-After", retry);
    } else {
        gw_fail(resp, 401, "login_gagal", "Gagal masuk", "Nama pengguna atau kata kunci salah.", NULL);
    }
    sodium_memzero(token, sizeof token);
    json_decref(reply);
}

static const char *const P_NONE[] = { NULL };
static const char *const P_KODE_LIST[] = { "kode", "status", "q", "limit", "offset", NULL };
static const char *const P_NO[] = { "no", NULL };
static const char *const P_ID[] = { "id", NULL };
static const char *const P_BATCHES[] = { "unit_kerja_kode", "status", NULL };
static const char *const P_STATUS[] = { "status", NULL };
static const char *const P_AUDIT[] = { "username", "aksi", "objek", "sebelum", "limit", NULL };

void gw_verifier_logout(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "logout", P_NONE, 0, NULL);
}
void gw_verifier_session(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "session", P_NONE, 0, NULL);
}
void gw_verifier_pns(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "pns.list", P_KODE_LIST, 0, "kode");
}
void gw_verifier_mark(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "receipt.mark", P_NONE, 1, NULL);
}
void gw_verifier_unmark(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "receipt.unmark", P_NO, 0, "no");
}
void gw_verifier_batch_create(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.create", P_NONE, 1, NULL);
}
void gw_verifier_batch_list(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.list", P_BATCHES, 0, NULL);
}
void gw_verifier_batch_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.get", P_ID, 0, "id");
}
void gw_verifier_batch_edit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.edit", P_ID, 1, "id");
}
void gw_verifier_batch_submit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.submit", P_ID, 0, "id");
}
void gw_verifier_batch_cancel(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.cancel", P_ID, 0, "id");
}
void gw_verifier_batch_accept(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.accept", P_ID, 0, "id");
}
void gw_verifier_batch_return(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "batch.return", P_ID, 1, "id");
}
void gw_verifier_corrections(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "correction.list", P_STATUS, 0, NULL);
}
void gw_verifier_correction_resolve(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "correction.resolve", P_ID, 1, NULL);
}
void gw_verifier_audit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    operation(gw, req, resp, "audit.list", P_AUDIT, 0, NULL);
}

void gw_unit_status(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp) {
    if (!gw_rate_ok(gw, req, resp, "lookup", gw->cfg.rate_lookup_per_min)) return;
    const char *kode = u_map_get(req->map_url, "kode");
    if (!kode || !*kode || strlen(kode) > 64) {
        gw_fail(resp, 400, "unit_kerja_tidak_valid", "Unit kerja tidak valid", "Kode unit kerja tidak valid.", "kode");
        return;
    }
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_VERIFIER_REQUESTS, kode, PC_TYPE_VERIFIER_UNIT_STATUS,
                           json_pack("{s:s}", "kode", kode), gw->cfg.request_timeout_ms, &reply);
    const char *status = json_string_value(json_object_get(reply, "status"));
    if (st != PC_OK || !status || strcmp(status, "invalid") == 0) {
        if (st == PC_OK && status) gw_fail(resp, 400, "unit_kerja_tidak_valid", "Unit kerja tidak valid",
                                           "Kode unit kerja tidak valid.", "kode");
        else gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "verifikasi");
    } else {
        json_object_del(reply, "status");
        gw_send_json(resp, 200, reply);
        u_map_put(resp->map_header, "Cache-Control", "no-store");
    }
    json_decref(reply);
}

int gw_verifier_receipt_nip(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, const char *no,
                            char nip[19]) {
    const char *token = bearer(req);
    if (!token) {
        gw_fail_pns_login(resp); /* neither session: the PNS's 401 (receipts are first theirs) */
        return 0;
    }
    char hash[65], client[64];
    gw_token_hash(token, hash);
    gw_client_address(req, client);
    json_t *data = json_pack("{s:s, s:s, s:s, s:{s:s}}", "op", "receipt.access", "token_hash", hash, "client_address",
                             client, "args", "no_registrasi", no);
    json_t *reply = NULL;
    pc_status st = gw_call(gw, PC_TOPIC_VERIFIER_REQUESTS, NULL, PC_TYPE_VERIFIER_API, data,
                           gw->cfg.request_timeout_ms, &reply);
    const char *owner = json_string_value(json_object_get(json_object_get(reply, "body"), "nip"));
    const char *status = json_string_value(json_object_get(reply, "status"));
    int http = (int)json_integer_value(json_object_get(reply, "http"));
    int ok = st == PC_OK && status && strcmp(status, "ok") == 0 && owner && strlen(owner) == 18;
    if (ok) snprintf(nip, 19, "%s", owner);
    else if (st != PC_OK || !status || strcmp(status, "problem") != 0)
        gw_service_failure(resp, st == PC_OK ? PC_EUNAVAIL : st, "verifikasi");
    else if (http == 401)
        gw_fail_pns_login(resp); /* neither session: the PNS's 401 (receipts are first theirs) */
    else
        gw_fail(resp, 404, "registrasi_tidak_ditemukan", "Registrasi tidak ditemukan",
                "Nomor registrasi tidak ditemukan atau di luar wewenang Anda.", NULL);
    json_decref(reply);
    return ok;
}
