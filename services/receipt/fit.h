/* fit.h -- fitting text into a box: wrap at spaces, shrink, and only as a
 * last resort break inside a word or cut with an ellipsis, so no name or
 * instansi ever runs off its box. Widths come from the font's metrics. The
 * text is in the font's encoding: UTF-8 for a UTF-8 font, Windows-1252 for
 * a WinAnsi one (cp1252.h). */
#ifndef RECEIPT_FIT_H
#define RECEIPT_FIT_H

#include <hpdf.h>
#include <stddef.h>

#define RECEIPT_FIT_LINES 6
#define RECEIPT_FIT_LINE_BYTES 512

typedef struct {
    float size;                                     /* the font size chosen */
    int nlines;
    char lines[RECEIPT_FIT_LINES][RECEIPT_FIT_LINE_BYTES];
    int truncated;                                  /* 1 if the text had to be cut */
} receipt_fit;

/* Width of text (in font's encoding) in points at size. */
float receipt_text_width(HPDF_Font font, const char *text, size_t len, float size);

/* Fits text into at most max_lines lines of width points, trying sizes from
 * size down to min_size in half points. max_lines <= RECEIPT_FIT_LINES. */
void receipt_fit_text(HPDF_Font font, const char *text, float width, float size, float min_size, int max_lines,
                      receipt_fit *out);

#endif
