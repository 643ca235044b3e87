/* plain_text.c -- the plain-text rule for free-text fields. */
#include "plain_text.h"

#include <string.h>

pc_text_error pc_plain_text_check(const char *s, size_t max_bytes, int allow_blank) {
    if (!s) return allow_blank ? PC_TEXT_OK : PC_TEXT_BLANK;
    if (strlen(s) > max_bytes) return PC_TEXT_TOO_LONG;
    int seen = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) return PC_TEXT_CONTROL;
        /* U+0080..U+009F (C1 controls) are C2 80..C2 9F in UTF-8. */
        if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) return PC_TEXT_CONTROL;
        if (*c == '<' || *c == '>') return PC_TEXT_MARKUP;
        if (*c == 0xc2 && c[1] == 0xa0) { /* NBSP is blank too */
            c++;
            continue;
        }
        if (*c != ' ') seen = 1;
    }
    return seen || allow_blank ? PC_TEXT_OK : PC_TEXT_BLANK;
}
