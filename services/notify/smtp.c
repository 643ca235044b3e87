/* smtp.c -- sending one message over SMTP with libcurl: STARTTLS when the
 * server offers it (or always, PUPNS_SMTP_TLS=required), the server's
 * certificate checked against PUPNS_SMTP_CA_FILE or the system's CAs (never
 * switched off), bounded connect and transaction times, and the connection
 * kept between messages. curl_easy_perform returns as soon as the server's
 * 250 to the data arrives (QUIT waits for the handle's end), which keeps
 * deliver.c's window between that 250 and the commit short. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notify.h"

struct notify_smtp {
    CURL *curl;
    const notify_settings *set;
    char from[260];
    char errbuf[CURL_ERROR_SIZE];
};

typedef struct {
    const char *p;
    size_t left;
} upload;

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *arg) {
    upload *u = arg;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

notify_smtp *notify_smtp_new(const notify_settings *s) {
    notify_smtp *c = calloc(1, sizeof *c);
    if (!c || !(c->curl = curl_easy_init())) {
        free(c);
        return NULL;
    }
    c->set = s;
    snprintf(c->from, sizeof c->from, "<%s>", s->mail_from);
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_URL, s->smtp_url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, c->from);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_USE_SSL, s->smtp_tls == NOTIFY_TLS_REQUIRED ? (long)CURLUSESSL_ALL
                                                                             : (long)CURLUSESSL_TRY);
    /* Verification stays on: a local sink's self-signed certificate is
     * trusted by naming it as the CA file, not by checking nothing. */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (s->smtp_ca_file[0]) curl_easy_setopt(h, CURLOPT_CAINFO, s->smtp_ca_file);
    if (s->smtp_user[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->smtp_password);
    }
    long total_ms = s->smtp_timeout_s * 1000L;
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, total_ms < 10000 ? total_ms : 10000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for name look-ups */
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    return c;
}

void notify_smtp_free(notify_smtp *c) {
    if (!c) return;
    curl_easy_cleanup(c->curl); /* QUIT on the kept connection */
    free(c);
}

pc_status notify_smtp_send(notify_smtp *c, const char *rcpt, const char *msg, size_t len, notify_smtp_result *r) {
    memset(r, 0, sizeof *r);
    char to[260];
    snprintf(to, sizeof to, "<%s>", rcpt);
    struct curl_slist *rcpts = curl_slist_append(NULL, to);
    if (!rcpts) {
        snprintf(r->error, sizeof r->error, "out of memory");
        return PC_EUNAVAIL;
    }
    upload u = { msg, len };
    c->errbuf[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c->curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(c->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    CURLcode rc = curl_easy_perform(c->curl);
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->code);
    curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(c->curl, CURLOPT_READDATA, NULL);
    curl_slist_free_all(rcpts);
    /* After a failure the kept connection may be in any state (a 503 "bad
     * sequence" on the next MAIL): the next message opens a fresh one. */
    curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT, rc == CURLE_OK ? 0L : 1L);
    if (rc == CURLE_OK) return PC_OK;
    snprintf(r->error, sizeof r->error, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
    /* A 5xx reply to MAIL, RCPT, DATA or the data is the server's final
     * word; libcurl reports those as SEND_ERROR (MAIL, RCPT, DATA) and
     * WEIRD_SERVER_REPLY (the data). Any other error (no connection, TLS,
     * a timeout) keeps the code of an earlier reply, so it is not read. */
    int answered = rc == CURLE_SEND_ERROR || rc == CURLE_WEIRD_SERVER_REPLY;
    if (answered && r->code >= 500 && r->code < 600) return PC_EDENIED;
    /* A 4xx about this message (greylisting, a full mailbox), not 421 (the
     * server itself is going away): deliver.c bounds it more tightly. */
    r->deferred = answered && r->code >= 400 && r->code < 500 && r->code != 421;
    return PC_EUNAVAIL;
}
