/* requests.h -- the identity service's request loop: consume look-up
 * requests in batches, answer each on its reply topic, commit after the
 * answers are delivered (so a crash re-answers instead of losing). Batches
 * are pipelined: the next is polled while the replies of earlier ones are
 * still on their way. */
#ifndef IDENTITY_REQUESTS_H
#define IDENTITY_REQUESTS_H

#include "config.h"
#include "kafka.h"
#include "pg.h"
#include "status.h"

struct inflight;

typedef struct {
    const pc_config *cfg;
    rd_kafka_t *consumer;
    pc_producer *producer;
    pc_pg *db;
    /* Poll batches whose replies are not all delivered yet, oldest first. */
    struct inflight *oldest, *newest;
    size_t depth;
} identity_ctx;

/* Runs until pc_running() turns false. */
pc_status identity_serve(identity_ctx *ctx);

#endif
