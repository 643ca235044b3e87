/* buf.c -- a growing text buffer for mails (headers, bodies, encodings). */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

/* Room for n more bytes and the NUL; 0 once failed. */
static int reserve(notify_buf *b, size_t n) {
    if (b->failed) return 0;
    if (b->len + n + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    /* Not realloc: the old block may hold a link, and is wiped before it goes. */
    char *p = malloc(cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    if (b->p) {
        memcpy(p, b->p, b->len + 1);
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void notify_buf_add(notify_buf *b, const char *s, size_t n) {
    if (!reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void notify_buf_puts(notify_buf *b, const char *s) {
    notify_buf_add(b, s, strlen(s));
}

void notify_buf_printf(notify_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (!reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

int notify_buf_ok(const notify_buf *b) {
    return !b->failed && b->p;
}

void notify_buf_free(notify_buf *b) {
    if (b->p) {
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    memset(b, 0, sizeof *b);
}
