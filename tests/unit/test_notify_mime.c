/* test_notify_mime.c -- unit tests for notify's mail building: notices
 * checked and their tokens opened (notice.c), the Indonesian texts with
 * HTML escaping (render.c), WIB times (wib.c), quoted-printable, RFC 2047
 * encoded words and address headers (mime.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "notify.h"
#include "seal.h"

static unsigned char pk[32], sk[32];

static int setup(void **state) {
    (void)state;
    if (sodium_init() < 0) return -1;
    crypto_box_keypair(pk, sk);
    return 0;
}

/* Decodes quoted-printable (soft breaks, =XX, CRLF -> LF). */
static char *qp_decode(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=' && s[1] && s[2]) {
            char hex[3] = { s[1], s[2], 0 };
            *o++ = (char)strtol(hex, NULL, 16);
            s += 3;
        } else if (s[0] == '\r' && s[1] == '\n') {
            *o++ = '\n';
            s += 2;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static void assert_lines_at_most(const char *s, size_t max) {
    const char *line = s;
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            assert_true((size_t)(p - line) <= max + 1); /* + the CR */
            assert_true(p > s && p[-1] == '\r');
            line = p + 1;
        }
    }
}

static void test_qp(void **state) {
    (void)state;
    const char *text = "Yth. Bapak/Ibu Ḥusayn ʿAbd al-Raḥmān,\nbaris = sama \n"
                       "https://portal.example.go.id/akun/verifikasi-email#t=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghij\n"
                       ".titik di awal\n";
    notify_buf b = { 0 };
    notify_mime_qp(&b, text, strlen(text));
    assert_true(notify_buf_ok(&b));
    assert_lines_at_most(b.p, 76);
    for (const unsigned char *p = (const unsigned char *)b.p; *p; p++) assert_true(*p < 0x80);
    assert_non_null(strstr(b.p, "baris =3D sama=20\r\n"));
    char *back = qp_decode(b.p);
    assert_string_equal(back, text);
    free(back);
    notify_buf_free(&b);
}

/* Decodes "=?UTF-8?B?...?=" words of a header value (folding dropped). */
static void words_decode(const char *v, char *out, size_t cap) {
    size_t n = 0;
    const char *p = v;
    while ((p = strstr(p, "=?UTF-8?B?"))) {
        p += 10;
        const char *end = strstr(p, "?=");
        assert_non_null(end);
        assert_true(end - p + 12 <= 75); /* RFC 2047: a word is at most 75 characters */
        unsigned char bin[128];
        size_t len = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, p, (size_t)(end - p), NULL, &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL), 0);
        /* Each word holds whole characters. */
        assert_true(len == 0 || (bin[0] & 0xC0) != 0x80);
        memcpy(out + n, bin, len);
        n += len;
        assert_true(n < cap);
        p = end + 2;
    }
    out[n] = '\0';
}

static void test_header_words(void **state) {
    (void)state;
    notify_buf b = { 0 };
    notify_mime_header(&b, "Subject", "Atur ulang kata kunci e-PUPNS");
    assert_string_equal(b.p, "Subject: Atur ulang kata kunci e-PUPNS\r\n");
    notify_buf_free(&b);
    const char *name = "Āditya Ñúñez Hadiningrat Kusumawardhani Prawiranegara Soerjosoemarno Ḥusayn ʿAbd";
    notify_mime_header(&b, "Subject", name);
    assert_lines_at_most(b.p, 78);
    char back[512];
    words_decode(b.p, back, sizeof back);
    assert_string_equal(back, name);
    notify_buf_free(&b);
}

static void test_address(void **state) {
    (void)state;
    notify_buf b = { 0 };
    notify_mime_address(&b, "To", "Siti Aminah", "siti@example.go.id");
    assert_string_equal(b.p, "To: Siti Aminah <siti@example.go.id>\r\n");
    notify_buf_free(&b);
    notify_mime_address(&b, "To", "Dr. \"Ayu\" S.Kom, M.T.", "ayu@example.go.id");
    assert_string_equal(b.p, "To: \"Dr. \\\"Ayu\\\" S.Kom, M.T.\" <ayu@example.go.id>\r\n");
    notify_buf_free(&b);
    notify_mime_address(&b, "To", "Ḥusayn <b>", "h@example.go.id");
    assert_non_null(strstr(b.p, "To: =?UTF-8?B?"));
    assert_non_null(strstr(b.p, "<h@example.go.id>\r\n"));
    assert_null(strstr(b.p, "<b>"));
    notify_buf_free(&b);
}

static void test_addresses_valid(void **state) {
    (void)state;
    assert_true(notify_address_valid("pns@example.go.id"));
    assert_true(notify_address_valid("a.b+c@sub.example.id"));
    assert_false(notify_address_valid("pns@example"));
    assert_false(notify_address_valid("pns example@x.id"));
    assert_false(notify_address_valid("a@b@x.id"));
    assert_false(notify_address_valid("a<b>@x.id"));
    assert_false(notify_address_valid("a@x.id\r\nBcc: b@y.id"));
    assert_false(notify_address_valid("ü@x.id"));
}

static void test_wib(void **state) {
    (void)state;
    char out[96];
    assert_true(notify_format_wib("2026-12-01T11:48:19Z", out, sizeof out));
    assert_string_equal(out, "1 Desember 2026 pukul 18.48 WIB");
    assert_true(notify_format_wib("2026-12-31T20:05:00.123456Z", out, sizeof out));
    assert_string_equal(out, "1 Januari 2027 pukul 03.05 WIB");
    assert_true(notify_format_wib("2026-08-17T10:00:00+07:00", out, sizeof out));
    assert_string_equal(out, "17 Agustus 2026 pukul 10.00 WIB");
    assert_false(notify_format_wib("kemarin", out, sizeof out));
    assert_false(notify_format_wib("2026-12-01T11:48:19", out, sizeof out));
    assert_false(notify_format_wib(NULL, out, sizeof out));
}

/* An event around data (taken). */
static pc_event event_of(const char *type, json_t *data) {
    json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:o}", "specversion", "1.0", "id", "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc",
                           "source", "/test", "type", type, "data", data);
    char *text = json_dumps(ev, 0);
    json_decref(ev);
    pc_event e;
    char err[128];
    assert_int_equal(pc_event_decode(text, strlen(text), &e, err, sizeof err), PC_OK);
    free(text);
    return e;
}

static json_t *welcome_data(const char *token, const char *nama) {
    char *sealed = NULL;
    assert_int_equal(pc_seal_b64(pk, token, &sealed), PC_OK);
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:s}", "nip",
                          "197501022014071003", "nama", nama, "email", "pns@example.go.id", "no_registrasi", "C8Y9GVRP",
                          "instansi", "kode", "4011", "nama", "Kab. <Malang>", "unit_kerja", "kode", "4011001", "nama",
                          "Dinas & Co", "created_at", "2026-12-01T11:48:19Z", "token_sealed", sealed, "expires_at",
                          "2026-12-08T11:48:19Z");
    free(sealed);
    return d;
}

static notify_settings settings(void) {
    notify_settings s = { 0 };
    snprintf(s.public_url, sizeof s.public_url, "https://pupns.example.go.id");
    snprintf(s.mail_from, sizeof s.mail_from, "no-reply@pupns.example.go.id");
    snprintf(s.mail_from_name, sizeof s.mail_from_name, "e-PUPNS BKN");
    snprintf(s.mail_domain, sizeof s.mail_domain, "pupns.example.go.id");
    return s;
}

static void test_welcome(void **state) {
    (void)state;
    const char *token = "tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";
    pc_event ev = event_of(PC_TYPE_REG_NOTICE_WELCOME, welcome_data(token, "Siti <script>alert(1)</script> & 'Ayu'"));
    notify_notice n;
    char err[160];
    assert_int_equal(notify_notice_parse(&ev, pk, sk, &n, err, sizeof err), PC_OK);
    assert_string_equal(n.token, token);
    notify_settings s = settings();
    notify_content c;
    assert_int_equal(notify_render(&s, &n, &c), PC_OK);
    assert_non_null(strstr(c.text.p, "https://pupns.example.go.id/akun/verifikasi-email#t=tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789"));
    assert_non_null(strstr(c.text.p, "https://pupns.example.go.id/akun\n"));
    assert_non_null(strstr(c.text.p, "C8Y9GVRP"));
    assert_non_null(strstr(c.text.p, "8 Desember 2026 pukul 18.48 WIB"));
    assert_non_null(strstr(c.html.p, "href=\"https://pupns.example.go.id/akun/verifikasi-email#t=tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
    assert_null(strstr(c.html.p, "<script>"));
    assert_non_null(strstr(c.html.p, "Siti &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;Ayu&#39;"));
    assert_non_null(strstr(c.html.p, "Kab. &lt;Malang&gt;"));
    notify_buf m = { 0 };
    assert_int_equal(notify_mime_message(&s, ev.id, ev.type, &n, &c, 1796126207LL, &m), PC_OK);
    assert_non_null(strstr(m.p, "\r\nMessage-ID: <0f1e2d3c-aaaa-4bbb-8ccc-123456789abc@pupns.example.go.id>\r\n"));
    assert_non_null(strstr(m.p, "\r\nX-PUPNS-Event-Id: 0f1e2d3c-aaaa-4bbb-8ccc-123456789abc\r\n"));
    assert_non_null(strstr(m.p, "\r\nX-PUPNS-Type: id.go.bkn.pupns.registration.welcome.v1\r\n"));
    assert_non_null(strstr(m.p, "Content-Type: multipart/alternative;"));
    assert_non_null(strstr(m.p, "Content-Type: text/plain; charset=UTF-8"));
    assert_non_null(strstr(m.p, "Content-Type: text/html; charset=UTF-8"));
    assert_lines_at_most(m.p, 78);
    for (const unsigned char *p = (const unsigned char *)m.p; *p; p++) assert_true(*p < 0x80);
    notify_buf_free(&m);
    notify_content_free(&c);
    notify_notice_clear(&n);
    pc_event_clear(&ev);
}

static void test_refusals(void **state) {
    (void)state;
    notify_notice n;
    char err[160];
    /* A token sealed to another key does not open. */
    unsigned char pk2[32], sk2[32];
    crypto_box_keypair(pk2, sk2);
    pc_event ev = event_of(PC_TYPE_REG_NOTICE_WELCOME, welcome_data("tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ", "Siti"));
    assert_int_equal(notify_notice_parse(&ev, pk2, sk2, &n, err, sizeof err), PC_EINVAL);
    assert_null(strstr(err, "tok_"));
    assert_int_equal(n.kind, NOTICE_WELCOME);
    pc_event_clear(&ev);
    /* A token that is not URL-safe. */
    ev = event_of(PC_TYPE_REG_NOTICE_WELCOME, welcome_data("tok with spaces and \"quotes\"", "Siti"));
    assert_int_equal(notify_notice_parse(&ev, pk, sk, &n, err, sizeof err), PC_EINVAL);
    pc_event_clear(&ev);
    /* A name that would break a header. */
    ev = event_of(PC_TYPE_REG_NOTICE_WELCOME, welcome_data("tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ", "Siti\r\nBcc: x@y.id"));
    assert_int_equal(notify_notice_parse(&ev, pk, sk, &n, err, sizeof err), PC_EINVAL);
    pc_event_clear(&ev);
    /* email_changed goes to the old address. */
    ev = event_of(PC_TYPE_REG_NOTICE_EMAIL_CHANGED,
                  json_pack("{s:s, s:s, s:s, s:s}", "nip", "197501022014071003", "nama", "Siti", "old_email",
                            "lama@example.go.id", "email", "baru@example.go.id"));
    assert_int_equal(notify_notice_parse(&ev, pk, sk, &n, err, sizeof err), PC_OK);
    assert_string_equal(n.to, "lama@example.go.id");
    notify_settings s = settings();
    notify_content c;
    assert_int_equal(notify_render(&s, &n, &c), PC_OK);
    assert_non_null(strstr(c.text.p, "b***@example.go.id"));
    assert_null(strstr(c.text.p, "baru@"));
    notify_content_free(&c);
    notify_notice_clear(&n);
    pc_event_clear(&ev);
    /* No recipient. */
    ev = event_of(PC_TYPE_REG_NOTICE_PASSWORD_RESET, json_pack("{s:s, s:s, s:s}", "nip", "197501022014071003", "nama",
                                                               "Siti", "via", "jawaban"));
    assert_int_equal(notify_notice_parse(&ev, pk, sk, &n, err, sizeof err), PC_EINVAL);
    pc_event_clear(&ev);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qp),          cmocka_unit_test(test_header_words), cmocka_unit_test(test_address),
        cmocka_unit_test(test_addresses_valid), cmocka_unit_test(test_wib),      cmocka_unit_test(test_welcome),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
