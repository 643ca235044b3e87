/* deliver.c -- one notice to one mail, on the serve loop.
 *
 * Exactly one mail per event id: notify.mail says whether the event's mail
 * was sent; a notice delivered again (restart, rebalance, SIGKILL before
 * its offset was committed) whose row says 'sent' is only acknowledged.
 * The row is written by one autocommit statement sent right after the
 * server's 250 to the data. What remains is the window between the server
 * storing the message (before its 250) and the statement's bytes reaching
 * PostgreSQL: the 250's way back, curl returning, two function calls, one
 * send() -- no round trip of ours; the commit's fsync is after it, and a
 * statement the server has received commits even if this process dies
 * (0.7 ms median on the local stack, mostly the sink's own; docs/MAIL.md).
 * A SIGKILL inside that window sends the mail again
 * at the next delivery, with the same Message-ID, so a receiving system
 * that de-duplicates on it drops the copy. SMTP has no way to ask a server
 * whether it already has a message, so no client can close the window.
 * If PostgreSQL is down just after a 250, the mark is retried here (the
 * mail is not sent again) until it is written or the service stops.
 *
 * Retries: the serve loop gives an event without a reply no budget: a
 * PC_EUNAVAIL comes back after a backoff (100 ms doubling to 5 s) for as
 * long as it takes, without losing its place in the partition, so an SMTP
 * outage of any length loses nothing. notify bounds it itself, counting
 * failed attempts in notify.mail (so a restart does not reset them): a
 * refusal for good (5xx, e.g. 550 no such mailbox) is tried
 * PUPNS_NOTIFY_REFUSED_ATTEMPTS times; a 4xx about the message (greylisting,
 * a full mailbox) for PUPNS_NOTIFY_DEFERRED_FOR_S (15 min) since the first
 * failure, since it holds up its partition meanwhile; a server that cannot
 * be reached at all (no connection, TLS, timeouts, 421), which holds up
 * every partition alike, for PUPNS_NOTIFY_RETRY_FOR_S (a day).
 * Then the row says 'failed' and the handler answers PC_EINVAL, so the
 * serve loop writes the notice to pupns.deadletter (reason invalid_data,
 * with its partition and offset) and commits it only once the brokers have
 * that record. A retried notice holds up those behind it in its partition
 * (their order is the order of one PNS's notices); other partitions go on
 * in the other workers. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "contract.h"
#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "serve.h"

static void count(notice_kind k, const char *result) {
    char labels[96];
    snprintf(labels, sizeof labels, "type=\"%s\",result=\"%s\"", notify_kind_name(k), result);
    pc_metrics_inc("pupns_notify_mails_total", labels, 1);
}

void notify_metrics_init(void) {
    static const char *const results[] = { "sent", "failed", "retrying" };
    char labels[96];
    for (int k = 0; k < NOTICE_NTYPES; k++)
        for (size_t r = 0; r < sizeof results / sizeof results[0]; r++) {
            snprintf(labels, sizeof labels, "type=\"%s\",result=\"%s\"", notify_kind_name((notice_kind)k), results[r]);
            pc_metrics_inc("pupns_notify_mails_total", labels, 0);
        }
}

/* The server has the mail: record it, however long PostgreSQL takes to
 * come back (sending it again would be the duplicate this table exists
 * to prevent). PC_OK, or PC_EUNAVAIL when the service stopped first. */
static pc_status mark_sent(notify_worker *w, const pc_event *ev, const notify_notice *n) {
    int wait_ms = 100;
    for (;;) {
        pc_status st = notify_store_sent(w->db, ev->id, ev->type, n->nip);
        if (st == PC_OK) return PC_OK;
        if (!pc_running()) {
            PC_ERROR("mail of %s was sent but could not be recorded before the stop: it will be sent again", ev->id);
            return PC_EUNAVAIL;
        }
        PC_WARN("mail of %s was sent; recording it failed (%s), retrying in %d ms", ev->id, pc_status_name(st), wait_ms);
        for (int slept = 0; slept < wait_ms && pc_running(); slept += 50) usleep(50 * 1000);
        wait_ms = wait_ms * 2 > 5000 ? 5000 : wait_ms * 2;
    }
}

/* A failed attempt: counted; given up when its retries are spent. */
static pc_status attempt_failed(notify_worker *w, const pc_event *ev, const notify_notice *n,
                                const notify_record *rec, pc_status how, const notify_smtp_result *r) {
    const notify_settings *s = &w->ctx->set;
    int attempts = rec->attempts + 1;
    int bound_s = r->deferred ? s->deferred_for_s : s->retry_for_s;
    int final = how == PC_EDENIED ? attempts >= s->refused_attempts
                                  : rec->state == MAIL_PENDING && rec->failing_for_s >= bound_s;
    char error[320];
    snprintf(error, sizeof error, "%s%s (reply %ld)", how == PC_EDENIED ? "refused: " : r->deferred ? "deferred: " : "",
             r->error, r->code);
    pc_status st = notify_store_failure(w->db, ev->id, ev->type, n->nip, final, error);
    if (st != PC_OK) return PC_EUNAVAIL; /* not counted: the same attempt comes again */
    if (final) {
        count(n->kind, "failed");
        PC_WARN("%s mail of %s given up after %d attempt(s): %s; to the dead letters", notify_kind_name(n->kind),
                ev->id, attempts, error);
        return PC_EINVAL;
    }
    count(n->kind, "retrying");
    PC_WARN("%s mail of %s not sent (attempt %d): %s; retrying", notify_kind_name(n->kind), ev->id, attempts, error);
    return PC_EUNAVAIL;
}

pc_status notify_deliver(notify_worker *w, const pc_event *ev) {
    notify_ctx *ctx = w->ctx;
    char err[160];
    notify_notice n;
    pc_status st = notify_notice_parse(ev, ctx->pk, ctx->sk, &n, err, sizeof err);
    if (st != PC_OK) {
        PC_WARN("notice %s (%s) refused: %s", ev->id, ev->type, err);
        if (st == PC_EINVAL && n.kind < NOTICE_NTYPES) count(n.kind, "failed");
        return st;
    }
    notify_record rec;
    if ((st = notify_store_get(w->db, ev->id, &rec)) != PC_OK) goto out;
    if (rec.state == MAIL_SENT) {
        PC_INFO("%s mail of %s was sent before; nothing to do", notify_kind_name(n.kind), ev->id);
        goto out;
    }
    if (rec.state == MAIL_FAILED) {
        /* Given up earlier; its dead letter may not have reached the brokers. */
        st = PC_EINVAL;
        goto out;
    }
    notify_content c;
    notify_buf msg = { 0 };
    if ((st = notify_render(&ctx->set, &n, &c)) != PC_OK) goto out;
    st = notify_mime_message(&ctx->set, ev->id, ev->type, &n, &c, (long long)time(NULL), &msg);
    notify_content_free(&c);
    if (st != PC_OK) {
        if (st == PC_EINVAL) {
            PC_WARN("notice %s: its id cannot be a Message-ID", ev->id);
            count(n.kind, "failed");
        }
        notify_buf_free(&msg);
        goto out;
    }
    notify_smtp_result r;
    pc_status sent = notify_smtp_send(w->smtp, n.to, msg.p, msg.len, &r);
    if (sent == PC_OK) {
        st = mark_sent(w, ev, &n); /* first thing after the 250: see the top of this file */
        if (st == PC_OK) {
            count(n.kind, "sent");
            PC_INFO("%s mail of %s sent (nip %s)", notify_kind_name(n.kind), ev->id, n.nip);
        }
    } else {
        st = attempt_failed(w, ev, &n, &rec, sent, &r);
    }
    notify_buf_free(&msg);
out:
    notify_notice_clear(&n);
    return st;
}

static pc_status handle(void *w, const pc_event *ev, json_t **reply) {
    (void)reply;
    return notify_deliver(w, ev);
}

static void *worker_open(void *arg, int index, char *errstr, size_t errlen) {
    (void)index;
    notify_ctx *ctx = arg;
    notify_worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    w->ctx = ctx;
    if (!(w->smtp = notify_smtp_new(&ctx->set))) {
        snprintf(errstr, errlen, "libcurl could not make an SMTP handle");
        free(w);
        return NULL;
    }
    if (!(w->db = pc_pg_connect(ctx->cfg.pg_url, 30000, errstr, errlen))) {
        notify_smtp_free(w->smtp);
        free(w);
        return NULL;
    }
    return w;
}

static void worker_close(void *arg) {
    notify_worker *w = arg;
    notify_smtp_free(w->smtp);
    pc_pg_close(w->db);
    free(w);
}

pc_status notify_serve(notify_ctx *ctx) {
    static const pc_serve_route routes[] = {
        { PC_TYPE_REG_NOTICE_WELCOME, NULL },       { PC_TYPE_REG_NOTICE_EMAIL_VERIFY, NULL },
        { PC_TYPE_REG_NOTICE_EMAIL_CHANGED, NULL }, { PC_TYPE_REG_NOTICE_RESET_LINK, NULL },
        { PC_TYPE_REG_NOTICE_PASSWORD_RESET, NULL }, { PC_TYPE_REG_NOTICE_STATUS_MAIL, NULL },
    };
    const char *topics[] = { PC_TOPIC_REG_NOTICES };
    pc_serve_spec spec = {
        .name = "notices",
        .group = "pupns-notify",
        .topics = topics,
        .ntopics = 1,
        .routes = routes,
        .nroutes = sizeof routes / sizeof routes[0],
        .handle = handle,
        .workers = ctx->set.workers,
        .batch_max = 16,
        .worker_open = worker_open,
        .worker_close = worker_close,
        .ctx = ctx,
        .producer = ctx->producer,
    };
    return pc_serve_run(&ctx->cfg, &spec);
}
