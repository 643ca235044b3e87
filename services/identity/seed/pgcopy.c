/* pgcopy.c -- statements and COPY streaming for pupns-seed (see pgcopy.h). */
#include "pgcopy.h"

#include <stdio.h>
#include <stdlib.h>

#include "util.h"

int seed_pg_ok(PGconn *pg, PGresult *res, const char *what)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return 0;
    fprintf(stderr, "seed: %s failed: %s", what,
            res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
    return -1;
}

int seed_pg_exec(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    int rc = seed_pg_ok(pg, res, sql);
    PQclear(res);
    return rc;
}

int seed_copy_begin(seed_copy *c, PGconn *pg, const char *sql)
{
    c->pg = pg;
    c->len = 0;
    c->what = sql;
    c->buf = seed_xmalloc(SEED_COPY_BUF_SIZE);
    PGresult *res = PQexec(pg, sql);
    int ok = res && PQresultStatus(res) == PGRES_COPY_IN;
    if (!ok)
        fprintf(stderr, "seed: %s failed: %s", sql, res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
    PQclear(res);
    if (!ok) {
        free(c->buf);
        c->buf = NULL;
    }
    return ok ? 0 : -1;
}

int seed_copy_flush(seed_copy *c)
{
    if (c->len && PQputCopyData(c->pg, c->buf, (int)c->len) != 1) {
        fprintf(stderr, "seed: sending COPY data failed: %s", PQerrorMessage(c->pg));
        return -1;
    }
    c->len = 0;
    return 0;
}

int seed_copy_end(seed_copy *c, const char *abort_msg)
{
    int rc = abort_msg ? -1 : seed_copy_flush(c);
    free(c->buf);
    c->buf = NULL;
    if (PQputCopyEnd(c->pg, rc == 0 ? NULL : (abort_msg ? abort_msg : "client error")) != 1) {
        fprintf(stderr, "seed: ending COPY failed: %s", PQerrorMessage(c->pg));
        rc = -1;
    }
    PGresult *res;
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (rc == 0 && seed_pg_ok(c->pg, res, c->what) != 0)
            rc = -1;
        PQclear(res);
    }
    return rc;
}
