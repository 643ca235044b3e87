/* lookup.h -- NIP look-ups against schema identity, many NIPs per query. */
#ifndef IDENTITY_LOOKUP_H
#define IDENTITY_LOOKUP_H

#include <jansson.h>
#include <stddef.h>

#include "pg.h"
#include "status.h"

/* Looks up n NIPs (each 18 digits, already validated) with one query and
 * sets found[i] to a new object {nip, nama, instansi:{kode,nama},
 * unit_kerja:{kode,nama}} or NULL when unknown. On error found[] is all
 * NULL and the status says why (PC_EUNAVAIL: database unreachable). */
pc_status identity_lookup_batch(pc_pg *db, const char *const *nips, size_t n, json_t **found);

/* One PNS as identity_lookup_batch describes it, read inside the caller's
 * transaction; lock != 0 adds FOR UPDATE (the row is about to change).
 * *pns NULL when unknown. PC_OK, or the database's status. */
pc_status identity_lookup_one(pc_pg *db, const char *nip, int lock, json_t **pns);

#endif
