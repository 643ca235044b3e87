/* load.c -- the load transaction of pupns-seed: upserts instansi and
 * unit_kerja, empties identity.pns with its keys and indexes dropped, COPYs
 * the new rows, re-creates the keys and removes stale master rows (see load.h). */
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgcopy.h"
#include "pns.h"
#include "util.h"

/* ---- master data into the database */

static int send_instansi(PGconn *pg, const seed_master *m)
{
    seed_copy c;
    if (seed_copy_begin(&c, pg, "COPY seed_instansi (kode, nama, jenis, provinsi_kode) FROM STDIN") != 0)
        return -1;
    for (size_t i = 0; i < m->nins; i++) {
        const seed_instansi *in = &m->ins[i];
        if (seed_copy_room(&c) != 0)
            return seed_copy_end(&c, "send failed");
        seed_copy_text(&c, in->kode);
        seed_copy_char(&c, '\t');
        seed_copy_text(&c, in->nama);
        seed_copy_char(&c, '\t');
        seed_copy_text(&c, in->jenis);
        seed_copy_char(&c, '\t');
        seed_copy_text(&c, in->provinsi_kode[0] ? in->provinsi_kode : "\\N");
        seed_copy_char(&c, '\n');
    }
    return seed_copy_end(&c, NULL);
}

static int send_units(PGconn *pg, const seed_master *m)
{
    seed_copy c;
    if (seed_copy_begin(&c, pg, "COPY seed_unit_kerja (kode, instansi_kode, nama) FROM STDIN") != 0)
        return -1;
    for (size_t i = 0; i < m->nins; i++) {
        const seed_instansi *in = &m->ins[i];
        for (size_t u = in->unit_first; u < in->unit_first + in->unit_count; u++) {
            if (seed_copy_room(&c) != 0)
                return seed_copy_end(&c, "send failed");
            seed_copy_text(&c, m->units[u].kode);
            seed_copy_char(&c, '\t');
            seed_copy_text(&c, in->kode);
            seed_copy_char(&c, '\t');
            seed_copy_text(&c, m->units[u].nama);
            seed_copy_char(&c, '\n');
        }
    }
    return seed_copy_end(&c, NULL);
}

/* Inserts or updates instansi and unit_kerja from the data files (stale rows are removed later). */
static int upsert_master(PGconn *pg, const seed_master *m)
{
    if (seed_pg_exec(pg, "CREATE TEMP TABLE seed_instansi (LIKE identity.instansi) ON COMMIT DROP") != 0
        || seed_pg_exec(pg, "CREATE TEMP TABLE seed_unit_kerja (LIKE identity.unit_kerja) ON COMMIT DROP") != 0
        || send_instansi(pg, m) != 0 || send_units(pg, m) != 0)
        return -1;
    return seed_pg_exec(pg,
        "INSERT INTO identity.instansi (kode, nama, jenis, provinsi_kode) "
        "SELECT kode, nama, jenis, provinsi_kode FROM seed_instansi "
        "ON CONFLICT (kode) DO UPDATE SET nama = EXCLUDED.nama, jenis = EXCLUDED.jenis, "
        "provinsi_kode = EXCLUDED.provinsi_kode");
}

static int upsert_units(PGconn *pg)
{
    return seed_pg_exec(pg,
        "INSERT INTO identity.unit_kerja (kode, instansi_kode, nama) "
        "SELECT kode, instansi_kode, nama FROM seed_unit_kerja "
        "ON CONFLICT (kode) DO UPDATE SET instansi_kode = EXCLUDED.instansi_kode, nama = EXCLUDED.nama");
}

static int delete_stale_master(PGconn *pg)
{
    return seed_pg_exec(pg, "DELETE FROM identity.unit_kerja u WHERE NOT EXISTS "
                       "(SELECT 1 FROM seed_unit_kerja s WHERE s.kode = u.kode)")
        || seed_pg_exec(pg, "DELETE FROM identity.instansi i WHERE NOT EXISTS "
                       "(SELECT 1 FROM seed_instansi s WHERE s.kode = i.kode)");
}

/* ---- constraints of identity.pns */

/* Every key, foreign key and plain index on identity.pns, and every foreign key pointing at it,
 * with the statements to drop and re-create it under its own name. Ordered for re-creation. */
static const char PNS_DEPENDENCIES_SQL[] =
    "SELECT stage, drop_sql, add_sql, referrer FROM ("
    " SELECT CASE WHEN c.conrelid = $1::regclass AND c.contype <> 'f' THEN 0"
    "             WHEN c.conrelid = $1::regclass THEN 2 ELSE 3 END AS stage,"
    "        format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_sql,"
    "        format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,"
    "               pg_get_constraintdef(c.oid)) AS add_sql,"
    "        c.conname::text AS name,"
    "        CASE WHEN c.conrelid <> $1::regclass THEN c.conrelid::regclass::text END AS referrer"
    "   FROM pg_constraint c"
    "  WHERE (c.conrelid = $1::regclass AND c.contype IN ('p', 'u', 'f'))"
    "     OR (c.confrelid = $1::regclass AND c.conrelid <> $1::regclass AND c.contype = 'f')"
    " UNION ALL"
    " SELECT 1, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid),"
    "        i.indexrelid::regclass::text, NULL"
    "   FROM pg_index i"
    "  WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
    "        WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"
    ") s ORDER BY stage, name";

static PGresult *query_pns(PGconn *pg, const char *sql, const char *what)
{
    const char *params[1] = {"identity.pns"};
    PGresult *res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
    if (seed_pg_ok(pg, res, what) != 0) {
        PQclear(res);
        return NULL;
    }
    return res;
}

static int drop_dependencies(PGconn *pg, PGresult *deps)
{
    for (int r = PQntuples(deps) - 1; r >= 0; r--)
        if (seed_pg_exec(pg, PQgetvalue(deps, r, 1)) != 0)
            return -1;
    return 0;
}

static int restore_dependencies(PGconn *pg, PGresult *deps)
{
    for (int r = 0; r < PQntuples(deps); r++)
        if (seed_pg_exec(pg, PQgetvalue(deps, r, 2)) != 0)
            return -1;
    return 0;
}

/* Whether an earlier row of `deps` names the same referencing table as row `r`. */
static int seen_referrer(PGresult *deps, int r)
{
    for (int i = 0; i < r; i++)
        if (!PQgetisnull(deps, i, 3) && strcmp(PQgetvalue(deps, i, 3), PQgetvalue(deps, r, 3)) == 0)
            return 1;
    return 0;
}

/* TRUNCATE identity.pns and every table whose foreign key points at it (their rows would dangle). */
static int truncate_pns(PGconn *pg, PGresult *deps)
{
    size_t len = strlen("TRUNCATE identity.pns") + 1;
    for (int r = 0; r < PQntuples(deps); r++)
        len += strlen(PQgetvalue(deps, r, 3)) + 2;
    char *sql = seed_xmalloc(len);
    strcpy(sql, "TRUNCATE identity.pns");
    for (int r = 0; r < PQntuples(deps); r++) {
        if (PQgetisnull(deps, r, 3) || seen_referrer(deps, r))
            continue;
        fprintf(stderr, "seed: also truncating %s (it references identity.pns)\n", PQgetvalue(deps, r, 3));
        strcat(sql, ", ");
        strcat(sql, PQgetvalue(deps, r, 3));
    }
    int rc = seed_pg_exec(pg, sql);
    free(sql);
    return rc;
}

/* ---- the transaction */

int seed_load_all(PGconn *pg, const seed_master *m, const seed_nip_space *ns, seed_rng *rng)
{
    PGresult *deps = NULL;
    int rc = -1;
    if (seed_pg_exec(pg, "SET client_min_messages = warning") != 0
        || seed_pg_exec(pg, "SET maintenance_work_mem = '1GB'") != 0
        || seed_pg_exec(pg, "SET max_parallel_maintenance_workers = 2") != 0
        || seed_pg_exec(pg, "BEGIN") != 0)
        return -1;
    if (upsert_master(pg, m) != 0 || upsert_units(pg) != 0)
        goto out;
    deps = query_pns(pg, PNS_DEPENDENCIES_SQL, "listing constraints of identity.pns");
    if (!deps || drop_dependencies(pg, deps) != 0 || truncate_pns(pg, deps) != 0
        || delete_stale_master(pg) != 0 || seed_pns_send(pg, m, ns, rng) != 0
        || restore_dependencies(pg, deps) != 0)
        goto out;
    rc = seed_pg_exec(pg, "COMMIT");
out:
    PQclear(deps);
    if (rc != 0 && PQtransactionStatus(pg) != PQTRANS_IDLE)
        seed_pg_exec(pg, "ROLLBACK");
    if (rc == 0)
        rc = seed_pg_exec(pg, "ANALYZE identity.pns");
    return rc;
}
