/* load.h -- the load transaction of pupns-seed: puts the master data and N
 * synthetic PNS into schema identity in one transaction.
 *
 * instansi and unit_kerja are upserted (rows no longer in the data files are
 * deleted); identity.pns, and every table whose foreign key points at it, is
 * truncated and refilled by COPY with its keys and indexes dropped, which are
 * then re-created under their own names. ANALYZE follows the commit. */
#ifndef SEED_LOAD_H
#define SEED_LOAD_H

#include <libpq-fe.h>

#include "master.h"
#include "pns.h"
#include "rng.h"

/* Runs the whole load on pg; m must be allotted (seed_master_allot).
 * Returns 0, or -1 after printing why (a failed transaction is rolled back). */
int seed_load_all(PGconn *pg, const seed_master *m, const seed_nip_space *ns, seed_rng *rng);

#endif
