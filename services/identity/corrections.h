/* corrections.h -- correction reports: a PNS says the Nama or Instansi held
 * for their NIP is wrong. Stored as an open report, announced as
 * identity.correction.requested.v1 through the outbox; registration is not
 * blocked meanwhile. Runs on its own topic and thread so writes never slow
 * the look-up path. */
#ifndef IDENTITY_CORRECTIONS_H
#define IDENTITY_CORRECTIONS_H

#include "config.h"
#include "kafka.h"

typedef struct {
    const pc_config *cfg;
    pc_producer *replies;
    pc_producer *events;
} corrections_ctx;

/* Thread bodies: the command consumer, and the outbox relay. */
void *identity_corrections_thread(void *ctx);
void *identity_relay_thread(void *ctx);

#endif
