/* pns.h -- the synthetic PNS rows of pupns-seed: valid, distinct NIPs,
 * names, birthplaces, dates and units, streamed into identity.pns by COPY.
 *
 * NIPs walk the (birth date, gender) pairs with a stride coprime to their
 * number, so row i never repeats an earlier NIP; the serial (last three
 * digits) grows each time the walk wraps. The tutorial PNS is always row 1. */
#ifndef SEED_PNS_H
#define SEED_PNS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "master.h"
#include "rng.h"

#define SEED_MAX_SERIAL 999u        /* serials per (birth date, gender) pair */

typedef struct { uint16_t y; uint8_t m, d; } seed_ymd;

typedef struct {
    seed_ymd *days;     /* every birth date in range */
    uint64_t pairs;     /* M = days * 2 (birth date, gender) pairs */
    uint64_t step;      /* P, coprime to M */
    uint64_t offset;
} seed_nip_space;

/* Lists the birth dates and draws the walk's stride and offset from rng. */
void seed_nip_space_init(seed_nip_space *ns, seed_rng *rng);

/* Frees what seed_nip_space_init allocated. */
void seed_nip_space_free(seed_nip_space *ns);

/* COPYs the tutorial PNS and then m->ins[k].pns rows for every instansi k
 * (one fewer for the tutorial's) into identity.pns, inside the caller's
 * transaction. Returns 0, or -1 after printing why. */
int seed_pns_send(PGconn *pg, const seed_master *m, const seed_nip_space *ns, seed_rng *rng);

#endif
