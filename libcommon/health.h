/* health.h -- the operators' listener of services that have no API of their
 * own (identity, captcha, registration): GET /healthz (alive), /readyz
 * (the broker answers and the service's request topic has leaders) and /metrics (the process registry,
 * Prometheus text). Off unless PUPNS_HEALTH_PORT is set; it serves nothing
 * else, so no business HTTP lives outside the gateway. */
#ifndef PUPNS_HEALTH_H
#define PUPNS_HEALTH_H

#include <stddef.h>

#include "config.h"
#include "kafka.h"
#include "status.h"

typedef struct pc_health pc_health;

/* Starts the listener on cfg->http_bind:cfg->health_port; readiness asks
 * the broker through producer (borrowed, thread-safe) about topic. Returns
 * NULL with *st = PC_OK when the port is 0 (disabled), NULL with PC_ERROR
 * on failure. */
pc_health *pc_health_start(const pc_config *cfg, pc_producer *producer, const char *topic, pc_status *st);
void pc_health_stop(pc_health *h);

#endif
