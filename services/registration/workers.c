/* workers.c -- the registration commands (submit, login, recovery) on libcommon's
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

typedef pc_status (*command_fn)(registration_ctx *, pc_pg *, const pc_event *, json_t **);

/* Every command this consumer handles: its type, its reply's, its handler. */
static const struct {
    pc_serve_route route;
    command_fn fn;
} commands[] = {
    { { PC_TYPE_REG_SUBMIT, PC_TYPE_REG_SUBMIT_REPLY }, registration_submit },
    { { PC_TYPE_REG_LOGIN, PC_TYPE_REG_LOGIN_REPLY }, registration_login },
    { { PC_TYPE_REG_PW_RESET, PC_TYPE_REG_PW_RESET_REPLY }, registration_password_reset },
    { { PC_TYPE_REG_PW_FORGOT, PC_TYPE_REG_PW_FORGOT_REPLY }, registration_password_forgot },
    { { PC_TYPE_REG_PW_TOKEN_RESET, PC_TYPE_REG_PW_TOKEN_RESET_REPLY }, registration_password_token_reset },
    { { PC_TYPE_REG_PW_CHANGE, PC_TYPE_REG_PW_CHANGE_REPLY }, registration_password_change },
    { { PC_TYPE_REG_STATUS_CHECK, PC_TYPE_REG_STATUS_CHECK_REPLY }, registration_status_check },
    { { PC_TYPE_REG_STATUS_MAIL, PC_TYPE_REG_STATUS_MAIL_REPLY }, registration_status_mail },
    { { PC_TYPE_REG_EMAIL_VERIFY, PC_TYPE_REG_EMAIL_VERIFY_REPLY }, registration_email_verify },
    { { PC_TYPE_REG_EMAIL_CHANGE, PC_TYPE_REG_EMAIL_CHANGE_REPLY }, registration_email_change },
    { { PC_TYPE_REG_EMAIL_RESEND, PC_TYPE_REG_EMAIL_RESEND_REPLY }, registration_email_resend },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The serve loop's handler for one command. */
static pc_status run_command(void *arg, const pc_event *ev, json_t **reply) {
    worker_state *w = arg;
    int64_t t0 = pc_mono_us();
    pc_status st = PC_EINVAL; /* the loop routes only the types above */
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(ev->type, commands[i].route.type) == 0) {
            st = commands[i].fn(w->ctx, w->db, ev, reply);
            break;
        }
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
    static pc_serve_route routes[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++) routes[i] = commands[i].route;
    const char *topics[] = { PC_TOPIC_REG_COMMANDS };
    pc_serve_spec spec = {
        .name = "commands",
        .group = "pupns-registration",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = NCOMMANDS,
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
