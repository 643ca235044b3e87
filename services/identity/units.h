/* units.h -- a unit kerja as the verifier desks see it: its agency, its
 * size, and its members paged by NIP (identity.unit.get.v1 and
 * identity.unit.members.v1 on pupns.identity.requests). */
#ifndef IDENTITY_UNITS_H
#define IDENTITY_UNITS_H

#include <jansson.h>

#include "pg.h"
#include "status.h"

/* Largest page of identity.unit.members.v1, and the page when none is named. */
#define IDENTITY_MEMBERS_MAX 1000
#define IDENTITY_MEMBERS_DEFAULT 100

/* Answers identity.unit.members.v1 data {unit_kerja_kode, after_nip?, limit?}:
 * *reply = {"status":"ok", unit_kerja, instansi, members:[{nip,nama}],
 * next_after: nip|null}, {"status":"not_found"} for an unknown unit, or
 * {"status":"invalid"} for malformed data. PC_OK with *reply set, or the
 * database's status (PC_EUNAVAIL: retry) with *reply NULL. */
pc_status identity_unit_members(pc_pg *db, json_t *data, json_t **reply);

/* Answers identity.unit.get.v1 data {unit_kerja_kode}: {"status":"ok",
 * unit_kerja, instansi, members_total} or not_found / invalid, as above. */
pc_status identity_unit_get(pc_pg *db, json_t *data, json_t **reply);

#endif
