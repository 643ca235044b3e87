/* render.c -- Bukti Registrasi and Formulir as PDF (libharu, libqrencode). */
#include "render.h"

#include <hpdf.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cp1252.h"
#include "fit.h"
#include "fonts.h"

#define PAGE_W 595.276f /* A4, points */
#define PAGE_H 841.89f
#define MARGIN 36.0f
#define TEXT_MAX 2048 /* bytes of one data text (a name of ~270 characters is ~600) */

typedef struct {
    HPDF_Doc pdf;
    HPDF_Page page;
    const char *font_dir;
    /* WinAnsi (single-byte) fonts: the fixed texts, the number and NIP, and
     * every data text that Windows-1252 holds. */
    HPDF_Font sans, bold, mono_bold;
    /* DejaVu Sans as a UTF-8 CID font, loaded for the first data text with
     * a character beyond Windows-1252 (ā, ḥ, ʿ): its set-up costs more
     * than the rest of a receipt, and most names never need it. */
    HPDF_Font sans_utf;
    int font_failed;         /* 1 if sans_utf was needed and could not be loaded */
    QRcode *qr;              /* the document's QR code */
    HPDF_Image qr_image;     /* ... as an image, drawn once per half */
    HPDF_STATUS error;       /* first libharu error, 0 if none */
    HPDF_STATUS detail;
} pdf_state;

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user) {
    pdf_state *s = user;
    if (!s->error) {
        s->error = error_no;
        s->detail = detail_no;
    }
}

static const char *const months[] = { "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
                                      "Agustus", "September", "Oktober", "November", "Desember" };

int receipt_format_wib(const char *utc, char *out, size_t cap) {
    struct tm t = { 0 };
    int ms = 0;
    if (!utc || sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour,
                       &t.tm_min, &t.tm_sec, &ms) != 7)
        return 0;
    t.tm_year -= 1900;
    t.tm_mon -= 1;
    time_t when = timegm(&t) + 7 * 3600; /* WIB, no daylight saving */
    struct tm w;
    if (!gmtime_r(&when, &w) || w.tm_mon < 0 || w.tm_mon > 11) return 0;
    snprintf(out, cap, "%d %s %d, %02d.%02d WIB", w.tm_mday, months[w.tm_mon], w.tm_year + 1900, w.tm_hour,
             w.tm_min);
    return 1;
}

/* ---- drawing helpers -------------------------------------------------- */

static void text_at(pdf_state *s, HPDF_Font f, float size, float x, float y, const char *t) {
    HPDF_Page_BeginText(s->page);
    HPDF_Page_SetFontAndSize(s->page, f, size);
    HPDF_Page_TextOut(s->page, x, y, t);
    HPDF_Page_EndText(s->page);
}

static void text_right(pdf_state *s, HPDF_Font f, float size, float xr, float y, const char *t) {
    text_at(s, f, size, xr - receipt_text_width(f, t, strlen(t), size), y, t);
}

static void text_centre(pdf_state *s, HPDF_Font f, float size, float xc, float y, const char *t) {
    text_at(s, f, size, xc - receipt_text_width(f, t, strlen(t), size) / 2, y, t);
}

static HPDF_Font load_font(pdf_state *s, const char *file, const char *encoding);

/* 1 if files a and b of dir have the same size (and exist). */
static int same_size(const char *dir, const char *a, const char *b) {
    char pa[600], pb[600];
    struct stat sa, sb;
    snprintf(pa, sizeof pa, "%s/%s", dir, a);
    snprintf(pb, sizeof pb, "%s/%s", dir, b);
    return stat(pa, &sa) == 0 && stat(pb, &sb) == 0 && sa.st_size == sb.st_size;
}

/* The font for the data text t (UTF-8), with t in that font's encoding in
 * out: the WinAnsi DejaVu Sans when Windows-1252 holds every character of
 * t, else the UTF-8 one. */
static HPDF_Font data_font(pdf_state *s, const char *t, char *out, size_t cap) {
    if (receipt_to_cp1252(t, out, cap)) return s->sans;
    snprintf(out, cap, "%s", t);
    if (!s->sans_utf && !s->font_failed) {
        HPDF_UseUTFEncodings(s->pdf);
        /* Its font file deflated (all of Latin, ~2.5 times smaller) and
         * its 128 KB CIDToGIDMap too (nearly all zeros): libharu takes the
         * filter from the document's mode when the font is made. */
        HPDF_SetCompressionMode(s->pdf, HPDF_COMP_ALL);
        s->sans_utf = load_font(s, "DejaVuSans.ttf", "UTF-8");
        HPDF_SetCompressionMode(s->pdf, HPDF_COMP_TEXT);
        /* libharu keeps one font per name in a document: a WinAnsi subset
         * named like the Latin font would lend the UTF-8 font its glyphs,
         * and ḥ would be missing (subset_font.py renames the subset). The
         * same name is right only for the same file (no fontTools: both
         * are copies of DejaVuSans.ttf). */
        if (s->sans_utf && strcmp(HPDF_Font_GetFontName(s->sans_utf), HPDF_Font_GetFontName(s->sans)) == 0 &&
            !same_size(s->font_dir, receipt_fonts_sans_cp1252(s->font_dir), "DejaVuSans.ttf"))
            s->sans_utf = NULL;
        s->font_failed = !s->sans_utf;
    }
    return s->sans_utf ? s->sans_utf : s->sans; /* font_failed fails the render */
}

/* Draws the data text t (UTF-8) fitted into width from baseline y down;
 * returns the height used. */
static float fitted(pdf_state *s, float x, float y, float width, float size, float min_size, int max_lines,
                    const char *t) {
    char enc[TEXT_MAX];
    HPDF_Font f = data_font(s, t, enc, sizeof enc);
    receipt_fit fit;
    receipt_fit_text(f, enc, width, size, min_size, max_lines, &fit);
    float leading = fit.size * 1.2f;
    for (int i = 0; i < fit.nlines; i++) text_at(s, f, fit.size, x, y - (float)i * leading, fit.lines[i]);
    return (float)(fit.nlines > 0 ? fit.nlines : 1) * leading;
}

static void line(pdf_state *s, float x0, float y0, float x1, float y1, float w) {
    HPDF_Page_SetLineWidth(s->page, w);
    HPDF_Page_MoveTo(s->page, x0, y0);
    HPDF_Page_LineTo(s->page, x1, y1);
    HPDF_Page_Stroke(s->page);
}

static void box(pdf_state *s, float x, float y, float w, float h, float lw) {
    HPDF_Page_SetLineWidth(s->page, lw);
    HPDF_Page_Rectangle(s->page, x, y, w, h);
    HPDF_Page_Stroke(s->page);
}

/* The document's QR code, side points wide including the 4-module quiet
 * zone, lower left corner at (x, y): one 8-bit grey image of the modules
 * (s->qr_image, one XObject however often it is drawn), scaled without
 * interpolation (PDF's default), so every module stays a sharp square. */
static void qr(pdf_state *s, float x, float y, float side) {
    int n = s->qr->width;
    float m = side / (float)(n + 8);
    HPDF_Page_DrawImage(s->page, s->qr_image, x + 4 * m, y + 4 * m, (float)n * m, (float)n * m);
}

/* s->qr as an 8-bit DeviceGray image, one byte a module (0 black: a dark
 * module; 2.4 KB for version 8), deflated to ~0.4 KB if deflate (it costs
 * an eighth of a WinAnsi-only render: done for the documents that embed
 * the UTF-8 font as well, the larger ones). Not 1-bit: libharu 2.3.0 codes
 * those with its own CCITT G4 encoder, which garbles a QR code. */
static HPDF_Image qr_image(pdf_state *s, int deflate) {
    int n = s->qr->width;
    unsigned char px[177 * 177]; /* version 40 is 177 modules wide */
    if (n > 177) return NULL;
    for (int i = 0; i < n * n; i++) px[i] = (s->qr->data[i] & 1) ? 0 : 255;
    if (deflate) HPDF_SetCompressionMode(s->pdf, HPDF_COMP_TEXT | HPDF_COMP_IMAGE);
    HPDF_Image img = HPDF_LoadRawImageFromMem(s->pdf, px, (HPDF_UINT)n, (HPDF_UINT)n, HPDF_CS_DEVICE_GRAY, 8);
    HPDF_SetCompressionMode(s->pdf, HPDF_COMP_TEXT);
    return img;
}

/* 1 if Windows-1252 holds every data text of d (no UTF-8 font needed). */
static int all_cp1252(const receipt_doc *d) {
    const char *texts[] = { d->nama, d->instansi_kode, d->instansi_nama, d->unit_kode, d->unit_nama };
    char scratch[TEXT_MAX];
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (!receipt_to_cp1252(texts[i], scratch, sizeof scratch)) return 0;
    return 1;
}

/* A pair of scissors (✂, open towards +x), 9 points wide, centred on the
 * line y: two rings and two crossed blades. Drawn, not set in a font: the
 * glyph is outside Windows-1252, and a UTF-8 font for one symbol would cost
 * more than the rest of the receipt. */
static void scissors(pdf_state *s, float x, float y) {
    HPDF_Page_SetLineWidth(s->page, 0.6f);
    HPDF_Page_Circle(s->page, x + 1.4f, y + 1.8f, 1.3f);
    HPDF_Page_Circle(s->page, x + 1.4f, y - 1.8f, 1.3f);
    HPDF_Page_MoveTo(s->page, x + 2.5f, y + 1.1f);
    HPDF_Page_LineTo(s->page, x + 9.0f, y - 1.6f);
    HPDF_Page_MoveTo(s->page, x + 2.5f, y - 1.1f);
    HPDF_Page_LineTo(s->page, x + 9.0f, y + 1.6f);
    HPDF_Page_Stroke(s->page);
}

/* "kode — nama" */
static void ref_text(char *out, size_t cap, const char *kode, const char *nama) {
    snprintf(out, cap, "%s (%s)", nama, kode);
}

/* ---- Bukti Registrasi ----------------------------------------------- */

/* One half, between y0 and y0 + h. verifier: the half for Verifikator 1. */
static pc_status bukti_half(pdf_state *s, const receipt_doc *d, const char *when, float y0, float h,
                            int verifier) {
    float top = y0 + h - 26, right = PAGE_W - MARGIN;
    HPDF_Page_SetRGBStroke(s->page, 0.55f, 0.55f, 0.55f);
    box(s, MARGIN - 12, y0 + 14, PAGE_W - 2 * (MARGIN - 12), h - 28, 0.6f);
    HPDF_Page_SetRGBStroke(s->page, 0, 0, 0);
    HPDF_Page_SetRGBFill(s->page, 0, 0, 0);
    text_at(s, s->bold, 9, MARGIN, top - 10, "BADAN KEPEGAWAIAN NEGARA");
    text_right(s, s->sans, 8.5f, right, top - 10, verifier ? "Lembar untuk Verifikator 1" : "Lembar untuk PNS");
    text_at(s, s->bold, 17, MARGIN, top - 32, "BUKTI REGISTRASI e-PUPNS");
    text_at(s, s->sans, 8.5f, MARGIN, top - 45, "Pendataan Ulang Pegawai Negeri Sipil Elektronik");
    line(s, MARGIN, top - 53, right, top - 53, 0.8f);

    /* The QR code on the right, the data on the left. */
    float qside = 132, qx = right - qside, qy = top - 62 - qside;
    qr(s, qx, qy, qside);
    text_centre(s, s->sans, 6.5f, qx + qside / 2, qy - 4, "Pindai untuk memeriksa keaslian");

    float lx = MARGIN, vx = MARGIN + 92, vw = qx - 12 - vx, y = top - 76;
    text_at(s, s->sans, 9, lx, y - 14, "No. Registrasi");
    /* DejaVu Sans Mono Bold, spaced: every symbol of the alphabet distinct. */
    HPDF_Page_BeginText(s->page);
    HPDF_Page_SetFontAndSize(s->page, s->mono_bold, 26);
    HPDF_Page_SetCharSpace(s->page, 2.5f);
    HPDF_Page_TextOut(s->page, vx, y - 18, d->no_registrasi);
    HPDF_Page_SetCharSpace(s->page, 0);
    HPDF_Page_EndText(s->page);
    y -= 40;
    text_at(s, s->sans, 9, lx, y, "NIP");
    text_at(s, s->mono_bold, 11.5f, vx, y, d->nip);
    y -= 18;
    text_at(s, s->sans, 9, lx, y, "Nama");
    y -= fitted(s, vx, y, vw, 11.5f, 6, 4, d->nama) + 5;
    char buf[TEXT_MAX];
    ref_text(buf, sizeof buf, d->instansi_kode, d->instansi_nama);
    text_at(s, s->sans, 9, lx, y, "Instansi");
    y -= fitted(s, vx, y, vw, 9.5f, 6, 3, buf) + 5;
    ref_text(buf, sizeof buf, d->unit_kode, d->unit_nama);
    text_at(s, s->sans, 9, lx, y, "Unit Kerja");
    y -= fitted(s, vx, y, vw, 9.5f, 6, 3, buf) + 5;
    text_at(s, s->sans, 9, lx, y, "Tanggal Registrasi");
    text_at(s, s->sans, 9.5f, vx, y, when);

    /* The instruction of this half, at its foot. */
    float fy = y0 + 48;
    line(s, MARGIN, fy + 22, right, fy + 22, 0.4f);
    if (verifier)
        text_at(s, s->bold, 10.5f, MARGIN, fy + 6, "Serahkan lembar ini kepada Verifikator 1 di tempat kerja Anda.");
    else
        text_at(s, s->bold, 10.5f, MARGIN, fy + 6, "Simpan lembar ini sebagai bukti registrasi Anda.");
    text_at(s, s->sans, 7, MARGIN, fy - 8,
            "Keaslian dapat diperiksa dengan memindai kode QR (tanda tangan Ed25519; kunci publik di "
            "/api/v1/bukti/kunci).");
    return PC_OK;
}

static pc_status bukti(pdf_state *s, const receipt_doc *d, const char *when) {
    float half = PAGE_H / 2;
    if (bukti_half(s, d, when, half, half, 0) != PC_OK || bukti_half(s, d, when, 0, half, 1) != PC_OK)
        return PC_ERROR;
    /* The cut line, with the scissors and its label in a gap. */
    const char *label = "potong di sini";
    float icon = 9 + 4, lw = icon + receipt_text_width(s->sans, label, strlen(label), 8), cx = PAGE_W / 2;
    static const HPDF_UINT16 dash[] = { 5, 3 };
    HPDF_Page_SetRGBStroke(s->page, 0.3f, 0.3f, 0.3f);
    HPDF_Page_SetDash(s->page, dash, 2, 0);
    line(s, 12, half, cx - lw / 2 - 6, half, 0.7f);
    line(s, cx + lw / 2 + 6, half, PAGE_W - 12, half, 0.7f);
    HPDF_Page_SetDash(s->page, NULL, 0, 0);
    scissors(s, cx - lw / 2, half);
    HPDF_Page_SetRGBFill(s->page, 0.3f, 0.3f, 0.3f);
    text_at(s, s->sans, 8, cx - lw / 2 + icon, half - 2.5f, label);
    HPDF_Page_SetRGBFill(s->page, 0, 0, 0);
    return PC_OK;
}

/* ---- Formulir --------------------------------------------------------- */

/* "2 Januari 1975" from the NIP's YYYYMMDD at off; "Januari 2014" for YYYYMM. */
static void nip_date(const char *nip, int off, int with_day, char *out, size_t cap) {
    int y = 0, m = 0, dd = 0;
    char part[9] = { 0 };
    memcpy(part, nip + off, with_day ? 8 : 6);
    int got = with_day ? sscanf(part, "%4d%2d%2d", &y, &m, &dd) : sscanf(part, "%4d%2d", &y, &m);
    if (got != (with_day ? 3 : 2) || m < 1 || m > 12) snprintf(out, cap, "%s", part);
    else if (with_day) snprintf(out, cap, "%d %s %d", dd, months[m - 1], y);
    else snprintf(out, cap, "%s %d", months[m - 1], y);
}

static pc_status formulir(pdf_state *s, const receipt_doc *d, const char *when) {
    float right = PAGE_W - MARGIN, top = PAGE_H - MARGIN;
    text_at(s, s->bold, 9, MARGIN, top - 8, "BADAN KEPEGAWAIAN NEGARA");
    text_at(s, s->bold, 15, MARGIN, top - 28, "FORMULIR PEMUTAKHIRAN DATA PNS");
    text_at(s, s->sans, 8.5f, MARGIN, top - 41, "e-PUPNS: data yang tercatat saat registrasi. Bila ada yang tidak sesuai,");
    text_at(s, s->sans, 8.5f, MARGIN, top - 52, "tulis data yang benar pada kolom Perbaikan dan serahkan kepada Verifikator 1.");
    text_at(s, s->sans, 9, MARGIN, top - 74, "No. Registrasi");
    text_at(s, s->mono_bold, 15, MARGIN + 72, top - 74, d->no_registrasi);
    float qside = 84;
    qr(s, right - qside, top - qside + 4, qside);

    char tgl[64], tmt[64], ins[TEXT_MAX], unit[TEXT_MAX];
    nip_date(d->nip, 0, 1, tgl, sizeof tgl);
    nip_date(d->nip, 8, 0, tmt, sizeof tmt);
    snprintf(ins, sizeof ins, "%s", d->instansi_nama);
    snprintf(unit, sizeof unit, "%s", d->unit_nama);
    const char *gender = d->nip[14] == '1' ? "Laki-laki" : d->nip[14] == '2' ? "Perempuan" : "-";
    struct { const char *label, *value; } rows[] = {
        { "NIP Baru", d->nip },
        { "Nama", d->nama },
        { "Tanggal Lahir", tgl },
        { "Jenis Kelamin", gender },
        { "TMT CPNS", tmt },
        { "Kode Instansi", d->instansi_kode },
        { "Instansi", ins },
        { "Kode Unit Kerja", d->unit_kode },
        { "Unit Kerja", unit },
        { "Tanggal Registrasi", when },
        { "", "" }, { "", "" }, { "", "" },
    };
    /* Columns: No | Elemen Data | Data Tercatat | Perbaikan */
    float cx[5] = { MARGIN, MARGIN + 24, MARGIN + 130, MARGIN + 330, right };
    float y = top - 96;
    HPDF_Page_SetRGBFill(s->page, 0.88f, 0.88f, 0.88f);
    HPDF_Page_Rectangle(s->page, cx[0], y - 18, cx[4] - cx[0], 18);
    HPDF_Page_Fill(s->page);
    HPDF_Page_SetRGBFill(s->page, 0, 0, 0);
    static const char *const heads[] = { "No", "Elemen Data", "Data Tercatat", "Perbaikan (diisi bila salah)" };
    for (int c = 0; c < 4; c++) text_at(s, s->bold, 8.5f, cx[c] + 4, y - 12.5f, heads[c]);
    float row_top = y;
    y -= 18;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        receipt_fit fit;
        float vw = cx[3] - cx[2] - 8;
        char enc[TEXT_MAX];
        HPDF_Font vf = data_font(s, rows[i].value, enc, sizeof enc);
        receipt_fit_text(vf, enc, vw, 9, 6, RECEIPT_FIT_LINES, &fit);
        float lead = fit.size * 1.2f, hgt = (float)(fit.nlines > 1 ? fit.nlines : 1) * lead + 12;
        if (hgt < 24) hgt = 24;
        char no[8];
        snprintf(no, sizeof no, "%zu", i + 1);
        text_at(s, s->sans, 8.5f, cx[0] + 4, y - 15, no);
        if (rows[i].label[0]) text_at(s, s->sans, 8.5f, cx[1] + 4, y - 15, rows[i].label);
        for (int l = 0; l < fit.nlines; l++)
            text_at(s, vf, fit.size, cx[2] + 4, y - 15 - (float)l * lead, fit.lines[l]);
        y -= hgt;
        line(s, cx[0], y, cx[4], y, 0.5f);
    }
    for (int c = 0; c < 5; c++) line(s, cx[c], row_top, cx[c], y, 0.5f);
    line(s, cx[0], row_top, cx[4], row_top, 0.5f);

    /* Place, date and the two signature boxes. */
    y -= 26;
    text_at(s, s->sans, 9, MARGIN, y, "Tempat, tanggal: ........................................................");
    y -= 14;
    float bw = (cx[4] - cx[0] - 20) / 2, bh = 118;
    for (int b = 0; b < 2; b++) {
        float bx = cx[0] + (float)b * (bw + 20), by = y - bh;
        box(s, bx, by, bw, bh, 0.6f);
        text_at(s, s->bold, 9, bx + 8, y - 14, b == 0 ? "PNS yang bersangkutan" : "Verifikator 1");
        line(s, bx + 8, by + 36, bx + bw - 8, by + 36, 0.4f);
        if (b == 0) {
            fitted(s, bx + 8, by + 26, bw - 16, 8.5f, 6, 2, d->nama);
            text_at(s, s->mono_bold, 8, bx + 8, by + 6, d->nip);
        } else {
            text_at(s, s->sans, 8.5f, bx + 8, by + 24, "Nama: ............................................");
            text_at(s, s->sans, 8.5f, bx + 8, by + 10, "NIP: ..............................................");
        }
        text_at(s, s->sans, 7, bx + 8, y - 26, "tanda tangan");
    }
    text_at(s, s->sans, 7, MARGIN, MARGIN - 12,
            "Formulir ini dicetak dari e-PUPNS. Keaslian dapat diperiksa dengan memindai kode QR.");
    return PC_OK;
}

/* ---- the document ----------------------------------------------------- */

/* file of s->font_dir as a font in encoding: "WinAnsiEncoding" (a simple
 * TrueType font) or "UTF-8" (a CID font: any character). NULL on failure. */
static HPDF_Font load_font(pdf_state *s, const char *file, const char *encoding) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", s->font_dir, file);
    const char *name = HPDF_LoadTTFontFromFile(s->pdf, path, HPDF_TRUE);
    return name ? HPDF_GetFont(s->pdf, name, encoding) : NULL;
}

static int doc_complete(const receipt_doc *d) {
    return d->no_registrasi && d->nip && strlen(d->nip) == 18 && d->nama && d->instansi_kode && d->instansi_nama &&
           d->unit_kode && d->unit_nama && d->created_at && d->qr_payload;
}

pc_status receipt_render(const char *font_dir, receipt_kind kind, const receipt_doc *d, unsigned char **pdf,
                         size_t *len, char *errstr, size_t errlen) {
    *pdf = NULL;
    *len = 0;
    char when[96];
    if (!doc_complete(d) || !receipt_format_wib(d->created_at, when, sizeof when)) {
        snprintf(errstr, errlen, "incomplete registration data");
        return PC_EINVAL;
    }
    pdf_state s = { .font_dir = font_dir };
    pc_status st = PC_ERROR;
    s.qr = QRcode_encodeString(d->qr_payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!s.qr) {
        snprintf(errstr, errlen, "QR encoding failed");
        return PC_ERROR;
    }
    s.pdf = HPDF_New(on_error, &s);
    if (!s.pdf) {
        QRcode_free(s.qr);
        snprintf(errstr, errlen, "HPDF_New failed");
        return PC_ERROR;
    }
    /* Content streams deflated; the WinAnsi fonts' small subsets not:
     * deflating them cost a fifth of a render, for 6 KB. */
    HPDF_SetCompressionMode(s.pdf, HPDF_COMP_TEXT);
    s.sans = load_font(&s, receipt_fonts_sans_cp1252(font_dir), "WinAnsiEncoding");
    /* Bold: headings and instructions only, all ASCII. */
    s.bold = load_font(&s, "DejaVuSans-Bold.ttf", "WinAnsiEncoding");
    /* Only the registration number and the NIP: ASCII by their validation. */
    s.mono_bold = load_font(&s, "DejaVuSansMono-Bold.ttf", "WinAnsiEncoding");
    s.qr_image = qr_image(&s, !all_cp1252(d));
    if (!s.sans || !s.bold || !s.mono_bold || !s.qr_image) {
        snprintf(errstr, errlen, "cannot load the DejaVu fonts from %s or make the QR image (libharu error 0x%04X)",
                 font_dir, (unsigned)s.error);
        goto out;
    }
    /* Fixed metadata: the same inputs give the same bytes. */
    HPDF_SetInfoAttr(s.pdf, HPDF_INFO_CREATOR, "PUPNS receipt service");
    HPDF_SetInfoAttr(s.pdf, HPDF_INFO_TITLE, kind == RECEIPT_BUKTI ? "Bukti Registrasi e-PUPNS"
                                                                   : "Formulir Pemutakhiran Data PNS");
    s.page = HPDF_AddPage(s.pdf);
    HPDF_Page_SetSize(s.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    if ((kind == RECEIPT_BUKTI ? bukti(&s, d, when) : formulir(&s, d, when)) != PC_OK || s.font_failed || s.error) {
        if (s.font_failed)
            snprintf(errstr, errlen, "cannot load the UTF-8 font from %s/DejaVuSans.ttf (libharu error 0x%04X)",
                     font_dir, (unsigned)s.error);
        else
            snprintf(errstr, errlen, "drawing failed (libharu error 0x%04X/%u)", (unsigned)s.error,
                     (unsigned)s.detail);
        goto out;
    }
    if (HPDF_SaveToStream(s.pdf) != HPDF_OK) {
        snprintf(errstr, errlen, "HPDF_SaveToStream failed (0x%04X)", (unsigned)s.error);
        goto out;
    }
    HPDF_UINT32 size = HPDF_GetStreamSize(s.pdf);
    unsigned char *buf = malloc(size ? size : 1);
    HPDF_UINT32 got = size;
    HPDF_STATUS rs = buf ? HPDF_ReadFromStream(s.pdf, buf, &got) : HPDF_FAILD_TO_ALLOC_MEM;
    if ((rs != HPDF_OK && rs != HPDF_STREAM_EOF) || got != size) {
        free(buf);
        snprintf(errstr, errlen, "reading the PDF stream failed");
        goto out;
    }
    *pdf = buf;
    *len = size;
    st = PC_OK;
out:
    HPDF_Free(s.pdf);
    QRcode_free(s.qr);
    return st;
}
