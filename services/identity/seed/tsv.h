/* tsv.h -- reads the master-data files of pupns-seed: tab-separated, one
 * header line, then rows with a fixed number of non-empty fields.
 *
 * Backslashes and control characters are refused, so every field can go
 * into a COPY text stream unescaped. Errors are printed as "seed: FILE:..." */
#ifndef SEED_TSV_H
#define SEED_TSV_H

#include <stddef.h>

typedef struct {
    char *path;
    char *buf;
    char **cell;   /* rows * cols pointers into buf; header excluded */
    size_t rows, cols;
} seed_tsv;

/* Loads DIR/NAME with exactly `cols` fields a row (at most 16); blank lines
 * are skipped. Returns 0, or -1 after printing why (also when there are no
 * data rows). Call seed_tsv_free in both cases. */
int seed_tsv_load(seed_tsv *t, const char *dir, const char *name, size_t cols);

/* Frees what seed_tsv_load allocated and zeroes *t. */
void seed_tsv_free(seed_tsv *t);

/* The field at (row, col); rows count from 0 after the header. */
const char *seed_tsv_get(const seed_tsv *t, size_t row, size_t col);

/* Parses the field at (row, col) as a non-negative number into *out.
 * Returns 0, or -1 after printing the bad value. */
int seed_tsv_weight(const seed_tsv *t, size_t row, size_t col, double *out);

#endif
