/* tsv.c -- reads the tab-separated master-data files (see tsv.h). */
#include "tsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void seed_tsv_free(seed_tsv *t)
{
    free(t->path);
    free(t->buf);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

const char *seed_tsv_get(const seed_tsv *t, size_t row, size_t col)
{
    return t->cell[row * t->cols + col];
}

/* The whole file, NUL-terminated, its length in *len; NULL after printing why. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "seed: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = seed_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                fprintf(stderr, "seed: out of memory reading %s\n", path);
                return NULL;
            }
            buf = nb;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "seed: cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits one line in place into exactly `cols` tab-separated fields. */
static int split_fields(char *line, char **out, size_t cols)
{
    size_t k = 0;
    out[k++] = line;
    for (char *p = line; *p; p++) {
        if (*p == '\\' || (unsigned char)*p < 0x20) {
            if (*p != '\t')
                return -1;
        }
        if (*p == '\t') {
            if (k == cols)
                return -1;
            *p = '\0';
            out[k++] = p + 1;
        }
    }
    return k == cols ? 0 : -1;
}

/* Loads DIR/NAME: one header line, then rows of exactly `cols` fields; blank lines skipped. */
int seed_tsv_load(seed_tsv *t, const char *dir, const char *name, size_t cols)
{
    memset(t, 0, sizeof *t);
    t->path = seed_fmt_dup("%s/%s", dir, name);
    size_t len;
    t->buf = read_file(t->path, &len);
    if (!t->buf)
        return -1;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += t->buf[i] == '\n';
    t->cols = cols;
    t->cell = seed_xcalloc(lines * cols, sizeof *t->cell);
    char *p = t->buf;
    size_t lineno = 0;
    int header = 1;
    while (*p) {
        char *nl = strchr(p, '\n');
        char *next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r')
            p[--l] = '\0';
        lineno++;
        if (l > 0) {
            char *head[16];
            char **dst = header ? head : &t->cell[t->rows * cols];
            if (cols > 16 || split_fields(p, dst, cols) != 0) {
                fprintf(stderr, "seed: %s:%zu: expected %zu tab-separated fields "
                        "(no backslashes or control characters)\n", t->path, lineno, cols);
                return -1;
            }
            if (!header) {
                for (size_t c = 0; c < cols; c++) {
                    if (!dst[c][0]) {
                        fprintf(stderr, "seed: %s:%zu: empty field %zu\n", t->path, lineno, c + 1);
                        return -1;
                    }
                }
                t->rows++;
            }
            header = 0;
        }
        p = next;
    }
    if (t->rows == 0) {
        fprintf(stderr, "seed: %s: no data rows\n", t->path);
        return -1;
    }
    return 0;
}

int seed_tsv_weight(const seed_tsv *t, size_t row, size_t col, double *out)
{
    const char *s = seed_tsv_get(t, row, col);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || v < 0) {
        fprintf(stderr, "seed: %s: row %zu: bad weight '%s'\n", t->path, row + 1, s);
        return -1;
    }
    *out = v;
    return 0;
}
