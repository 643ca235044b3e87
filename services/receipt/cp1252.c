/* cp1252.c -- UTF-8 to Windows-1252 for the WinAnsi fonts, with iconv. */
#include "cp1252.h"

#include <iconv.h>
#include <string.h>

int receipt_to_cp1252(const char *utf8, char *out, size_t cap) {
    if (cap == 0) return 0;
    out[0] = 0;
    size_t in_left = strlen(utf8);
    /* Pure ASCII (most Indonesian names) is already Windows-1252. */
    size_t i = 0;
    while (i < in_left && !((unsigned char)utf8[i] & 0x80)) i++;
    if (i == in_left) {
        if (in_left >= cap) return 0;
        memcpy(out, utf8, in_left + 1);
        return 1;
    }
    /* No //TRANSLIT: a character without a code fails the conversion
     * (EILSEQ), never turns into a look-alike or a '?'. */
    iconv_t cd = iconv_open("CP1252", "UTF-8");
    if (cd == (iconv_t)-1) return 0;
    char *in = (char *)utf8, *o = out;
    size_t out_left = cap - 1;
    size_t r = iconv(cd, &in, &in_left, &o, &out_left);
    iconv_close(cd);
    if (r == (size_t)-1 || in_left != 0) {
        out[0] = 0;
        return 0;
    }
    *o = 0;
    /* One byte per character, or iconv dropped one without a word (glibc
     * skips e.g. the tag characters U+E0000..U+E007F): then the text is not
     * what the WinAnsi font would show, and the UTF-8 font takes it. */
    size_t chars = 0;
    for (const unsigned char *c = (const unsigned char *)utf8; *c; c++) chars += (*c & 0xc0) != 0x80;
    if ((size_t)(o - out) != chars) {
        out[0] = 0;
        return 0;
    }
    return 1;
}
