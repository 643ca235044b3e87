/* cp1252.h -- the single-byte fast path of the receipts: UTF-8 text that
 * Windows-1252 can hold (every ASCII name, and é, ñ, ü, Š, ’, … too) is
 * drawn in a simple WinAnsi TrueType font, which libharu sets up in a few
 * microseconds; only text with a character beyond it (ā, ḥ, ʿ) needs the
 * UTF-8 CID font, whose set-up walks all 65,536 code points (render.c). */
#ifndef RECEIPT_CP1252_H
#define RECEIPT_CP1252_H

#include <stddef.h>

/* Converts NUL-terminated UTF-8 to Windows-1252 (glibc iconv) into out,
 * NUL-terminated. 1 when every character has a code there and the result
 * fits cap bytes; 0 otherwise (out is then the empty string). */
int receipt_to_cp1252(const char *utf8, char *out, size_t cap);

#endif
