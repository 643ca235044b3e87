/* fit.c -- wraps and shrinks text to fit its box. */
#include "fit.h"

#include <string.h>

/* 1 for a WinAnsi (single-byte) font: every byte is a character. */
static int single_byte(HPDF_Font font) {
    const char *enc = HPDF_Font_GetEncodingName(font);
    return enc && strcmp(enc, "UTF-8") != 0;
}

float receipt_text_width(HPDF_Font font, const char *text, size_t len, float size) {
    if (len == 0) return 0;
    HPDF_TextWidth tw = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)text, (HPDF_UINT)len);
    return (float)tw.width * size / 1000.0f;
}

/* Bytes of the character starting at s: 1 in a single-byte font, else
 * its UTF-8 sequence's length (1 for a stray byte). */
static size_t char_len(int sb, const char *s) {
    if (sb) return 1;
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] >> 6) != 2) return 1;
    return n;
}

/* The longest prefix of s[0..n) that fits width, at character boundaries
 * (at least one character, so progress is always made). */
static size_t fit_chars(HPDF_Font font, const char *s, size_t n, float width, float size) {
    int sb = single_byte(font);
    size_t best = 0;
    for (size_t i = 0; i < n;) {
        size_t next = i + char_len(sb, s + i);
        if (next > n) next = n;
        if (receipt_text_width(font, s, next, size) > width) break;
        best = i = next;
    }
    return best ? best : char_len(sb, s);
}

/* Greedy wrap of text at size into out; returns the lines needed (may
 * exceed max, then out holds the first max and *rest points past them). */
static int wrap(HPDF_Font font, const char *text, float width, float size, int max, receipt_fit *out,
                const char **rest) {
    const char *s = text;
    int n = 0;
    while (*s == ' ') s++;
    while (*s) {
        size_t len = strlen(s), take = 0;
        if (receipt_text_width(font, s, len, size) <= width) {
            take = len;
        } else {
            /* the last space at which the line still fits */
            for (size_t i = 1; i < len; i++)
                if (s[i] == ' ' && receipt_text_width(font, s, i, size) <= width) take = i;
                else if (s[i] == ' ') break;
            if (take == 0) take = fit_chars(font, s, len, width, size); /* one word wider than the box */
        }
        if (n < max) {
            size_t copy = take < RECEIPT_FIT_LINE_BYTES - 1 ? take : RECEIPT_FIT_LINE_BYTES - 1;
            memcpy(out->lines[n], s, copy);
            out->lines[n][copy] = 0;
        }
        n++;
        s += take;
        while (*s == ' ') s++;
        if (n == max) *rest = s;
    }
    return n;
}

void receipt_fit_text(HPDF_Font font, const char *text, float width, float size, float min_size, int max_lines,
                      receipt_fit *out) {
    if (max_lines > RECEIPT_FIT_LINES) max_lines = RECEIPT_FIT_LINES;
    if (max_lines < 1) max_lines = 1;
    memset(out, 0, sizeof *out);
    const char *rest = "";
    for (float sz = size;; sz -= 0.5f) {
        if (sz < min_size) sz = min_size;
        rest = "";
        int n = wrap(font, text ? text : "", width, sz, max_lines, out, &rest);
        out->size = sz;
        out->nlines = n < max_lines ? n : max_lines;
        if (n <= max_lines) return;
        if (sz <= min_size) break;
    }
    /* Even the smallest size needs more lines: cut the last one with "…". */
    out->truncated = 1;
    char *last = out->lines[max_lines - 1];
    int sb = single_byte(font);
    const char *ell = sb ? "\x85" : "\xE2\x80\xA6"; /* "…" in Windows-1252 or UTF-8 */
    size_t elen = strlen(ell), len = strlen(last);
    while (len > 0 && (receipt_text_width(font, last, len, out->size) +
                           receipt_text_width(font, ell, elen, out->size) > width ||
                       len + elen + 1 > RECEIPT_FIT_LINE_BYTES)) {
        do len--; while (!sb && len > 0 && ((unsigned char)last[len] >> 6) == 2); /* back to a character start */
    }
    memcpy(last + len, ell, elen + 1);
    (void)rest;
}
