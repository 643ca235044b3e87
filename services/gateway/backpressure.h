/* backpressure.h -- load shedding: the gateway refuses NEW work with 503 and
 * Retry-After when that work could not finish within its timeout, instead
 * of queueing it until every caller times out (an outage).
 *
 * Three classes of work, each with its own bound and timeout:
 *   registration  POST /api/v1/registrasi and POST /api/v1/auth/login (both
 *                 cost an argon2id hash on the registration service's
 *                 command workers); PUPNS_REG_MAX_INFLIGHT, PUPNS_REGISTRATION_TIMEOUT_MS
 *   lookup        GET /api/v1/pns/{nip}; PUPNS_QUERY_MAX_INFLIGHT, PUPNS_REQUEST_TIMEOUT_MS
 *   captcha       POST /api/v1/captcha;  PUPNS_QUERY_MAX_INFLIGHT, PUPNS_REQUEST_TIMEOUT_MS
 *
 * The drain rate of a class is measured by the gateway itself: completions
 * (a reply from the class's service) per second of busy time (time with at
 * least one request of the class in flight) over a sliding window of
 * GW_BP_WINDOW_S one-second buckets. Busy time rather than wall time, so
 * that a quiet minute does not read as a slow service. A new request of
 * the class is refused when
 *   - "inflight": max_inflight requests are already in flight;
 *   - "drain":    the rate is known (>= GW_BP_MIN_SAMPLES completions in
 *                 the window, or the last such rate after a quiet spell)
 *                 and (in flight + 1) / rate > the timeout;
 *   - "stalled":  nothing completed in the window, some calls timed out,
 *                 and work is still in flight (one probe at a time goes
 *                 through, so the class recovers by itself);
 *   - "lag":      registration only: the registration consumer group has
 *                 been backlogged through the window and its lag (commands
 *                 of EVERY gateway waiting in Kafka) divided by its commit
 *                 rate exceeds the timeout. A background thread polls the
 *                 group's committed offsets and the partitions' high
 *                 watermarks once a second (never per request); when that
 *                 is unknown (no group, no commits, broker unreachable) only
 *                 the in-flight rules apply.
 * Until a class has measured a rate at all (a gateway just started), only
 * its in-flight bound protects it: the defaults are chosen so that a full
 * bound drains well within the timeout on the reference machine.
 * Bounds are per gateway instance (each bounds its own in-flight work);
 * the lag is global. Retry-After is the estimated time for the backlog to
 * drain: ceil(in flight / rate) (here a rate from even one completion will
 * do; GW_BP_RETRY_DEFAULT_S without any), ceil(lag / commit rate) for
 * "lag", the timeout for "stalled"; at least 1 s, at most GW_BP_RETRY_MAX_S.
 *
 * Admission holds a slot until gw_bp_leave, on the same thread; calls made
 * in between report their outcome with gw_bp_observe (gw_call does). */
#ifndef GATEWAY_BACKPRESSURE_H
#define GATEWAY_BACKPRESSURE_H

#include "config.h"
#include "status.h"

#define GW_BP_WINDOW_S 10
#define GW_BP_MIN_SAMPLES 3
#define GW_BP_RETRY_MAX_S 300
#define GW_BP_RETRY_DEFAULT_S 5 /* when nothing better is known */

typedef enum {
    GW_BP_NONE = 0, /* not shed (every other route) */
    GW_BP_REGISTRATION,
    GW_BP_LOOKUP,
    GW_BP_CAPTCHA,
    GW_BP_CLASSES
} gw_bp_class;

typedef struct gw_bp gw_bp;

/* Reads bounds and timeouts from cfg and starts the lag poller (its own
 * Kafka handle). NULL only when out of memory; a poller that cannot start
 * is logged and the lag stays unknown. */
gw_bp *gw_bp_new(const pc_config *cfg);

/* 1: admitted, a slot of class k is held by this thread until gw_bp_leave.
 * 0: refused; *retry_after_s (1..GW_BP_RETRY_MAX_S) and *reason (a static
 * string: inflight, drain, stalled, lag) say why and for how long. */
int gw_bp_enter(gw_bp *bp, gw_bp_class k, int *retry_after_s, const char **reason);

/* Releases this thread's slot (no-op without one). */
void gw_bp_leave(gw_bp *bp);

/* Outcome of a call to `topic` made while this thread holds a slot: a
 * reply (PC_OK) completes the work, PC_ETIMEDOUT counts as a timeout.
 * Calls to other services than the slot's class are ignored. */
void gw_bp_observe(const char *topic, pc_status st);

/* Retry-After for an answer of this thread's request (its class's drain
 * estimate), GW_BP_RETRY_DEFAULT_S when unknown or outside a slot. */
int gw_bp_retry_hint(void);

/* For /metrics: completions per busy second of a class (0: unknown), the
 * registration group's lag (-1: unknown) and commit rate (0: unknown). */
double gw_bp_drain_rate(gw_bp *bp, gw_bp_class k);
double gw_bp_reg_lag(gw_bp *bp);
double gw_bp_reg_commit_rate(gw_bp *bp);

/* Stops the poller. NULL is fine. */
void gw_bp_free(gw_bp *bp);

#endif
