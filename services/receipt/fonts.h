/* fonts.h -- the TTF files the receipts embed (DejaVu Sans, Sans Bold,
 * Sans Mono Bold). The build makes subsets of Debian's fonts-dejavu-core
 * files ($(B)/fonts, with services/receipt/subset_font.py on fonttools): DejaVuSans.ttf with the
 * Latin script (the UTF-8 font, for any Latin-script name),
 * DejaVuSans-CP1252.ttf with exactly Windows-1252's characters (the WinAnsi
 * font for text it holds), Bold and Mono Bold with ASCII. libharu reads,
 * copies and checksums every table of an embedded font for each document,
 * so the fewer glyphs the faster. Without them the full system fonts are
 * used. */
#ifndef RECEIPT_FONTS_H
#define RECEIPT_FONTS_H

#include <stddef.h>

#include "status.h"

/* The folder to use: configured (PUPNS_RECEIPT_FONT_DIR, when not empty),
 * else <binary>/../fonts when it holds the three files, else system_dir.
 * PC_ENOTFOUND if the chosen folder lacks a file. */
pc_status receipt_fonts_find(const char *configured, const char *system_dir, char *dir, size_t cap);

/* The file of DejaVu Sans for the WinAnsi font in dir: DejaVuSans-CP1252.ttf
 * when dir has it (the build's), else DejaVuSans.ttf. */
const char *receipt_fonts_sans_cp1252(const char *dir);

/* 16 hex digits of BLAKE2b over the files: part of every ETag, so other
 * fonts mean other ETags. */
pc_status receipt_fonts_tag(const char *dir, char tag[17]);

#endif
