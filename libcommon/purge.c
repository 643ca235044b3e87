/* purge.c -- periodic deletion of dead bookkeeping rows (purge.h). */
#include "purge.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lifecycle.h"
#include "log.h"
#include "metrics.h"
#include "pg.h"

struct pc_purge {
    pc_pg *db;
    const pc_purge_rule *rules;
    int n;
    int interval_s;
    pthread_t thread;
};

/* One rule, batch by batch; rows deleted or -1. */
static long purge_rule(pc_purge *p, const pc_purge_rule *r) {
    char sql[768];
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE ctid IN (SELECT ctid FROM %s WHERE %s LIMIT %d)", r->table,
             r->table, r->dead, PC_PURGE_BATCH);
    long total = 0;
    for (;;) {
        pc_status st;
        PGresult *res = pc_pg_exec(p->db, sql, 0, NULL, 1, &st);
        if (!res) return -1;
        long n = atol(PQcmdTuples(res));
        PQclear(res);
        total += n;
        if (n < PC_PURGE_BATCH || !pc_running()) break;
    }
    if (total > 0) {
        char labels[128];
        snprintf(labels, sizeof labels, "table=\"%s\"", r->table);
        pc_metrics_inc("pupns_purged_rows_total", labels, (double)total);
    }
    return total;
}

long pc_purge_pass(pc_purge *p) {
    long total = 0;
    for (int i = 0; i < p->n; i++) {
        long n = purge_rule(p, &p->rules[i]);
        if (n < 0) return -1;
        total += n;
    }
    return total;
}

static void *purge_main(void *arg) {
    pc_purge *p = arg;
    while (pc_running()) {
        long n = pc_purge_pass(p);
        if (n > 0) PC_INFO("purged %ld dead bookkeeping row(s)", n);
        else if (n < 0) PC_WARN("purge pass failed; the next one retries");
        for (int s = 0; s < 10 * p->interval_s && pc_running(); s++) usleep(100 * 1000);
    }
    return NULL;
}

pc_purge *pc_purge_start(const pc_config *cfg, const pc_purge_rule *rules, int n, char *errstr, size_t errlen) {
    pc_purge *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errstr, errlen, "out of memory");
        return NULL;
    }
    p->rules = rules;
    p->n = n;
    p->interval_s = cfg->purge_interval_s;
    p->db = pc_pg_connect(cfg->pg_url, 30000, errstr, errlen);
    if (!p->db || pthread_create(&p->thread, NULL, purge_main, p) != 0) {
        if (p->db) snprintf(errstr, errlen, "cannot start the purge thread");
        pc_pg_close(p->db);
        free(p);
        return NULL;
    }
    return p;
}

void pc_purge_stop(pc_purge *p) {
    if (!p) return;
    pthread_join(p->thread, NULL);
    pc_pg_close(p->db);
    free(p);
}
