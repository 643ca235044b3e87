/* store.c -- the notify schema: per event id, whether its mail was sent,
 * is being retried, or was given up (infra/sql/010_notify.sql). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

pc_status notify_store_get(pc_pg *db, const char *event_id, notify_record *rec) {
    memset(rec, 0, sizeof *rec);
    const char *params[] = { event_id };
    pc_status st;
    PGresult *res = pc_pg_exec(db,
                               "SELECT state, attempts, coalesce(extract(epoch FROM now() - first_failure_at),"
                               " 0)::bigint FROM notify.mail WHERE event_id = $1",
                               1, params, 1, &st);
    if (!res) return st;
    if (PQntuples(res) == 1) {
        const char *s = PQgetvalue(res, 0, 0);
        rec->state = strcmp(s, "sent") == 0 ? MAIL_SENT : strcmp(s, "failed") == 0 ? MAIL_FAILED : MAIL_PENDING;
        rec->attempts = atoi(PQgetvalue(res, 0, 1));
        rec->failing_for_s = atoll(PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return PC_OK;
}

pc_status notify_store_sent(pc_pg *db, const char *event_id, const char *type, const char *nip) {
    const char *params[] = { event_id, type, nip };
    pc_status st;
    /* One statement in autocommit: once its bytes reach the server the
     * commit happens even if this process dies that instant. */
    PGresult *res = pc_pg_exec(db,
                               "INSERT INTO notify.mail (event_id, type, nip, state, sent_at)"
                               " VALUES ($1, $2, $3, 'sent', now()) ON CONFLICT (event_id) DO UPDATE"
                               " SET state = 'sent', sent_at = now(), updated_at = now()",
                               3, params, 1, &st);
    if (!res) return st;
    PQclear(res);
    return PC_OK;
}

pc_status notify_store_failure(pc_pg *db, const char *event_id, const char *type, const char *nip, int final,
                               const char *error) {
    const char *params[] = { event_id, type, nip, final ? "failed" : "pending", error };
    pc_status st;
    PGresult *res = pc_pg_exec(db,
                               "INSERT INTO notify.mail (event_id, type, nip, state, attempts, first_failure_at,"
                               " last_error) VALUES ($1, $2, $3, $4, 1, now(), $5) ON CONFLICT (event_id) DO UPDATE"
                               " SET state = $4, attempts = mail.attempts + 1,"
                               " first_failure_at = coalesce(mail.first_failure_at, now()), last_error = $5,"
                               " updated_at = now() WHERE mail.state = 'pending'",
                               5, params, 1, &st);
    if (!res) return st;
    PQclear(res);
    return PC_OK;
}
