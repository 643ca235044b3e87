/* throttle.c -- per-NIP failure counters, shared by login
 * (registration.login_throttle) and recovery (recovery_throttle). Failures
 * count within the hour that began with the first of them; after it the
 * count starts over, so old failures do not keep a NIP one guess away from
 * a brake. Recovery locks: LOCK_AFTER failures lock the NIP for
 * LOCK_FIRST_S, each further one doubles the lock up to LOCK_MAX_S. Login
 * only counts (login.c asks for a captcha instead of locking, so nobody can
 * lock the owner out). Unknown NIPs are counted like known ones, so neither
 * tells anything about who registered. */
#include <stdio.h>
#include <stdlib.h>

#include "registration.h"

#define LOCK_AFTER 5
#define LOCK_FIRST_S 30
#define LOCK_MAX_S 3600
#define FAILURE_WINDOW_S 3600

/* The one number the statement returns for nip (0 without a row), or -1
 * with *st on a database error. */
static long one_number(pc_pg *db, const char *sql, const char *nip, int idempotent, pc_status *st) {
    const char *params[] = { nip };
    PGresult *res = pc_pg_exec(db, sql, 1, params, idempotent, st);
    if (!res) return -1;
    long n = PQntuples(res) ? atol(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    return n;
}

/* Counts one failure within the window. lock: also (re)computes the
 * lock-out and returns its seconds; else clears any and returns the count. */
static long note_failure(pc_pg *db, const char *table, const char *nip, int lock, pc_status *st) {
    char locked_until[256], sql[1024];
    if (lock)
        snprintf(locked_until, sizeof locked_until,
                 "CASE WHEN t.window_start >= now() - make_interval(secs => %d) AND t.failures + 1 >= %d"
                 " THEN now() + make_interval(secs => least(%d, %d * power(2, t.failures + 1 - %d))) END",
                 FAILURE_WINDOW_S, LOCK_AFTER, LOCK_MAX_S, LOCK_FIRST_S, LOCK_AFTER);
    else
        snprintf(locked_until, sizeof locked_until, "NULL");
    snprintf(sql, sizeof sql,
             "INSERT INTO registration.%s AS t (nip, failures, window_start) VALUES ($1, 1, now())"
             " ON CONFLICT (nip) DO UPDATE SET"
             " failures = CASE WHEN t.window_start < now() - make_interval(secs => %d) THEN 1 ELSE t.failures + 1 END,"
             " window_start = CASE WHEN t.window_start < now() - make_interval(secs => %d) THEN now()"
             " ELSE t.window_start END, locked_until = %s RETURNING %s::bigint",
             table, FAILURE_WINDOW_S, FAILURE_WINDOW_S, locked_until,
             lock ? "coalesce(ceil(extract(epoch FROM locked_until - now())), 0)" : "failures");
    return one_number(db, sql, nip, 0, st);
}

long registration_throttle_locked(pc_pg *db, const char *table, const char *nip, pc_status *st) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT ceil(extract(epoch FROM locked_until - now()))::bigint"
             " FROM registration.%s WHERE nip = $1 AND locked_until > now()", table);
    return one_number(db, sql, nip, 1, st);
}

long registration_throttle_fail(pc_pg *db, const char *table, const char *nip, pc_status *st) {
    long secs = note_failure(db, table, nip, 1, st);
    return secs < 0 ? 0 : secs; /* callers read the error in *st */
}

pc_status registration_throttle_clear(pc_pg *db, const char *table, const char *nip) {
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM registration.%s WHERE nip = $1", table);
    const char *params[] = { nip };
    pc_status st;
    PGresult *res = pc_pg_exec(db, sql, 1, params, 0, &st);
    PQclear(res);
    return st;
}

long registration_throttle_failures(pc_pg *db, const char *table, const char *nip, pc_status *st) {
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT failures FROM registration.%s WHERE nip = $1"
             " AND window_start >= now() - make_interval(secs => %d)", table, FAILURE_WINDOW_S);
    return one_number(db, sql, nip, 1, st);
}

long registration_throttle_count(pc_pg *db, const char *table, const char *nip, pc_status *st) {
    return note_failure(db, table, nip, 0, st);
}
