/* test_registration_policy.c -- unit tests for password policy, answer hashes and argon2id (services/registration). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "password_policy.h"
#include "pwhash.h"
#include "secret_hash.h"

#define NIP "197501022014071003"

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

/* The code pc_password_check reports, or "ok". */
static const char *check(const char *pw, const char *confirmation, const char *nip) {
    const char *code = "unset", *message = "unset";
    pc_status st = pc_password_check(pw, confirmation, nip, &code, &message);
    if (st == PC_OK) {
        assert_null(code);
        assert_null(message);
        return "ok";
    }
    assert_int_equal(st, PC_EINVAL);
    assert_non_null(code);
    assert_non_null(message);
    assert_true(strlen(message) > 10);
    return code;
}

static void repeat(char *out, const char *unit, int n) {
    out[0] = '\0';
    for (int i = 0; i < n; i++) strcat(out, unit);
}

/* ---- password policy ---- */

static void test_password_length_ascii(void **state) {
    (void)state;
    assert_string_equal(check(NULL, NULL, NIP), "kata_kunci_pendek");
    assert_string_equal(check("", NULL, NIP), "kata_kunci_pendek");
    assert_string_equal(check("Jk8#pq2", NULL, NIP), "kata_kunci_pendek");
    assert_string_equal(check("Jk8#pq2z", NULL, NIP), "ok");
    char buf[200];
    memset(buf, 0, sizeof buf);
    memset(buf, 'k', 128);
    buf[0] = 'Q';
    assert_string_equal(check(buf, NULL, NIP), "ok");
    buf[128] = 'k';
    assert_string_equal(check(buf, NULL, NIP), "kata_kunci_panjang");
}

static void test_password_length_utf8(void **state) {
    (void)state;
    /* "kataküncí": 9 code points in 11 bytes. */
    assert_int_equal(strlen("kata" "k\xc3\xbc" "nc\xc3\xad"), 9 + 2);
    assert_string_equal(check("kata" "k\xc3\xbc" "nc\xc3\xad", NULL, NIP), "ok");
    /* "kataküñ": 7 code points in 9 bytes -- bytes would wrongly pass. */
    assert_string_equal(check("kata" "k\xc3\xbc\xc3\xb1", NULL, NIP), "kata_kunci_pendek");
    char buf[300];
    repeat(buf, "\xc3\xb1", 7); /* ñ x7: 14 bytes */
    assert_string_equal(check(buf, NULL, NIP), "kata_kunci_pendek");
    repeat(buf, "\xc3\xb1", 8);
    assert_string_equal(check(buf, NULL, NIP), "ok");
    repeat(buf, "\xf0\x9f\x98\x80", 7); /* 4-byte emoji x7: 28 bytes */
    assert_string_equal(check(buf, NULL, NIP), "kata_kunci_pendek");
    repeat(buf, "\xf0\x9f\x98\x80", 8);
    assert_string_equal(check(buf, NULL, NIP), "ok");
    repeat(buf, "\xe6\x97\xa5", 8); /* CJK, 3 bytes each */
    assert_string_equal(check(buf, NULL, NIP), "ok");
    /* The upper bound is bytes: 64 x "é" = 128 bytes fits, 65 does not. */
    repeat(buf, "\xc3\xa9", 64);
    assert_string_equal(check(buf, NULL, NIP), "ok");
    repeat(buf, "\xc3\xa9", 65);
    assert_string_equal(check(buf, NULL, NIP), "kata_kunci_panjang");
}

static void test_password_nip(void **state) {
    (void)state;
    assert_string_equal(check(NIP, NULL, NIP), "kata_kunci_nip");
    assert_string_equal(check("aku" NIP "!", NULL, NIP), "kata_kunci_nip");
    assert_string_equal(check(NIP "Ab", NULL, NIP), "kata_kunci_nip");
    assert_string_equal(check("x" NIP, NULL, NIP), "kata_kunci_nip");
    /* Part of the NIP is allowed (a birth date is weak, but not this rule). */
    assert_string_equal(check("19750102Ku!", NULL, NIP), "ok");
    assert_string_equal(check("19750102201407100", NULL, NIP), "ok");
    /* Unknown NIP: rule skipped. */
    assert_string_equal(check(NIP, NULL, NULL), "ok");
    assert_string_equal(check(NIP, NULL, ""), "ok");
}

static void test_password_common(void **state) {
    (void)state;
    const char *common[] = {
        "password", "PASSWORD", "PassWord", "12345678", "qwertyui", "QwErTyUi", "bismillah", "Bismillah",
        "BISMILLAH", "indonesia", "Indonesia", "rahasia123", "RAHASIA123", "admin123", "Admin123",
        "pupns2015", "PUPNS2015", "bkn12345", "BKN12345", "iloveyou", "1q2w3e4r", "alhamdulillah",
    };
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        assert_string_equal(check(common[i], NULL, NIP), "kata_kunci_umum");
    /* Only whole-password matches count. */
    assert_string_equal(check("password!x", NULL, NIP), "ok");
    assert_string_equal(check("Bismillah-Lulus2015", NULL, NIP), "ok");
    assert_string_equal(check(" password", NULL, NIP), "ok");
}

static void test_password_messages(void **state) {
    (void)state;
    const char *code, *message;
    assert_int_equal(pc_password_check("pendek", NULL, NIP, &code, &message), PC_EINVAL);
    assert_string_equal(code, "kata_kunci_pendek");
    assert_string_equal(message, "Kata kunci minimal 8 karakter.");
    assert_int_equal(pc_password_confirm_check("Jk8#pq2z", "Jk8#pq2Z", &code, &message), PC_EINVAL);
    assert_string_equal(code, "kata_kunci_tidak_sama");
    assert_string_equal(message, "Konfirmasi kata kunci tidak sama.");
    /* Neither message ever echoes the password. */
    assert_int_equal(pc_password_check("Jk8#pq2z", "other123", NIP, &code, &message), PC_EINVAL);
    assert_null(strstr(message, "Jk8#pq2z"));
    /* code and message may be NULL. */
    assert_int_equal(pc_password_check("pendek", NULL, NIP, NULL, NULL), PC_EINVAL);
    assert_int_equal(pc_password_check("Jk8#pq2z", NULL, NIP, NULL, NULL), PC_OK);
    assert_int_equal(pc_password_confirm_check("a", "b", NULL, NULL), PC_EINVAL);
}

static void test_password_confirmation(void **state) {
    (void)state;
    assert_string_equal(check("Jk8#pq2z", "Jk8#pq2z", NIP), "ok");
    assert_string_equal(check("Jk8#pq2z", "Jk8#pq2Z", NIP), "kata_kunci_tidak_sama");
    assert_string_equal(check("Jk8#pq2z", "", NIP), "kata_kunci_tidak_sama");
    assert_string_equal(check("Jk8#pq2z", "Jk8#pq2z ", NIP), "kata_kunci_tidak_sama");
    /* The password's own fault comes first. */
    assert_string_equal(check("pendek", "lain", NIP), "kata_kunci_pendek");
    assert_string_equal(check("password", "lain", NIP), "kata_kunci_umum");
    /* The separate check, for forms that report every field at once. */
    const char *code = "x", *message = "x";
    assert_int_equal(pc_password_confirm_check("pendek", "pendek", &code, &message), PC_OK);
    assert_null(code);
    assert_null(message);
    assert_int_equal(pc_password_confirm_check("pendek", "Pendek", &code, &message), PC_EINVAL);
    assert_int_equal(pc_password_confirm_check(NULL, "x", &code, &message), PC_EINVAL);
    assert_int_equal(pc_password_confirm_check("x", NULL, &code, &message), PC_EINVAL);
    assert_int_equal(pc_password_confirm_check(NULL, NULL, &code, &message), PC_EINVAL);
}

/* ---- answer normalisation ---- */

static const char *norm(const char *in, size_t outlen) {
    static char out[256];
    memset(out, '#', sizeof out);
    registration_normalise_answer(in, out, outlen);
    return out;
}

static void test_normalise_answer(void **state) {
    (void)state;
    assert_string_equal(norm("siti aminah", 256), "SITI AMINAH");
    assert_string_equal(norm("  siti   aminah  ", 256), "SITI AMINAH");
    assert_string_equal(norm("\tSiti\n\n Aminah\r\n", 256), "SITI AMINAH");
    assert_string_equal(norm("Siti\v\fAminah", 256), "SITI AMINAH");
    assert_string_equal(norm("", 256), "");
    assert_string_equal(norm(" \t\n ", 256), "");
    assert_string_equal(norm(NULL, 256), "");
    assert_string_equal(norm("Sri Rahayu, S.Pd.", 256), "SRI RAHAYU, S.PD.");
    /* Non-ASCII bytes are kept as typed (no Unicode case mapping). */
    assert_string_equal(norm("D\xc3\xa9sir\xc3\xa9" "e", 256), "D\xc3\xa9SIR\xc3\xa9" "E");
    assert_string_equal(norm("\xc3\xa9", 256), "\xc3\xa9");
    /* A non-ASCII space (NBSP) is not whitespace here. */
    assert_string_equal(norm("a\xc2\xa0" "b", 256), "A\xc2\xa0" "B");
}

static void test_normalise_answer_cut(void **state) {
    (void)state;
    assert_string_equal(norm("abcdef", 5), "ABCD");
    assert_string_equal(norm("abcdef", 1), "");
    assert_string_equal(norm("ab cd", 4), "AB");        /* no trailing space */
    assert_string_equal(norm("ab\xc3\xa9", 4), "AB");   /* é would not fit whole */
    assert_string_equal(norm("ab\xc3\xa9", 5), "AB\xc3\xa9");
    assert_string_equal(norm("a\xe6\x97\xa5", 4), "A"); /* 3-byte sequence cut */
    assert_string_equal(norm("a\xf0\x9f\x98\x80", 5), "A");
    assert_string_equal(norm("a\xf0\x9f\x98\x80", 6), "A\xf0\x9f\x98\x80");
    /* outlen 0 writes nothing. */
    char out[4] = "xyz";
    registration_normalise_answer("abc", out, 0);
    assert_string_equal(out, "xyz");
}

/* ---- keyed hash ---- */

static const unsigned char key1[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const unsigned char key2[32] = { 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

static void hash_ok(const unsigned char *key, const char *purpose, const char *value, char out[65]) {
    assert_int_equal(registration_keyed_hash(key, purpose, value, out), PC_OK);
    assert_int_equal(strlen(out), 64);
    assert_int_equal(strspn(out, "0123456789abcdef"), 64);
}

static void test_keyed_hash_format_and_vector(void **state) {
    (void)state;
    char h[65];
    hash_ok(key1, "ibu_kandung", "  siti   aminah ", h);
    /* Pinned construction: the stored hashes are a persistent format. */
    static const char msg[] = "ibu_kandung\0SITI AMINAH";
    unsigned char d[32];
    crypto_generichash(d, sizeof d, (const unsigned char *)msg, sizeof msg - 1, key1, 32);
    char want[65];
    sodium_bin2hex(want, sizeof want, d, sizeof d);
    assert_string_equal(h, want);
}

static void test_keyed_hash_properties(void **state) {
    (void)state;
    char a[65], b[65];
    hash_ok(key1, "ibu_kandung", "Siti Aminah", a);
    hash_ok(key1, "ibu_kandung", "  SITI\t aminah\n", b);
    assert_string_equal(a, b); /* same normalised value */
    assert_true(registration_keyed_hash_equal(a, b));

    hash_ok(key2, "ibu_kandung", "Siti Aminah", b);
    assert_string_not_equal(a, b); /* different key */
    hash_ok(key1, "jawaban", "Siti Aminah", b);
    assert_string_not_equal(a, b); /* different purpose */
    hash_ok(key1, "ibu_kandung", "Siti Aminah.", b);
    assert_string_not_equal(a, b); /* different value */
    hash_ok(key1, "ibu_kandung", "SitiAminah", b);
    assert_string_not_equal(a, b); /* a space is significant */
    /* purpose and value do not run together: "ab"+"c" vs "a"+"bc". */
    hash_ok(key1, "ab", "C", a);
    hash_ok(key1, "a", "BC", b);
    assert_string_not_equal(a, b);
    /* The empty answer still hashes (the caller decides it is not allowed). */
    hash_ok(key1, "jawaban", "", a);
    hash_ok(key1, "jawaban", "   ", b);
    assert_string_equal(a, b);
}

static void test_keyed_hash_hides_plaintext(void **state) {
    (void)state;
    const char *values[] = { "cafe", "bed", "abc", "1975", "deaf", "Siti Aminah", "face", "123" };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char h[65], n[64];
        hash_ok(key1, "jawaban", values[i], h);
        registration_normalise_answer(values[i], n, sizeof n);
        assert_null(strstr(h, values[i]));
        assert_null(strcasestr(h, n));
    }
}

static void test_keyed_hash_errors(void **state) {
    (void)state;
    char h[65] = "x";
    assert_int_equal(registration_keyed_hash(NULL, "jawaban", "a", h), PC_EINVAL);
    assert_string_equal(h, "");
    assert_int_equal(registration_keyed_hash(key1, NULL, "a", h), PC_EINVAL);
    assert_int_equal(registration_keyed_hash(key1, "", "a", h), PC_EINVAL);
    assert_int_equal(registration_keyed_hash(key1, "jawaban", NULL, h), PC_EINVAL);
}

static void test_keyed_hash_equal(void **state) {
    (void)state;
    char a[65], b[65];
    hash_ok(key1, "jawaban", "merah", a);
    memcpy(b, a, sizeof b);
    assert_true(registration_keyed_hash_equal(a, b));
    b[63] = b[63] == '0' ? '1' : '0';
    assert_false(registration_keyed_hash_equal(a, b));
    memcpy(b, a, sizeof b);
    b[0] = b[0] == '0' ? '1' : '0';
    assert_false(registration_keyed_hash_equal(a, b));
    assert_false(registration_keyed_hash_equal(a, NULL));
    assert_false(registration_keyed_hash_equal(NULL, a));
    assert_false(registration_keyed_hash_equal(NULL, NULL));
    assert_false(registration_keyed_hash_equal("", ""));
    assert_false(registration_keyed_hash_equal("abc", "abc"));
    char longer[70];
    snprintf(longer, sizeof longer, "%s00", a);
    assert_false(registration_keyed_hash_equal(longer, longer));
    char nothex[65];
    memset(nothex, 'g', 64);
    nothex[64] = '\0';
    assert_false(registration_keyed_hash_equal(nothex, nothex));
}

/* ---- argon2id ---- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_pwhash_round_trip(void **state) {
    (void)state;
    char h1[crypto_pwhash_STRBYTES], h2[crypto_pwhash_STRBYTES];
    assert_int_equal(registration_pwhash("Jk8#pq2z-k\xc3\xbc" "nci", h1), PC_OK);
    assert_true(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    assert_int_equal(crypto_pwhash_str_needs_rehash(h1, REGISTRATION_PWHASH_OPSLIMIT, REGISTRATION_PWHASH_MEMLIMIT), 0);
    assert_null(strstr(h1, "Jk8#pq2z"));
    assert_int_equal(registration_pwhash_verify(h1, "Jk8#pq2z-k\xc3\xbc" "nci"), PC_OK);
    assert_int_equal(registration_pwhash_verify(h1, "Jk8#pq2z-kunci"), PC_EDENIED);
    assert_int_equal(registration_pwhash_verify(h1, "jk8#pq2z-k\xc3\xbc" "nci"), PC_EDENIED);
    assert_int_equal(registration_pwhash_verify(h1, ""), PC_EDENIED);
    assert_int_equal(registration_pwhash_verify(h1, NULL), PC_EDENIED);
    /* A fresh salt each time. */
    assert_int_equal(registration_pwhash("Jk8#pq2z-k\xc3\xbc" "nci", h2), PC_OK);
    assert_string_not_equal(h1, h2);
    assert_int_equal(registration_pwhash_verify(h2, "Jk8#pq2z-k\xc3\xbc" "nci"), PC_OK);
}

static void test_pwhash_bad_input(void **state) {
    (void)state;
    char h[crypto_pwhash_STRBYTES];
    assert_int_equal(registration_pwhash(NULL, h), PC_EINVAL);
    assert_int_equal(registration_pwhash_verify(NULL, "x"), PC_EDENIED);
    assert_int_equal(registration_pwhash_verify("", "x"), PC_EDENIED);
    assert_int_equal(registration_pwhash_verify("$argon2id$garbage", "x"), PC_EDENIED);
    assert_int_equal(registration_pwhash_verify("plaintext-password", "plaintext-password"), PC_EDENIED);
    /* argon2i strings are valid to libsodium but never written here. */
    char h2i[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str_alg(h2i, "secret12", 8, 3, 8 * 1024 * 1024, crypto_pwhash_ALG_ARGON2I13), 0);
    assert_int_equal(registration_pwhash_verify(h2i, "secret12"), PC_EDENIED);
}

/* The equal-time dummy: measured against a real failed verification,
 * interleaved so that other load hits both alike, best of five each. The
 * bound is wide on purpose: what it catches is a path that skips argon2id
 * (a ratio near 0 or far above 1), not scheduling noise. */
static void test_pwhash_dummy_takes_a_verification(void **state) {
    (void)state;
    char h[crypto_pwhash_STRBYTES];
    assert_int_equal(registration_pwhash("Jk8#pq2z", h), PC_OK);
    double real = 1e9, dummy = 1e9;
    for (int i = 0; i < 5; i++) {
        double t0 = now_s();
        assert_int_equal(registration_pwhash_verify(h, "wrong-password"), PC_EDENIED);
        double t1 = now_s();
        registration_pwhash_dummy_verify("wrong-password");
        double t2 = now_s();
        if (t1 - t0 < real) real = t1 - t0;
        if (t2 - t1 < dummy) dummy = t2 - t1;
    }
    registration_pwhash_dummy_verify(NULL); /* must not crash */
    double ratio = dummy / real;
    printf("# verify %.4f s, dummy %.4f s (best of 5): dummy/verify = %.2f\n", real, dummy, ratio);
    assert_true(ratio > 0.5 && ratio < 2.0);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_length_ascii),
        cmocka_unit_test(test_password_length_utf8),
        cmocka_unit_test(test_password_nip),
        cmocka_unit_test(test_password_common),
        cmocka_unit_test(test_password_messages),
        cmocka_unit_test(test_password_confirmation),
        cmocka_unit_test(test_normalise_answer),
        cmocka_unit_test(test_normalise_answer_cut),
        cmocka_unit_test(test_keyed_hash_format_and_vector),
        cmocka_unit_test(test_keyed_hash_properties),
        cmocka_unit_test(test_keyed_hash_hides_plaintext),
        cmocka_unit_test(test_keyed_hash_errors),
        cmocka_unit_test(test_keyed_hash_equal),
        cmocka_unit_test(test_pwhash_round_trip),
        cmocka_unit_test(test_pwhash_bad_input),
        cmocka_unit_test(test_pwhash_dummy_takes_a_verification),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
