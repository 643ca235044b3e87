/* mime.c -- the mail as bytes: RFC 5322 headers (RFC 2047 encoded words
 * for UTF-8 names and subjects), and a multipart/alternative body of a
 * text/plain and a text/html part, both UTF-8 in quoted-printable. Only
 * ASCII with CRLF line ends leaves here, so no relay has to convert it. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "notify.h"

static int printable_ascii(const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e) return 0;
    return 1;
}

/* Raw bytes per encoded word: 39 -> 52 base64 characters, a 64-character
 * word, so "Subject: " plus one word stays under 78 columns. */
#define WORD_RAW 39

/* Encoded words for s, separated by folding (CRLF SP), which decoders drop
 * between adjacent words. Never splits a UTF-8 sequence. */
static void encoded_words(notify_buf *b, const char *s) {
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t k = n - i > WORD_RAW ? WORD_RAW : n - i;
        /* Back off to the start of a character (continuation bytes are 10xxxxxx). */
        while (k > 1 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80) k--;
        char b64[sodium_base64_ENCODED_LEN(WORD_RAW, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, k, sodium_base64_VARIANT_ORIGINAL);
        notify_buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
        i += k;
    }
}

/* Printable ASCII folded at spaces so lines stay under 78 columns where
 * the text allows (start: the column the value begins at). */
static void folded_ascii(notify_buf *b, const char *s, size_t start) {
    size_t col = start, n = strlen(s), i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && s[j] != ' ') j++; /* s[i..j) is one word with its leading space */
        if (col + (j - i) > 76 && col > start && s[i] == ' ') {
            notify_buf_puts(b, "\r\n");
            col = 0;
        }
        notify_buf_add(b, s + i, j - i);
        col += j - i;
        i = j;
    }
}

void notify_mime_header(notify_buf *b, const char *name, const char *value) {
    notify_buf_printf(b, "%s: ", name);
    if (printable_ascii(value)) folded_ascii(b, value, strlen(name) + 2);
    else encoded_words(b, value);
    notify_buf_puts(b, "\r\n");
}

/* RFC 5322 atext, and space between atoms. */
static int phrase_of_atoms(const char *s) {
    if (!*s || *s == ' ') return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr(" !#$%&'*+-/=?^_`{|}~", *p)))
            return 0;
    return 1;
}

void notify_mime_address(notify_buf *b, const char *name, const char *display, const char *address) {
    size_t start = b->len;
    notify_buf_printf(b, "%s: ", name);
    if (!display || !*display) {
        notify_buf_printf(b, "<%s>\r\n", address);
        return;
    }
    if (phrase_of_atoms(display) && strlen(display) < 60) {
        notify_buf_puts(b, display);
    } else if (printable_ascii(display) && strlen(display) < 60) {
        notify_buf_puts(b, "\"");
        for (const char *p = display; *p; p++) {
            if (*p == '"' || *p == '\\') notify_buf_puts(b, "\\");
            notify_buf_add(b, p, 1);
        }
        notify_buf_puts(b, "\"");
    } else {
        /* Non-ASCII, or long: encoded words fold cleanly. */
        encoded_words(b, display);
    }
    /* The address on the same line when it fits, else on a folded one. */
    size_t used = b->len - start;
    int fits = notify_buf_ok(b) && !memchr(b->p + start, '\n', used) && used + strlen(address) + 3 <= 78;
    notify_buf_printf(b, "%s<%s>\r\n", fits ? " " : "\r\n ", address);
}

void notify_mime_qp(notify_buf *b, const char *text, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            notify_buf_puts(b, "\r\n");
            col = 0;
            continue;
        }
        if (c == '\r') continue;
        char tok[4];
        size_t tl;
        int at_eol = i + 1 == len || text[i + 1] == '\n' || text[i + 1] == '\r';
        if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_eol)) {
            tok[0] = (char)c;
            tl = 1;
        } else {
            tok[0] = '=';
            tok[1] = hex[c >> 4];
            tok[2] = hex[c & 15];
            tl = 3;
        }
        /* 76 characters per line, the soft break's '=' included. */
        if (col + tl > 75) {
            notify_buf_puts(b, "=\r\n");
            col = 0;
        }
        notify_buf_add(b, tok, tl);
        col += tl;
    }
    if (col > 0) notify_buf_puts(b, "\r\n");
}

static int event_id_valid(const char *id) {
    size_t n = strlen(id);
    return n >= 1 && n <= 128 &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void date_header(notify_buf *b, long long now) {
    static const char *const days[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const mons[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t t = (time_t)now + 7 * 3600; /* WIB, as the recipients read it */
    struct tm w;
    gmtime_r(&t, &w);
    notify_buf_printf(b, "Date: %s, %d %s %d %02d:%02d:%02d +0700\r\n", days[w.tm_wday], w.tm_mday, mons[w.tm_mon],
                      w.tm_year + 1900, w.tm_hour, w.tm_min, w.tm_sec);
}

pc_status notify_mime_message(const notify_settings *s, const char *event_id, const char *type,
                              const notify_notice *n, const notify_content *c, long long now, notify_buf *out) {
    if (!event_id_valid(event_id)) return PC_EINVAL;
    /* A boundary that starts with "=_" cannot occur in quoted-printable text. */
    char boundary[160];
    snprintf(boundary, sizeof boundary, "=_pupns_%s", event_id);
    date_header(out, now);
    notify_mime_address(out, "From", s->mail_from_name, s->mail_from);
    notify_mime_address(out, "To", n->nama, n->to);
    notify_mime_header(out, "Subject", c->subject.p);
    notify_buf_printf(out, "Message-ID: <%s@%s>\r\n", event_id, s->mail_domain);
    notify_buf_printf(out, "X-PUPNS-Event-Id: %s\r\n", event_id);
    notify_buf_printf(out, "X-PUPNS-Type: %s\r\n", type);
    notify_buf_puts(out, "Auto-Submitted: auto-generated\r\n"
                         "Content-Language: id\r\n"
                         "MIME-Version: 1.0\r\n");
    notify_buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", boundary);
    notify_buf_puts(out, "Email ini berformat MIME: teks biasa dan HTML.\r\n");
    notify_buf_printf(out, "\r\n--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
    notify_mime_qp(out, c->text.p, c->text.len);
    notify_buf_printf(out, "\r\n--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
                           "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
    notify_mime_qp(out, c->html.p, c->html.len);
    notify_buf_printf(out, "\r\n--%s--\r\n", boundary);
    return notify_buf_ok(out) ? PC_OK : PC_ERROR;
}
