/* test_seal.c -- unit tests for sealed-box helpers (libcommon/seal.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"

static unsigned char pk[32], sk[32], pk2[32], sk2[32];

static int setup(void **state) {
    (void)state;
    if (sodium_init() < 0) return -1;
    crypto_box_keypair(pk, sk);
    crypto_box_keypair(pk2, sk2);
    return 0;
}

/* Opens b64 with the test key pair: the status, and the plaintext freed. */
static pc_status open_status(const char *b64) {
    char *plain = (char *)"sentinel";
    pc_status st = pc_unseal_b64(pk, sk, b64, &plain);
    if (st != PC_OK) assert_null(plain);
    pc_secret_free(plain);
    return st;
}

static void round_trip(const char *text) {
    char *b64 = NULL, *plain = NULL;
    assert_int_equal(pc_seal_b64(pk, text, &b64), PC_OK);
    assert_non_null(b64);
    size_t clen = strlen(text) + crypto_box_SEALBYTES;
    assert_int_equal(strlen(b64) + 1, sodium_base64_ENCODED_LEN(clen, sodium_base64_VARIANT_ORIGINAL));
    assert_int_equal(strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="), strlen(b64));
    assert_int_equal(pc_unseal_b64(pk, sk, b64, &plain), PC_OK);
    assert_string_equal(plain, text);
    pc_secret_free(plain);
    free(b64);
}

static void test_round_trip(void **state) {
    (void)state;
    round_trip("Jk8#pq2z");
    round_trip("");
    round_trip("Siti Aminah");
    round_trip("kata" "k\xc3\xbc" "nc\xc3\xad \xf0\x9f\x98\x80");
    char big[PC_SEAL_MAX_PLAINTEXT + 1];
    memset(big, 'a', PC_SEAL_MAX_PLAINTEXT);
    big[PC_SEAL_MAX_PLAINTEXT] = '\0';
    round_trip(big); /* the largest allowed */
}

static void test_seals_differ(void **state) {
    (void)state;
    char *a = NULL, *b = NULL;
    assert_int_equal(pc_seal_b64(pk, "rahasia", &a), PC_OK);
    assert_int_equal(pc_seal_b64(pk, "rahasia", &b), PC_OK);
    assert_string_not_equal(a, b); /* fresh ephemeral key each time */
    assert_null(strstr(a, "rahasia"));
    free(a);
    free(b);
}

static void test_wrong_key(void **state) {
    (void)state;
    char *b64 = NULL, *plain = (char *)"sentinel";
    assert_int_equal(pc_seal_b64(pk, "Jk8#pq2z", &b64), PC_OK);
    assert_int_equal(pc_unseal_b64(pk2, sk2, b64, &plain), PC_EINVAL);
    assert_null(plain);
    assert_int_equal(pc_unseal_b64(pk, sk2, b64, &plain), PC_EINVAL);
    assert_int_equal(pc_unseal_b64(pk2, sk, b64, &plain), PC_EINVAL);
    free(b64);
}

static void test_tampered(void **state) {
    (void)state;
    char *b64 = NULL;
    assert_int_equal(pc_seal_b64(pk, "Jk8#pq2z", &b64), PC_OK);
    unsigned char c[256];
    size_t clen;
    assert_int_equal(sodium_base642bin(c, sizeof c, b64, strlen(b64), NULL, &clen, NULL,
                                       sodium_base64_VARIANT_ORIGINAL), 0);
    char re[512];
    /* Flip one bit in every byte in turn: the ephemeral key, the tag, the body. */
    for (size_t i = 0; i < clen; i++) {
        c[i] ^= 0x01;
        sodium_bin2base64(re, sizeof re, c, clen, sodium_base64_VARIANT_ORIGINAL);
        assert_int_equal(open_status(re), PC_EINVAL);
        c[i] ^= 0x01;
    }
    sodium_bin2base64(re, sizeof re, c, clen, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(open_status(re), PC_OK);
    /* Truncated and extended ciphertexts. */
    sodium_bin2base64(re, sizeof re, c, clen - 1, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(open_status(re), PC_EINVAL);
    sodium_bin2base64(re, sizeof re, c, crypto_box_SEALBYTES - 1, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(open_status(re), PC_EINVAL);
    c[clen] = 0;
    sodium_bin2base64(re, sizeof re, c, clen + 1, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(open_status(re), PC_EINVAL);
    free(b64);
}

static void test_garbage_base64(void **state) {
    (void)state;
    char *b64 = NULL;
    assert_int_equal(pc_seal_b64(pk, "Jk8#pq2z", &b64), PC_OK);
    size_t n = strlen(b64);
    const char *bad[] = { "", "!!!!", "abc", "====", "A", "AAAA", "bm90IGEgc2VhbA==", "%%%%%%%%%%%%" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(open_status(bad[i]), PC_EINVAL);

    char *v = malloc(n + 3);
    assert_non_null(v);
    /* Whitespace, trailing junk, missing padding, URL-safe alphabet. */
    snprintf(v, n + 3, " %s", b64);
    assert_int_equal(open_status(v), PC_EINVAL);
    snprintf(v, n + 3, "%s\n", b64);
    assert_int_equal(open_status(v), PC_EINVAL);
    snprintf(v, n + 3, "%sAA", b64);
    assert_int_equal(open_status(v), PC_EINVAL);
    memcpy(v, b64, n + 1);
    while (n && v[n - 1] == '=') v[--n] = '\0';
    if (n != strlen(b64)) assert_int_equal(open_status(v), PC_EINVAL);
    memcpy(v, b64, strlen(b64) + 1);
    v[5] = '-';
    assert_int_equal(open_status(v), PC_EINVAL);
    v[5] = '_';
    assert_int_equal(open_status(v), PC_EINVAL);
    free(v);
    free(b64);
}

static void test_too_long(void **state) {
    (void)state;
    char *big = malloc(PC_SEAL_MAX_PLAINTEXT + 2);
    assert_non_null(big);
    memset(big, 'a', PC_SEAL_MAX_PLAINTEXT + 1);
    big[PC_SEAL_MAX_PLAINTEXT + 1] = '\0';
    char *b64 = (char *)"sentinel";
    assert_int_equal(pc_seal_b64(pk, big, &b64), PC_EINVAL);
    assert_null(b64);
    free(big);

    /* A well-formed seal of one byte too many is refused before decoding. */
    size_t mlen = PC_SEAL_MAX_PLAINTEXT + 1, clen = mlen + crypto_box_SEALBYTES;
    unsigned char *m = calloc(1, mlen), *c = malloc(clen);
    size_t b64len = sodium_base64_ENCODED_LEN(clen, sodium_base64_VARIANT_ORIGINAL);
    char *enc = malloc(b64len);
    assert_true(m && c && enc);
    memset(m, 'a', mlen);
    assert_int_equal(crypto_box_seal(c, m, mlen, pk), 0);
    sodium_bin2base64(enc, b64len, c, clen, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(open_status(enc), PC_EINVAL);
    free(m);
    free(c);
    free(enc);

    /* Long garbage too. */
    char *junk = malloc(1 << 20);
    assert_non_null(junk);
    memset(junk, 'A', (1 << 20) - 1);
    junk[(1 << 20) - 1] = '\0';
    assert_int_equal(open_status(junk), PC_EINVAL);
    free(junk);
}

static void test_inner_nul_refused(void **state) {
    (void)state;
    static const unsigned char m[] = { 'a', 'b', 0, 'c', 'd' };
    unsigned char c[sizeof m + crypto_box_SEALBYTES];
    char enc[sodium_base64_ENCODED_LEN(sizeof c, sodium_base64_VARIANT_ORIGINAL)];
    assert_int_equal(crypto_box_seal(c, m, sizeof m, pk), 0);
    sodium_bin2base64(enc, sizeof enc, c, sizeof c, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(open_status(enc), PC_EINVAL);
}

static void test_null_arguments(void **state) {
    (void)state;
    char *out = (char *)"sentinel";
    assert_int_equal(pc_seal_b64(NULL, "x", &out), PC_EINVAL);
    assert_null(out);
    assert_int_equal(pc_seal_b64(pk, NULL, &out), PC_EINVAL);
    assert_int_equal(pc_seal_b64(pk, "x", NULL), PC_EINVAL);
    out = (char *)"sentinel";
    assert_int_equal(pc_unseal_b64(pk, sk, NULL, &out), PC_EINVAL);
    assert_null(out);
    assert_int_equal(pc_unseal_b64(NULL, sk, "AAAA", &out), PC_EINVAL);
    assert_int_equal(pc_unseal_b64(pk, NULL, "AAAA", &out), PC_EINVAL);
    assert_int_equal(pc_unseal_b64(pk, sk, "AAAA", NULL), PC_EINVAL);
    pc_secret_free(NULL);
}

static void test_secret_free_wipes(void **state) {
    (void)state;
    /* Only observable as "frees without complaint" under ASan; the wipe
     * itself is sodium_memzero, which the compiler may not elide. */
    char *s = malloc(16);
    assert_non_null(s);
    strcpy(s, "rahasia");
    pc_secret_free(s);
}

static int is_hex64(const char *s) {
    return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static void test_keypair_hex(void **state) {
    (void)state;
    char pkh[65], skh[65], pkh2[65], skh2[65];
    assert_int_equal(pc_keypair_hex(pkh, skh), PC_OK);
    assert_true(is_hex64(pkh));
    assert_true(is_hex64(skh));
    assert_int_equal(pc_keypair_hex(pkh2, skh2), PC_OK);
    assert_string_not_equal(pkh, pkh2);
    assert_string_not_equal(skh, skh2);
    assert_string_not_equal(pkh, skh);

    /* The halves belong together: the public key is derived from the secret,
     * and a seal to one opens with both. */
    unsigned char p[32], s[32], derived[32];
    assert_int_equal(sodium_hex2bin(p, 32, pkh, 64, NULL, NULL, NULL), 0);
    assert_int_equal(sodium_hex2bin(s, 32, skh, 64, NULL, NULL, NULL), 0);
    assert_int_equal(crypto_scalarmult_base(derived, s), 0);
    assert_memory_equal(derived, p, 32);
    char *b64 = NULL, *plain = NULL;
    assert_int_equal(pc_seal_b64(p, "kunci", &b64), PC_OK);
    assert_int_equal(pc_unseal_b64(p, s, b64, &plain), PC_OK);
    assert_string_equal(plain, "kunci");
    pc_secret_free(plain);
    free(b64);
    sodium_memzero(s, sizeof s);
    sodium_memzero(skh, sizeof skh);
    sodium_memzero(skh2, sizeof skh2);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_seals_differ),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_garbage_base64),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_inner_nul_refused),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_secret_free_wipes),
        cmocka_unit_test(test_keypair_hex),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
