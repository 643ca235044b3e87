/* http_guard.h -- the checks that must run while a request is still being
 * received, before ulfius has read (and buffered) its body:
 *
 *  - a Content-Length above the body limit is answered 413 as soon as the
 *    headers are in, so the client need not upload the body first;
 *  - a chunked body is counted as it arrives; past the limit the rest is
 *    discarded unread by any handler and the answer is 413 (ulfius alone
 *    would silently cut it and hand the truncated start to the handler);
 *  - a deadline for receiving a request: headers and body within
 *    receive_s seconds of its request line (and the first request line
 *    within that of the connection opening), and at most idle_s between
 *    requests on a kept-alive connection. Slow clients are cut (their
 *    socket shut down) and counted in pupns_http_slow_clients_total;
 *    libmicrohttpd's own timeout only measures silence, which one byte
 *    every few seconds never breaks.
 *
 * ulfius starts libmicrohttpd itself with its private access handler, so
 * the guard defines MHD_start_daemon: the dynamic linker resolves ulfius'
 * call to it, and it starts the daemon (MHD_start_daemon_va) with the guard's
 * handler in front of ulfius' one. The three MHD options below must replace
 * ulfius' required NOTIFY_COMPLETED and URI_LOG_CALLBACK entries. */
#ifndef GATEWAY_HTTP_GUARD_H
#define GATEWAY_HTTP_GUARD_H

#include <microhttpd.h>

/* Starts the deadline thread. 0 on success. */
int gw_guard_start(long max_body, int receive_s, int idle_s);
/* Stops it (after the HTTP daemon has stopped). */
void gw_guard_stop(void);

/* For the MHD option table, instead of ulfius' own entries. */
void gw_guard_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                                enum MHD_RequestTerminationCode toe);
void *gw_guard_uri_logger(void *cls, const char *uri, struct MHD_Connection *connection);
void gw_guard_notify_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode toe);

#endif
