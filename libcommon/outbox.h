/* outbox.h -- the transactional outbox, shared by every service that emits
 * events after a database change.
 *
 * pc_outbox_add writes the event as a row of <schema>.outbox inside the
 * caller's open transaction, so the event exists if and only if the change
 * committed. The relay publishes unsent rows with the idempotent producer
 * and marks them sent. A crash between publishing and marking re-publishes
 * the same event id, which consumers de-duplicate: nothing is ever lost.
 * The table is created by each service's migration (see 003_registration.sql). */
#ifndef PUPNS_OUTBOX_H
#define PUPNS_OUTBOX_H

#include <jansson.h>

#include "envelope.h"
#include "kafka.h"
#include "pg.h"
#include "status.h"

/* Queues a CloudEvent of `type` about `key` (its subject and Kafka key) for
 * `topic`. Steals data. schema is a constant identifier such as
 * "registration", never user input. */
pc_status pc_outbox_add(pc_pg *db, const char *schema, const char *topic, const char *type,
                        const char *key, json_t *data);

/* pc_outbox_add with extension attributes on the envelope: ext is an array
 * ending with {NULL, NULL} (or NULL for none), e.g.
 * {{PC_EXT_INSTANSI, kode}, {NULL, NULL}}. A bad extension (envelope.h) is
 * PC_EINVAL and nothing is written. Steals data. */
pc_status pc_outbox_add_ext(pc_pg *db, const char *schema, const char *topic, const char *type,
                            const char *key, json_t *data, const pc_event_ext *ext);

/* Publishes up to one batch of unsent rows. Returns the number published,
 * 0 when there was nothing to do, -1 on error (the rows stay unsent, their
 * locks released): a broken producer, a refused send, a failed delivery,
 * or delivery reports missing after message.timeout.ms + 5 s. */
int pc_outbox_relay_once(pc_pg *db, const char *schema, pc_producer *producer);

/* Relays until pc_running() turns false, then drains what is committed.
 * Connects with pg_url; if it cannot, it stops the process with the reason
 * (pc_lifecycle_fail_because: exit status 1) and returns PC_EUNAVAIL. */
pc_status pc_outbox_relay_run(const char *pg_url, const char *schema, pc_producer *producer);

#endif
