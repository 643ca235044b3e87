/* render.h -- the two PDFs of a registration, drawn with libharu:
 *
 *  - Bukti Registrasi: one A4 page, two identical halves (for the PNS and
 *    for Verifikator 1) separated by a dashed "potong di sini" line; the
 *    No. Registrasi large in DejaVu Sans Mono Bold, NIP, Nama, Instansi,
 *    unit kerja, the registration time in WIB and the signed QR code (an
 *    image of its modules, scaled without interpolation);
 *  - Formulir: the data held for the PNS, an empty column for corrections,
 *    and signature boxes for the PNS and Verifikator 1.
 *
 * Text is in embedded DejaVu fonts, fitted to its box (fit.h): simple
 * WinAnsi fonts for the fixed texts and every data text Windows-1252 holds
 * (cp1252.h), a UTF-8 CID font for the rest (any Latin-script name). The
 * output is a function of the inputs only: no clock, no random ID, so
 * re-rendering gives the same bytes. */
#ifndef RECEIPT_RENDER_H
#define RECEIPT_RENDER_H

#include <stddef.h>

#include "status.h"

/* Bump when the layout changes: ETags change with it. */
#define RECEIPT_TEMPLATE_VERSION 3

typedef enum { RECEIPT_BUKTI = 0, RECEIPT_FORMULIR = 1 } receipt_kind;

typedef struct {
    const char *no_registrasi;
    const char *nip;
    const char *nama;
    const char *instansi_kode, *instansi_nama;
    const char *unit_kode, *unit_nama;
    const char *created_at;   /* UTC, YYYY-MM-DDTHH:MM:SS.mmmZ */
    const char *qr_payload;   /* payload.h */
} receipt_doc;

/* Renders kind for d with the fonts of font_dir into *pdf (malloc'd,
 * caller frees), *len bytes. PC_ERROR with errstr on a libharu or font
 * failure, PC_EINVAL if d lacks a field. */
pc_status receipt_render(const char *font_dir, receipt_kind kind, const receipt_doc *d, unsigned char **pdf,
                         size_t *len, char *errstr, size_t errlen);

/* "2 Januari 2015, 14.05 WIB" from a UTC timestamp (WIB = UTC+7). 0 if malformed. */
int receipt_format_wib(const char *utc, char *out, size_t cap);

#endif
