/* workers.c -- the registration commands (submit, login) on libcommon's
 * serve loop: a partition always goes to the same worker, so commands for
 * one NIP run one at a time and in order, while password hashing uses
 * every core. Each worker has its own database connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract.h"
#include "ids.h"
#include "log.h"
#include "metrics.h"
#include "registration.h"
#include "serve.h"

#define TYPE_PREFIX_LEN (sizeof "id.go.bkn.pupns." - 1) /* every command type starts so */

typedef struct {
    registration_ctx *ctx;
    pc_pg *db;
} worker_state;

/* The serve loop's handler for one command. */
static pc_status run_command(void *arg, const pc_event *ev, json_t **reply) {
    worker_state *w = arg;
    int64_t t0 = pc_mono_us();
    pc_status st = strcmp(ev->type, PC_TYPE_REG_SUBMIT) == 0 ? registration_submit(w->ctx, w->db, ev, reply)
                                                             : registration_login(w->ctx, w->db, ev, reply);
    char labels[96];
    snprintf(labels, sizeof labels, "type=\"%s\"", ev->type + TYPE_PREFIX_LEN);
    pc_metrics_observe("pupns_registration_command_seconds", labels, (double)(pc_mono_us() - t0) / 1e6);
    return st;
}

static void *worker_open(void *arg, int index, char *errstr, size_t errlen) {
    (void)index;
    registration_ctx *ctx = arg;
    worker_state *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    w->ctx = ctx;
    w->db = pc_pg_connect(ctx->cfg.pg_url, 30000, errstr, errlen);
    if (!w->db) {
        free(w);
        return NULL;
    }
    return w;
}

static void worker_close(void *arg) {
    worker_state *w = arg;
    pc_pg_close(w->db);
    free(w);
}

/* Two per CPU by default: while one worker waits for its database commit
 * or the broker, the other keeps the core busy hashing (measured: 2 workers
 * on 2 cores reached 71 registrations/s, 4 reached 85). */
static int worker_count(const pc_config *cfg) {
    if (cfg->workers > 0) return cfg->workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? 2 * (int)n : 2;
}

pc_status registration_serve_commands(registration_ctx *ctx) {
    static const pc_serve_route routes[] = {
        { PC_TYPE_REG_SUBMIT, PC_TYPE_REG_SUBMIT_REPLY },
        { PC_TYPE_REG_LOGIN, PC_TYPE_REG_LOGIN_REPLY },
    };
    const char *topics[] = { PC_TOPIC_REG_COMMANDS };
    pc_serve_spec spec = {
        .name = "commands",
        .group = "pupns-registration",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = 2,
        .handle = run_command,
        .workers = worker_count(&ctx->cfg),
        .batch_max = 16,
        .worker_open = worker_open,
        .worker_close = worker_close,
        .ctx = ctx,
        .producer = ctx->replies,
    };
    return pc_serve_run(&ctx->cfg, &spec);
}
