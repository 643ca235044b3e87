/* pg.c -- reconnecting libpq wrapper. */
#include "pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

struct pc_pg {
    PGconn *conn;
    char sqlstate[6];
    /* The connection broke inside a transaction: it is gone, so every
     * statement fails until the caller's ROLLBACK (or a new BEGIN) — never
     * may the rest of it run, or COMMIT "succeed", on a fresh session. */
    int tx_lost;
};

static void quiet_notices(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* Connects with bounded waits: no connect, idle peer or statement can
 * block a worker for the TCP timeout. The URL's own settings win. */
static PGconn *open_conn(const char *url) {
    const char *const keys[] = { "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                                 "keepalives_count", "options", "dbname", NULL };
    const char *const vals[] = { "5", "1", "30", "10", "3", "-c statement_timeout=30000", url, NULL };
    return PQconnectdbParams(keys, vals, 1);
}

pc_pg *pc_pg_connect(const char *url, int wait_ms, char *errstr, size_t errlen) {
    /* libpq quotes the offending token of a malformed URL, which may be the
     * password: check the syntax first and say nothing of its content. */
    char *parse_err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &parse_err);
    PQconninfoFree(opts);
    PQfreemem(parse_err);
    if (!opts) {
        snprintf(errstr, errlen, "PUPNS_PG_URL is not a valid PostgreSQL URL");
        return NULL;
    }
    pc_pg *db = calloc(1, sizeof *db);
    if (!db) return NULL;
    for (int waited = 0;; waited += 200) {
        db->conn = open_conn(url);
        if (PQstatus(db->conn) == CONNECTION_OK) break;
        if (waited >= wait_ms) {
            /* Connection errors name host and port, never the password. */
            snprintf(errstr, errlen, "%s", PQerrorMessage(db->conn));
            errstr[strcspn(errstr, "\n")] = '\0';
            PQfinish(db->conn);
            free(db);
            return NULL;
        }
        PQfinish(db->conn);
        usleep(200 * 1000);
    }
    PQsetNoticeProcessor(db->conn, quiet_notices, NULL);
    return db;
}

/* Resets a broken connection; 1 when it is usable again. */
static int pg_recover(pc_pg *db) {
    if (PQstatus(db->conn) == CONNECTION_OK) return 1;
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK) return 0;
    PQsetNoticeProcessor(db->conn, quiet_notices, NULL);
    PC_INFO("reconnected to PostgreSQL");
    return 1;
}

PGresult *pc_pg_exec(pc_pg *db, const char *sql, int nparams, const char *const *params,
                     int idempotent, pc_status *st) {
    db->sqlstate[0] = '\0';
    if (db->tx_lost) {
        if (strncmp(sql, "ROLLBACK", 8) != 0 && strncmp(sql, "BEGIN", 5) != 0) {
            *st = PC_EUNAVAIL;
            return NULL;
        }
        db->tx_lost = 0;
        if (sql[0] == 'R') { /* the transaction died with the connection */
            *st = PC_OK;
            return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
        }
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!pg_recover(db)) break;
        int in_tx = PQtransactionStatus(db->conn) != PQTRANS_IDLE;
        PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
        ExecStatusType rs = PQresultStatus(res);
        if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK) {
            *st = PC_OK;
            return res;
        }
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        snprintf(db->sqlstate, sizeof db->sqlstate, "%s", state ? state : "");
        int broken = PQstatus(db->conn) != CONNECTION_OK;
        if (!broken) {
            /* Primary message only: DETAIL may quote a whole row (hashes). */
            const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
            PC_WARN("statement failed (%s): %s", db->sqlstate, msg ? msg : "");
            PQclear(res);
            *st = PC_ERROR;
            return NULL;
        }
        PQclear(res);
        if (in_tx) {
            db->tx_lost = 1;
            break;
        }
        if (!idempotent) break;
    }
    *st = PC_EUNAVAIL;
    return NULL;
}

const char *pc_pg_last_sqlstate(const pc_pg *db) { return db->sqlstate; }

PGconn *pc_pg_conn(pc_pg *db) { return db->conn; }

void pc_pg_close(pc_pg *db) {
    if (!db) return;
    PQfinish(db->conn);
    free(db);
}

void *pc_pg_worker_open(void *pg_url, int index, char *errstr, size_t errlen) {
    (void)index;
    return pc_pg_connect(pg_url, 30000, errstr, errlen);
}

void pc_pg_worker_close(void *db) { pc_pg_close(db); }
