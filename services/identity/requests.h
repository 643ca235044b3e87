/* requests.h -- the identity service's look-up requests on libcommon's
 * serve loop: a single look-up (one NIP, one reply) or a batch message
 * (many NIPs each with its own item id, one reply with every answer). All
 * NIPs of the messages a worker takes at once go to the database as one
 * query. The same topic carries the verifier's unit queries and a PNS's
 * correction list, answered beside the look-ups. */
#ifndef IDENTITY_REQUESTS_H
#define IDENTITY_REQUESTS_H

#include "config.h"
#include "kafka.h"
#include "serve.h"
#include "status.h"

/* The look-ups of a batch (every item a look-up); w is the worker's pc_pg
 * connection. */
void identity_lookups(void *w, pc_serve_item *items, size_t n);

/* The serve loop's batch handler for every route of pupns.identity.requests:
 * look-ups together (identity_lookups), then unit queries (units.h) and
 * correction lists (corrections.h) one by one. */
void identity_requests(void *w, pc_serve_item *items, size_t n);

/* Serves look-ups until pc_running() turns false (pc_serve_run's status). */
pc_status identity_serve(const pc_config *cfg, pc_producer *replies, int workers);

#endif
