/* seed.c -- pupns-seed: loads synthetic master data (instansi, unit kerja, N PNS) into schema identity. */
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COPY_BUF_SIZE   (4u << 20)  /* bytes handed to PQputCopyData at a time */
#define ROW_MAX         1024u       /* upper bound of one formatted COPY row */
#define BIRTH_FIRST_Y   1958
#define BIRTH_LAST_Y    1997
#define BIRTH_LAST_M    6           /* born later cannot have TMT <= 2015-06 at age >= 18 */
#define TMT_LAST        (2015 * 12 + 5)   /* 2015-06 as a month index y*12+(m-1) */
#define MAX_SERIAL      999u
#define MAX_UNITS       999u

/* Shares of the whole PNS population, in thousands (approximately the 2015 picture). */
#define PROVINSI_POOL   330.0
#define KABKOTA_POOL    3250.0
#define KECAMATAN_SHARE 8.0         /* weight of all kecamatan of a kab/kota, next to its dinas */

static const char TUTOR_NIP[] = "197501022014071003";
#define TUTOR_ROW_FMT \
    "197501022014071003\tAKHMAD SOLEH ARIFIN\tMALANG\t1975-01-02\t1\t2014-07-01\t%s\t%s\n"
static const char TUTOR_INSTANSI[] = "K3573";
static const char TUTOR_UNIT_PREFIX[] = "Dinas Pendidikan ";

/* ------------------------------------------------------------------ small utilities */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "seed: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "seed: out of memory\n");
        exit(1);
    }
    return p;
}

__attribute__((format(printf, 1, 2)))
static char *fmt_dup(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fprintf(stderr, "seed: formatting failed\n");
        exit(1);
    }
    char *s = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static char *upper_dup(const char *s)
{
    size_t n = strlen(s);
    char *u = xmalloc(n + 1);
    for (size_t i = 0; i <= n; i++)
        u[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
    return u;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Newton's method; avoids linking libm for one square root per province. */
static double sqrt_pos(double x)
{
    if (x <= 0)
        return 0;
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 60; i++)
        r = 0.5 * (r + x / r);
    return r;
}

static void fmt_thousands(unsigned long long v, char *out, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* ------------------------------------------------------------------ PRNG (splitmix64) */

typedef struct { uint64_t s; } Rng;

static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t rng_below(Rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double rng_unit(Rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ------------------------------------------------------------------ TSV files */

typedef struct {
    char *path;
    char *buf;
    char **cell;   /* rows * cols pointers into buf; header excluded */
    size_t rows, cols;
} Tsv;

static void tsv_free(Tsv *t)
{
    free(t->path);
    free(t->buf);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

static const char *tsv_get(const Tsv *t, size_t row, size_t col)
{
    return t->cell[row * t->cols + col];
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "seed: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
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
static int tsv_load(Tsv *t, const char *dir, const char *name, size_t cols)
{
    memset(t, 0, sizeof *t);
    t->path = fmt_dup("%s/%s", dir, name);
    size_t len;
    t->buf = read_file(t->path, &len);
    if (!t->buf)
        return -1;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += t->buf[i] == '\n';
    t->cols = cols;
    t->cell = xcalloc(lines * cols, sizeof *t->cell);
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

static int parse_weight(const Tsv *t, size_t row, size_t col, double *out)
{
    const char *s = tsv_get(t, row, col);
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

/* ------------------------------------------------------------------ master data model */

typedef struct {
    char kode[8];            /* P001, R35, K3573 */
    char *nama;              /* "Pemerintah Kota Malang" */
    const char *jenis;       /* pusat | provinsi | kabupaten | kota */
    char provinsi_kode[8];   /* "R35" for kab/kota, "" otherwise */
    int is_lembaga;          /* pusat only: lembaga (1) or kementerian (0) */
    int prov;                /* index into Master.prov, -1 for pusat */
    double weight;
    size_t unit_first, unit_count;
    size_t pns;              /* rows allotted */
} Instansi;

typedef struct {
    char kode[16];
    char *nama;
    double cum;              /* cumulative weight within its instansi */
} Unit;

typedef struct {
    char bps[4];
    double pop;
    size_t kab_first, kab_count;  /* range in Master.birth (kab/kota order) */
    size_t ins;                   /* index of the provinsi instansi */
} Province;

typedef struct {
    char **v;
    size_t n;
} Names;

typedef struct {
    Instansi *ins;
    size_t nins;
    Unit *units;
    size_t nunits, cap_units;
    Province *prov;
    size_t nprov;
    char **birth;            /* uppercase wilayah names, one per kab/kota */
    size_t nbirth;
    Names male, female, family;
    size_t tutor_ins, tutor_unit;
} Master;

static void names_free(Names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    free(n->v);
}

static void master_free(Master *m)
{
    for (size_t i = 0; i < m->nins; i++)
        free(m->ins[i].nama);
    free(m->ins);
    for (size_t i = 0; i < m->nunits; i++)
        free(m->units[i].nama);
    free(m->units);
    free(m->prov);
    for (size_t i = 0; i < m->nbirth; i++)
        free(m->birth[i]);
    free(m->birth);
    names_free(&m->male);
    names_free(&m->female);
    names_free(&m->family);
}

static int load_names(Names *n, const char *dir, const char *file)
{
    Tsv t;
    if (tsv_load(&t, dir, file, 1) != 0) {
        tsv_free(&t);
        return -1;
    }
    n->n = t.rows;
    n->v = xcalloc(t.rows, sizeof *n->v);
    for (size_t i = 0; i < t.rows; i++)
        n->v[i] = upper_dup(tsv_get(&t, i, 0));
    tsv_free(&t);
    return 0;
}

static Unit *unit_push(Master *m, Instansi *in, const char *nama, double w)
{
    if (m->nunits == m->cap_units) {
        m->cap_units = m->cap_units ? m->cap_units * 2 : 4096;
        Unit *nu = realloc(m->units, m->cap_units * sizeof *nu);
        if (!nu) {
            fprintf(stderr, "seed: out of memory\n");
            exit(1);
        }
        m->units = nu;
    }
    if (in->unit_count >= MAX_UNITS) {
        fprintf(stderr, "seed: instansi %s has more than %u units\n", in->kode, MAX_UNITS);
        return NULL;
    }
    Unit *u = &m->units[m->nunits++];
    in->unit_count++;
    snprintf(u->kode, sizeof u->kode, "%s.%03zu", in->kode, in->unit_count);
    u->nama = fmt_dup("%s", nama);
    double before = in->unit_count > 1 ? u[-1].cum : 0;
    u->cum = before + w;
    return u;
}

static int load_pusat(Master *m, const Tsv *pusat, const Tsv *units)
{
    for (size_t r = 0; r < pusat->rows; r++) {
        Instansi *in = &m->ins[m->nins++];
        const char *kode = tsv_get(pusat, r, 0), *jenis = tsv_get(pusat, r, 1);
        if (strlen(kode) != 4 || kode[0] != 'P') {
            fprintf(stderr, "seed: %s: bad pusat kode '%s'\n", pusat->path, kode);
            return -1;
        }
        if (strcmp(jenis, "kementerian") != 0 && strcmp(jenis, "lembaga") != 0) {
            fprintf(stderr, "seed: %s: bad jenis '%s'\n", pusat->path, jenis);
            return -1;
        }
        snprintf(in->kode, sizeof in->kode, "%s", kode);
        in->nama = fmt_dup("%s", tsv_get(pusat, r, 2));
        in->jenis = "pusat";
        in->is_lembaga = strcmp(jenis, "lembaga") == 0;
        in->prov = -1;
        if (parse_weight(pusat, r, 3, &in->weight) != 0)
            return -1;
        in->unit_first = m->nunits;
        for (size_t u = 0; u < units->rows; u++) {
            const char *lingkup = tsv_get(units, u, 0);
            if (strcmp(lingkup, jenis) != 0 && strcmp(lingkup, "semua") != 0)
                continue;
            double w;
            if (parse_weight(units, u, 2, &w) != 0)
                return -1;
            char *nama = fmt_dup("%s %s", tsv_get(units, u, 1), in->nama);
            Unit *made = unit_push(m, in, nama, w);
            free(nama);
            if (!made)
                return -1;
        }
    }
    return 0;
}

/* Units of a regional government: the dinas/badan list, then (kab/kota) every kecamatan. */
static int add_daerah_units(Master *m, Instansi *in, const Tsv *units, const Tsv *kec, int is_prov)
{
    const char *label = in->nama + (starts_with(in->nama, "Pemerintah ") ? strlen("Pemerintah ") : 0);
    in->unit_first = m->nunits;
    for (size_t u = 0; u < units->rows; u++) {
        double w;
        if (parse_weight(units, u, is_prov ? 1 : 2, &w) != 0)
            return -1;
        if (w <= 0)
            continue;
        char *nama = fmt_dup("%s %s", tsv_get(units, u, 0), label);
        Unit *made = unit_push(m, in, nama, w);
        free(nama);
        if (!made)
            return -1;
    }
    if (is_prov)
        return 0;
    size_t nkec = 0;
    for (size_t r = 0; r < kec->rows; r++)
        nkec += strcmp(tsv_get(kec, r, 1), in->kode + 1) == 0;
    for (size_t r = 0; r < kec->rows && nkec; r++) {
        if (strcmp(tsv_get(kec, r, 1), in->kode + 1) != 0)
            continue;
        char *nama = fmt_dup("Kecamatan %s %s", tsv_get(kec, r, 2), label);
        Unit *made = unit_push(m, in, nama, KECAMATAN_SHARE / (double)nkec);
        free(nama);
        if (!made)
            return -1;
    }
    return 0;
}

static int load_provinsi(Master *m, const Tsv *prov, const Tsv *units)
{
    m->prov = xcalloc(prov->rows, sizeof *m->prov);
    double sum_sqrt = 0;
    for (size_t r = 0; r < prov->rows; r++) {
        Province *p = &m->prov[m->nprov++];
        const char *bps = tsv_get(prov, r, 0);
        if (strlen(bps) != 2) {
            fprintf(stderr, "seed: %s: bad BPS code '%s'\n", prov->path, bps);
            return -1;
        }
        memcpy(p->bps, bps, 3);
        if (parse_weight(prov, r, 3, &p->pop) != 0)
            return -1;
        sum_sqrt += sqrt_pos(p->pop);
        Instansi *in = &m->ins[m->nins];
        p->ins = m->nins++;
        snprintf(in->kode, sizeof in->kode, "R%s", bps);
        in->nama = fmt_dup("%s", tsv_get(prov, r, 2));
        in->jenis = "provinsi";
        in->prov = (int)r;
        if (add_daerah_units(m, in, units, NULL, 1) != 0)
            return -1;
    }
    for (size_t r = 0; r < m->nprov; r++)
        m->ins[m->prov[r].ins].weight = PROVINSI_POOL * sqrt_pos(m->prov[r].pop) / sum_sqrt;
    return 0;
}

static int find_province(const Master *m, const char *bps)
{
    for (size_t i = 0; i < m->nprov; i++)
        if (strcmp(m->prov[i].bps, bps) == 0)
            return (int)i;
    return -1;
}

static int load_kabkota(Master *m, const Tsv *kab, const Tsv *units, const Tsv *kec, Rng *rng)
{
    m->birth = xcalloc(kab->rows, sizeof *m->birth);
    double *factor = xcalloc(kab->rows, sizeof *factor);
    int rc = -1;
    for (size_t r = 0; r < kab->rows; r++) {
        const char *kode = tsv_get(kab, r, 0), *pk = tsv_get(kab, r, 1), *jenis = tsv_get(kab, r, 2);
        int p = find_province(m, pk);
        if (strlen(kode) != 4 || p < 0 || strncmp(kode, pk, 2) != 0) {
            fprintf(stderr, "seed: %s: row %zu: bad kode '%s' / province '%s'\n", kab->path, r + 1, kode, pk);
            goto out;
        }
        if (r > 0 && strcmp(tsv_get(kab, r - 1, 0), kode) >= 0) {
            fprintf(stderr, "seed: %s: rows must be sorted by kode (at '%s')\n", kab->path, kode);
            goto out;
        }
        if (strcmp(jenis, "kabupaten") != 0 && strcmp(jenis, "kota") != 0) {
            fprintf(stderr, "seed: %s: bad jenis '%s'\n", kab->path, jenis);
            goto out;
        }
        Province *pv = &m->prov[p];
        if (pv->kab_count == 0)
            pv->kab_first = m->nbirth;
        else if (pv->kab_first + pv->kab_count != m->nbirth) {
            fprintf(stderr, "seed: %s: province %s rows not contiguous\n", kab->path, pk);
            goto out;
        }
        pv->kab_count++;
        m->birth[m->nbirth++] = upper_dup(tsv_get(kab, r, 3));
        Instansi *in = &m->ins[m->nins++];
        snprintf(in->kode, sizeof in->kode, "K%s", kode);
        in->nama = fmt_dup("%s", tsv_get(kab, r, 4));
        in->jenis = strcmp(jenis, "kota") == 0 ? "kota" : "kabupaten";
        snprintf(in->provinsi_kode, sizeof in->provinsi_kode, "R%s", pk);
        in->prov = p;
        factor[r] = (strcmp(jenis, "kota") == 0 ? 0.8 : 1.0) * (0.6 + 0.8 * rng_unit(rng));
        if (add_daerah_units(m, in, units, kec, 0) != 0)
            goto out;
    }
    /* Each province's pool (by population) is shared among its kab/kota by their factors. */
    double total_pop = 0;
    for (size_t p = 0; p < m->nprov; p++)
        total_pop += m->prov[p].pop;
    size_t first_kab = m->nins - kab->rows;
    for (size_t p = 0; p < m->nprov; p++) {
        Province *pv = &m->prov[p];
        double fsum = 0;
        for (size_t k = 0; k < pv->kab_count; k++)
            fsum += factor[pv->kab_first + k];
        for (size_t k = 0; k < pv->kab_count; k++)
            m->ins[first_kab + pv->kab_first + k].weight =
                KABKOTA_POOL * (pv->pop / total_pop) * factor[pv->kab_first + k] / fsum;
    }
    rc = 0;
out:
    free(factor);
    return rc;
}

static int find_tutorial(Master *m)
{
    for (size_t i = 0; i < m->nins; i++) {
        if (strcmp(m->ins[i].kode, TUTOR_INSTANSI) != 0)
            continue;
        Instansi *in = &m->ins[i];
        m->tutor_ins = i;
        m->tutor_unit = in->unit_first;
        for (size_t u = in->unit_first; u < in->unit_first + in->unit_count; u++) {
            if (starts_with(m->units[u].nama, TUTOR_UNIT_PREFIX)) {
                m->tutor_unit = u;
                break;
            }
        }
        if (in->unit_count == 0)
            break;
        return 0;
    }
    fprintf(stderr, "seed: the data has no instansi %s with units (needed for the tutorial PNS)\n",
            TUTOR_INSTANSI);
    return -1;
}

static int master_load(Master *m, const char *dir, Rng *rng)
{
    Tsv prov = {0}, kab = {0}, pusat = {0}, up = {0}, ud = {0}, kec = {0};
    memset(m, 0, sizeof *m);
    int rc = -1;
    int loaded = tsv_load(&prov, dir, "provinsi.tsv", 4) == 0
              && tsv_load(&kab, dir, "kabkota.tsv", 5) == 0
              && tsv_load(&pusat, dir, "pusat.tsv", 4) == 0
              && tsv_load(&up, dir, "unit_kerja_pusat.tsv", 3) == 0
              && tsv_load(&ud, dir, "unit_kerja_daerah.tsv", 3) == 0
              && tsv_load(&kec, dir, "kecamatan.tsv", 3) == 0;
    if (loaded) {
        m->ins = xcalloc(prov.rows + kab.rows + pusat.rows, sizeof *m->ins);
        if (load_pusat(m, &pusat, &up) == 0 && load_provinsi(m, &prov, &ud) == 0
            && load_kabkota(m, &kab, &ud, &kec, rng) == 0 && find_tutorial(m) == 0
            && load_names(&m->male, dir, "nama_depan_l.tsv") == 0
            && load_names(&m->female, dir, "nama_depan_p.tsv") == 0
            && load_names(&m->family, dir, "nama_belakang.tsv") == 0)
            rc = 0;
    }
    tsv_free(&prov);
    tsv_free(&kab);
    tsv_free(&pusat);
    tsv_free(&up);
    tsv_free(&ud);
    tsv_free(&kec);
    return rc;
}

/* Spreads `total` rows by weight: every instansi gets one first when there are enough rows. */
static void master_allot(Master *m, size_t total)
{
    size_t base = total >= m->nins ? 1 : 0;
    size_t rest = total - base * m->nins, prev = 0;
    double sum = 0, cum = 0;
    for (size_t i = 0; i < m->nins; i++)
        sum += m->ins[i].weight;
    for (size_t i = 0; i < m->nins; i++) {
        cum += m->ins[i].weight;
        size_t upto = i + 1 == m->nins ? rest : (size_t)((double)rest * (cum / sum) + 0.5);
        if (upto > rest)
            upto = rest;
        if (upto < prev)
            upto = prev;
        m->ins[i].pns = base + (upto - prev);
        prev = upto;
    }
    Instansi *t = &m->ins[m->tutor_ins];
    if (t->pns == 0) {   /* tiny N: take the tutorial's slot from the biggest instansi */
        size_t big = 0;
        for (size_t i = 1; i < m->nins; i++)
            if (m->ins[i].pns > m->ins[big].pns)
                big = i;
        m->ins[big].pns--;
        t->pns++;
    }
}

/* ------------------------------------------------------------------ PostgreSQL helpers */

static int pg_ok(PGconn *pg, PGresult *res, const char *what)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return 0;
    fprintf(stderr, "seed: %s failed: %s", what,
            res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
    return -1;
}

static int pg_exec(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    int rc = pg_ok(pg, res, sql);
    PQclear(res);
    return rc;
}

typedef struct {
    PGconn *pg;
    char *buf;
    size_t len;
    const char *what;
} Copy;

static int copy_begin(Copy *c, PGconn *pg, const char *sql)
{
    c->pg = pg;
    c->len = 0;
    c->what = sql;
    c->buf = xmalloc(COPY_BUF_SIZE);
    PGresult *res = PQexec(pg, sql);
    int ok = res && PQresultStatus(res) == PGRES_COPY_IN;
    if (!ok)
        fprintf(stderr, "seed: %s failed: %s", sql, res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
    PQclear(res);
    if (!ok) {
        free(c->buf);
        c->buf = NULL;
    }
    return ok ? 0 : -1;
}

static int copy_flush(Copy *c)
{
    if (c->len && PQputCopyData(c->pg, c->buf, (int)c->len) != 1) {
        fprintf(stderr, "seed: sending COPY data failed: %s", PQerrorMessage(c->pg));
        return -1;
    }
    c->len = 0;
    return 0;
}

/* Makes room for one more row; flushes the buffer when it is nearly full. */
static int copy_room(Copy *c)
{
    return c->len + ROW_MAX > COPY_BUF_SIZE ? copy_flush(c) : 0;
}

/* Ends the COPY; on `abort_msg` the server discards it. Always frees the buffer. */
static int copy_end(Copy *c, const char *abort_msg)
{
    int rc = abort_msg ? -1 : copy_flush(c);
    free(c->buf);
    c->buf = NULL;
    if (PQputCopyEnd(c->pg, rc == 0 ? NULL : (abort_msg ? abort_msg : "client error")) != 1) {
        fprintf(stderr, "seed: ending COPY failed: %s", PQerrorMessage(c->pg));
        rc = -1;
    }
    PGresult *res;
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (rc == 0 && pg_ok(c->pg, res, c->what) != 0)
            rc = -1;
        PQclear(res);
    }
    return rc;
}

static void copy_text(Copy *c, const char *s)
{
    size_t n = strlen(s);
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static void copy_char(Copy *c, char ch)
{
    c->buf[c->len++] = ch;
}

static void copy_digits(Copy *c, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        c->buf[c->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    c->len += (size_t)width;
}

/* ------------------------------------------------------------------ master data into the database */

static int send_instansi(PGconn *pg, const Master *m)
{
    Copy c;
    if (copy_begin(&c, pg, "COPY seed_instansi (kode, nama, jenis, provinsi_kode) FROM STDIN") != 0)
        return -1;
    for (size_t i = 0; i < m->nins; i++) {
        const Instansi *in = &m->ins[i];
        if (copy_room(&c) != 0)
            return copy_end(&c, "send failed");
        copy_text(&c, in->kode);
        copy_char(&c, '\t');
        copy_text(&c, in->nama);
        copy_char(&c, '\t');
        copy_text(&c, in->jenis);
        copy_char(&c, '\t');
        copy_text(&c, in->provinsi_kode[0] ? in->provinsi_kode : "\\N");
        copy_char(&c, '\n');
    }
    return copy_end(&c, NULL);
}

static int send_units(PGconn *pg, const Master *m)
{
    Copy c;
    if (copy_begin(&c, pg, "COPY seed_unit_kerja (kode, instansi_kode, nama) FROM STDIN") != 0)
        return -1;
    for (size_t i = 0; i < m->nins; i++) {
        const Instansi *in = &m->ins[i];
        for (size_t u = in->unit_first; u < in->unit_first + in->unit_count; u++) {
            if (copy_room(&c) != 0)
                return copy_end(&c, "send failed");
            copy_text(&c, m->units[u].kode);
            copy_char(&c, '\t');
            copy_text(&c, in->kode);
            copy_char(&c, '\t');
            copy_text(&c, m->units[u].nama);
            copy_char(&c, '\n');
        }
    }
    return copy_end(&c, NULL);
}

/* Inserts or updates instansi and unit_kerja from the data files (stale rows are removed later). */
static int upsert_master(PGconn *pg, const Master *m)
{
    if (pg_exec(pg, "CREATE TEMP TABLE seed_instansi (LIKE identity.instansi) ON COMMIT DROP") != 0
        || pg_exec(pg, "CREATE TEMP TABLE seed_unit_kerja (LIKE identity.unit_kerja) ON COMMIT DROP") != 0
        || send_instansi(pg, m) != 0 || send_units(pg, m) != 0)
        return -1;
    return pg_exec(pg,
        "INSERT INTO identity.instansi (kode, nama, jenis, provinsi_kode) "
        "SELECT kode, nama, jenis, provinsi_kode FROM seed_instansi "
        "ON CONFLICT (kode) DO UPDATE SET nama = EXCLUDED.nama, jenis = EXCLUDED.jenis, "
        "provinsi_kode = EXCLUDED.provinsi_kode");
}

static int upsert_units(PGconn *pg)
{
    return pg_exec(pg,
        "INSERT INTO identity.unit_kerja (kode, instansi_kode, nama) "
        "SELECT kode, instansi_kode, nama FROM seed_unit_kerja "
        "ON CONFLICT (kode) DO UPDATE SET instansi_kode = EXCLUDED.instansi_kode, nama = EXCLUDED.nama");
}

static int delete_stale_master(PGconn *pg)
{
    return pg_exec(pg, "DELETE FROM identity.unit_kerja u WHERE NOT EXISTS "
                       "(SELECT 1 FROM seed_unit_kerja s WHERE s.kode = u.kode)")
        || pg_exec(pg, "DELETE FROM identity.instansi i WHERE NOT EXISTS "
                       "(SELECT 1 FROM seed_instansi s WHERE s.kode = i.kode)");
}

/* ------------------------------------------------------------------ constraints of identity.pns */

/* Every key, foreign key and plain index on identity.pns, and every foreign key pointing at it,
 * with the statements to drop and re-create it under its own name. Ordered for re-creation. */
static const char PNS_DEPENDENCIES_SQL[] =
    "SELECT stage, drop_sql, add_sql, referrer FROM ("
    " SELECT CASE WHEN c.conrelid = $1::regclass AND c.contype <> 'f' THEN 0"
    "             WHEN c.conrelid = $1::regclass THEN 2 ELSE 3 END AS stage,"
    "        format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_sql,"
    "        format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,"
    "               pg_get_constraintdef(c.oid)) AS add_sql,"
    "        c.conname::text AS name,"
    "        CASE WHEN c.conrelid <> $1::regclass THEN c.conrelid::regclass::text END AS referrer"
    "   FROM pg_constraint c"
    "  WHERE (c.conrelid = $1::regclass AND c.contype IN ('p', 'u', 'f'))"
    "     OR (c.confrelid = $1::regclass AND c.conrelid <> $1::regclass AND c.contype = 'f')"
    " UNION ALL"
    " SELECT 1, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid),"
    "        i.indexrelid::regclass::text, NULL"
    "   FROM pg_index i"
    "  WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
    "        WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"
    ") s ORDER BY stage, name";

static PGresult *query_pns(PGconn *pg, const char *sql, const char *what)
{
    const char *params[1] = {"identity.pns"};
    PGresult *res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
    if (pg_ok(pg, res, what) != 0) {
        PQclear(res);
        return NULL;
    }
    return res;
}

static int drop_dependencies(PGconn *pg, PGresult *deps)
{
    for (int r = PQntuples(deps) - 1; r >= 0; r--)
        if (pg_exec(pg, PQgetvalue(deps, r, 1)) != 0)
            return -1;
    return 0;
}

static int restore_dependencies(PGconn *pg, PGresult *deps)
{
    for (int r = 0; r < PQntuples(deps); r++)
        if (pg_exec(pg, PQgetvalue(deps, r, 2)) != 0)
            return -1;
    return 0;
}

/* Whether an earlier row of `deps` names the same referencing table as row `r`. */
static int seen_referrer(PGresult *deps, int r)
{
    for (int i = 0; i < r; i++)
        if (!PQgetisnull(deps, i, 3) && strcmp(PQgetvalue(deps, i, 3), PQgetvalue(deps, r, 3)) == 0)
            return 1;
    return 0;
}

/* TRUNCATE identity.pns and every table whose foreign key points at it (their rows would dangle). */
static int truncate_pns(PGconn *pg, PGresult *deps)
{
    size_t len = strlen("TRUNCATE identity.pns") + 1;
    for (int r = 0; r < PQntuples(deps); r++)
        len += strlen(PQgetvalue(deps, r, 3)) + 2;
    char *sql = xmalloc(len);
    strcpy(sql, "TRUNCATE identity.pns");
    for (int r = 0; r < PQntuples(deps); r++) {
        if (PQgetisnull(deps, r, 3) || seen_referrer(deps, r))
            continue;
        fprintf(stderr, "seed: also truncating %s (it references identity.pns)\n", PQgetvalue(deps, r, 3));
        strcat(sql, ", ");
        strcat(sql, PQgetvalue(deps, r, 3));
    }
    int rc = pg_exec(pg, sql);
    free(sql);
    return rc;
}

/* ------------------------------------------------------------------ synthetic PNS rows */

typedef struct { uint16_t y; uint8_t m, d; } Ymd;

typedef struct {
    Ymd *days;          /* every birth date in range */
    uint64_t pairs;     /* M = days * 2 (birth date, gender) pairs */
    uint64_t step;      /* P, coprime to M */
    uint64_t offset;
} NipSpace;

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void nip_space_init(NipSpace *ns, Rng *rng)
{
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = 0;
    ns->days = xcalloc((size_t)(BIRTH_LAST_Y - BIRTH_FIRST_Y + 1) * 366, sizeof *ns->days);
    for (int y = BIRTH_FIRST_Y; y <= BIRTH_LAST_Y; y++) {
        int last_m = y == BIRTH_LAST_Y ? BIRTH_LAST_M : 12;
        for (int m = 1; m <= last_m; m++) {
            int dmax = mdays[m - 1] + (m == 2 && is_leap(y));
            for (int d = 1; d <= dmax; d++)
                ns->days[n++] = (Ymd){(uint16_t)y, (uint8_t)m, (uint8_t)d};
        }
    }
    ns->pairs = (uint64_t)n * 2;
    do {
        ns->step = ns->pairs / 3 + rng_next(rng) % (ns->pairs / 3);
    } while (gcd_u64(ns->step, ns->pairs) != 1);
    ns->offset = rng_next(rng) % ns->pairs;
}

/* TMT CPNS month (y*12+m-1): at age 19..35 (18 if needed), not after 2015-06, skewed young. */
static unsigned pick_tmt(const Ymd *b, Rng *rng)
{
    unsigned bm = (unsigned)b->y * 12 + b->m - 1;
    unsigned lo = bm + 19 * 12, hi = bm + 35 * 12;
    if (hi > TMT_LAST)
        hi = TMT_LAST;
    if (lo > hi)
        lo = bm + 18 * 12;
    uint32_t span = hi - lo + 1;
    uint32_t a = rng_below(rng, span), c = rng_below(rng, span);
    return lo + (a < c ? a : c);
}

static const char *pick_other(const Names *n, const char *avoid, Rng *rng)
{
    const char *s;
    do
        s = n->v[rng_below(rng, (uint32_t)n->n)];
    while (s == avoid && n->n > 1);
    return s;
}

static void put_name(Copy *c, const Master *m, int male, Rng *rng)
{
    const Names *given = male ? &m->male : &m->female;
    const char *first = given->v[rng_below(rng, (uint32_t)given->n)];
    const char *last = m->family.v[rng_below(rng, (uint32_t)m->family.n)];
    uint32_t shape = rng_below(rng, 100);
    copy_text(c, first);
    if (shape < 12 && !strchr(first, ' ') && strlen(first) >= 6)
        return;                                   /* single-word name: "SUPARMAN" */
    copy_char(c, ' ');
    if (shape >= 55) {                            /* three parts */
        copy_text(c, shape < 78 ? pick_other(given, first, rng) : pick_other(&m->family, last, rng));
        copy_char(c, ' ');
    }
    copy_text(c, last);
}

static const char *pick_birthplace(const Master *m, const Instansi *in, Rng *rng)
{
    if (in->prov >= 0 && rng_below(rng, 100) < 75) {
        const Province *p = &m->prov[in->prov];
        if (p->kab_count)
            return m->birth[p->kab_first + rng_below(rng, (uint32_t)p->kab_count)];
    }
    return m->birth[rng_below(rng, (uint32_t)m->nbirth)];
}

static const Unit *pick_unit(const Master *m, const Instansi *in, Rng *rng)
{
    const Unit *u = &m->units[in->unit_first];
    double r = rng_unit(rng) * u[in->unit_count - 1].cum;
    size_t i = 0;
    while (i + 1 < in->unit_count && u[i].cum <= r)
        i++;
    return &u[i];
}

/* Formats generated row number i of instansi `in`; returns -1 if its NIP is the tutorial's. */
static int put_pns_row(Copy *c, const Master *m, const NipSpace *ns, const Instansi *in,
                       uint64_t i, Rng *rng)
{
    uint64_t pair = (i * ns->step + ns->offset) % ns->pairs;
    const Ymd *b = &ns->days[pair >> 1];
    unsigned gender = (unsigned)(pair & 1) + 1, serial = (unsigned)(i / ns->pairs) + 1;
    unsigned tmt = pick_tmt(b, rng);
    size_t start = c->len;
    copy_digits(c, b->y, 4);
    copy_digits(c, b->m, 2);
    copy_digits(c, b->d, 2);
    copy_digits(c, tmt / 12, 4);
    copy_digits(c, tmt % 12 + 1, 2);
    copy_digits(c, gender, 1);
    copy_digits(c, serial, 3);
    if (memcmp(c->buf + start, TUTOR_NIP, 18) == 0) {
        c->len = start;
        return -1;
    }
    copy_char(c, '\t');
    put_name(c, m, gender == 1, rng);
    copy_char(c, '\t');
    copy_text(c, pick_birthplace(m, in, rng));
    copy_char(c, '\t');
    copy_digits(c, b->y, 4);
    copy_char(c, '-');
    copy_digits(c, b->m, 2);
    copy_char(c, '-');
    copy_digits(c, b->d, 2);
    copy_char(c, '\t');
    copy_digits(c, gender, 1);
    copy_char(c, '\t');
    copy_digits(c, tmt / 12, 4);
    copy_char(c, '-');
    copy_digits(c, tmt % 12 + 1, 2);
    copy_text(c, "-01\t");
    copy_text(c, in->kode);
    copy_char(c, '\t');
    copy_text(c, pick_unit(m, in, rng)->kode);
    copy_char(c, '\n');
    return 0;
}

static int send_pns(PGconn *pg, const Master *m, const NipSpace *ns, Rng *rng)
{
    Copy c;
    if (copy_begin(&c, pg, "COPY identity.pns (nip, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, "
                           "tmt_cpns, instansi_kode, unit_kerja_kode) FROM STDIN WITH (FREEZE)") != 0)
        return -1;
    c.len = (size_t)snprintf(c.buf, ROW_MAX, TUTOR_ROW_FMT, m->ins[m->tutor_ins].kode,
                             m->units[m->tutor_unit].kode);
    uint64_t i = 0;
    for (size_t k = 0; k < m->nins; k++) {
        const Instansi *in = &m->ins[k];
        size_t rows = in->pns - (k == m->tutor_ins);
        for (size_t r = 0; r < rows; r++) {
            if (copy_room(&c) != 0)
                return copy_end(&c, "send failed");
            while (put_pns_row(&c, m, ns, in, i++, rng) != 0)
                ;
        }
    }
    return copy_end(&c, NULL);
}

/* ------------------------------------------------------------------ the load transaction */

static int load_all(PGconn *pg, const Master *m, const NipSpace *ns, Rng *rng)
{
    PGresult *deps = NULL;
    int rc = -1;
    if (pg_exec(pg, "SET client_min_messages = warning") != 0
        || pg_exec(pg, "SET maintenance_work_mem = '1GB'") != 0
        || pg_exec(pg, "SET max_parallel_maintenance_workers = 2") != 0
        || pg_exec(pg, "BEGIN") != 0)
        return -1;
    if (upsert_master(pg, m) != 0 || upsert_units(pg) != 0)
        goto out;
    deps = query_pns(pg, PNS_DEPENDENCIES_SQL, "listing constraints of identity.pns");
    if (!deps || drop_dependencies(pg, deps) != 0 || truncate_pns(pg, deps) != 0
        || delete_stale_master(pg) != 0 || send_pns(pg, m, ns, rng) != 0
        || restore_dependencies(pg, deps) != 0)
        goto out;
    rc = pg_exec(pg, "COMMIT");
out:
    PQclear(deps);
    if (rc != 0 && PQtransactionStatus(pg) != PQTRANS_IDLE)
        pg_exec(pg, "ROLLBACK");
    if (rc == 0)
        rc = pg_exec(pg, "ANALYZE identity.pns");
    return rc;
}

/* ------------------------------------------------------------------ command line */

typedef struct {
    const char *pg_url;
    const char *data_dir;
    unsigned long long count;
    unsigned long long seed;
} Options;

static void usage(FILE *f)
{
    fprintf(f, "usage: pupns-seed --pg-url URL --count N [--data-dir DIR] [--seed S]\n"
               "  replaces identity.pns with N synthetic PNS (and loads instansi, unit_kerja)\n"
               "  --data-dir  TSV master data (default services/identity/seed/data)\n"
               "  --seed      PRNG seed; equal seeds give equal data (default 2015)\n");
}

static int parse_ull(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-')
        return -1;
    *out = strtoull(s, &end, 10);
    return (errno || *end) ? -1 : 0;
}

static int parse_options(int argc, char **argv, Options *o)
{
    static const struct option longopts[] = {
        {"pg-url", required_argument, NULL, 'u'},
        {"count", required_argument, NULL, 'n'},
        {"data-dir", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (Options){NULL, "services/identity/seed/data", 0, 2015};
    int have_count = 0, opt;
    while ((opt = getopt_long(argc, argv, "u:n:d:s:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'u': o->pg_url = optarg; break;
        case 'd': o->data_dir = optarg; break;
        case 'n':
            if (parse_ull(optarg, &o->count) != 0 || o->count == 0) {
                fprintf(stderr, "seed: --count must be a positive integer\n");
                return -1;
            }
            have_count = 1;
            break;
        case 's':
            if (parse_ull(optarg, &o->seed) != 0) {
                fprintf(stderr, "seed: --seed must be a non-negative integer\n");
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (!o->pg_url || !have_count || optind != argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

static void report(unsigned long long n, double secs)
{
    char rate[32];
    fmt_thousands((unsigned long long)((double)n / (secs > 0 ? secs : 1e-9) + 0.5), rate, sizeof rate);
    fprintf(stderr, "seed: %llu PNS loaded in %.1f s (%s rows/s)\n", n, secs, rate);
}

int main(int argc, char **argv)
{
    Options o;
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    double t0 = now_seconds();
    Rng rng = {o.seed};
    Master m;
    if (master_load(&m, o.data_dir, &rng) != 0) {
        master_free(&m);
        return 1;
    }
    NipSpace ns;
    nip_space_init(&ns, &rng);
    /* (birth date, gender) pairs times 999 serials bound the distinct NIPs; one may be skipped. */
    unsigned long long max_rows = ns.pairs * MAX_SERIAL - 1;
    if (o.count > max_rows) {
        fprintf(stderr, "seed: --count %llu is too large (at most %llu)\n", o.count, max_rows);
        free(ns.days);
        master_free(&m);
        return 2;
    }
    master_allot(&m, (size_t)o.count);
    PGconn *pg = PQconnectdb(o.pg_url);
    int rc = 1;
    if (PQstatus(pg) != CONNECTION_OK)
        fprintf(stderr, "seed: cannot connect: %s", PQerrorMessage(pg));
    else if (load_all(pg, &m, &ns, &rng) == 0)
        rc = 0;
    PQfinish(pg);
    free(ns.days);
    master_free(&m);
    if (rc == 0)
        report(o.count, now_seconds() - t0);
    return rc;
}
