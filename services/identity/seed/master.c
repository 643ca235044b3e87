/* master.c -- builds the master data of pupns-seed from the TSV files and
 * allots the PNS rows to instansi (see master.h). */
#include "master.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsv.h"
#include "util.h"

#define MAX_UNITS       999u

/* Shares of the whole PNS population, in thousands (approximately the 2015 picture). */
#define PROVINSI_POOL   330.0
#define KABKOTA_POOL    3250.0
#define KECAMATAN_SHARE 8.0         /* weight of all kecamatan of a kab/kota, next to its dinas */

/* The tutorial PNS works in the Dinas Pendidikan of Kota Malang. */
static const char TUTOR_INSTANSI[] = "K3573";
static const char TUTOR_UNIT_PREFIX[] = "Dinas Pendidikan ";

static void names_free(seed_names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    free(n->v);
}

void seed_master_free(seed_master *m)
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

static int load_names(seed_names *n, const char *dir, const char *file)
{
    seed_tsv t;
    if (seed_tsv_load(&t, dir, file, 1) != 0) {
        seed_tsv_free(&t);
        return -1;
    }
    n->n = t.rows;
    n->v = seed_xcalloc(t.rows, sizeof *n->v);
    for (size_t i = 0; i < t.rows; i++)
        n->v[i] = seed_upper_dup(seed_tsv_get(&t, i, 0));
    seed_tsv_free(&t);
    return 0;
}

static seed_unit *unit_push(seed_master *m, seed_instansi *in, const char *nama, double w)
{
    if (m->nunits == m->cap_units) {
        m->cap_units = m->cap_units ? m->cap_units * 2 : 4096;
        seed_unit *nu = realloc(m->units, m->cap_units * sizeof *nu);
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
    seed_unit *u = &m->units[m->nunits++];
    in->unit_count++;
    snprintf(u->kode, sizeof u->kode, "%s.%03zu", in->kode, in->unit_count);
    u->nama = seed_fmt_dup("%s", nama);
    double before = in->unit_count > 1 ? u[-1].cum : 0;
    u->cum = before + w;
    return u;
}

static int load_pusat(seed_master *m, const seed_tsv *pusat, const seed_tsv *units)
{
    for (size_t r = 0; r < pusat->rows; r++) {
        seed_instansi *in = &m->ins[m->nins++];
        const char *kode = seed_tsv_get(pusat, r, 0), *jenis = seed_tsv_get(pusat, r, 1);
        if (strlen(kode) != 4 || kode[0] != 'P') {
            fprintf(stderr, "seed: %s: bad pusat kode '%s'\n", pusat->path, kode);
            return -1;
        }
        if (strcmp(jenis, "kementerian") != 0 && strcmp(jenis, "lembaga") != 0) {
            fprintf(stderr, "seed: %s: bad jenis '%s'\n", pusat->path, jenis);
            return -1;
        }
        snprintf(in->kode, sizeof in->kode, "%s", kode);
        in->nama = seed_fmt_dup("%s", seed_tsv_get(pusat, r, 2));
        in->jenis = "pusat";
        in->is_lembaga = strcmp(jenis, "lembaga") == 0;
        in->prov = -1;
        if (seed_tsv_weight(pusat, r, 3, &in->weight) != 0)
            return -1;
        in->unit_first = m->nunits;
        for (size_t u = 0; u < units->rows; u++) {
            const char *lingkup = seed_tsv_get(units, u, 0);
            if (strcmp(lingkup, jenis) != 0 && strcmp(lingkup, "semua") != 0)
                continue;
            double w;
            if (seed_tsv_weight(units, u, 2, &w) != 0)
                return -1;
            char *nama = seed_fmt_dup("%s %s", seed_tsv_get(units, u, 1), in->nama);
            seed_unit *made = unit_push(m, in, nama, w);
            free(nama);
            if (!made)
                return -1;
        }
    }
    return 0;
}

/* Units of a regional government: the dinas/badan list, then (kab/kota) every kecamatan. */
static int add_daerah_units(seed_master *m, seed_instansi *in, const seed_tsv *units,
                            const seed_tsv *kec, int is_prov)
{
    const char *label = in->nama + (seed_starts_with(in->nama, "Pemerintah ") ? strlen("Pemerintah ") : 0);
    in->unit_first = m->nunits;
    for (size_t u = 0; u < units->rows; u++) {
        double w;
        if (seed_tsv_weight(units, u, is_prov ? 1 : 2, &w) != 0)
            return -1;
        if (w <= 0)
            continue;
        char *nama = seed_fmt_dup("%s %s", seed_tsv_get(units, u, 0), label);
        seed_unit *made = unit_push(m, in, nama, w);
        free(nama);
        if (!made)
            return -1;
    }
    if (is_prov)
        return 0;
    size_t nkec = 0;
    for (size_t r = 0; r < kec->rows; r++)
        nkec += strcmp(seed_tsv_get(kec, r, 1), in->kode + 1) == 0;
    for (size_t r = 0; r < kec->rows && nkec; r++) {
        if (strcmp(seed_tsv_get(kec, r, 1), in->kode + 1) != 0)
            continue;
        char *nama = seed_fmt_dup("Kecamatan %s %s", seed_tsv_get(kec, r, 2), label);
        seed_unit *made = unit_push(m, in, nama, KECAMATAN_SHARE / (double)nkec);
        free(nama);
        if (!made)
            return -1;
    }
    return 0;
}

static int load_provinsi(seed_master *m, const seed_tsv *prov, const seed_tsv *units)
{
    m->prov = seed_xcalloc(prov->rows, sizeof *m->prov);
    double sum_sqrt = 0;
    for (size_t r = 0; r < prov->rows; r++) {
        seed_province *p = &m->prov[m->nprov++];
        const char *bps = seed_tsv_get(prov, r, 0);
        if (strlen(bps) != 2) {
            fprintf(stderr, "seed: %s: bad BPS code '%s'\n", prov->path, bps);
            return -1;
        }
        memcpy(p->bps, bps, 3);
        if (seed_tsv_weight(prov, r, 3, &p->pop) != 0)
            return -1;
        sum_sqrt += seed_sqrt_pos(p->pop);
        seed_instansi *in = &m->ins[m->nins];
        p->ins = m->nins++;
        snprintf(in->kode, sizeof in->kode, "R%s", bps);
        in->nama = seed_fmt_dup("%s", seed_tsv_get(prov, r, 2));
        in->jenis = "provinsi";
        in->prov = (int)r;
        if (add_daerah_units(m, in, units, NULL, 1) != 0)
            return -1;
    }
    for (size_t r = 0; r < m->nprov; r++)
        m->ins[m->prov[r].ins].weight = PROVINSI_POOL * seed_sqrt_pos(m->prov[r].pop) / sum_sqrt;
    return 0;
}

static int find_province(const seed_master *m, const char *bps)
{
    for (size_t i = 0; i < m->nprov; i++)
        if (strcmp(m->prov[i].bps, bps) == 0)
            return (int)i;
    return -1;
}

static int load_kabkota(seed_master *m, const seed_tsv *kab, const seed_tsv *units,
                        const seed_tsv *kec, seed_rng *rng)
{
    m->birth = seed_xcalloc(kab->rows, sizeof *m->birth);
    double *factor = seed_xcalloc(kab->rows, sizeof *factor);
    int rc = -1;
    for (size_t r = 0; r < kab->rows; r++) {
        const char *kode = seed_tsv_get(kab, r, 0), *pk = seed_tsv_get(kab, r, 1), *jenis = seed_tsv_get(kab, r, 2);
        int p = find_province(m, pk);
        if (strlen(kode) != 4 || p < 0 || strncmp(kode, pk, 2) != 0) {
            fprintf(stderr, "seed: %s: row %zu: bad kode '%s' / province '%s'\n", kab->path, r + 1, kode, pk);
            goto out;
        }
        if (r > 0 && strcmp(seed_tsv_get(kab, r - 1, 0), kode) >= 0) {
            fprintf(stderr, "seed: %s: rows must be sorted by kode (at '%s')\n", kab->path, kode);
            goto out;
        }
        if (strcmp(jenis, "kabupaten") != 0 && strcmp(jenis, "kota") != 0) {
            fprintf(stderr, "seed: %s: bad jenis '%s'\n", kab->path, jenis);
            goto out;
        }
        seed_province *pv = &m->prov[p];
        if (pv->kab_count == 0)
            pv->kab_first = m->nbirth;
        else if (pv->kab_first + pv->kab_count != m->nbirth) {
            fprintf(stderr, "seed: %s: province %s rows not contiguous\n", kab->path, pk);
            goto out;
        }
        pv->kab_count++;
        m->birth[m->nbirth++] = seed_upper_dup(seed_tsv_get(kab, r, 3));
        seed_instansi *in = &m->ins[m->nins++];
        snprintf(in->kode, sizeof in->kode, "K%s", kode);
        in->nama = seed_fmt_dup("%s", seed_tsv_get(kab, r, 4));
        in->jenis = strcmp(jenis, "kota") == 0 ? "kota" : "kabupaten";
        snprintf(in->provinsi_kode, sizeof in->provinsi_kode, "R%s", pk);
        in->prov = p;
        factor[r] = (strcmp(jenis, "kota") == 0 ? 0.8 : 1.0) * (0.6 + 0.8 * seed_rng_unit(rng));
        if (add_daerah_units(m, in, units, kec, 0) != 0)
            goto out;
    }
    /* Each province's pool (by population) is shared among its kab/kota by their factors. */
    double total_pop = 0;
    for (size_t p = 0; p < m->nprov; p++)
        total_pop += m->prov[p].pop;
    size_t first_kab = m->nins - kab->rows;
    for (size_t p = 0; p < m->nprov; p++) {
        seed_province *pv = &m->prov[p];
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

static int find_tutorial(seed_master *m)
{
    for (size_t i = 0; i < m->nins; i++) {
        if (strcmp(m->ins[i].kode, TUTOR_INSTANSI) != 0)
            continue;
        seed_instansi *in = &m->ins[i];
        m->tutor_ins = i;
        m->tutor_unit = in->unit_first;
        for (size_t u = in->unit_first; u < in->unit_first + in->unit_count; u++) {
            if (seed_starts_with(m->units[u].nama, TUTOR_UNIT_PREFIX)) {
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

int seed_master_load(seed_master *m, const char *dir, seed_rng *rng)
{
    seed_tsv prov = {0}, kab = {0}, pusat = {0}, up = {0}, ud = {0}, kec = {0};
    memset(m, 0, sizeof *m);
    int rc = -1;
    int loaded = seed_tsv_load(&prov, dir, "provinsi.tsv", 4) == 0
              && seed_tsv_load(&kab, dir, "kabkota.tsv", 5) == 0
              && seed_tsv_load(&pusat, dir, "pusat.tsv", 4) == 0
              && seed_tsv_load(&up, dir, "unit_kerja_pusat.tsv", 3) == 0
              && seed_tsv_load(&ud, dir, "unit_kerja_daerah.tsv", 3) == 0
              && seed_tsv_load(&kec, dir, "kecamatan.tsv", 3) == 0;
    if (loaded) {
        m->ins = seed_xcalloc(prov.rows + kab.rows + pusat.rows, sizeof *m->ins);
        if (load_pusat(m, &pusat, &up) == 0 && load_provinsi(m, &prov, &ud) == 0
            && load_kabkota(m, &kab, &ud, &kec, rng) == 0 && find_tutorial(m) == 0
            && load_names(&m->male, dir, "nama_depan_l.tsv") == 0
            && load_names(&m->female, dir, "nama_depan_p.tsv") == 0
            && load_names(&m->family, dir, "nama_belakang.tsv") == 0)
            rc = 0;
    }
    seed_tsv_free(&prov);
    seed_tsv_free(&kab);
    seed_tsv_free(&pusat);
    seed_tsv_free(&up);
    seed_tsv_free(&ud);
    seed_tsv_free(&kec);
    return rc;
}

/* Spreads `total` rows by weight: every instansi gets one first when there are enough rows. */
void seed_master_allot(seed_master *m, size_t total)
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
    seed_instansi *t = &m->ins[m->tutor_ins];
    if (t->pns == 0) {   /* tiny N: take the tutorial's slot from the biggest instansi */
        size_t big = 0;
        for (size_t i = 1; i < m->nins; i++)
            if (m->ins[i].pns > m->ins[big].pns)
                big = i;
        m->ins[big].pns--;
        t->pns++;
    }
}
