/* mhd_errors.h -- libmicrohttpd's own error answers, as problem+json.
 *
 * What libmicrohttpd cannot parse (a request line or header block larger
 * than its buffer, a malformed request or chunk, a bad Content-Length, an
 * unsupported HTTP version) it answers itself, before any handler runs,
 * with a fixed HTML page. It builds that page with
 * MHD_create_response_from_buffer(..., MHD_RESPMEM_PERSISTENT) and queues
 * it with MHD_queue_response, both called through the dynamic linker (the
 * Debian 12 build, 0.9.75). The gateway defines both functions, as it does
 * MHD_start_daemon (http_guard.h): every response passes through to
 * libmicrohttpd unchanged, except one of those pages, which is replaced by
 * an RFC 9457 answer with the same status, an Indonesian message, a request
 * id and the security headers. Counted in pupns_http_library_errors_total. */
#ifndef GATEWAY_MHD_ERRORS_H
#define GATEWAY_MHD_ERRORS_H

#include <microhttpd.h>

/* A problem+json response (status, code, Indonesian title and detail) with
 * the security headers, "Connection: close" and a request id (the client's
 * X-Request-Id when given and plain, else a new one: gw_request_id), built
 * outside ulfius for answers given from libmicrohttpd's callbacks. NULL when
 * out of memory. The caller queues and destroys it. */
struct MHD_Response *gw_mhd_problem(unsigned int status, const char *code, const char *title, const char *detail,
                                    const char *client_request_id);

/* The same for a status, with the gateway's message for it (libmicrohttpd's
 * statuses and the early 413). */
struct MHD_Response *gw_mhd_problem_for(unsigned int status, const char *client_request_id);

#endif
