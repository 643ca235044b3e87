/* rpc.h -- request/reply over Kafka for the gateway.
 *
 * Each process owns a reply topic, pupns.gateway.replies.<instance-id>, that
 * it reads by assign() (no consumer group, so no rebalance waits). A request
 * names that topic in `replyto`; a service answers there with the request id
 * in `correlationid`. Many callers may wait at once, each on its own slot;
 * several processes never see each other's replies. A reply that does not
 * come within the timeout is PC_ETIMEDOUT, never a hang. A reply whose
 * data is {"items": [...]} and whose correlationid names no waiting call is
 * a batch reply (see pc_rpc_call_batched). */
#ifndef PUPNS_RPC_H
#define PUPNS_RPC_H

#include <jansson.h>

#include "config.h"
#include "kafka.h"
#include "status.h"

typedef struct pc_rpc pc_rpc;

/* Creates the reply topic if needed and starts the reply reader. The
 * producer is borrowed and must outlive the rpc. NULL on error. */
pc_rpc *pc_rpc_new(const pc_config *cfg, pc_producer *producer, char *errstr, size_t errlen);

/* Sends a request event of `type` with `data` (borrowed) to `topic`, keyed by
 * `key`, and waits up to timeout_ms. On PC_OK *reply holds the reply's data
 * object (caller decrefs). PC_ETIMEDOUT on no answer, PC_EUNAVAIL when the
 * request could not be queued. The request's event id is the correlation id
 * (logged as `cid` by the service that answers). */
pc_status pc_rpc_call(pc_rpc *r, const char *topic, const char *key, const char *type,
                      json_t *data, int timeout_ms, json_t **reply);

/* Like pc_rpc_call, for requests the service also takes in batches. The
 * call's `item` (an object, borrowed) joins the open batch for (topic,
 * batch_type); a batch leaves as ONE request event of batch_type, data
 * {"items": [item + "id", ...]}, when it holds PC_RPC_BATCH_MAX items, when
 * its window (the config's kafka_linger_ms) has passed since its first item,
 * or at once when no earlier request of this rpc awaits its reply (so a lone
 * caller never waits for the window; the producer itself does not linger).
 * The service answers with ONE reply whose data is {"items": [{"id", ...}]};
 * each caller gets its own entry, without "id", in *reply (caller decrefs),
 * so a batched caller sees the same reply data as a single call. Statuses
 * and the per-caller timeout are those of pc_rpc_call. Batches cut the
 * broker's work per request by the batch factor (docs/BENCHMARKS.md). */
#define PC_RPC_BATCH_MAX 64
pc_status pc_rpc_call_batched(pc_rpc *r, const char *topic, const char *batch_type, json_t *item,
                              int timeout_ms, json_t **reply);

/* Requests waiting for a reply right now. */
int pc_rpc_inflight(pc_rpc *r);
/* Replies that arrived after their caller stopped waiting (or twice). */
long pc_rpc_late_replies(pc_rpc *r);
/* Name of this process's reply topic. */
const char *pc_rpc_reply_topic(pc_rpc *r);

/* Stops the reader; callers still waiting get PC_ETIMEDOUT. NULL is fine. */
void pc_rpc_free(pc_rpc *r);

#endif
