/* corrections.h -- correction reports: a PNS says the Nama or Instansi held
 * for their NIP is wrong. Stored as an open report, announced as
 * identity.correction.requested.v1 through the outbox; registration is not
 * blocked meanwhile. A verifier resolves the report
 * (identity.correction.resolve.v1): accepted, the master data changes in
 * the same transaction as the identity.corrected.v1 event; rejected, with
 * its reason, identity.correction.rejected.v1. The PNS reads the outcome
 * (identity.correction.list.v1). Commands run on their own topic and thread
 * so writes never slow the look-up path. */
#ifndef IDENTITY_CORRECTIONS_H
#define IDENTITY_CORRECTIONS_H

#include <jansson.h>

#include "config.h"
#include "kafka.h"
#include "pg.h"
#include "status.h"

typedef struct {
    const pc_config *cfg;
    pc_producer *replies;
    pc_producer *events;
} corrections_ctx;

/* Thread bodies: the command consumer, and the outbox relay. */
void *identity_corrections_thread(void *ctx);
void *identity_relay_thread(void *ctx);

/* Queues an event about a correction on pupns.identity.events (key: the
 * NIP) carrying the `instansi` extension attribute, inside the caller's
 * transaction. Steals data. */
pc_status identity_correction_event(pc_pg *db, const char *type, const char *nip, const char *instansi_kode,
                                    json_t *data);

/* identity.correction.resolve.v1 (resolve.c): *reply {"status": "ok" |
 * "not_found" | "already_resolved" | "invalid", ...}. PC_OK with *reply, or
 * the database's status (nothing changed; PC_EUNAVAIL: retry). */
pc_status identity_correction_resolve(pc_pg *db, json_t *data, json_t **reply);

/* identity.correction.list.v1 {nip} (outcomes.c): *reply {"status":"ok",
 * "koreksi": [...newest first]} or {"status":"invalid"}. As above. */
pc_status identity_correction_list(pc_pg *db, json_t *data, json_t **reply);

#endif
