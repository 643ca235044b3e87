/* pns.c -- synthesises the PNS rows and streams them into identity.pns (see pns.h). */
#include "pns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgcopy.h"
#include "util.h"

#define BIRTH_FIRST_Y   1958
#define BIRTH_LAST_Y    1997
#define BIRTH_LAST_M    6           /* born later cannot have TMT <= 2015-06 at age >= 18 */
#define TMT_LAST        (2015 * 12 + 5)   /* 2015-06 as a month index y*12+(m-1) */

/* The tutorial PNS, always the first row; generated rows skip its NIP. */
static const char TUTOR_NIP[] = "197501022014071003";
#define TUTOR_ROW_FMT \
    "197501022014071003\tAKHMAD SOLEH ARIFIN\tMALANG\t1975-01-02\t1\t2014-07-01\t%s\t%s\n"

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

void seed_nip_space_init(seed_nip_space *ns, seed_rng *rng)
{
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = 0;
    ns->days = seed_xcalloc((size_t)(BIRTH_LAST_Y - BIRTH_FIRST_Y + 1) * 366, sizeof *ns->days);
    for (int y = BIRTH_FIRST_Y; y <= BIRTH_LAST_Y; y++) {
        int last_m = y == BIRTH_LAST_Y ? BIRTH_LAST_M : 12;
        for (int m = 1; m <= last_m; m++) {
            int dmax = mdays[m - 1] + (m == 2 && is_leap(y));
            for (int d = 1; d <= dmax; d++)
                ns->days[n++] = (seed_ymd){(uint16_t)y, (uint8_t)m, (uint8_t)d};
        }
    }
    ns->pairs = (uint64_t)n * 2;
    do {
        ns->step = ns->pairs / 3 + seed_rng_next(rng) % (ns->pairs / 3);
    } while (gcd_u64(ns->step, ns->pairs) != 1);
    ns->offset = seed_rng_next(rng) % ns->pairs;
}

void seed_nip_space_free(seed_nip_space *ns)
{
    free(ns->days);
    ns->days = NULL;
}

/* TMT CPNS month (y*12+m-1): at age 19..35 (18 if needed), not after 2015-06, skewed young. */
static unsigned pick_tmt(const seed_ymd *b, seed_rng *rng)
{
    unsigned bm = (unsigned)b->y * 12 + b->m - 1;
    unsigned lo = bm + 19 * 12, hi = bm + 35 * 12;
    if (hi > TMT_LAST)
        hi = TMT_LAST;
    if (lo > hi)
        lo = bm + 18 * 12;
    uint32_t span = hi - lo + 1;
    uint32_t a = seed_rng_below(rng, span), c = seed_rng_below(rng, span);
    return lo + (a < c ? a : c);
}

static const char *pick_other(const seed_names *n, const char *avoid, seed_rng *rng)
{
    const char *s;
    do
        s = n->v[seed_rng_below(rng, (uint32_t)n->n)];
    while (s == avoid && n->n > 1);
    return s;
}

static void put_name(seed_copy *c, const seed_master *m, int male, seed_rng *rng)
{
    const seed_names *given = male ? &m->male : &m->female;
    const char *first = given->v[seed_rng_below(rng, (uint32_t)given->n)];
    const char *last = m->family.v[seed_rng_below(rng, (uint32_t)m->family.n)];
    uint32_t shape = seed_rng_below(rng, 100);
    seed_copy_text(c, first);
    if (shape < 12 && !strchr(first, ' ') && strlen(first) >= 6)
        return;                                   /* single-word name: "SUPARMAN" */
    seed_copy_char(c, ' ');
    if (shape >= 55) {                            /* three parts */
        seed_copy_text(c, shape < 78 ? pick_other(given, first, rng) : pick_other(&m->family, last, rng));
        seed_copy_char(c, ' ');
    }
    seed_copy_text(c, last);
}

static const char *pick_birthplace(const seed_master *m, const seed_instansi *in, seed_rng *rng)
{
    if (in->prov >= 0 && seed_rng_below(rng, 100) < 75) {
        const seed_province *p = &m->prov[in->prov];
        if (p->kab_count)
            return m->birth[p->kab_first + seed_rng_below(rng, (uint32_t)p->kab_count)];
    }
    return m->birth[seed_rng_below(rng, (uint32_t)m->nbirth)];
}

static const seed_unit *pick_unit(const seed_master *m, const seed_instansi *in, seed_rng *rng)
{
    const seed_unit *u = &m->units[in->unit_first];
    double r = seed_rng_unit(rng) * u[in->unit_count - 1].cum;
    size_t i = 0;
    while (i + 1 < in->unit_count && u[i].cum <= r)
        i++;
    return &u[i];
}

/* Formats generated row number i of instansi `in`; returns -1 if its NIP is the tutorial's. */
static int put_pns_row(seed_copy *c, const seed_master *m, const seed_nip_space *ns,
                       const seed_instansi *in, uint64_t i, seed_rng *rng)
{
    uint64_t pair = (i * ns->step + ns->offset) % ns->pairs;
    const seed_ymd *b = &ns->days[pair >> 1];
    unsigned gender = (unsigned)(pair & 1) + 1, serial = (unsigned)(i / ns->pairs) + 1;
    unsigned tmt = pick_tmt(b, rng);
    size_t start = c->len;
    seed_copy_digits(c, b->y, 4);
    seed_copy_digits(c, b->m, 2);
    seed_copy_digits(c, b->d, 2);
    seed_copy_digits(c, tmt / 12, 4);
    seed_copy_digits(c, tmt % 12 + 1, 2);
    seed_copy_digits(c, gender, 1);
    seed_copy_digits(c, serial, 3);
    if (memcmp(c->buf + start, TUTOR_NIP, 18) == 0) {
        c->len = start;
        return -1;
    }
    seed_copy_char(c, '\t');
    put_name(c, m, gender == 1, rng);
    seed_copy_char(c, '\t');
    seed_copy_text(c, pick_birthplace(m, in, rng));
    seed_copy_char(c, '\t');
    seed_copy_digits(c, b->y, 4);
    seed_copy_char(c, '-');
    seed_copy_digits(c, b->m, 2);
    seed_copy_char(c, '-');
    seed_copy_digits(c, b->d, 2);
    seed_copy_char(c, '\t');
    seed_copy_digits(c, gender, 1);
    seed_copy_char(c, '\t');
    seed_copy_digits(c, tmt / 12, 4);
    seed_copy_char(c, '-');
    seed_copy_digits(c, tmt % 12 + 1, 2);
    seed_copy_text(c, "-01\t");
    seed_copy_text(c, in->kode);
    seed_copy_char(c, '\t');
    seed_copy_text(c, pick_unit(m, in, rng)->kode);
    seed_copy_char(c, '\n');
    return 0;
}

int seed_pns_send(PGconn *pg, const seed_master *m, const seed_nip_space *ns, seed_rng *rng)
{
    seed_copy c;
    if (seed_copy_begin(&c, pg,
                        "COPY identity.pns (nip, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, "
                        "tmt_cpns, instansi_kode, unit_kerja_kode) FROM STDIN WITH (FREEZE)") != 0)
        return -1;
    c.len = (size_t)snprintf(c.buf, SEED_ROW_MAX, TUTOR_ROW_FMT, m->ins[m->tutor_ins].kode,
                             m->units[m->tutor_unit].kode);
    uint64_t i = 0;
    for (size_t k = 0; k < m->nins; k++) {
        const seed_instansi *in = &m->ins[k];
        size_t rows = in->pns - (k == m->tutor_ins);
        for (size_t r = 0; r < rows; r++) {
            if (seed_copy_room(&c) != 0)
                return seed_copy_end(&c, "send failed");
            while (put_pns_row(&c, m, ns, in, i++, rng) != 0)
                ;
        }
    }
    return seed_copy_end(&c, NULL);
}
