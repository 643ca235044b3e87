/* main.c -- pupns-seed: loads synthetic master data (instansi, unit kerja, N PNS) into schema identity.
 *
 * Reads the command line, builds the master data and the NIP space from one
 * PRNG stream (equal --seed, equal data), runs the load and prints the timing
 * line. Exit codes: 0 done, 1 data or database error, 2 bad arguments. */
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "load.h"
#include "master.h"
#include "pns.h"
#include "rng.h"
#include "util.h"

typedef struct {
    const char *pg_url;
    const char *data_dir;
    unsigned long long count;
    unsigned long long seed;
} Options;

static void usage(FILE *f)
{
    fprintf(f, "usage: pupns-seed --pg-url URL --count N [--data-dir DIR] [--seed S]\n"
               "  replaces identity.pns with N synthetic PNS (and loads instansi, unit_kerja)\n"
               "  --data-dir  TSV master data (default services/identity/seed/data)\n"
               "  --seed      PRNG seed; equal seeds give equal data (default 2015)\n");
}

static int parse_ull(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s[0] || s[0] == '-')
        return -1;
    *out = strtoull(s, &end, 10);
    return (errno || *end) ? -1 : 0;
}

static int parse_options(int argc, char **argv, Options *o)
{
    static const struct option longopts[] = {
        {"pg-url", required_argument, NULL, 'u'},
        {"count", required_argument, NULL, 'n'},
        {"data-dir", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (Options){NULL, "services/identity/seed/data", 0, 2015};
    int have_count = 0, opt;
    while ((opt = getopt_long(argc, argv, "u:n:d:s:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'u': o->pg_url = optarg; break;
        case 'd': o->data_dir = optarg; break;
        case 'n':
            if (parse_ull(optarg, &o->count) != 0 || o->count == 0) {
                fprintf(stderr, "seed: --count must be a positive integer\n");
                return -1;
            }
            have_count = 1;
            break;
        case 's':
            if (parse_ull(optarg, &o->seed) != 0) {
                fprintf(stderr, "seed: --seed must be a non-negative integer\n");
                return -1;
            }
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (!o->pg_url || !have_count || optind != argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

static void report(unsigned long long n, double secs)
{
    char rate[32];
    seed_fmt_thousands((unsigned long long)((double)n / (secs > 0 ? secs : 1e-9) + 0.5), rate, sizeof rate);
    fprintf(stderr, "seed: %llu PNS loaded in %.1f s (%s rows/s)\n", n, secs, rate);
}

int main(int argc, char **argv)
{
    Options o;
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    double t0 = seed_now_seconds();
    seed_rng rng = {o.seed};
    seed_master m;
    if (seed_master_load(&m, o.data_dir, &rng) != 0) {
        seed_master_free(&m);
        return 1;
    }
    seed_nip_space ns;
    seed_nip_space_init(&ns, &rng);
    /* (birth date, gender) pairs times 999 serials bound the distinct NIPs; one may be skipped. */
    unsigned long long max_rows = ns.pairs * SEED_MAX_SERIAL - 1;
    if (o.count > max_rows) {
        fprintf(stderr, "seed: --count %llu is too large (at most %llu)\n", o.count, max_rows);
        seed_nip_space_free(&ns);
        seed_master_free(&m);
        return 2;
    }
    seed_master_allot(&m, (size_t)o.count);
    PGconn *pg = PQconnectdb(o.pg_url);
    int rc = 1;
    if (PQstatus(pg) != CONNECTION_OK)
        fprintf(stderr, "seed: cannot connect: %s", PQerrorMessage(pg));
    else if (seed_load_all(pg, &m, &ns, &rng) == 0)
        rc = 0;
    PQfinish(pg);
    seed_nip_space_free(&ns);
    seed_master_free(&m);
    if (rc == 0)
        report(o.count, seed_now_seconds() - t0);
    return rc;
}
