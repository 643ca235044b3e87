/* contract.h -- topic names and CloudEvents types, as listed in proto/topics.json.
 * tests/integration/test_proto.sh checks that the two agree. */
#ifndef PUPNS_CONTRACT_H
#define PUPNS_CONTRACT_H

#define PC_TOPIC_IDENTITY_REQUESTS "pupns.identity.requests"
#define PC_TOPIC_REPLY_PREFIX      "pupns.gateway.replies." /* + instance id */
#define PC_TOPIC_IDENTITY_EVENTS   "pupns.identity.events"
#define PC_TOPIC_IDENTITY_COMMANDS "pupns.identity.commands"
#define PC_TOPIC_CAPTCHA_REQUESTS  "pupns.captcha.requests"
#define PC_TOPIC_REG_COMMANDS      "pupns.registration.commands"
#define PC_TOPIC_REG_QUERIES       "pupns.registration.queries"
#define PC_TOPIC_REG_EVENTS        "pupns.registration.events"
/* Receipts: documents, public keys, QR verification (request/reply). */
#define PC_TOPIC_RECEIPT_REQUESTS  "pupns.receipt.requests"
/* Poison messages of every consumed topic, with the reason (serve.c). */
#define PC_TOPIC_DEADLETTER        "pupns.deadletter"

#define PC_TYPE_IDENTITY_LOOKUP       "id.go.bkn.pupns.identity.lookup.v1"
#define PC_TYPE_IDENTITY_LOOKUP_REPLY "id.go.bkn.pupns.identity.lookup.reply.v1"
/* Many look-ups in one message (pc_rpc_call_batched): data {"items": [...]}. */
#define PC_TYPE_IDENTITY_LOOKUP_BATCH       "id.go.bkn.pupns.identity.lookup.batch.v1"
#define PC_TYPE_IDENTITY_LOOKUP_BATCH_REPLY "id.go.bkn.pupns.identity.lookup.batch.reply.v1"


/* Correction reports ("Jika data Nama / Instansi terdapat kesalahan"). */
#define PC_TYPE_IDENTITY_CORRECTION_SUBMIT    "id.go.bkn.pupns.identity.correction.submit.v1"
#define PC_TYPE_IDENTITY_CORRECTION_REPLY     "id.go.bkn.pupns.identity.correction.reply.v1"
#define PC_TYPE_IDENTITY_CORRECTION_REQUESTED "id.go.bkn.pupns.identity.correction.requested.v1"

/* Captcha: issue a challenge, check an answer once. */
#define PC_TYPE_CAPTCHA_ISSUE       "id.go.bkn.pupns.captcha.issue.v1"
#define PC_TYPE_CAPTCHA_ISSUE_REPLY "id.go.bkn.pupns.captcha.issue.reply.v1"
#define PC_TYPE_CAPTCHA_CHECK       "id.go.bkn.pupns.captcha.check.v1"
#define PC_TYPE_CAPTCHA_CHECK_REPLY "id.go.bkn.pupns.captcha.check.reply.v1"

/* Registration commands (keyed by NIP) and their replies. */
#define PC_TYPE_REG_SUBMIT       "id.go.bkn.pupns.registration.submit.v1"
#define PC_TYPE_REG_SUBMIT_REPLY "id.go.bkn.pupns.registration.submit.reply.v1"
#define PC_TYPE_REG_LOGIN        "id.go.bkn.pupns.registration.login.v1"
#define PC_TYPE_REG_LOGIN_REPLY  "id.go.bkn.pupns.registration.login.reply.v1"
#define PC_TYPE_REG_LOGOUT       "id.go.bkn.pupns.registration.logout.v1"
#define PC_TYPE_REG_LOGOUT_REPLY "id.go.bkn.pupns.registration.logout.reply.v1"
/* Registration queries (cheap, never behind password hashing). */
#define PC_TYPE_REG_STATUS        "id.go.bkn.pupns.registration.status.v1"
#define PC_TYPE_REG_STATUS_REPLY  "id.go.bkn.pupns.registration.status.reply.v1"
#define PC_TYPE_REG_GET           "id.go.bkn.pupns.registration.get.v1"
#define PC_TYPE_REG_GET_REPLY     "id.go.bkn.pupns.registration.get.reply.v1"
#define PC_TYPE_REG_SESSION       "id.go.bkn.pupns.registration.session.v1"
#define PC_TYPE_REG_SESSION_REPLY "id.go.bkn.pupns.registration.session.reply.v1"
/* Public events on pupns.registration.events (regional BKD systems read these). */
#define PC_TYPE_REG_COMPLETED "id.go.bkn.pupns.registration.completed.v1"
#define PC_TYPE_REG_REJECTED  "id.go.bkn.pupns.registration.rejected.v1"

/* Receipt requests (pupns.receipt.requests) and their replies. */
#define PC_TYPE_RECEIPT_DOCUMENT       "id.go.bkn.pupns.receipt.document.v1"
#define PC_TYPE_RECEIPT_DOCUMENT_REPLY "id.go.bkn.pupns.receipt.document.reply.v1"
#define PC_TYPE_RECEIPT_KEYS           "id.go.bkn.pupns.receipt.keys.v1"
#define PC_TYPE_RECEIPT_KEYS_REPLY     "id.go.bkn.pupns.receipt.keys.reply.v1"
#define PC_TYPE_RECEIPT_VERIFY         "id.go.bkn.pupns.receipt.verify.v1"
#define PC_TYPE_RECEIPT_VERIFY_REPLY   "id.go.bkn.pupns.receipt.verify.reply.v1"

/* On pupns.deadletter: a message a consumer could not handle (deadletter.h). */
#define PC_TYPE_DEADLETTER "id.go.bkn.pupns.deadletter.v1"

/* ---- Registration recovery (issue 11, B1): commands on pupns.registration.commands
 * (keyed by NIP; the token ones by the token's hash), one query on
 * pupns.registration.queries, and the notices only the notify service reads. */
#define PC_TOPIC_REG_NOTICES "pupns.registration.notices"
#define PC_TYPE_REG_PW_RESET               "id.go.bkn.pupns.registration.password.reset.v1"
#define PC_TYPE_REG_PW_RESET_REPLY         "id.go.bkn.pupns.registration.password.reset.reply.v1"
#define PC_TYPE_REG_PW_FORGOT              "id.go.bkn.pupns.registration.password.forgot.v1"
#define PC_TYPE_REG_PW_FORGOT_REPLY        "id.go.bkn.pupns.registration.password.forgot.reply.v1"
#define PC_TYPE_REG_PW_TOKEN_RESET         "id.go.bkn.pupns.registration.password.token_reset.v1"
#define PC_TYPE_REG_PW_TOKEN_RESET_REPLY   "id.go.bkn.pupns.registration.password.token_reset.reply.v1"
#define PC_TYPE_REG_PW_CHANGE              "id.go.bkn.pupns.registration.password.change.v1"
#define PC_TYPE_REG_PW_CHANGE_REPLY        "id.go.bkn.pupns.registration.password.change.reply.v1"
#define PC_TYPE_REG_STATUS_CHECK           "id.go.bkn.pupns.registration.status.check.v1"
#define PC_TYPE_REG_STATUS_CHECK_REPLY     "id.go.bkn.pupns.registration.status.check.reply.v1"
#define PC_TYPE_REG_STATUS_MAIL            "id.go.bkn.pupns.registration.status.mail.v1"
#define PC_TYPE_REG_STATUS_MAIL_REPLY      "id.go.bkn.pupns.registration.status.mail.reply.v1"
#define PC_TYPE_REG_EMAIL_VERIFY           "id.go.bkn.pupns.registration.email.verify.v1"
#define PC_TYPE_REG_EMAIL_VERIFY_REPLY     "id.go.bkn.pupns.registration.email.verify.reply.v1"
#define PC_TYPE_REG_EMAIL_CHANGE           "id.go.bkn.pupns.registration.email.change.v1"
#define PC_TYPE_REG_EMAIL_CHANGE_REPLY     "id.go.bkn.pupns.registration.email.change.reply.v1"
#define PC_TYPE_REG_EMAIL_RESEND           "id.go.bkn.pupns.registration.email.resend.v1"
#define PC_TYPE_REG_EMAIL_RESEND_REPLY     "id.go.bkn.pupns.registration.email.resend.reply.v1"
#define PC_TYPE_REG_ACCOUNT                "id.go.bkn.pupns.registration.account.v1"
#define PC_TYPE_REG_ACCOUNT_REPLY          "id.go.bkn.pupns.registration.account.reply.v1"
/* Notices on pupns.registration.notices (tokens only as token_sealed). */
#define PC_TYPE_REG_NOTICE_WELCOME         "id.go.bkn.pupns.registration.welcome.v1"
#define PC_TYPE_REG_NOTICE_EMAIL_VERIFY    "id.go.bkn.pupns.registration.email_verification.v1"
#define PC_TYPE_REG_NOTICE_EMAIL_CHANGED   "id.go.bkn.pupns.registration.email_changed.v1"
#define PC_TYPE_REG_NOTICE_RESET_LINK      "id.go.bkn.pupns.registration.reset_link.v1"
#define PC_TYPE_REG_NOTICE_PASSWORD_RESET  "id.go.bkn.pupns.registration.password_reset.v1"
#define PC_TYPE_REG_NOTICE_STATUS_MAIL     "id.go.bkn.pupns.registration.status_mail.v1"
/* ---- end of registration recovery */

/* ---- verifier (issue 10: Verifikator 1 and 2, batches, unit activation) */
/* Request/reply from the gateway (and, for pns.state, from B1's account
 * pages); key: unit kerja kode, batch id or NIP. */
#define PC_TOPIC_VERIFIER_REQUESTS "pupns.verifier.requests"
/* Public events for regional offices; key: instansi kode, extension `instansi`. */
#define PC_TOPIC_VERIFIER_EVENTS   "pupns.verifier.events"
/* Every verifier API operation: data {op, token_hash, client_address, args};
 * reply {status: ok, http, body} or {status: problem, http, code, title, detail, field?}. */
#define PC_TYPE_VERIFIER_API             "id.go.bkn.pupns.verifier.api.v1"
#define PC_TYPE_VERIFIER_API_REPLY       "id.go.bkn.pupns.verifier.api.reply.v1"
/* Login: the password sealed to the verifier's key (PUPNS_VERIFIER_PUBLIC_KEY). */
#define PC_TYPE_VERIFIER_LOGIN           "id.go.bkn.pupns.verifier.login.v1"
#define PC_TYPE_VERIFIER_LOGIN_REPLY     "id.go.bkn.pupns.verifier.login.reply.v1"
/* What the verifier knows of one PNS (for the PNS's own pages). */
#define PC_TYPE_VERIFIER_PNS_STATE       "id.go.bkn.pupns.verifier.pns.state.v1"
#define PC_TYPE_VERIFIER_PNS_STATE_REPLY "id.go.bkn.pupns.verifier.pns.state.reply.v1"
/* Is a unit kerja active (public: GET /api/v1/unit-kerja/{kode}/status). */
#define PC_TYPE_VERIFIER_UNIT_STATUS       "id.go.bkn.pupns.verifier.unit.status.v1"
#define PC_TYPE_VERIFIER_UNIT_STATUS_REPLY "id.go.bkn.pupns.verifier.unit.status.reply.v1"
/* Events on pupns.verifier.events. */
#define PC_TYPE_RECEIPT_RECEIVED  "id.go.bkn.pupns.receipt.received.v1"
#define PC_TYPE_RECEIPT_UNMARKED  "id.go.bkn.pupns.receipt.unmarked.v1"
#define PC_TYPE_BATCH_SUBMITTED   "id.go.bkn.pupns.batch.submitted.v1"
#define PC_TYPE_BATCH_ACCEPTED    "id.go.bkn.pupns.batch.accepted.v1"
#define PC_TYPE_BATCH_RETURNED    "id.go.bkn.pupns.batch.returned.v1"
#define PC_TYPE_UNIT_ACTIVATED    "id.go.bkn.pupns.unit.activated.v1"
/* ---- end of verifier */

/* ---- Identity, issue 10 (A2): unit queries and corrections resolved. ---- */
/* On pupns.identity.requests: a unit kerja's members paged by NIP, a unit's
 * summary, and a PNS's own correction reports with their outcome. */
#define PC_TYPE_IDENTITY_UNIT_MEMBERS          "id.go.bkn.pupns.identity.unit.members.v1"
#define PC_TYPE_IDENTITY_UNIT_MEMBERS_REPLY    "id.go.bkn.pupns.identity.unit.members.reply.v1"
#define PC_TYPE_IDENTITY_UNIT_GET              "id.go.bkn.pupns.identity.unit.get.v1"
#define PC_TYPE_IDENTITY_UNIT_GET_REPLY        "id.go.bkn.pupns.identity.unit.get.reply.v1"
#define PC_TYPE_IDENTITY_CORRECTION_LIST       "id.go.bkn.pupns.identity.correction.list.v1"
#define PC_TYPE_IDENTITY_CORRECTION_LIST_REPLY "id.go.bkn.pupns.identity.correction.list.reply.v1"
/* On pupns.identity.commands (from the verifier service): accept or reject a report. */
#define PC_TYPE_IDENTITY_CORRECTION_RESOLVE       "id.go.bkn.pupns.identity.correction.resolve.v1"
#define PC_TYPE_IDENTITY_CORRECTION_RESOLVE_REPLY "id.go.bkn.pupns.identity.correction.resolve.reply.v1"
/* On pupns.identity.events (key NIP, extension attribute instansi). */
#define PC_TYPE_IDENTITY_CORRECTED          "id.go.bkn.pupns.identity.corrected.v1"
#define PC_TYPE_IDENTITY_CORRECTION_REJECTED "id.go.bkn.pupns.identity.correction.rejected.v1"

#endif
