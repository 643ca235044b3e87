/* test_receipt_render.c -- unit tests for text fitting and the PDFs
 * (services/receipt/fit.c, render.c, fonts.c, cp1252.c): long and accented
 * names fit their box, in the UTF-8 font or the WinAnsi one; the UTF-8 font
 * is embedded only when a text needs it; renders are byte-identical, both
 * documents are PDFs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp1252.h"
#include "fit.h"
#include "fonts.h"
#include "render.h"

static char font_dir[512];

static int setup(void **state) {
    (void)state;
    return receipt_fonts_find("", "/usr/share/fonts/truetype/dejavu", font_dir, sizeof font_dir) == PC_OK ? 0 : -1;
}

static void on_error(HPDF_STATUS e, HPDF_STATUS d, void *u) {
    (void)d;
    (void)u;
    fail_msg("libharu error 0x%04X", (unsigned)e);
}

/* A document with DejaVu Sans (UTF-8) for measuring. */
static HPDF_Doc doc_with_font(HPDF_Font *font) {
    HPDF_Doc pdf = HPDF_New(on_error, NULL);
    assert_non_null(pdf);
    HPDF_UseUTFEncodings(pdf);
    HPDF_SetCurrentEncoder(pdf, "UTF-8");
    char path[600];
    snprintf(path, sizeof path, "%s/DejaVuSans.ttf", font_dir);
    const char *name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
    assert_non_null(name);
    *font = HPDF_GetFont(pdf, name, "UTF-8");
    assert_non_null(*font);
    return pdf;
}

static void test_fit_short_text_unchanged(void **state) {
    (void)state;
    HPDF_Font f;
    HPDF_Doc pdf = doc_with_font(&f);
    receipt_fit fit;
    receipt_fit_text(f, "AKHMAD SOLEH ARIFIN", 300, 11, 6, 2, &fit);
    assert_int_equal(fit.nlines, 1);
    assert_true(fit.size == 11);
    assert_string_equal(fit.lines[0], "AKHMAD SOLEH ARIFIN");
    assert_false(fit.truncated);
    HPDF_Free(pdf);
}

static void check_inside(HPDF_Font f, const receipt_fit *fit, float width, int max_lines) {
    assert_true(fit->nlines >= 1 && fit->nlines <= max_lines);
    for (int i = 0; i < fit->nlines; i++) {
        float w = receipt_text_width(f, fit->lines[i], strlen(fit->lines[i]), fit->size);
        if (w > width + 0.01f) fail_msg("line %d is %.1f pt, box %.1f: %s", i, w, width, fit->lines[i]);
    }
}

/* Wraps at spaces first, then shrinks; never wider than the box. */
static void test_fit_wraps_and_shrinks(void **state) {
    (void)state;
    HPDF_Font f;
    HPDF_Doc pdf = doc_with_font(&f);
    const char *name = "Ḥusayn ʿAbd al-Raḥmān O'Brien Ñúñez Āditya Prabowo Hadiningrat Kusumawardhani";
    receipt_fit fit;
    receipt_fit_text(f, name, 200, 11, 6, 3, &fit);
    check_inside(f, &fit, 200, 3);
    assert_true(fit.nlines >= 2);
    assert_false(fit.truncated);
    /* Nothing lost: the lines joined by spaces are the text. */
    char joined[1024] = "";
    for (int i = 0; i < fit.nlines; i++) {
        if (i) strcat(joined, " ");
        strcat(joined, fit.lines[i]);
    }
    assert_string_equal(joined, name);
    /* One line only: a smaller size. */
    receipt_fit_text(f, "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro", 200, 11, 6, 1, &fit);
    check_inside(f, &fit, 200, 1);
    assert_true(fit.size < 11 && fit.size >= 6);
    assert_false(fit.truncated);
    HPDF_Free(pdf);
}

/* A word wider than the box is broken between characters (never inside a
 * UTF-8 sequence); text too long for any size ends in an ellipsis. */
static void test_fit_last_resorts(void **state) {
    (void)state;
    HPDF_Font f;
    HPDF_Doc pdf = doc_with_font(&f);
    receipt_fit fit;
    receipt_fit_text(f, "ḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤḤ", 60, 10, 8, 4, &fit);
    check_inside(f, &fit, 60, 4);
    for (int i = 0; i < fit.nlines; i++) assert_int_equal(strlen(fit.lines[i]) % 3, 0); /* whole Ḥ only */
    char longest[2048] = "";
    for (int i = 0; i < 60; i++) strcat(longest, "Kusumawardhani ");
    receipt_fit_text(f, longest, 150, 10, 6, 2, &fit);
    check_inside(f, &fit, 150, 2);
    assert_true(fit.truncated);
    assert_true(fit.size == 6);
    const char *last = fit.lines[fit.nlines - 1];
    assert_string_equal(last + strlen(last) - 3, "\xE2\x80\xA6");
    receipt_fit_text(f, "", 100, 10, 6, 2, &fit);
    assert_int_equal(fit.nlines, 0);
    HPDF_Free(pdf);
}

/* Windows-1252 holds ASCII, Latin-1 and a few more (’, Š, €); ḥ, ā and ʿ
 * it does not: those texts keep the UTF-8 font. */
static void test_cp1252(void **state) {
    (void)state;
    char out[64];
    assert_true(receipt_to_cp1252("AKHMAD SOLEH", out, sizeof out));
    assert_string_equal(out, "AKHMAD SOLEH");
    assert_true(receipt_to_cp1252("Éléonore Ñúñez O\xE2\x80\x99""Brien", out, sizeof out));
    assert_string_equal(out, "\xC9l\xE9onore \xD1\xFA\xF1""ez O\x92""Brien");
    assert_false(receipt_to_cp1252("Ḥusayn", out, sizeof out));
    assert_string_equal(out, "");
    assert_false(receipt_to_cp1252("Āditya", out, sizeof out));
    assert_false(receipt_to_cp1252("ʿAbd", out, sizeof out));
    assert_false(receipt_to_cp1252("\xC3", out, sizeof out)); /* a broken UTF-8 sequence */
    /* glibc's iconv drops tag characters (U+E0041 U+E0042) and says nothing. */
    assert_false(receipt_to_cp1252("BUDI\xF3\xA0\x81\x81\xF3\xA0\x81\x82 SANTOSO", out, sizeof out));
    assert_false(receipt_to_cp1252("AKHMAD", out, 6));        /* no room for the NUL */
    assert_true(receipt_to_cp1252("", out, sizeof out));
}

/* In a WinAnsi font every byte is a character and "…" is 0x85. */
static void test_fit_single_byte(void **state) {
    (void)state;
    HPDF_Doc pdf = HPDF_New(on_error, NULL);
    assert_non_null(pdf);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", font_dir, receipt_fonts_sans_cp1252(font_dir));
    const char *name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
    assert_non_null(name);
    HPDF_Font f = HPDF_GetFont(pdf, name, "WinAnsiEncoding");
    assert_non_null(f);
    char longest[2048] = "";
    for (int i = 0; i < 60; i++) strcat(longest, "N\xFA\xF1""ez ");
    receipt_fit fit;
    receipt_fit_text(f, longest, 150, 10, 6, 2, &fit);
    check_inside(f, &fit, 150, 2);
    assert_true(fit.truncated);
    const char *last = fit.lines[fit.nlines - 1];
    assert_int_equal((unsigned char)last[strlen(last) - 1], 0x85);
    receipt_fit_text(f, "\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9\xC9", 40, 10, 8, 4, &fit);
    check_inside(f, &fit, 40, 4);
    assert_true(fit.nlines >= 2); /* broken between single-byte characters */
    HPDF_Free(pdf);
}

static void test_wib(void **state) {
    (void)state;
    char out[96];
    assert_true(receipt_format_wib("2015-09-01T17:30:00.000Z", out, sizeof out));
    assert_string_equal(out, "2 September 2015, 00.30 WIB");
    assert_true(receipt_format_wib("2015-12-31T16:59:59.999Z", out, sizeof out));
    assert_string_equal(out, "31 Desember 2015, 23.59 WIB");
    assert_false(receipt_format_wib("2015-09-01 17:30:00", out, sizeof out));
    assert_false(receipt_format_wib(NULL, out, sizeof out));
}

static const receipt_doc sample = {
    .no_registrasi = "C8Y9GVRP",
    .nip = "197501022014071003",
    .nama = "Ḥusayn ʿAbd al-Raḥmān O'Brien Ñúñez Āditya Prabowo Hadiningrat Kusumawardhani Siswoyo Éléonore",
    .instansi_kode = "A1",
    .instansi_nama = "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro, Provinsi Sulawesi Utara",
    .unit_kode = "A1.001",
    .unit_nama = "Dinas Pendidikan, Pemuda, Olahraga, Kebudayaan dan Pariwisata Kabupaten Kepulauan Siau",
    .created_at = "2015-09-01T07:05:09.123Z",
    .qr_payload = "PUPNS1.C8Y9GVRP.197501022014071003.1441091109.c5e21ab1.Y-hHSGiLRZtVKBnsMP1q99ujIzecK1t-"
                  "gUZ_jnD-asmEPgNDPuLW1bstQET9AGAaiJpr67TBG0ENxZO-3KliBQ",
};

/* Same inputs, same bytes: no clock, no random document ID. */
static void test_render_deterministic(void **state) {
    (void)state;
    for (int kind = RECEIPT_BUKTI; kind <= RECEIPT_FORMULIR; kind++) {
        unsigned char *a = NULL, *b = NULL;
        size_t la = 0, lb = 0;
        char err[256];
        assert_int_equal(receipt_render(font_dir, (receipt_kind)kind, &sample, &a, &la, err, sizeof err), PC_OK);
        assert_int_equal(receipt_render(font_dir, (receipt_kind)kind, &sample, &b, &lb, err, sizeof err), PC_OK);
        assert_true(la > 1000 && la < 200000);
        assert_memory_equal(a, "%PDF-", 5);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
    }
}

/* Names whose Formulir once failed at HPDF_SaveToStream (0x1033, 100 of
 * 1,500 master-data names): fonts subset without their cvt/fpgm/prep
 * tables, which libharu embeds (the Makefile now keeps them). */
static void test_render_every_glyph_set(void **state) {
    (void)state;
    static const char *const names[] = { "USMAN SUDARMA HIDAYATULLAH", "LUSIANA FERNANDEZ", "HIDAY", "NI WAYAN PARERA",
                                         "Ḥusayn ʿAbd al-Raḥmān O'Brien" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (int kind = RECEIPT_BUKTI; kind <= RECEIPT_FORMULIR; kind++) {
            receipt_doc d = sample; /* the registration of the first failure seen */
            d.nama = names[i];
            d.nip = "196602221993111001";
            d.instansi_kode = "K1304";
            d.instansi_nama = "Pemerintah Kabupaten Sijunjung";
            d.unit_kode = "K1304.032";
            d.unit_nama = "Kecamatan Iv Nagari Kabupaten Sijunjung";
            d.created_at = "2026-12-01T13:09:38.448Z";
            unsigned char *pdf = NULL;
            size_t len = 0;
            char err[256] = "";
            pc_status st = receipt_render(font_dir, (receipt_kind)kind, &d, &pdf, &len, err, sizeof err);
            if (st != PC_OK) print_error("%s (%s): %s\n", names[i], kind ? "formulir" : "bukti", err);
            assert_int_equal(st, PC_OK);
            free(pdf);
        }
}

/* The UTF-8 (CID) font is embedded only when a text needs it: an ASCII or
 * Windows-1252 name makes a PDF of WinAnsi fonts only. */
static void test_render_utf8_font_only_when_needed(void **state) {
    (void)state;
    static const struct { const char *nama; int cid; } cases[] = {
        { "AKHMAD SOLEH ARIFIN", 0 }, { "Éléonore Ñúñez O'Brien", 0 }, { "Ḥusayn ʿAbd al-Raḥmān", 1 }, { "Āditya", 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int kind = RECEIPT_BUKTI; kind <= RECEIPT_FORMULIR; kind++) {
            receipt_doc d = sample;
            d.nama = cases[i].nama;
            d.instansi_nama = "Pemerintah Kabupaten Sijunjung";
            d.unit_nama = "Kecamatan Iv Nagari Kabupaten Sijunjung";
            unsigned char *pdf = NULL;
            size_t len = 0;
            char err[256] = "";
            assert_int_equal(receipt_render(font_dir, (receipt_kind)kind, &d, &pdf, &len, err, sizeof err), PC_OK);
            int has_cid = memmem(pdf, len, "/CIDFontType2", 13) != NULL;
            if (has_cid != cases[i].cid) fail_msg("%s: CID font %s", cases[i].nama, has_cid ? "embedded" : "missing");
            free(pdf);
        }
}

static void test_render_refuses_incomplete(void **state) {
    (void)state;
    receipt_doc d = sample;
    d.nama = NULL;
    unsigned char *pdf = NULL;
    size_t len = 0;
    char err[256];
    assert_int_equal(receipt_render(font_dir, RECEIPT_BUKTI, &d, &pdf, &len, err, sizeof err), PC_EINVAL);
    assert_null(pdf);
    d = sample;
    d.created_at = "yesterday";
    assert_int_equal(receipt_render(font_dir, RECEIPT_FORMULIR, &d, &pdf, &len, err, sizeof err), PC_EINVAL);
    assert_int_equal(receipt_render("/nonexistent", RECEIPT_BUKTI, &sample, &pdf, &len, err, sizeof err), PC_ERROR);
    assert_null(pdf);
}

static void test_font_tag(void **state) {
    (void)state;
    char a[17], b[17];
    assert_int_equal(receipt_fonts_tag(font_dir, a), PC_OK);
    assert_int_equal(receipt_fonts_tag(font_dir, b), PC_OK);
    assert_string_equal(a, b);
    assert_int_equal(receipt_fonts_tag("/nonexistent", a), PC_ENOTFOUND);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_short_text_unchanged),
        cmocka_unit_test(test_fit_wraps_and_shrinks),
        cmocka_unit_test(test_fit_last_resorts),
        cmocka_unit_test(test_cp1252),
        cmocka_unit_test(test_fit_single_byte),
        cmocka_unit_test(test_wib),
        cmocka_unit_test(test_render_deterministic),
        cmocka_unit_test(test_render_every_glyph_set),
        cmocka_unit_test(test_render_utf8_font_only_when_needed),
        cmocka_unit_test(test_render_refuses_incomplete),
        cmocka_unit_test(test_font_tag),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
