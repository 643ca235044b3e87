/* main.c -- the gateway: the only HTTP entry point (REST API and web portal). */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>

#include "envelope.h"
#include "client_address.h"
#include "gateway.h"
#include "http_guard.h"
#include "ids.h"
#include "lifecycle.h"
#include "log.h"
#include "service.h"
#include "metrics.h"

#define SERVICE "gateway"

static double inflight_gauge(void *arg) { return pc_rpc_inflight(arg); }
static double late_gauge(void *arg) { return (double)pc_rpc_late_replies(arg); }
static double drain_reg_gauge(void *arg) { return gw_bp_drain_rate(arg, GW_BP_REGISTRATION); }
static double drain_lookup_gauge(void *arg) { return gw_bp_drain_rate(arg, GW_BP_LOOKUP); }
static double drain_captcha_gauge(void *arg) { return gw_bp_drain_rate(arg, GW_BP_CAPTCHA); }
static double lag_gauge(void *arg) { return gw_bp_reg_lag(arg); }
static double commit_rate_gauge(void *arg) { return gw_bp_reg_commit_rate(arg); }

static void backpressure_gauges(gw_bp *bp) {
    pc_metrics_gauge("pupns_gateway_drain_rate_registration",
                     "registrations+logins completed per busy second (0: not known yet)", drain_reg_gauge, bp);
    pc_metrics_gauge("pupns_gateway_drain_rate_lookup", "look-ups completed per busy second (0: not known yet)",
                     drain_lookup_gauge, bp);
    pc_metrics_gauge("pupns_gateway_drain_rate_captcha", "captchas issued per busy second (0: not known yet)",
                     drain_captcha_gauge, bp);
    pc_metrics_gauge("pupns_registration_consumer_lag",
                     "registration commands waiting in Kafka, all gateways (-1: unknown)", lag_gauge, bp);
    pc_metrics_gauge("pupns_registration_commit_rate",
                     "commands/s the registration group commits while backlogged (0: not known)",
                     commit_rate_gauge, bp);
}

/* libmicrohttpd's own messages, as our JSON log lines. */
static void mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    pc_log_write(PC_LOG_WARN, "libmicrohttpd", "%s", msg);
}

static int start_http(struct _u_instance *instance, gw_ctx *gw, struct sockaddr_in *addr) {
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)gw->cfg.http_port);
    if (inet_pton(AF_INET, gw->cfg.http_bind, &addr->sin_addr) != 1) {
        PC_ERROR("PUPNS_HTTP_BIND %s is not an IPv4 address", gw->cfg.http_bind);
        return -1;
    }
    if (ulfius_init_instance(instance, (unsigned)gw->cfg.http_port, addr, NULL) != U_OK) return -1;
    instance->max_post_body_size = (size_t)gw->cfg.http_max_body;
    instance->max_post_param_size = (size_t)gw->cfg.http_max_body;
    if (gw_routes_register(instance, gw) != 0) return -1;
    /* Thread per connection: handlers block on Kafka replies, so a small
     * event-loop pool would stall; the connection limit bounds the threads. */
    struct MHD_OptionItem ops[] = {
        { MHD_OPTION_CONNECTION_LIMIT, gw->cfg.http_max_connections, NULL },
        { MHD_OPTION_PER_IP_CONNECTION_LIMIT, gw->cfg.http_max_per_address, NULL },
        { MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, gw->cfg.http_conn_timeout_s, NULL },
        { MHD_OPTION_SOCK_ADDR, 0, addr },
        { MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL },
        /* ulfius' two required callbacks, wrapped by the guard (http_guard.h). */
        { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)gw_guard_request_completed, NULL },
        { MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)gw_guard_uri_logger, NULL },
        { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)gw_guard_notify_connection, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    /* poll(), not select(): no ceiling at FD_SETSIZE (1024) descriptors. */
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_USE_ERROR_LOG;
    if (gw_guard_start(gw->cfg.http_max_body, gw->cfg.http_receive_timeout_s, gw->cfg.http_conn_timeout_s) != 0)
        return -1;
    if (ulfius_start_framework_with_mhd_options(instance, flags, ops) == U_OK) return 0;
    gw_guard_stop();
    return -1;
}

int main(int argc, char **argv) {
    char err[512];
    gw_ctx gw = { 0 };
    int early = pc_service_init(argc, argv, SERVICE, "REST API and web portal", &gw.cfg);
    if (early >= 0) return early;

    int rc = 1, http_started = 0;
    struct _u_instance instance;
    struct sockaddr_in addr;
    if (gw_trusted_proxies_init(gw.cfg.trusted_proxies, err, sizeof err) != PC_OK) {
        PC_ERROR("%s", err);
        goto out;
    }
    gw.producer = pc_producer_new(&gw.cfg, PC_PRODUCER_LOW_LATENCY, err, sizeof err);
    if (!gw.producer) {
        PC_ERROR("producer: %s", err);
        goto out;
    }
    if (pc_config_key(gw.cfg.reg_public_key, gw.reg_public_key) != PC_OK ||
        pc_config_key(gw.cfg.flow_key, gw.flow_key) != PC_OK) {
        PC_ERROR("PUPNS_REGISTRATION_PUBLIC_KEY and PUPNS_FLOW_KEY must each be 64 hex digits "
                 "(pupns-ctl keygen makes them)");
        goto out;
    }
    /* One Redis connection per few HTTP threads is plenty for INCRs. */
    gw.limiter = gw_limiter_new(gw.cfg.redis_url, 16);
    if (!gw.limiter) goto out;
    gw.rpc = pc_rpc_new(&gw.cfg, gw.producer, err, sizeof err);
    if (!gw.rpc) {
        PC_ERROR("reply channel: %s", err);
        goto out;
    }
    pc_metrics_gauge("pupns_kafka_inflight_requests", "requests waiting for a Kafka reply",
                     inflight_gauge, gw.rpc);
    pc_metrics_gauge("pupns_kafka_late_replies", "replies that came after their caller gave up",
                     late_gauge, gw.rpc);
    gw.bp = gw_bp_new(&gw.cfg);
    if (!gw.bp) goto out;
    backpressure_gauges(gw.bp);
    if (start_http(&instance, &gw, &addr) != 0) {
        PC_ERROR("cannot listen on %s:%d", gw.cfg.http_bind, gw.cfg.http_port);
        ulfius_clean_instance(&instance);
        goto out;
    }
    http_started = 1;
    PC_INFO("listening on http://%s:%d/", gw.cfg.http_bind, gw.cfg.http_port);
    pc_lifecycle_wait();
    rc = 0;
out:
    if (http_started) {
        ulfius_stop_framework(&instance);
        ulfius_clean_instance(&instance);
        gw_guard_stop();
    }
    gw_bp_free(gw.bp);
    pc_rpc_free(gw.rpc);
    pc_producer_free(gw.producer);
    gw_limiter_free(gw.limiter);
    sodium_memzero(gw.flow_key, sizeof gw.flow_key);
    sodium_memzero(gw.cfg.flow_key, sizeof gw.cfg.flow_key);
    pc_metrics_reset();
    PC_INFO("stopped");
    return rc;
}
