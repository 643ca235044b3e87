/* respond.h -- JSON and problem+json responses, and the one mapping from
 * pc_status to HTTP status codes. */
#ifndef GATEWAY_RESPOND_H
#define GATEWAY_RESPOND_H

#include <jansson.h>
#include <ulfius.h>

#include "status.h"

/* HTTP status for a service outcome (PC_OK is 200). */
int gw_http_status(pc_status st);

/* 'body' is borrowed. */
void gw_send_json(struct _u_response *resp, int http_status, const json_t *body);
/* Steals problem; its "status" member is the HTTP status. */
void gw_send_problem(struct _u_response *resp, json_t *problem);
/* Shorthand for a problem without field errors. field may be NULL. */
void gw_fail(struct _u_response *resp, int http_status, const char *code, const char *title,
             const char *detail, const char *field);
/* A 401 with the Bearer challenge of realm ("pupns" for PNS sessions,
 * "pupns-verifikator" for verifiers'). */
void gw_fail_unauthorized(struct _u_response *resp, const char *realm, const char *code, const char *title,
                          const char *detail, const char *field);
/* The PNS's "log in again" 401. */
void gw_fail_pns_login(struct _u_response *resp);

#endif
