/* plain_text.h -- what a free-text field from a PNS may hold, so that every
 * consumer (portal, verifier desks, regional systems) can show it as plain
 * text: no control characters (C0, DEL, C1) and no invisible format
 * characters (soft hyphen, zero-width, bidirectional marks, overrides and
 * isolates, U+2028/9, U+FEFF, tags), no markup brackets '<' '>',
 * not blank, at most a given number of bytes. Checked by the gateway and
 * again by the service that stores it. */
#ifndef PUPNS_PLAIN_TEXT_H
#define PUPNS_PLAIN_TEXT_H

#include <stddef.h>

typedef enum {
    PC_TEXT_OK = 0,
    PC_TEXT_BLANK,     /* empty or only white space */
    PC_TEXT_TOO_LONG,
    PC_TEXT_CONTROL,   /* a control or invisible format character (tab and newline included) */
    PC_TEXT_MARKUP     /* '<' or '>' */
} pc_text_error;

/* Checks s (UTF-8, as jansson gives it). allow_blank for optional fields. */
pc_text_error pc_plain_text_check(const char *s, size_t max_bytes, int allow_blank);

#endif
