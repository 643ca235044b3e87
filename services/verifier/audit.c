/* audit.c -- the audit log for admin: every state change with who, what,
 * when and from which address, newest first. Read only: no operation of
 * the API changes or deletes an entry, and the service's database role may
 * only INSERT and SELECT (007_verifier.sql). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier.h"
#include "verifier_sql.h"

pc_status verifier_op_audit_list(verifier_ctx *ctx, pc_pg *db, verifier_principal *p, json_t *args,
                                 verifier_result *r) {
    (void)ctx;
    (void)p;
    const char *user = verifier_str(args, "username"), *action = verifier_str(args, "aksi"),
               *object = verifier_str(args, "objek"), *before = verifier_str(args, "sebelum");
    long limit = json_integer_value(json_object_get(args, "limit"));
    if (limit <= 0 || limit > 1000) limit = 100;
    if (before && (strlen(before) > 18 || strspn(before, "0123456789") != strlen(before)))
        return verifier_problem(r, 400, "sebelum_tidak_valid", "Parameter tidak valid",
                                "sebelum adalah nomor entri audit (angka).", "sebelum");
    char lim[16];
    snprintf(lim, sizeof lim, "%ld", limit);
    const char *params[] = { user ? user : "", action ? action : "", object ? object : "", before ? before : "", lim };
    pc_status st;
    json_t *items = verifier_sql_json(
        db,
        "SELECT coalesce(json_agg(json_build_object('id', id, 'at', " VERIFIER_TS("at") ", 'username', username,"
        " 'peran', role, 'aksi', action, 'objek', object, 'alamat', client_address, 'request_id', request_id,"
        " 'detail', detail) ORDER BY id DESC), '[]')::text FROM (SELECT * FROM verifier.audit"
        " WHERE ($1 = '' OR username = $1) AND ($2 = '' OR action = $2) AND ($3 = '' OR object = $3)"
        " AND ($4 = '' OR id < $4::bigint) ORDER BY id DESC LIMIT $5::int) a",
        5, params, &st);
    if (!items) return st == PC_ENOTFOUND ? PC_ERROR : st;
    size_t n = json_array_size(items);
    json_t *last = n ? json_object_get(json_array_get(items, n - 1), "id") : NULL;
    json_t *body = json_pack("{s:o}", "items", items);
    json_object_set(body, "sebelum_berikutnya", (size_t)limit == n && last ? last : json_null());
    return verifier_ok(r, 200, body);
}
