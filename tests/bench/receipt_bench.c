/* receipt_bench.c -- renders receipts in one thread and prints their speed.
 *
 *   pupns-receipt-bench N OUT_DIR [CASE]
 *
 * Renders the Bukti Registrasi and the Formulir of two registrations N
 * times each (after a warm-up): "cp1252", a name, instansi and unit kerja
 * that Windows-1252 holds (every ASCII name: the common case), and "utf8",
 * an awkward name with ḥ, ʿ and ā (the UTF-8 font's path). Prints one JSON
 * line per case and kind: receipts per second of wall time and of the
 * thread's CPU time (one thread: one core), p50/p99 of both, and the PDF
 * size. Writes OUT_DIR/bench-<case>.json (the data and the QR modules, for
 * the same receipt in HTML, tests/bench/receipt_chromium.mjs) and
 * OUT_DIR/bukti-<case>.pdf. */
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fonts.h"
#include "payload.h"
#include "render.h"

static double clock_ms(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-th quantile of the n sorted values in t. */
static double quantile(const double *t, int n, double p) {
    int i = (int)(n * p);
    return t[i < n ? i : n - 1];
}

/* Renders case name's two documents n times each; 0 on success. */
static int bench_case(const char *name, const receipt_doc *d, const char *dir, int n, const char *out) {
    char err[256];
    double *wall = malloc(sizeof *wall * (size_t)n), *cpu = malloc(sizeof *cpu * (size_t)n);
    if (!wall || !cpu) return 2;
    for (int kind = RECEIPT_BUKTI; kind <= RECEIPT_FORMULIR; kind++) {
        unsigned char *pdf = NULL;
        size_t len = 0;
        for (int i = 0; i < 5; i++) { /* warm-up */
            if (receipt_render(dir, (receipt_kind)kind, d, &pdf, &len, err, sizeof err) != PC_OK) {
                fprintf(stderr, "render: %s\n", err);
                return 1;
            }
            free(pdf);
        }
        double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
        for (int i = 0; i < n; i++) {
            double a = clock_ms(CLOCK_MONOTONIC), ac = clock_ms(CLOCK_THREAD_CPUTIME_ID);
            receipt_render(dir, (receipt_kind)kind, d, &pdf, &len, err, sizeof err);
            cpu[i] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - ac;
            wall[i] = clock_ms(CLOCK_MONOTONIC) - a;
            if (i < n - 1 || kind != RECEIPT_BUKTI) free(pdf);
        }
        double total = clock_ms(CLOCK_MONOTONIC) - t0, total_cpu = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
        qsort(wall, (size_t)n, sizeof *wall, cmp);
        qsort(cpu, (size_t)n, sizeof *cpu, cmp);
        printf("{\"case\": \"%s\", \"kind\": \"%s\", \"n\": %d, \"per_s\": %.1f, \"cpu_per_s\": %.1f, "
               "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"cpu_p50_ms\": %.3f, \"cpu_p99_ms\": %.3f, \"bytes\": %zu}\n",
               name, kind == RECEIPT_BUKTI ? "bukti" : "formulir", n, n / (total / 1e3), n / (total_cpu / 1e3),
               quantile(wall, n, 0.5), quantile(wall, n, 0.99), quantile(cpu, n, 0.5), quantile(cpu, n, 0.99), len);
        fflush(stdout);
        if (kind == RECEIPT_BUKTI) {
            char path[600];
            snprintf(path, sizeof path, "%s/bukti-%s.pdf", out, name);
            FILE *f = fopen(path, "wb");
            if (f) {
                fwrite(pdf, 1, len, f);
                fclose(f);
            }
            free(pdf);
        }
    }
    free(wall);
    free(cpu);
    /* The same receipt for the HTML renderer: its data and QR modules. */
    QRcode *code = QRcode_encodeString(d->qr_payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    char path[600];
    snprintf(path, sizeof path, "%s/bench-%s.json", out, name);
    FILE *f = fopen(path, "w");
    if (!f || !code) return 1;
    fprintf(f, "{\"no\": \"%s\", \"nip\": \"%s\", \"nama\": \"%s\", \"instansi\": \"%s (%s)\", \"unit\": \"%s (%s)\","
               " \"waktu\": \"1 September 2015, 14.05 WIB\", \"qr\": [",
            d->no_registrasi, d->nip, d->nama, d->instansi_nama, d->instansi_kode, d->unit_nama, d->unit_kode);
    for (int r = 0; r < code->width; r++) {
        fprintf(f, "%s\"", r ? ", " : "");
        for (int col = 0; col < code->width; col++) fputc(code->data[r * code->width + col] & 1 ? '1' : '0', f);
        fputc('"', f);
    }
    fprintf(f, "]}\n");
    fclose(f);
    QRcode_free(code);
    return 0;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    const char *out = argc > 2 ? argv[2] : ".";
    if (n < 1 || sodium_init() < 0) return 2;
    char dir[512], err[256];
    if (receipt_fonts_find("", "/usr/share/fonts/truetype/dejavu", dir, sizeof dir) != PC_OK) return 2;
    receipt_keys k;
    unsigned char seed[32];
    char hex[65];
    randombytes_buf(seed, sizeof seed);
    sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
    if (receipt_keys_load(&k, hex, "", err, sizeof err) != PC_OK) return 2;
    receipt_claims c = { "C8Y9GVRP", "197501022014071003", 1441091109LL, "" };
    char q[RECEIPT_PAYLOAD_MAX];
    receipt_payload_sign(&k, &c, q);
    receipt_doc common = {
        .no_registrasi = "C8Y9GVRP", .nip = "197501022014071003",
        .instansi_kode = "P027", .instansi_nama = "Kementerian Perencanaan Pembangunan Nasional/Badan Perencanaan "
                                                  "Pembangunan Nasional",
        .unit_kode = "P027.006", .unit_nama = "Badan Penelitian dan Pengembangan",
        .created_at = "2015-09-01T07:05:09.123Z", .qr_payload = q,
    };
    receipt_doc cp = common, utf = common;
    cp.nama = "Raden Ajeng Siti Nurhaliza Kusumawardhani Prawiranegara";
    utf.nama = "Ḥusayn ʿAbd al-Raḥmān O'Brien Āditya Prawiranegara";
    const char *only = argc > 3 ? argv[3] : NULL; /* one case only (profiling) */
    int rc = 0;
    if (!only || !strcmp(only, "cp1252")) rc = bench_case("cp1252", &cp, dir, n, out);
    if (rc == 0 && (!only || !strcmp(only, "utf8"))) rc = bench_case("utf8", &utf, dir, n, out);
    receipt_keys_clear(&k);
    return rc;
}
