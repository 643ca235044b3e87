/* submit.c -- the registration command: re-validate, hash, store once,
 * answer, and queue registration.completed / registration.rejected (and
 * the welcome notice with the address's verification link). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "log.h"
#include "nip.h"
#include "password_policy.h"
#include "pwhash.h"
#include "questions.h"
#include "regno.h"
#include "registration.h"
#include "seal.h"
#include "secret_hash.h"

#define MAX_ANSWER 200
#define REGNO_ATTEMPTS 8

static const char ACCOUNT_SELECT[] =
    "SELECT no_registrasi, nip, nama, instansi_kode, instansi_nama, unit_kerja_kode, unit_kerja_nama,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM registration.account";

/* The public view of an account row (columns as ACCOUNT_SELECT). */
json_t *registration_account_json(PGresult *res, int row) {
    return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s}", "no_registrasi",
                     PQgetvalue(res, row, 0), "nip", PQgetvalue(res, row, 1), "nama",
                     PQgetvalue(res, row, 2), "instansi", "kode", PQgetvalue(res, row, 3), "nama",
                     PQgetvalue(res, row, 4), "unit_kerja", "kode", PQgetvalue(res, row, 5), "nama",
                     PQgetvalue(res, row, 6), "created_at", PQgetvalue(res, row, 7));
}

const char *registration_account_select(void) { return ACCOUNT_SELECT; }

/* The plain command, secrets opened; every string owned here. */
typedef struct {
    const char *command_id, *nip, *email, *nama;
    const char *instansi_kode, *instansi_nama, *unit_kode, *unit_nama;
    int pertanyaan_id;
    char *password, *ibu, *jawaban; /* pc_secret_free */
} submission;

static void submission_clear(submission *s) {
    pc_secret_free(s->password);
    pc_secret_free(s->ibu);
    pc_secret_free(s->jawaban);
    memset(s, 0, sizeof *s);
}

static const char *str_at(json_t *obj, const char *path1, const char *path2) {
    json_t *v = json_object_get(obj, path1);
    if (path2) v = json_object_get(v, path2);
    return json_string_value(v);
}

static json_t *rejection(const char *code, const char *message) {
    return json_pack("{s:s, s:s, s:s, s:[]}", "status", "rejected", "code", code, "message", message,
                     "errors");
}

static void reject_field(json_t *rej, const char *field, const char *code, const char *message) {
    json_array_append_new(json_object_get(rej, "errors"),
                          json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message));
}

/* Opens the sealed fields and re-checks everything the gateway checked:
 * this service trusts no caller. Returns a rejection or NULL when valid. */
static json_t *parse_and_validate(registration_ctx *ctx, json_t *d, submission *s) {
    s->command_id = str_at(d, "command_id", NULL);
    s->nip = str_at(d, "nip", NULL);
    s->email = str_at(d, "email", NULL);
    s->nama = str_at(d, "pns", "nama");
    s->instansi_kode = str_at(json_object_get(d, "pns"), "instansi", "kode");
    s->instansi_nama = str_at(json_object_get(d, "pns"), "instansi", "nama");
    s->unit_kode = str_at(json_object_get(d, "pns"), "unit_kerja", "kode");
    s->unit_nama = str_at(json_object_get(d, "pns"), "unit_kerja", "nama");
    s->pertanyaan_id = (int)json_integer_value(json_object_get(d, "pertanyaan_id"));
    json_t *sealed = json_object_get(d, "sealed");
    const char *sp = str_at(sealed, "password", NULL), *si = str_at(sealed, "ibu_kandung", NULL),
               *sj = str_at(sealed, "jawaban", NULL);

    json_t *rej = rejection("data_tidak_valid", "Data registrasi tidak valid.");
    if (!s->nip || pc_nip_parse(s->nip, NULL) != PC_NIP_OK)
        reject_field(rej, "nip", "nip_tidak_valid", "NIP tidak valid.");
    if (!s->email || !strchr(s->email, '@') || strlen(s->email) > 254)
        reject_field(rej, "email", "email_tidak_valid", "Alamat email tidak valid.");
    if (!s->nama || !s->instansi_kode || !s->instansi_nama || !s->unit_kode || !s->unit_nama)
        reject_field(rej, "pns", "data_pns_kurang", "Data PNS tidak lengkap.");
    if (!pc_question_find(s->pertanyaan_id))
        reject_field(rej, "pertanyaan_id", "pertanyaan_tidak_valid", "Pilih salah satu pertanyaan pengaman.");
    if (!sp || pc_unseal_b64(ctx->public_key, ctx->secret_key, sp, &s->password) != PC_OK ||
        !si || pc_unseal_b64(ctx->public_key, ctx->secret_key, si, &s->ibu) != PC_OK ||
        !sj || pc_unseal_b64(ctx->public_key, ctx->secret_key, sj, &s->jawaban) != PC_OK) {
        reject_field(rej, "sealed", "segel_tidak_valid", "Data rahasia tidak dapat dibuka.");
    } else {
        const char *code = NULL, *message = NULL;
        if (pc_password_check(s->password, s->password, s->nip ? s->nip : "", &code, &message) != PC_OK)
            reject_field(rej, "kata_kunci", code, message);
        char norm[MAX_ANSWER + 1];
        registration_normalise_answer(s->ibu, norm, sizeof norm);
        if (!norm[0] || strlen(s->ibu) > MAX_ANSWER)
            reject_field(rej, "nama_ibu_kandung", "nama_ibu_kosong", "Nama ibu kandung wajib diisi (maksimal 200 karakter).");
        registration_normalise_answer(s->jawaban, norm, sizeof norm);
        if (!norm[0] || strlen(s->jawaban) > MAX_ANSWER)
            reject_field(rej, "jawaban", "jawaban_kosong", "Jawaban pertanyaan pengaman wajib diisi (maksimal 200 karakter).");
    }
    if (json_array_size(json_object_get(rej, "errors")) == 0) {
        json_decref(rej);
        return NULL;
    }
    return rej;
}

/* The stored first result of this command id, or NULL. */
static json_t *stored_result(pc_pg *db, const char *command_id, pc_status *st) {
    const char *params[] = { command_id };
    PGresult *res = pc_pg_exec(db, "SELECT result FROM registration.command_result WHERE command_id = $1",
                               1, params, 1, st);
    json_t *out = NULL;
    if (res && PQntuples(res) == 1) out = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    return out;
}

/* The account of a NIP as a "completed" result, or NULL if none. */
static json_t *existing_account(pc_pg *db, const char *nip, pc_status *st) {
    char sql[1024];
    snprintf(sql, sizeof sql, "%s WHERE nip = $1", ACCOUNT_SELECT);
    const char *params[] = { nip };
    PGresult *res = pc_pg_exec(db, sql, 1, params, 1, st);
    json_t *out = res && PQntuples(res) == 1 ? registration_account_json(res, 0) : NULL;
    PQclear(res);
    return out;
}

/* Inserts the account; *inserted = 0 when the NIP was taken meanwhile. */
static pc_status insert_account(registration_ctx *ctx, pc_pg *db, const submission *s,
                                const char *pw_hash, json_t **account, int *inserted) {
    char ibu_hash[65], jawaban_hash[65], pid[8], regno[9];
    registration_keyed_hash(ctx->pepper, "ibu_kandung", s->ibu, ibu_hash);
    registration_keyed_hash(ctx->pepper, "jawaban", s->jawaban, jawaban_hash);
    snprintf(pid, sizeof pid, "%d", s->pertanyaan_id);
    static const char sql[] =
        "WITH ins AS (INSERT INTO registration.account (nip, no_registrasi, email, nama,"
        " instansi_kode, instansi_nama, unit_kerja_kode, unit_kerja_nama, password_hash,"
        " ibu_kandung_hash, pertanyaan_id, jawaban_hash)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        " ON CONFLICT DO NOTHING RETURNING *)"
        " SELECT no_registrasi, nip, nama, instansi_kode, instansi_nama, unit_kerja_kode,"
        " unit_kerja_nama, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        " FROM ins";
    for (int attempt = 0; attempt < REGNO_ATTEMPTS; attempt++) {
        registration_regno_new(regno);
        const char *params[] = { s->nip, regno, s->email, s->nama, s->instansi_kode, s->instansi_nama,
                                 s->unit_kode, s->unit_nama, pw_hash, ibu_hash, pid, jawaban_hash };
        pc_status st;
        PGresult *res = pc_pg_exec(db, sql, 12, params, 0, &st);
        if (!res) return st;
        if (PQntuples(res) == 1) {
            *account = registration_account_json(res, 0);
            *inserted = 1;
            PQclear(res);
            return PC_OK;
        }
        PQclear(res);
        /* Nothing inserted: either the NIP exists or the number collided. */
        json_t *other = existing_account(db, s->nip, &st);
        if (st != PC_OK) return st;
        if (other) {
            json_decref(other);
            *inserted = 0;
            return PC_OK;
        }
    }
    PC_ERROR("no free registration number after %d attempts", REGNO_ATTEMPTS);
    return PC_ERROR;
}

/* welcome.v1 for a completed registration (in the open transaction): the
 * receipt's data and a link that verifies the address, valid 7 days. */
static pc_status queue_welcome(registration_ctx *ctx, pc_pg *db, const char *nip, const char *email,
                               json_t *registrasi) {
    char *sealed = NULL, expires[40];
    pc_status st = registration_mail_token_new(ctx, db, nip, "verify", email, REGISTRATION_VERIFY_TTL_S, &sealed,
                                               expires);
    if (st != PC_OK) return st;
    json_t *data = json_pack("{s:s, s:O, s:s, s:O, s:O, s:O, s:O, s:s, s:s}", "nip", nip, "nama",
                             json_object_get(registrasi, "nama"), "email", email, "no_registrasi",
                             json_object_get(registrasi, "no_registrasi"), "instansi",
                             json_object_get(registrasi, "instansi"), "unit_kerja",
                             json_object_get(registrasi, "unit_kerja"), "created_at",
                             json_object_get(registrasi, "created_at"), "token_sealed", sealed, "expires_at", expires);
    free(sealed);
    return data ? registration_notice_add(db, PC_TYPE_REG_NOTICE_WELCOME, nip, data) : PC_ERROR;
}

/* Stores result under the command id and queues its event (and, for a
 * completed registration, the welcome notice to email), then commits. */
static pc_status finish(registration_ctx *ctx, pc_pg *db, const char *command_id, const char *nip,
                        const char *email, json_t *result) {
    char *text = json_dumps(result, JSON_COMPACT);
    const char *params[] = { command_id, nip, text };
    pc_status st = PC_ERROR;
    if (text) {
        PGresult *res = pc_pg_exec(db,
                                   "INSERT INTO registration.command_result (command_id, nip, result)"
                                   " VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING",
                                   3, params, 0, &st);
        PQclear(res);
    }
    free(text);
    if (st == PC_OK) {
        int completed = strcmp(json_string_value(json_object_get(result, "status")), "completed") == 0;
        json_t *data = completed ? json_deep_copy(json_object_get(result, "registrasi"))
                                 : json_pack("{s:s, s:s, s:s, s:O}", "nip", nip, "command_id", command_id,
                                             "code", json_string_value(json_object_get(result, "code")),
                                             "errors", json_object_get(result, "errors"));
        st = registration_outbox_add(db, completed ? PC_TYPE_REG_COMPLETED : PC_TYPE_REG_REJECTED, nip, data);
        if (st == PC_OK && completed && email)
            st = queue_welcome(ctx, db, nip, email, json_object_get(result, "registrasi"));
    }
    if (st == PC_OK) st = registration_tx(db, "COMMIT");
    if (st != PC_OK) registration_tx(db, "ROLLBACK");
    return st;
}

pc_status registration_submit(registration_ctx *ctx, pc_pg *db, const pc_event *ev, json_t **reply) {
    submission s = { 0 };
    pc_status st = PC_OK;
    const char *command_id = str_at(ev->data, "command_id", NULL);
    const char *nip = str_at(ev->data, "nip", NULL);
    if (!command_id || !*command_id || strlen(command_id) > 64 || !nip || strlen(nip) != 18) {
        *reply = rejection("perintah_tidak_valid", "Perintah registrasi tidak lengkap.");
        return PC_OK; /* nothing to store: it cannot be retried meaningfully */
    }
    /* A command seen before gets its first answer, whatever it was. */
    if ((*reply = stored_result(db, command_id, &st)) != NULL || st != PC_OK) return st;

    json_t *result = NULL;
    json_t *account = existing_account(db, nip, &st);
    if (st != PC_OK) return st;
    if (account) {
        result = rejection("sudah_terdaftar", "NIP ini sudah terdaftar. Silakan masuk (login) dengan "
                                              "kata kunci Anda, atau hubungi Verifikator 1 di unit kerja Anda.");
        json_object_set_new(result, "no_registrasi", json_incref(json_object_get(account, "no_registrasi")));
        json_decref(account);
    } else if ((result = parse_and_validate(ctx, ev->data, &s)) == NULL) {
        char pw_hash[crypto_pwhash_STRBYTES];
        if (registration_pwhash(s.password, pw_hash) != PC_OK) {
            submission_clear(&s);
            return PC_ERROR;
        }
        int inserted = 0;
        if ((st = registration_tx(db, "BEGIN")) == PC_OK)
            st = insert_account(ctx, db, &s, pw_hash, &account, &inserted);
        sodium_memzero(pw_hash, sizeof pw_hash);
        if (st != PC_OK) {
            registration_tx(db, "ROLLBACK");
            submission_clear(&s);
            return st;
        }
        result = inserted ? json_pack("{s:s, s:o}", "status", "completed", "registrasi", account)
                          : rejection("sudah_terdaftar", "NIP ini sudah terdaftar.");
        PC_INFO("registration %s for %s", inserted ? "completed" : "rejected (duplicate)", nip);
        st = finish(ctx, db, command_id, nip, inserted ? s.email : NULL, result);
        submission_clear(&s);
        if (st != PC_OK) {
            json_decref(result);
            return st;
        }
        *reply = result;
        return PC_OK;
    }
    submission_clear(&s);
    if ((st = registration_tx(db, "BEGIN")) == PC_OK) st = finish(ctx, db, command_id, nip, NULL, result);
    if (st != PC_OK) {
        json_decref(result);
        return st;
    }
    *reply = result;
    return PC_OK;
}
