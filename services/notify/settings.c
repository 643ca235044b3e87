/* settings.c -- notify's own settings table (SMTP, sender, links, retries);
 * libcommon's table holds what every service shares and notify's key pair. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

typedef enum { SET_STR, SET_INT, SET_TLS } set_type;

typedef struct {
    const char *env;
    set_type type;
    size_t offset, size;
    long min, max;
    const char *def; /* "" for none; PUBLIC_URL's default depends on PUPNS_HTTP_PORT */
    const char *help;
} set_entry;

#define STR(f, env, def, help) { env, SET_STR, offsetof(notify_settings, f), sizeof(((notify_settings *)0)->f), 0, 0, def, help }
#define INT(f, env, lo, hi, def, help) { env, SET_INT, offsetof(notify_settings, f), 0, lo, hi, def, help }

static const set_entry table[] = {
    STR(smtp_url, "PUPNS_SMTP_URL", "smtp://127.0.0.1:15409",
        "notify: SMTP server (smtp://host:port, STARTTLS when offered; smtps:// for TLS from the start)"),
    STR(smtp_ca_file, "PUPNS_SMTP_CA_FILE", "",
        "notify: PEM file of the CAs the SMTP server's certificate is checked against (empty: the system's)"),
    { "PUPNS_SMTP_TLS", SET_TLS, offsetof(notify_settings, smtp_tls), 0, 0, 0, "try",
      "notify: try (STARTTLS when the server offers it) or required (no mail without TLS)" },
    STR(smtp_user, "PUPNS_SMTP_USER", "", "notify: SMTP login (empty: none; a login needs TLS)"),
    STR(smtp_password, "PUPNS_SMTP_PASSWORD", "", "notify: SMTP password (never logged)"),
    INT(smtp_timeout_s, "PUPNS_SMTP_TIMEOUT_S", 1, 600, "30", "notify: longest SMTP transaction, seconds"),
    STR(mail_from, "PUPNS_MAIL_FROM", "no-reply@pupns.bkn.go.id", "notify: sender address (envelope and From)"),
    STR(mail_from_name, "PUPNS_MAIL_FROM_NAME", "e-PUPNS BKN", "notify: sender name in From"),
    STR(public_url, "PUPNS_PUBLIC_URL", "", "notify: the portal's address in links (default http://127.0.0.1:PUPNS_HTTP_PORT)"),
    INT(retry_for_s, "PUPNS_NOTIFY_RETRY_FOR_S", 10, 30 * 86400, "86400",
        "notify: how long a mail is retried while the server is unreachable (no connection, TLS, timeout, 421)"),
    INT(deferred_for_s, "PUPNS_NOTIFY_DEFERRED_FOR_S", 10, 30 * 86400, "900",
        "notify: how long a mail the server defers (4xx to it: greylisting, a full mailbox) is retried"),
    INT(refused_attempts, "PUPNS_NOTIFY_REFUSED_ATTEMPTS", 1, 100, "3",
        "notify: attempts of a mail the server refuses for good (5xx) before its dead letter"),
    INT(workers, "PUPNS_NOTIFY_WORKERS", 1, 64, "2", "notify: mails sent at once (a partition stays on one)"),
};

static pc_status set_one(notify_settings *s, const set_entry *e, const char *text, char *errstr, size_t errlen) {
    char *field = (char *)s + e->offset;
    if (e->type == SET_STR) {
        int n = snprintf(field, e->size, "%s", text);
        if (n < 0 || (size_t)n >= e->size) {
            snprintf(errstr, errlen, "%s is too long (max %zu bytes)", e->env, e->size - 1);
            return PC_EINVAL;
        }
        return PC_OK;
    }
    if (e->type == SET_TLS) {
        if (strcmp(text, "try") == 0) *(notify_tls_mode *)field = NOTIFY_TLS_TRY;
        else if (strcmp(text, "required") == 0) *(notify_tls_mode *)field = NOTIFY_TLS_REQUIRED;
        else {
            snprintf(errstr, errlen, "%s must be try or required", e->env);
            return PC_EINVAL;
        }
        return PC_OK;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < e->min || v > e->max) {
        snprintf(errstr, errlen, "%s must be an integer in [%ld, %ld]", e->env, e->min, e->max);
        return PC_EINVAL;
    }
    *(int *)field = (int)v;
    return PC_OK;
}

pc_status notify_settings_load(notify_settings *s, const pc_config *cfg, char *errstr, size_t errlen) {
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *env = getenv(table[i].env);
        pc_status st = set_one(s, &table[i], env && *env ? env : table[i].def, errstr, errlen);
        if (st != PC_OK) return st;
    }
    if (!s->public_url[0]) snprintf(s->public_url, sizeof s->public_url, "http://127.0.0.1:%d", cfg->http_port);
    size_t n = strlen(s->public_url);
    while (n > 0 && s->public_url[n - 1] == '/') s->public_url[--n] = '\0';
    if (strncmp(s->public_url, "http://", 7) != 0 && strncmp(s->public_url, "https://", 8) != 0) {
        snprintf(errstr, errlen, "PUPNS_PUBLIC_URL must start with http:// or https://");
        return PC_EINVAL;
    }
    if (strpbrk(s->public_url, " \t\r\n\"'<>")) {
        snprintf(errstr, errlen, "PUPNS_PUBLIC_URL must not contain spaces, quotes or brackets");
        return PC_EINVAL;
    }
    if (strncmp(s->smtp_url, "smtp://", 7) != 0 && strncmp(s->smtp_url, "smtps://", 8) != 0) {
        snprintf(errstr, errlen, "PUPNS_SMTP_URL must start with smtp:// or smtps://");
        return PC_EINVAL;
    }
    if (!notify_address_valid(s->mail_from)) {
        snprintf(errstr, errlen, "PUPNS_MAIL_FROM must be a plain address such as no-reply@example.go.id");
        return PC_EINVAL;
    }
    snprintf(s->mail_domain, sizeof s->mail_domain, "%s", strrchr(s->mail_from, '@') + 1);
    for (const char *p = s->mail_from_name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            snprintf(errstr, errlen, "PUPNS_MAIL_FROM_NAME must not contain control characters");
            return PC_EINVAL;
        }
    }
    /* A password must never cross the network in clear. */
    if (s->smtp_user[0] && strncmp(s->smtp_url, "smtps://", 8) != 0) s->smtp_tls = NOTIFY_TLS_REQUIRED;
    return PC_OK;
}

void notify_settings_usage(FILE *out) {
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        fprintf(out, "  %-28s %-46s %s\n", table[i].env, table[i].def[0] ? table[i].def : "-", table[i].help);
}
