/* master.h -- the master data of pupns-seed in memory: instansi (pusat,
 * provinsi, kabupaten/kota), their unit kerja, provinces, birthplaces and
 * name lists, read from the TSV files of --data-dir.
 *
 * seed_master_load builds it and gives each instansi a weight (share of
 * the PNS population); seed_master_allot turns the weights into row counts.
 * It also locates the tutorial PNS's instansi and unit (Kota Malang). */
#ifndef SEED_MASTER_H
#define SEED_MASTER_H

#include <stddef.h>

#include "rng.h"

typedef struct {
    char kode[8];            /* P001, R35, K3573 */
    char *nama;              /* "Pemerintah Kota Malang" */
    const char *jenis;       /* pusat | provinsi | kabupaten | kota */
    char provinsi_kode[8];   /* "R35" for kab/kota, "" otherwise */
    int is_lembaga;          /* pusat only: lembaga (1) or kementerian (0) */
    int prov;                /* index into seed_master.prov, -1 for pusat */
    double weight;
    size_t unit_first, unit_count;
    size_t pns;              /* rows allotted */
} seed_instansi;

typedef struct {
    char kode[16];
    char *nama;
    double cum;              /* cumulative weight within its instansi */
} seed_unit;

typedef struct {
    char bps[4];
    double pop;
    size_t kab_first, kab_count;  /* range in seed_master.birth (kab/kota order) */
    size_t ins;                   /* index of the provinsi instansi */
} seed_province;

typedef struct {
    char **v;
    size_t n;
} seed_names;

typedef struct {
    seed_instansi *ins;
    size_t nins;
    seed_unit *units;
    size_t nunits, cap_units;
    seed_province *prov;
    size_t nprov;
    char **birth;            /* uppercase wilayah names, one per kab/kota */
    size_t nbirth;
    seed_names male, female, family;
    size_t tutor_ins, tutor_unit;
} seed_master;

/* Loads the master data from the TSV files in dir, drawing from rng (the
 * kab/kota weights). Returns 0, or -1 after printing why; call
 * seed_master_free in both cases. */
int seed_master_load(seed_master *m, const char *dir, seed_rng *rng);

/* Frees everything seed_master_load allocated. */
void seed_master_free(seed_master *m);

/* Spreads `total` rows over the instansi by weight (into .pns): every
 * instansi gets one first when there are enough rows, and the tutorial's
 * instansi always gets at least one. */
void seed_master_allot(seed_master *m, size_t total);

#endif
