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
    return 1;
}
