/* user.c -- pupns-ctl user add|disable|list: the verifier service's
 * accounts (Verifikator 1 of unit kerja, Verifikator 2 of a BKD's
 * instansi, admin). An operator tool: it writes the verifier schema
 * directly with the verifier's role (PUPNS_PG_URL, default
 * postgresql://pupns_verifier@...), hashes passwords with the same argon2id
 * as every account (libcommon/password_hash.h) and records each change in
 * the audit log as role "operator" from "pupns-ctl".
 *
 *   user add USERNAME --role verifikator1|verifikator2|admin --nama NAMA
 *            [--unit KODE]... [--instansi KODE]... [--bkd NAMA]
 *            (password: first line of stdin, or PUPNS_USER_PASSWORD)
 *   user disable USERNAME     (its sessions end at once)
 *   user list */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl.h"
#include "password_hash.h"
#include "pg.h"
#include "seal.h"

static int user_usage(void) {
    fprintf(stderr, "usage: pupns-ctl user add USERNAME --role verifikator1|verifikator2|admin --nama NAMA\n"
                    "                [--unit KODE]... [--instansi KODE]... [--bkd NAMA]\n"
                    "           password: first line of stdin (or PUPNS_USER_PASSWORD)\n"
                    "       pupns-ctl user disable USERNAME\n"
                    "       pupns-ctl user list\n");
    return 2;
}

static int exec_ok(pc_pg *db, const char *sql, int n, const char *const *p) {
    pc_status st;
    PGresult *res = pc_pg_exec(db, sql, n, p, 0, &st);
    PQclear(res);
    return st == PC_OK;
}

static int audit(pc_pg *db, const char *action, const char *username, const char *detail) {
    const char *p[] = { action, username, detail };
    return exec_ok(db,
                   "INSERT INTO verifier.audit (username, role, action, object, client_address, detail)"
                   " VALUES ('pupns-ctl', 'operator', $1, $2, 'pupns-ctl', $3::jsonb)",
                   3, p);
}

/* The password from PUPNS_USER_PASSWORD or the first line of stdin (owned; pc_secret_free). */
static char *read_password(void) {
    const char *env = getenv("PUPNS_USER_PASSWORD");
    char *buf = sodium_malloc(1100);
    if (!buf) return NULL;
    if (env) {
        snprintf(buf, 1100, "%s", env);
    } else if (!fgets(buf, 1100, stdin)) {
        sodium_free(buf);
        return NULL;
    }
    buf[strcspn(buf, "\r\n")] = 0;
    return buf;
}

static int add(pc_pg *db, int argc, char **argv) {
    const char *username = argv[0], *role = NULL, *nama = NULL, *bkd = NULL;
    const char *units[64], *inst[256];
    int nu = 0, ni = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) return user_usage();
        if (strcmp(argv[i], "--role") == 0) role = argv[++i];
        else if (strcmp(argv[i], "--nama") == 0) nama = argv[++i];
        else if (strcmp(argv[i], "--bkd") == 0) bkd = argv[++i];
        else if (strcmp(argv[i], "--unit") == 0 && nu < 64) units[nu++] = argv[++i];
        else if (strcmp(argv[i], "--instansi") == 0 && ni < 256) inst[ni++] = argv[++i];
        else return user_usage();
    }
    if (!role || !nama) return user_usage();
    int v1 = strcmp(role, "verifikator1") == 0, v2 = strcmp(role, "verifikator2") == 0;
    if (!v1 && !v2 && strcmp(role, "admin") != 0) return user_usage();
    if ((v1 && (nu == 0 || ni > 0)) || (v2 && (ni == 0 || nu > 0)) || (!v1 && !v2 && (nu || ni))) {
        fprintf(stderr, "pupns-ctl user: verifikator1 needs --unit (only), verifikator2 --instansi (only), admin neither\n");
        return 2;
    }
    char *password = read_password();
    if (!password || strlen(password) < 10) {
        fprintf(stderr, "pupns-ctl user: a password of at least 10 characters is needed (stdin or PUPNS_USER_PASSWORD)\n");
        if (password) sodium_free(password);
        return 2;
    }
    char hash[crypto_pwhash_STRBYTES];
    pc_status hs = pc_pwhash(password, hash);
    sodium_free(password);
    if (hs != PC_OK) return 1;
    const char *ap[] = { username, nama, role, bkd, hash };
    pc_status st;
    if (!exec_ok(db, "BEGIN", 0, NULL)) return 1;
    PGresult *res = pc_pg_exec(db,
                               "INSERT INTO verifier.account (username, nama, role, bkd, password_hash)"
                               " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                               5, ap, 0, &st);
    sodium_memzero(hash, sizeof hash);
    if (!res) {
        exec_ok(db, "ROLLBACK", 0, NULL);
        fprintf(stderr, "pupns-ctl user: cannot add %s (%s: taken, or not 3-64 of a-z 0-9 . _ -)\n", username,
                pc_pg_last_sqlstate(db));
        return 1;
    }
    char id[24];
    snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    int ok = 1;
    for (int i = 0; ok && i < nu; i++) {
        const char *p[] = { id, units[i] };
        ok = exec_ok(db, "INSERT INTO verifier.account_unit VALUES ($1::bigint, $2) ON CONFLICT DO NOTHING", 2, p);
    }
    for (int i = 0; ok && i < ni; i++) {
        const char *p[] = { id, inst[i] };
        ok = exec_ok(db, "INSERT INTO verifier.account_instansi VALUES ($1::bigint, $2) ON CONFLICT DO NOTHING", 2, p);
    }
    char detail[128];
    snprintf(detail, sizeof detail, "{\"peran\": \"%s\", \"unit\": %d, \"instansi\": %d}", role, nu, ni);
    if (!ok || !audit(db, "tambah_akun", username, detail) || !exec_ok(db, "COMMIT", 0, NULL)) {
        exec_ok(db, "ROLLBACK", 0, NULL);
        return 1;
    }
    printf("added %s (%s)\n", username, role);
    return 0;
}

static int disable(pc_pg *db, const char *username) {
    const char *p[] = { username };
    pc_status st;
    if (!exec_ok(db, "BEGIN", 0, NULL)) return 1;
    PGresult *res = pc_pg_exec(db,
                               "UPDATE verifier.account SET disabled_at = now() WHERE username = $1"
                               " AND disabled_at IS NULL RETURNING id",
                               1, p, 0, &st);
    int found = res && PQntuples(res) == 1;
    PQclear(res);
    int ok = st == PC_OK &&
             exec_ok(db,
                     "UPDATE verifier.session SET revoked_at = now() WHERE revoked_at IS NULL AND account_id ="
                     " (SELECT id FROM verifier.account WHERE username = $1)",
                     1, p) &&
             (!found || audit(db, "nonaktifkan_akun", username, "{}")) && exec_ok(db, "COMMIT", 0, NULL);
    if (!ok) {
        exec_ok(db, "ROLLBACK", 0, NULL);
        return 1;
    }
    if (!found) {
        fprintf(stderr, "pupns-ctl user: no active account %s\n", username);
        return 1;
    }
    printf("disabled %s\n", username);
    return 0;
}

static int list(pc_pg *db) {
    pc_status st;
    PGresult *res = pc_pg_exec(
        db,
        "SELECT a.username, a.role, CASE WHEN a.disabled_at IS NULL THEN 'active' ELSE 'disabled' END,"
        " coalesce((SELECT string_agg(unit_kerja_kode, ',' ORDER BY 1) FROM verifier.account_unit WHERE account_id = a.id),"
        " (SELECT string_agg(instansi_kode, ',' ORDER BY 1) FROM verifier.account_instansi WHERE account_id = a.id), '-'),"
        " a.nama FROM verifier.account a ORDER BY a.username",
        0, NULL, 1, &st);
    if (!res) return 1;
    for (int i = 0; i < PQntuples(res); i++)
        printf("%s\t%s\t%s\t%s\t%s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
               PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
    PQclear(res);
    return 0;
}

int ctl_user(int argc, char **argv) {
    if (argc < 1) return user_usage();
    int is_add = strcmp(argv[0], "add") == 0, is_disable = strcmp(argv[0], "disable") == 0;
    if (!is_add && !is_disable && strcmp(argv[0], "list") != 0) return user_usage();
    if ((is_add && argc < 2) || (is_disable && argc != 2)) return user_usage();
    if (sodium_init() < 0) return 1;
    pc_config cfg;
    char err[256];
    /* The verifier's settings: PUPNS_PG_URL defaults to its role. */
    if (pc_config_load(&cfg, "verifier", err, sizeof err) != PC_OK) {
        fprintf(stderr, "pupns-ctl: %s\n", err);
        return 2;
    }
    pc_pg *db = pc_pg_connect(cfg.pg_url, 5000, err, sizeof err);
    if (!db) {
        fprintf(stderr, "pupns-ctl user: %s\n", err);
        return 1;
    }
    int rc = is_add ? add(db, argc - 1, argv + 1) : is_disable ? disable(db, argv[1]) : list(db);
    pc_pg_close(db);
    return rc;
}
