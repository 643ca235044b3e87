/* receipt_bench.c -- renders receipts in one thread and prints their speed.
 *
 *   pupns-receipt-bench N OUT_DIR
 *
 * Renders the Bukti Registrasi and the Formulir of one awkward registration
 * N times each (after a warm-up), prints one JSON line per kind with
 * receipts per second (one core: one thread), p50/p99 render time and the
 * PDF size, and writes OUT_DIR/bench.json (the data and the QR modules, for
 * the same receipt in HTML, tests/bench/receipt_chromium.mjs) and
 * OUT_DIR/bukti.pdf. */
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fonts.h"
#include "payload.h"
#include "render.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
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
    receipt_doc d = {
        .no_registrasi = "C8Y9GVRP", .nip = "197501022014071003",
        .nama = "Ḥusayn ʿAbd al-Raḥmān O'Brien Āditya Prawiranegara",
        .instansi_kode = "P027", .instansi_nama = "Kementerian Perencanaan Pembangunan Nasional/Badan Perencanaan "
                                                  "Pembangunan Nasional",
        .unit_kode = "P027.006", .unit_nama = "Badan Penelitian dan Pengembangan",
        .created_at = "2015-09-01T07:05:09.123Z", .qr_payload = q,
    };
    double *t = malloc(sizeof *t * (size_t)n);
    if (!t) return 2;
    for (int kind = RECEIPT_BUKTI; kind <= RECEIPT_FORMULIR; kind++) {
        unsigned char *pdf = NULL;
        size_t len = 0;
        for (int i = 0; i < 3; i++) { /* warm-up */
            if (receipt_render(dir, (receipt_kind)kind, &d, &pdf, &len, err, sizeof err) != PC_OK) {
                fprintf(stderr, "render: %s\n", err);
                return 1;
            }
            free(pdf);
        }
        double t0 = now_ms();
        for (int i = 0; i < n; i++) {
            double a = now_ms();
            receipt_render(dir, (receipt_kind)kind, &d, &pdf, &len, err, sizeof err);
            t[i] = now_ms() - a;
            if (i < n - 1 || kind != RECEIPT_BUKTI) free(pdf);
        }
        double total = now_ms() - t0;
        qsort(t, (size_t)n, sizeof *t, cmp);
        printf("{\"kind\": \"%s\", \"n\": %d, \"per_s\": %.1f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"bytes\": %zu}\n",
               kind == RECEIPT_BUKTI ? "bukti" : "formulir", n, n / (total / 1e3), t[n / 2],
               t[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1], len);
        if (kind == RECEIPT_BUKTI) {
            char path[600];
            snprintf(path, sizeof path, "%s/bukti.pdf", out);
            FILE *f = fopen(path, "wb");
            if (f) {
                fwrite(pdf, 1, len, f);
                fclose(f);
            }
            free(pdf);
        }
    }
    /* The same receipt for the HTML renderer: its data and QR modules. */
    QRcode *code = QRcode_encodeString(q, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    char path[600];
    snprintf(path, sizeof path, "%s/bench.json", out);
    FILE *f = fopen(path, "w");
    if (!f || !code) return 1;
    fprintf(f, "{\"no\": \"%s\", \"nip\": \"%s\", \"nama\": \"%s\", \"instansi\": \"%s (%s)\", \"unit\": \"%s (%s)\","
               " \"waktu\": \"1 September 2015, 14.05 WIB\", \"qr\": [",
            d.no_registrasi, d.nip, d.nama, d.instansi_nama, d.instansi_kode, d.unit_nama, d.unit_kode);
    for (int r = 0; r < code->width; r++) {
        fprintf(f, "%s\"", r ? ", " : "");
        for (int col = 0; col < code->width; col++) fputc(code->data[r * code->width + col] & 1 ? '1' : '0', f);
        fputc('"', f);
    }
    fprintf(f, "]}\n");
    fclose(f);
    QRcode_free(code);
    free(t);
    receipt_keys_clear(&k);
    return 0;
}
