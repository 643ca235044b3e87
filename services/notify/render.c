/* render.c -- the words of each mail, in Bahasa Indonesia, as plain text
 * and as HTML built side by side from the same paragraphs, so the two parts
 * never say different things. Every value from a notice is HTML-escaped in
 * the HTML part; tokens appear only in the links' fragments (#t=...), which
 * browsers never send to a server or in a Referer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "notify.h"

static void esc(notify_buf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': notify_buf_puts(b, "&amp;"); break;
        case '<': notify_buf_puts(b, "&lt;"); break;
        case '>': notify_buf_puts(b, "&gt;"); break;
        case '"': notify_buf_puts(b, "&quot;"); break;
        case '\'': notify_buf_puts(b, "&#39;"); break;
        default: notify_buf_add(b, s, 1);
        }
    }
}

static void par(notify_content *c, const char *text) {
    notify_buf_printf(&c->text, "%s\n\n", text);
    notify_buf_puts(&c->html, "<p>");
    esc(&c->html, text);
    notify_buf_puts(&c->html, "</p>\n");
}

/* A paragraph built with printf (the values come from the notice). */
static void parf(notify_content *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void parf(notify_content *c, const char *fmt, ...) {
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    par(c, text);
}

static void link(notify_content *c, const char *label, const char *url) {
    notify_buf_printf(&c->text, "%s:\n%s\n\n", label, url);
    notify_buf_puts(&c->html, "<p><a href=\"");
    esc(&c->html, url);
    notify_buf_puts(&c->html, "\" style=\"display:inline-block;padding:10px 18px;background:#0b5394;color:#ffffff;"
                              "text-decoration:none;border-radius:4px\">");
    esc(&c->html, label);
    notify_buf_puts(&c->html, "</a></p>\n<p style=\"font-size:12px;color:#555555\">Jika tombol tidak berfungsi, "
                              "salin alamat ini ke peramban anda:<br>");
    esc(&c->html, url);
    notify_buf_puts(&c->html, "</p>\n");
}

typedef struct {
    const char *label, *value;
} row;

static void table(notify_content *c, const row *rows, size_t n) {
    notify_buf_puts(&c->html, "<table style=\"border-collapse:collapse;margin:0 0 16px 0\">\n");
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].value) continue;
        notify_buf_printf(&c->text, "  %-17s: %s\n", rows[i].label, rows[i].value);
        notify_buf_puts(&c->html, "<tr><td style=\"padding:2px 12px 2px 0;color:#555555\">");
        esc(&c->html, rows[i].label);
        notify_buf_puts(&c->html, "</td><td style=\"padding:2px 0\"><strong>");
        esc(&c->html, rows[i].value);
        notify_buf_puts(&c->html, "</strong></td></tr>\n");
    }
    notify_buf_puts(&c->text, "\n");
    notify_buf_puts(&c->html, "</table>\n");
}

static void url_of(char *out, size_t cap, const notify_settings *s, const char *path, const char *token) {
    snprintf(out, cap, "%s%s%s%s", s->public_url, path, token ? "#t=" : "", token ? token : "");
}

/* ", berlaku sampai ..." when the notice says until when, else "". */
static void until(char *out, size_t cap, const char *expires_at) {
    char when[96];
    if (notify_format_wib(expires_at, when, sizeof when)) snprintf(out, cap, " dan berlaku sampai %s", when);
    else snprintf(out, cap, "%s", "");
}

static const char *state_text(const char *state) {
    if (state && strcmp(state, "receipt_received") == 0) return "Bukti registrasi telah diterima Verifikator 1";
    if (state && strcmp(state, "in_batch") == 0) return "Dalam berkas yang dikirim ke Verifikator 2 (BKD)";
    /* Accepted is not yet "unit active" (that waits for the whole unit): not promised here. */
    if (state && strcmp(state, "accepted") == 0) return "Diterima Verifikator 2 (BKD)";
    return "Terdaftar: bukti registrasi belum diterima Verifikator 1";
}

static const char *via_text(const char *via) {
    if (via && strcmp(via, "jawaban") == 0) return " melalui jawaban pertanyaan pengaman";
    if (via && strcmp(via, "email") == 0) return " melalui tautan yang dikirim ke email anda";
    if (via && strcmp(via, "ubah") == 0) return " melalui menu ubah kata kunci setelah masuk";
    return "";
}

/* "b***@example.go.id": enough for the owner to recognise the address. */
static void masked(char *out, size_t cap, const char *addr) {
    const char *at = strrchr(addr, '@');
    snprintf(out, cap, "%c***%s", addr[0], at ? at : "");
}

static void body(const notify_settings *s, const notify_notice *n, notify_content *c) {
    char url[1024], when[96], extra[160], other[300];
    switch (n->kind) {
    case NOTICE_WELCOME: {
        par(c, "Registrasi anda pada e-PUPNS (Pendataan Ulang PNS elektronik) telah berhasil. Simpan nomor "
               "registrasi berikut:");
        int have_when = notify_format_wib(n->created_at, when, sizeof when);
        row rows[] = { { "No. Registrasi", n->no_registrasi }, { "NIP", n->nip }, { "Nama", n->nama },
                       { "Instansi", n->instansi }, { "Unit Kerja", n->unit_kerja },
                       { "Waktu registrasi", have_when ? when : NULL } };
        table(c, rows, sizeof rows / sizeof rows[0]);
        par(c, "Langkah berikutnya: cetak Bukti Registrasi dan serahkan satu potongannya kepada Verifikator 1 di "
               "unit kerja anda. Untuk mencetak, masuk ke akun anda dengan NIP dan kata kunci, lalu pilih Cetak.");
        url_of(url, sizeof url, s, "/akun", NULL);
        link(c, "Cetak Bukti Registrasi", url);
        until(extra, sizeof extra, n->expires_at);
        parf(c, "Mohon verifikasi alamat email anda dengan membuka tautan berikut. Tautan ini hanya dapat dipakai "
                "satu kali%s.", extra);
        url_of(url, sizeof url, s, "/akun/verifikasi-email", n->token);
        link(c, "Verifikasi alamat email", url);
        par(c, "Registrasi anda tetap sah tanpa verifikasi email, tetapi hanya alamat yang terverifikasi yang dapat "
               "dipakai untuk mengatur ulang kata kunci melalui email.");
        par(c, "Kata kunci anda bersifat rahasia dan harus diingat. Petugas BKN tidak pernah menanyakan kata kunci "
               "anda.");
        break;
    }
    case NOTICE_EMAIL_VERIFICATION:
        until(extra, sizeof extra, n->expires_at);
        parf(c, "Alamat email ini didaftarkan untuk akun e-PUPNS dengan NIP %s. Untuk memastikan alamat ini milik "
                "anda, buka tautan berikut. Tautan ini hanya dapat dipakai satu kali%s.", n->nip, extra);
        url_of(url, sizeof url, s, "/akun/verifikasi-email", n->token);
        link(c, "Verifikasi alamat email", url);
        par(c, "Jika anda tidak meminta verifikasi ini, abaikan email ini: alamat ini tidak akan terverifikasi.");
        break;
    case NOTICE_EMAIL_CHANGED:
        masked(other, sizeof other, n->new_email);
        parf(c, "Alamat email akun e-PUPNS dengan NIP %s telah diubah menjadi %s. Email berikutnya dikirim ke "
                "alamat yang baru.", n->nip, other);
        par(c, "Jika bukan anda yang mengubahnya, segera masuk ke akun anda dan ganti kata kunci (atau gunakan Lupa "
               "Kata Kunci), lalu hubungi helpdesk BKN.");
        url_of(url, sizeof url, s, "/akun", NULL);
        link(c, "Masuk ke akun e-PUPNS", url);
        break;
    case NOTICE_RESET_LINK:
        until(extra, sizeof extra, n->expires_at);
        parf(c, "Kami menerima permintaan untuk mengatur ulang kata kunci akun e-PUPNS dengan NIP %s. Buka tautan "
                "berikut untuk membuat kata kunci baru. Tautan ini hanya dapat dipakai satu kali%s.", n->nip, extra);
        url_of(url, sizeof url, s, "/akun/kata-kunci-baru", n->token);
        link(c, "Buat kata kunci baru", url);
        par(c, "Jika anda tidak meminta pengaturan ulang, abaikan email ini: kata kunci anda tidak berubah.");
        break;
    case NOTICE_PASSWORD_RESET:
        if (notify_format_wib(n->at, when, sizeof when)) snprintf(extra, sizeof extra, " pada %s", when);
        else extra[0] = '\0';
        parf(c, "Kata kunci akun e-PUPNS dengan NIP %s telah diganti%s%s. Semua sesi yang masih masuk telah "
                "diakhiri.", n->nip, extra, via_text(n->via));
        par(c, "Jika bukan anda yang menggantinya, segera atur ulang kata kunci melalui Lupa Kata Kunci dan hubungi "
               "helpdesk BKN.");
        url_of(url, sizeof url, s, "/akun", NULL);
        link(c, "Masuk ke akun e-PUPNS", url);
        break;
    case NOTICE_STATUS_MAIL: {
        par(c, "Berikut status registrasi e-PUPNS yang anda minta melalui Cek Status:");
        row rows[] = { { "No. Registrasi", n->no_registrasi }, { "NIP", n->nip }, { "Nama", n->nama },
                       { "Status", state_text(n->state) } };
        table(c, rows, sizeof rows / sizeof rows[0]);
        par(c, "Bukti Registrasi dapat dicetak kembali setelah masuk ke akun anda dengan NIP dan kata kunci, lalu "
               "memilih Cetak.");
        url_of(url, sizeof url, s, "/akun", NULL);
        link(c, "Cetak Bukti Registrasi", url);
        break;
    }
    default:
        break;
    }
}

static void subject(const notify_notice *n, notify_buf *b) {
    switch (n->kind) {
    case NOTICE_WELCOME:
        notify_buf_printf(b, "Registrasi e-PUPNS berhasil - No. Registrasi %s", n->no_registrasi);
        break;
    case NOTICE_EMAIL_VERIFICATION: notify_buf_puts(b, "Verifikasi alamat email akun e-PUPNS"); break;
    case NOTICE_EMAIL_CHANGED: notify_buf_puts(b, "Alamat email akun e-PUPNS anda telah diubah"); break;
    case NOTICE_RESET_LINK: notify_buf_puts(b, "Atur ulang kata kunci e-PUPNS"); break;
    case NOTICE_PASSWORD_RESET: notify_buf_puts(b, "Kata kunci akun e-PUPNS anda telah diganti"); break;
    case NOTICE_STATUS_MAIL:
        notify_buf_printf(b, "Status registrasi e-PUPNS - No. Registrasi %s", n->no_registrasi);
        break;
    default: notify_buf_puts(b, "e-PUPNS"); break;
    }
}

pc_status notify_render(const notify_settings *s, const notify_notice *n, notify_content *c) {
    memset(c, 0, sizeof *c);
    subject(n, &c->subject);
    notify_buf_puts(&c->html, "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    if (notify_buf_ok(&c->subject)) esc(&c->html, c->subject.p);
    notify_buf_puts(&c->html, "</title>\n</head>\n<body style=\"font-family:Arial,Helvetica,sans-serif;font-size:"
                              "14px;line-height:1.5;color:#222222;max-width:640px\">\n");
    notify_buf_printf(&c->text, "Yth. Bapak/Ibu %s,\n\n", n->nama);
    notify_buf_puts(&c->html, "<p>Yth. Bapak/Ibu ");
    esc(&c->html, n->nama);
    notify_buf_puts(&c->html, ",</p>\n");
    body(s, n, c);
    notify_buf_puts(&c->text, "Hormat kami,\ne-PUPNS, Badan Kepegawaian Negara\n\n-- \nEmail ini dikirim otomatis; "
                              "mohon tidak membalas email ini.\n");
    notify_buf_puts(&c->html, "<p>Hormat kami,<br>e-PUPNS, Badan Kepegawaian Negara</p>\n<hr>\n<p style=\"font-size:"
                              "12px;color:#555555\">Email ini dikirim otomatis; mohon tidak membalas email ini.</p>\n"
                              "</body>\n</html>\n");
    if (!notify_buf_ok(&c->subject) || !notify_buf_ok(&c->text) || !notify_buf_ok(&c->html)) {
        notify_content_free(c);
        return PC_ERROR;
    }
    return PC_OK;
}

void notify_content_free(notify_content *c) {
    notify_buf_free(&c->subject);
    notify_buf_free(&c->text);
    notify_buf_free(&c->html);
}
