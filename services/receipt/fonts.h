/* fonts.h -- the TTF files the receipts embed (DejaVu Sans, Sans Bold,
 * Sans Mono Bold). The build makes Latin-only subsets of Debian's
 * fonts-dejavu-core files ($(B)/fonts, with fonttools' pyftsubset): the
 * same glyphs for every Latin-script name, a fifth of the parse time and
 * PDF size. Without them the full system fonts are used. */
#ifndef RECEIPT_FONTS_H
#define RECEIPT_FONTS_H

#include <stddef.h>

#include "status.h"

/* The folder to use: configured (PUPNS_RECEIPT_FONT_DIR, when not empty),
 * else <binary>/../fonts when it holds the three files, else system_dir.
 * PC_ENOTFOUND if the chosen folder lacks a file. */
pc_status receipt_fonts_find(const char *configured, const char *system_dir, char *dir, size_t cap);

/* 16 hex digits of BLAKE2b over the three files: part of every ETag, so
 * other fonts mean other ETags. */
pc_status receipt_fonts_tag(const char *dir, char tag[17]);

#endif
