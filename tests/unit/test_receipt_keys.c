/* test_receipt_keys.c -- unit tests for the retired-key list of key rotation
 * (services/receipt/keys.c): duplicates, separators, keys that are not
 * Ed25519 public keys, two keys under one kid, and the most keys the
 * configuration value can hold. test_receipt_payload.c has the round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "keys.h"
#include "payload.h"

#define SEED_A "0101010101010101010101010101010101010101010101010101010101010101"
/* Two Ed25519 key pairs whose kids collide (ecb5451e), found by a birthday
 * search over 2^17 random seeds. */
#define SEED_X "f380ce05f50f6e681827b319058d2b90f3645b6ad8e117bc0797f21bb0bc1cae"
#define PK_X "9b3c2cbbc6b84cadab2fdf5cf512ae169e3df607d4f04a92a098a59ef7d48a68"
#define PK_Y "595650aecfc2ba0223c18709ccf008a0bb71dbdc183f67867d98d3524f86c795"

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

/* "kid:hex" of the public key of a fresh seed made from byte b. */
static void entry_of(unsigned char b, char out[RECEIPT_KID_LEN + 1 + 65]) {
    char seed[65];
    memset(seed, 0, sizeof seed);
    for (int i = 0; i < 64; i++) seed[i] = "0123456789abcdef"[(b >> (i % 2 ? 0 : 4)) & 15];
    receipt_keys k;
    char err[256], hex[65];
    assert_int_equal(receipt_keys_load(&k, seed, "", err, sizeof err), PC_OK);
    sodium_bin2hex(hex, sizeof hex, k.current.pk, sizeof k.current.pk);
    snprintf(out, RECEIPT_KID_LEN + 1 + 65, "%s:%s", k.current.kid, hex);
    receipt_keys_clear(&k);
}

static void test_duplicates_and_separators(void **state) {
    (void)state;
    char a[80], b[80], cur[80], list[400], err[256];
    entry_of(0x11, a);
    entry_of(0x22, b);
    entry_of(0x01, cur); /* SEED_A's own key */
    receipt_keys k;
    /* The same key twice and the signing key listed: kept once, not at all. */
    snprintf(list, sizeof list, "%s,%s,%s", a, a + RECEIPT_KID_LEN + 1, cur);
    assert_int_equal(receipt_keys_load(&k, SEED_A, list, err, sizeof err), PC_OK);
    assert_int_equal(k.nold, 1);
    /* One key a line, as in a mounted file; tabs and CRs too. */
    snprintf(list, sizeof list, "%s\r\n\t%s\n", a, b + RECEIPT_KID_LEN + 1);
    assert_int_equal(receipt_keys_load(&k, SEED_A, list, err, sizeof err), PC_OK);
    assert_int_equal(k.nold, 2);
    assert_non_null(receipt_keys_find(&k, k.old[1].kid));
    assert_int_equal(strncmp(k.old[1].kid, b, RECEIPT_KID_LEN), 0);
    receipt_keys_clear(&k);
}

static void test_not_a_public_key(void **state) {
    (void)state;
    receipt_keys k;
    char err[256];
    /* 64 hex digits that are no key: zero (a point of small order), a
     * non-canonical encoding, and a real key with one digit mistyped. */
    const char *bad[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "9b3c2cbbc6b84cadab2fdf5cf512ae169e3df607d4f04a92a098a59ef7d48a69",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(receipt_keys_load(&k, SEED_A, bad[i], err, sizeof err), PC_EINVAL);
        assert_non_null(strstr(err, "is not an Ed25519 public key"));
    }
    assert_int_equal(receipt_keys_load(&k, SEED_A, PK_X, err, sizeof err), PC_OK);
    receipt_keys_clear(&k);
}

static void test_kid_collision(void **state) {
    (void)state;
    receipt_keys k;
    char err[256];
    assert_int_equal(receipt_keys_load(&k, SEED_X, "", err, sizeof err), PC_OK);
    char kid_y[RECEIPT_KID_LEN + 1];
    unsigned char pk_y[32];
    assert_int_equal(pc_config_key(PK_Y, pk_y), PC_OK);
    receipt_kid(pk_y, kid_y);
    assert_string_equal(kid_y, k.current.kid); /* the premise: one kid, two keys */
    /* A new seed whose kid a retired key already has: make another seed. */
    assert_int_equal(receipt_keys_load(&k, SEED_X, PK_Y, err, sizeof err), PC_EINVAL);
    assert_non_null(strstr(err, "make another signing seed"));
    /* Two retired keys under one kid. */
    assert_int_equal(receipt_keys_load(&k, SEED_A, PK_X "," PK_Y, err, sizeof err), PC_EINVAL);
    assert_non_null(strstr(err, "names two different keys"));
    /* Nothing is left loaded after a refusal. */
    assert_int_equal(k.nold, 0);
    assert_null(receipt_keys_find(&k, kid_y));
}

/* RECEIPT_OLD_KEYS_MAX "kid:hex" entries pass through the configuration (the
 * environment variable) and load; one more is refused by name. */
static void test_most_keys(void **state) {
    (void)state;
    char list[1200] = "", e[80], err[512];
    for (int i = 0; i < RECEIPT_OLD_KEYS_MAX; i++) {
        entry_of((unsigned char)(0x30 + i), e);
        if (i) strcat(list, ",");
        strcat(list, e);
    }
    setenv("PUPNS_RECEIPT_OLD_PUBLIC_KEYS", list, 1);
    pc_config *cfg = calloc(1, sizeof *cfg);
    assert_non_null(cfg);
    assert_int_equal(pc_config_load(cfg, "receipt", err, sizeof err), PC_OK);
    assert_string_equal(cfg->receipt_old_public_keys, list);
    receipt_keys k;
    assert_int_equal(receipt_keys_load(&k, SEED_A, cfg->receipt_old_public_keys, err, sizeof err), PC_OK);
    assert_int_equal(k.nold, RECEIPT_OLD_KEYS_MAX);
    /* Every one of them verifies what it signed. */
    for (int i = 0; i < RECEIPT_OLD_KEYS_MAX; i++) {
        char seed[65];
        unsigned char b = (unsigned char)(0x30 + i);
        for (int j = 0; j < 64; j++) seed[j] = "0123456789abcdef"[(b >> (j % 2 ? 0 : 4)) & 15];
        seed[64] = 0;
        receipt_keys signer;
        assert_int_equal(receipt_keys_load(&signer, seed, "", err, sizeof err), PC_OK);
        receipt_claims c = { "C8Y9GVRP", "197501022014071003", 1441091109LL, "" };
        char q[RECEIPT_PAYLOAD_MAX];
        assert_int_equal(receipt_payload_sign(&signer, &c, q), PC_OK);
        assert_int_equal(receipt_payload_verify(&k, q, &c), RECEIPT_VALID);
        receipt_keys_clear(&signer);
    }
    receipt_keys_clear(&k);
    entry_of(0x7f, e);
    strcat(list, ",");
    strcat(list, e + RECEIPT_KID_LEN + 1); /* bare hex: the shortest entry */
    assert_int_equal(receipt_keys_load(&k, SEED_A, list, err, sizeof err), PC_EINVAL);
    assert_non_null(strstr(err, "more than"));
    unsetenv("PUPNS_RECEIPT_OLD_PUBLIC_KEYS");
    free(cfg);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicates_and_separators),
        cmocka_unit_test(test_not_a_public_key),
        cmocka_unit_test(test_kid_collision),
        cmocka_unit_test(test_most_keys),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
