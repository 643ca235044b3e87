/* edge.h -- the HTTP edge's own rules, applied by the dispatcher to every
 * request before any handler runs, and the headers every response carries.
 *
 * Refused (RFC 9457 problem+json, in Indonesian): a path holding NUL or
 * control bytes, plain or percent-encoded (400; such bytes have truncated
 * paths before); HTTP/1.1 without Host (400); a Content-Length that is not
 * a plain number (400) or larger than the body limit (413; http_guard.c
 * answers it before the body is uploaded and refuses chunked bodies past
 * the limit); a Transfer-Encoding other than chunked (400); a
 * body on a method that carries data without Content-Type application/json
 * (415). */
#ifndef GATEWAY_EDGE_H
#define GATEWAY_EDGE_H

#include <ulfius.h>

#include "ids.h"

/* 1 when req broke a rule and resp now holds the refusal; 0 to go on. */
int gw_edge_refused(const struct _u_request *req, struct _u_response *resp, long max_body);

/* The request's id: the client's X-Request-Id (given, may be NULL) if it
 * is short and plain, else a new UUID (routes.c). */
void gw_request_id(const char *given, char out[PC_UUID_LEN + 28]);

/* Content-Security-Policy (no inline code; images also from data: URLs,
 * which captchas are), frame-ancestors 'none', Referrer-Policy, nosniff. */
void gw_edge_security_headers(struct _u_response *resp);

#endif
