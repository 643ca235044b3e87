/* notify.h -- shared declarations of the notify service.
 *
 * The service owns schema `notify`. It consumes the notices of
 * pupns.registration.notices (welcome, e-mail verification, address
 * changed, reset link, password reset, status) on the serve loop, opens
 * their sealed tokens with its own key pair, renders each mail in Bahasa
 * Indonesia (plain text and HTML) and sends it over SMTP with libcurl.
 * notify.mail remembers, per event id, what was sent, so a re-delivered
 * notice is never mailed twice (deliver.c says what window remains). */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "envelope.h"
#include "kafka.h"
#include "pg.h"
#include "status.h"

/* ---- growing text buffer (buf.c) ------------------------------------- */

/* A NUL-terminated byte string that grows; after a failed allocation it
 * stays failed (every later add is ignored) and notify_buf_ok says 0.
 * Mails hold single-use links, so notify_buf_free wipes before freeing. */
typedef struct {
    char *p;
    size_t len, cap;
    int failed;
} notify_buf;

void notify_buf_add(notify_buf *b, const char *s, size_t n);
void notify_buf_puts(notify_buf *b, const char *s);
void notify_buf_printf(notify_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int notify_buf_ok(const notify_buf *b);
void notify_buf_free(notify_buf *b);

/* ---- settings (settings.c) ------------------------------------------- */

typedef enum { NOTIFY_TLS_TRY, NOTIFY_TLS_REQUIRED } notify_tls_mode;

/* notify's own settings, beside libcommon's (which hold its key:
 * PUPNS_NOTIFY_SECRET_KEY / PUPNS_NOTIFY_PUBLIC_KEY). */
typedef struct {
    char smtp_url[256];
    char smtp_ca_file[512];
    char smtp_user[128];
    char smtp_password[128];       /* secret: never logged */
    notify_tls_mode smtp_tls;
    int smtp_timeout_s;
    char mail_from[256];           /* envelope and From address */
    char mail_from_name[128];
    char mail_domain[192];         /* the From address's domain: Message-IDs */
    char public_url[256];          /* no trailing slash */
    int retry_for_s;               /* server unreachable: retried this long, then dead letter */
    int deferred_for_s;            /* one recipient deferred (4xx): retried this long */
    int refused_attempts;          /* permanent refusals (5xx): tries before the dead letter */
    int workers;
} notify_settings;

/* Reads the PUPNS_* variables of notify_settings_usage. PC_EINVAL with
 * errstr naming the variable at fault. */
pc_status notify_settings_load(notify_settings *s, const pc_config *cfg, char *errstr, size_t errlen);
void notify_settings_usage(FILE *out);

/* ---- notices (notice.c) ---------------------------------------------- */

typedef enum {
    NOTICE_WELCOME,
    NOTICE_EMAIL_VERIFICATION,
    NOTICE_EMAIL_CHANGED,
    NOTICE_RESET_LINK,
    NOTICE_PASSWORD_RESET,
    NOTICE_STATUS_MAIL,
    NOTICE_NTYPES
} notice_kind;

/* Short name of a kind, for metrics labels ("welcome", "reset_link"...). */
const char *notify_kind_name(notice_kind k);
/* The CloudEvents type of a kind. */
const char *notify_kind_type(notice_kind k);

/* One notice, checked. Strings point into the event (valid while it is),
 * except token, which is the opened secret (owned; pc_secret_free). */
typedef struct {
    notice_kind kind;
    const char *nip, *nama;
    const char *to;                /* recipient: email, or old_email for email_changed */
    const char *new_email;         /* email_changed: the new address (shown masked) */
    const char *no_registrasi;     /* welcome, status_mail */
    const char *instansi, *unit_kerja; /* names; NULL when absent */
    const char *created_at, *expires_at, *at; /* RFC 3339; NULL when absent */
    const char *via;               /* password_reset */
    const char *state;             /* status_mail */
    char *token;                   /* opened token_sealed (types with a link), else NULL */
} notify_notice;

/* Checks ev's data for its type and opens its token with the key pair.
 * PC_OK; PC_EINVAL (errstr says why, never quoting a token) for a type
 * notify does not know, a missing or malformed field, an address it cannot
 * put in a header, or a token that does not open with this key; PC_ERROR
 * when memory runs out. On error n holds nothing to free. */
pc_status notify_notice_parse(const pc_event *ev, const unsigned char pk[32], const unsigned char sk[32],
                              notify_notice *n, char *errstr, size_t errlen);
void notify_notice_clear(notify_notice *n);

/* 1 if s can be an SMTP/RFC 5322 address here: ASCII local@domain without
 * spaces, controls, quotes or brackets, at most 254 bytes. */
int notify_address_valid(const char *s);

/* ---- rendering (render.c, wib.c) ------------------------------------- */

/* The words of one mail: UTF-8, lines ending in "\n" (mime.c makes CRLF). */
typedef struct {
    notify_buf subject, text, html;
} notify_content;

/* Renders n's mail. PC_OK or PC_ERROR (memory). Free with notify_content_free. */
pc_status notify_render(const notify_settings *s, const notify_notice *n, notify_content *c);
void notify_content_free(notify_content *c);

/* "1 Desember 2026 pukul 18.48 WIB" from an RFC 3339 time (Z or an
 * offset, optional fraction). 1 on success, 0 if it does not parse. */
int notify_format_wib(const char *rfc3339, char *out, size_t cap);

/* ---- MIME (mime.c) ---------------------------------------------------- */

/* Appends "Name: value\r\n", value as RFC 2047 encoded words (UTF-8, B)
 * when it is not printable ASCII, folded to stay under 78 columns. */
void notify_mime_header(notify_buf *b, const char *name, const char *value);
/* Appends "Name: display <address>\r\n": display as atoms, a quoted string
 * or encoded words, whichever it needs. address must be valid. */
void notify_mime_address(notify_buf *b, const char *name, const char *display, const char *address);
/* Appends text (UTF-8, "\n" lines) quoted-printable with CRLF lines of at
 * most 76 characters. */
void notify_mime_qp(notify_buf *b, const char *text, size_t len);
/* The whole message (headers, multipart/alternative of text and html) of
 * event_id (checked: [A-Za-z0-9._-], 1-128) at now (Unix seconds).
 * PC_OK, PC_EINVAL for an id that cannot go in a header, PC_ERROR (memory). */
pc_status notify_mime_message(const notify_settings *s, const char *event_id, const char *type,
                              const notify_notice *n, const notify_content *c, long long now, notify_buf *out);

/* ---- SMTP (smtp.c) ---------------------------------------------------- */

typedef struct notify_smtp notify_smtp;

/* What became of one message. */
typedef struct {
    long code;          /* the server's last reply code, 0 if none (no connection) */
    int deferred;       /* PC_EUNAVAIL from a server that answered 4xx to this message */
    char error[256];    /* libcurl's words, for logs (no message content) */
} notify_smtp_result;

/* One connection (reused between messages) per worker. NULL on failure. */
notify_smtp *notify_smtp_new(const notify_settings *s);
void notify_smtp_free(notify_smtp *c);
/* Sends msg to rcpt. PC_OK: the server answered 250 to the data; PC_EDENIED:
 * it refused for good (a 5xx reply); PC_EUNAVAIL: anything else (no
 * connection, TLS failure, timeout, 4xx): worth retrying. */
pc_status notify_smtp_send(notify_smtp *c, const char *rcpt, const char *msg, size_t len, notify_smtp_result *r);

/* ---- the notify schema (store.c) -------------------------------------- */

typedef enum { MAIL_UNKNOWN, MAIL_PENDING, MAIL_SENT, MAIL_FAILED } notify_mail_state;

typedef struct {
    notify_mail_state state;       /* MAIL_UNKNOWN: no row (never tried) */
    int attempts;                  /* failed attempts so far */
    long long failing_for_s;       /* since the first failed attempt */
} notify_record;

/* The record of event_id. PC_OK (rec->state MAIL_UNKNOWN when none), or
 * PC_EUNAVAIL/PC_ERROR. */
pc_status notify_store_get(pc_pg *db, const char *event_id, notify_record *rec);
/* Marks event_id sent (inserting its row if need be). Idempotent. */
pc_status notify_store_sent(pc_pg *db, const char *event_id, const char *type, const char *nip);
/* Counts a failed attempt of event_id; final: it is given up (MAIL_FAILED). */
pc_status notify_store_failure(pc_pg *db, const char *event_id, const char *type, const char *nip, int final,
                               const char *error);

/* ---- the service ------------------------------------------------------ */

typedef struct {
    pc_config cfg;
    notify_settings set;
    unsigned char pk[32], sk[32];  /* the notices' key pair (sk: never logged) */
    pc_producer *producer;         /* dead letters, readiness */
} notify_ctx;

/* Serve-loop worker state: the context, a database connection, an SMTP handle. */
typedef struct {
    notify_ctx *ctx;
    pc_pg *db;
    notify_smtp *smtp;
} notify_worker;

/* Handles one notice (serve.h's pc_serve_fn contract); see deliver.c. */
pc_status notify_deliver(notify_worker *w, const pc_event *ev);
/* Consumes pupns.registration.notices until stop. */
pc_status notify_serve(notify_ctx *ctx);
/* Sets every pupns_notify_mails_total series to 0, so they exist from the start. */
void notify_metrics_init(void);

#endif
