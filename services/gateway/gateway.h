/* gateway.h -- shared state of the HTTP gateway and the handler signature.
 *
 * The gateway owns nothing persistent: it validates input, turns HTTP into
 * Kafka requests, waits for replies and maps them to HTTP. */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <ulfius.h>

#include "config.h"
#include "kafka.h"
#include "rpc.h"

typedef struct {
    pc_config cfg;
    pc_producer *producer;
    pc_rpc *rpc;
} gw_ctx;

/* A route handler fills resp; dispatch (routes.c) adds ids and metrics. */
typedef void (*gw_handler)(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);

/* Registers every route of the API and the portal's static files. */
int gw_routes_register(struct _u_instance *instance, gw_ctx *gw);

/* Handlers, one file each. */
void gw_pns_get(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_healthz(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_readyz(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_metrics(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);
void gw_static(gw_ctx *gw, const struct _u_request *req, struct _u_response *resp);

#endif
