/* gateway.h -- shared state of the HTTP gateway and the handler signature.
 *
 * The gateway owns nothing persistent: it validates input, turns HTTP into
 * Kafka requests, waits for replies and maps them to HTTP. */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <ulfius.h>

#include "backpressure.h"
#include "config.h"
#include "kafka.h"
#include "ratelimit.h"
#include "rpc.h"

typedef struct {
    pc_config cfg;
    pc_producer *producer;
    pc_rpc *rpc;
    gw_limiter *limiter;
    gw_bp *bp;                        /* load shedding (backpressure.h) */
    unsigned char reg_public_key[32]; /* secrets are sealed to this key */
    unsigned char flow_key[32];       /* signs registration flow tokens */
} gw_ctx;

/* A route handler fills resp; dispatch (routes.c) adds ids and metrics. */
typedef void (*gw_handler)(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);

/* Registers every route of the API and the portal's static files. */
int gw_routes_register(struct _u_instance *instance, gw_ctx *gw);

/* Handlers, one file each. */
void gw_pns_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_healthz(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_readyz(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_metrics(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_static(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_correction_new(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_correction_list(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_captcha_new(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_questions(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_registration_start(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_registration_submit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_registration_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_login(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_logout(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_receipt_bukti(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_receipt_formulir(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_receipt_keys(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_receipt_verify(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
/* Verifikator 1/2 and admin (verifier_api.c). */
void gw_verifier_login(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_logout(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_session(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_pns(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_mark(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_unmark(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_create(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_list(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_edit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_submit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_cancel(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_accept(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_batch_return(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_corrections(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_correction_resolve(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_verifier_audit(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_unit_status(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
/* Recovery and the own account (recovery_api.c, account_api.c; issue 11). */
void gw_password_reset(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_password_forgot(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_password_token_reset(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_status_check(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_email_verify(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_account_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_account_email(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_account_email_resend(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_account_password(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);

/* Shared by handlers (handler_util.c). */
/* The request's JSON object body, or NULL after answering 400. */
json_t *gw_body_json(const struct _u_request *req, struct _u_response *resp);
/* The client's IP address as text. */
void gw_client_address(const struct _u_request *req, char out[64]); /* client_address.h */
/* 1 if the client may go on; 0 after answering 429 with Retry-After. */
int gw_rate_ok(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, const char *cls,
               int per_minute);
/* Answers 404 nip_tidak_ditemukan for a valid NIP not in the master data. */
void gw_nip_unknown(struct _u_response *resp);
/* Answers 504/503 for a service that did not reply; `layanan` names it in
 * Indonesian. Both carry Retry-After (the class's drain estimate, else 5 s). */
void gw_service_failure(struct _u_response *resp, pc_status st, const char *layanan);
/* Answers 503 sistem_sibuk for work refused by backpressure: Retry-After,
 * `retry_after` and "coba lagi pukul HH:MM WIB". Same builder as above. */
void gw_service_busy(struct _u_response *resp, int retry_after);
/* Calls a service and waits for its reply data (caller decrefs *reply).
 * Steals data. A reply {"status": "error"} is PC_EUNAVAIL (answer 503). */
pc_status gw_call(gw_ctx *gw, const char *topic, const char *key, const char *type, json_t *data,
                  int timeout_ms, json_t **reply);
/* A new random bearer token (base64url) and its SHA-256 (hex). */
void gw_token_new(char token[64], char hash_hex[65]);
void gw_token_hash(const char *token, char hash_hex[65]);
/* 1 if e looks like a mail address (one @, a dotted domain, no spaces). */
int gw_email_valid(const char *e);
/* Checks a form's captcha answer (consuming the captcha) and adds its field
 * error to problem, if any. 0 after answering the client itself when the
 * captcha service failed. */
int gw_captcha_check(gw_ctx *gw, struct _u_response *resp, const char *id, const char *answer, json_t *problem);
/* The SHA-256 (hex) of the request's bearer token; 0 if it has none. */
int gw_bearer_hash(const struct _u_request *req, char hash_hex[65]);
/* Adds the verifier's view of a registered PNS to out: "status"
 * (registered, receipt_received, in_batch, accepted), "status_sumber"
 * ("verifikator", or "registrasi" when the verifier did not answer: then
 * the status is "registered", never a 5xx) and "unit_aktif" (bool or null). */
void gw_verifier_state(gw_ctx *gw, const char *nip, const char *unit_kerja_kode, json_t *out);
/* The NIP of the request's valid bearer session; 0 after answering 401/5xx. */
int gw_session_nip(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, char nip[19]);
/* The same without answering: PC_OK (nip set), PC_ENOTFOUND (no valid PNS
 * session), or the service failure. */
pc_status gw_session_lookup(gw_ctx *gw, const struct _u_request *req, char nip[19]);
/* A verifier session that may open registration no's receipts (its unit,
 * its BKD, or admin): 1 with the PNS's NIP in nip; 0 after answering 401
 * (no verifier session), 404 (unknown or outside its scope) or 5xx. */
int gw_verifier_receipt_nip(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp, const char *no,
                            char nip[19]);

#endif
