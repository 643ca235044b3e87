/* plain_text.c -- the plain-text rule for free-text fields. */
#include "plain_text.h"

#include <string.h>

/* Invisible format characters that change how the text around them is
 * shown without being seen: the soft hyphen (U+00AD), the Arabic letter
 * mark (U+061C), the Mongolian vowel separator (U+180E), zero-width spaces
 * and marks (U+200B-U+200F), line and paragraph separators and
 * bidirectional embeddings and overrides (U+2028-U+202E), invisible
 * operators, isolates and deprecated format controls (U+2060-U+206F), the
 * zero-width no-break space (U+FEFF) and the tag characters
 * (U+E0000-U+E007F). A right-to-left override would show a proposal other
 * than what it says; a tag character is dropped by some converters. Returns
 * the length of the UTF-8 sequence at c when it is one, else 0. */
static size_t invisible_format(const unsigned char *c) {
    if (c[0] == 0xc2 && c[1] == 0xad) return 2;
    if (c[0] == 0xd8 && c[1] == 0x9c) return 2;
    if (c[0] == 0xe1 && c[1] == 0xa0 && c[2] == 0x8e) return 3;
    if (c[0] == 0xe2 && c[1] == 0x80 && ((c[2] >= 0x8b && c[2] <= 0x8f) || (c[2] >= 0xa8 && c[2] <= 0xae))) return 3;
    if (c[0] == 0xe2 && c[1] == 0x81 && c[2] >= 0xa0 && c[2] <= 0xaf) return 3;
    if (c[0] == 0xef && c[1] == 0xbb && c[2] == 0xbf) return 3;
    if (c[0] == 0xf3 && c[1] == 0xa0 && (c[2] == 0x80 || c[2] == 0x81) && c[3] >= 0x80 && c[3] <= 0xbf) return 4;
    return 0;
}

pc_text_error pc_plain_text_check(const char *s, size_t max_bytes, int allow_blank) {
    if (!s) return allow_blank ? PC_TEXT_OK : PC_TEXT_BLANK;
    if (strlen(s) > max_bytes) return PC_TEXT_TOO_LONG;
    int seen = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) return PC_TEXT_CONTROL;
        /* U+0080..U+009F (C1 controls) are C2 80..C2 9F in UTF-8. */
        if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) return PC_TEXT_CONTROL;
        if (invisible_format(c)) return PC_TEXT_CONTROL;
        if (*c == '<' || *c == '>') return PC_TEXT_MARKUP;
        if (*c == 0xc2 && c[1] == 0xa0) { /* NBSP is blank too */
            c++;
            continue;
        }
        if (*c != ' ') seen = 1;
    }
    return seen || allow_blank ? PC_TEXT_OK : PC_TEXT_BLANK;
}
