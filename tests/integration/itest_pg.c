/* itest_pg.c -- the reconnecting PostgreSQL wrapper against the real server:
 * a connection killed by the server (as in a restart) is replaced for the
 * next idempotent statement, and a transaction it was in never continues on
 * the new session: everything up to the caller's ROLLBACK fails.
 *   itest_pg IGNORED   (env PG_PORT: the test stack's PostgreSQL) -- TAP */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"

static int tap_n;
static void tap(int ok, const char *name) { printf("%sok %d - %s\n", ok ? "" : "not ", ++tap_n, name); }

/* Terminates victim's backend from another session, like a server restart would. */
static void kill_backend(pc_pg *admin, pc_pg *victim) {
    char pid[16];
    snprintf(pid, sizeof pid, "%d", PQbackendPID(pc_pg_conn(victim)));
    const char *params[] = { pid };
    pc_status st;
    PQclear(pc_pg_exec(admin, "SELECT pg_terminate_backend($1::int)", 1, params, 0, &st));
}

static pc_status run(pc_pg *db, const char *sql, int idempotent) {
    pc_status st;
    PQclear(pc_pg_exec(db, sql, 0, NULL, idempotent, &st));
    return st;
}

int main(void) {
    const char *port = getenv("PG_PORT");
    char url[128], err[256];
    snprintf(url, sizeof url, "postgresql://postgres@127.0.0.1:%s/pupns", port ? port : "25401");
    pc_log_init("itest", PC_LOG_ERROR);
    pc_pg *admin = pc_pg_connect(url, 5000, err, sizeof err);
    pc_pg *db = pc_pg_connect(url, 5000, err, sizeof err);
    tap(admin && db, "connects");
    if (!admin || !db) return 1;

    kill_backend(admin, db);
    tap(run(db, "SELECT 1", 1) == PC_OK, "an idempotent statement survives a killed connection");

    tap(run(db, "BEGIN", 0) == PC_OK && run(db, "CREATE TEMP TABLE t (x int)", 0) == PC_OK,
        "a transaction starts");
    kill_backend(admin, db);
    tap(run(db, "INSERT INTO t VALUES (1)", 1) == PC_EUNAVAIL,
        "inside a transaction a killed connection is not retried, even when idempotent");
    tap(run(db, "SELECT 1", 1) == PC_EUNAVAIL, "later statements of the lost transaction fail");
    tap(run(db, "COMMIT", 0) == PC_EUNAVAIL, "its COMMIT fails instead of succeeding on a new session");
    tap(run(db, "ROLLBACK", 0) == PC_OK, "the caller's ROLLBACK ends it");
    tap(run(db, "SELECT 1", 1) == PC_OK, "the next statement runs on a fresh connection");

    pc_status st;
    const char *params[] = { "x'); DROP TABLE pg_class; --" };
    PGresult *res = pc_pg_exec(db, "SELECT $1::text", 1, params, 1, &st);
    tap(st == PC_OK && res && strcmp(PQgetvalue(res, 0, 0), params[0]) == 0, "parameters are data, never SQL");
    PQclear(res);
    tap(run(db, "SELECT * FROM no_such_table", 1) == PC_ERROR && strcmp(pc_pg_last_sqlstate(db), "42P01") == 0,
        "a failing statement reports PC_ERROR and its SQLSTATE");
    pc_pg_close(db);
    pc_pg_close(admin);
    tap(pc_pg_connect("postgresql://u:s3cr%t@127.0.0.1:1/x", 0, err, sizeof err) == NULL && !strstr(err, "s3cr"),
        "a malformed URL is refused without quoting it");
    return 0;
}
