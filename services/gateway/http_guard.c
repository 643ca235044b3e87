/* http_guard.c -- body limits and receive deadlines enforced while a request
 * arrives (http_guard.h says why this sits in front of ulfius). */
#include "http_guard.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <ulfius.h>

#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "mhd_errors.h"

typedef enum { PHASE_RECEIVING, PHASE_HANDLING, PHASE_IDLE } guard_phase;

/* One per connection (libmicrohttpd's socket context); listed for the
 * deadline thread. */
typedef struct guard_conn {
    struct guard_conn *prev, *next;
    int fd;
    guard_phase phase;
    int64_t since_us;    /* when the phase began */
    int headers_seen;    /* this request's first handler call has happened */
    int too_big;         /* this request's body passed the limit: discarding it */
    uint64_t body_bytes; /* of this request, as received */
} guard_conn;

static struct {
    MHD_AccessHandlerCallback inner; /* ulfius' dispatcher */
    void *inner_cls;
    long max_body;
    int64_t receive_us, idle_us;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    guard_conn *conns;
    pthread_t reaper;
    int running, stopping;
} guard = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

/* ulfius calls this to start its daemon; see http_guard.h. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...);

static void set_phase(guard_conn *g, guard_phase phase) {
    pthread_mutex_lock(&guard.lock);
    g->phase = phase;
    g->since_us = pc_mono_us();
    pthread_mutex_unlock(&guard.lock);
}

void gw_guard_notify_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode toe) {
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        guard_conn *g = calloc(1, sizeof *g);
        if (!g || !fd) {
            free(g); /* unguarded, not refused: the handler path still applies the edge's rules */
            *socket_context = NULL;
            return;
        }
        g->fd = fd->connect_fd;
        g->phase = PHASE_RECEIVING;
        g->since_us = pc_mono_us();
        pthread_mutex_lock(&guard.lock);
        g->next = guard.conns;
        if (guard.conns) guard.conns->prev = g;
        guard.conns = g;
        pthread_mutex_unlock(&guard.lock);
        *socket_context = g;
        return;
    }
    guard_conn *g = *socket_context;
    if (!g) return;
    /* Unlisted before libmicrohttpd closes the socket: the deadline thread
     * never shuts down a descriptor number that a new connection reuses. */
    pthread_mutex_lock(&guard.lock);
    if (g->prev) g->prev->next = g->next;
    else guard.conns = g->next;
    if (g->next) g->next->prev = g->prev;
    pthread_mutex_unlock(&guard.lock);
    free(g);
    *socket_context = NULL;
}

static guard_conn *conn_of(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

void *gw_guard_uri_logger(void *cls, const char *uri, struct MHD_Connection *connection) {
    guard_conn *g = conn_of(connection);
    if (g) {
        g->headers_seen = 0;
        g->too_big = 0;
        g->body_bytes = 0;
        set_phase(g, PHASE_RECEIVING);
    }
    return ulfius_uri_logger(cls, uri);
}

void gw_guard_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                                enum MHD_RequestTerminationCode toe) {
    mhd_request_completed(cls, connection, con_cls, toe);
    guard_conn *g = conn_of(connection);
    if (g) set_phase(g, PHASE_IDLE);
}

/* Answers 413 problem+json from here, built by the same code as every
 * other refusal, and closes the connection (its body is not read). */
static enum MHD_Result refuse_too_large(struct MHD_Connection *connection, const char *how) {
    /* The same request id rules as the dispatcher (routes.c): the client's
     * if plain, else a new one, so even this refusal can be traced. */
    struct MHD_Response *r =
        gw_mhd_problem_for(413, MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Request-Id"));
    if (!r) return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(connection, 413, r);
    MHD_destroy_response(r);
    char labels[64];
    snprintf(labels, sizeof labels, "reason=\"%s\"", how);
    pc_metrics_inc("pupns_http_refused_early_total", labels, 1);
    return ret;
}

/* A Content-Length that is a plain decimal number, else -1 (the edge's
 * rules then refuse it with 400 from the handler path). */
static long long declared_length(struct MHD_Connection *connection) {
    const char *v = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!v || !*v || strlen(v) > 18) return -1;
    long long n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        n = n * 10 + (*p - '0');
    }
    return n;
}

static enum MHD_Result guard_access(void *cls, struct MHD_Connection *connection, const char *url,
                                    const char *method, const char *version, const char *upload_data,
                                    size_t *upload_data_size, void **con_cls) {
    (void)cls;
    guard_conn *g = conn_of(connection);
    if (g && !g->headers_seen) { /* the headers are in, no body byte read yet */
        g->headers_seen = 1;
        if (declared_length(connection) > guard.max_body) return refuse_too_large(connection, "content_length");
    } else if (g && *upload_data_size > 0) {
        g->body_bytes += *upload_data_size;
        if (g->too_big || g->body_bytes > (uint64_t)guard.max_body) {
            g->too_big = 1;
            *upload_data_size = 0; /* consumed and dropped; the deadline bounds how long */
            return MHD_YES;
        }
    } else if (g) { /* the whole request is in */
        if (g->too_big) return refuse_too_large(connection, "body");
        set_phase(g, PHASE_HANDLING);
    }
    return guard.inner(guard.inner_cls, connection, url, method, version, upload_data, upload_data_size, con_cls);
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...) {
    guard.inner = dh;
    guard.inner_cls = dh_cls;
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d = MHD_start_daemon_va(flags, port, apc, apc_cls, guard_access, NULL, ap);
    va_end(ap);
    return d;
}

/* Every half second: shut down the sockets of requests past their deadline.
 * shutdown(), not close(): the connection's thread still owns the
 * descriptor; it sees the end of the stream and closes it itself. */
static void *reaper_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&guard.lock);
    while (!guard.stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&guard.wake, &guard.lock, &until);
        int64_t now = pc_mono_us();
        int cut_receiving = 0, cut_idle = 0;
        for (guard_conn *g = guard.conns; g; g = g->next) {
            int64_t limit = g->phase == PHASE_RECEIVING ? guard.receive_us
                            : g->phase == PHASE_IDLE    ? guard.idle_us
                                                        : 0;
            if (limit == 0 || now - g->since_us <= limit || g->fd < 0) continue;
            shutdown(g->fd, SHUT_RDWR);
            if (g->phase == PHASE_RECEIVING) cut_receiving++;
            else cut_idle++;
            g->fd = -1; /* once */
        }
        if (cut_receiving) pc_metrics_inc("pupns_http_slow_clients_total", "phase=\"receiving\"", cut_receiving);
        if (cut_idle) pc_metrics_inc("pupns_http_slow_clients_total", "phase=\"idle\"", cut_idle);
        if (cut_receiving) PC_DEBUG("cut %d connection(s) still sending a request after %lld s", cut_receiving,
                                    (long long)(guard.receive_us / 1000000));
    }
    pthread_mutex_unlock(&guard.lock);
    return NULL;
}

int gw_guard_start(long max_body, int receive_s, int idle_s) {
    guard.max_body = max_body;
    guard.receive_us = (int64_t)receive_s * 1000000;
    guard.idle_us = (int64_t)idle_s * 1000000;
    guard.stopping = 0;
    if (pthread_create(&guard.reaper, NULL, reaper_main, NULL) != 0) return -1;
    guard.running = 1;
    return 0;
}

void gw_guard_stop(void) {
    if (!guard.running) return;
    pthread_mutex_lock(&guard.lock);
    guard.stopping = 1;
    pthread_cond_signal(&guard.wake);
    pthread_mutex_unlock(&guard.lock);
    pthread_join(guard.reaper, NULL);
    guard.running = 0;
}
