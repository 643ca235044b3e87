/* test_receipt_payload.c -- unit tests for the signed QR payload and key
 * rotation (services/receipt/payload.c, keys.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "payload.h"

#define SEED_A "0101010101010101010101010101010101010101010101010101010101010101"
#define SEED_B "0202020202020202020202020202020202020202020202020202020202020202"

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

static void load(receipt_keys *k, const char *seed, const char *old) {
    char err[256];
    assert_int_equal(receipt_keys_load(k, seed, old, err, sizeof err), PC_OK);
}

static void sign(const receipt_keys *k, char q[RECEIPT_PAYLOAD_MAX]) {
    receipt_claims c = { "C8Y9GVRP", "197501022014071003", 1441091109LL, "" };
    assert_int_equal(receipt_payload_sign(k, &c, q), PC_OK);
    assert_string_equal(c.kid, k->current.kid);
}

static void test_round_trip(void **state) {
    (void)state;
    receipt_keys k;
    load(&k, SEED_A, "");
    char q[RECEIPT_PAYLOAD_MAX];
    sign(&k, q);
    assert_int_equal(strncmp(q, "PUPNS1.C8Y9GVRP.197501022014071003.1441091109.", 46), 0);
    assert_true(strlen(q) < 160); /* a small QR code (version 7-8 at level M) */
    assert_int_equal(strspn(q, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-"), strlen(q));
    receipt_claims c;
    assert_int_equal(receipt_payload_verify(&k, q, &c), RECEIPT_VALID);
    assert_string_equal(c.no, "C8Y9GVRP");
    assert_string_equal(c.nip, "197501022014071003");
    assert_int_equal(c.issued, 1441091109LL);
    assert_string_equal(c.kid, k.current.kid);
    /* Ed25519 is deterministic: the same claims give the same payload. */
    char again[RECEIPT_PAYLOAD_MAX];
    sign(&k, again);
    assert_string_equal(q, again);
    receipt_keys_clear(&k);
}

/* Every single-byte change of a valid payload is refused. */
static void test_every_byte_changed(void **state) {
    (void)state;
    receipt_keys k;
    load(&k, SEED_A, "");
    char q[RECEIPT_PAYLOAD_MAX];
    sign(&k, q);
    static const char alt[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-";
    size_t n = strlen(q);
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < sizeof alt - 1; a++) {
            if (alt[a] == q[i]) continue;
            char t[RECEIPT_PAYLOAD_MAX];
            memcpy(t, q, n + 1);
            t[i] = alt[a];
            receipt_claims c;
            receipt_check r = receipt_payload_verify(&k, t, &c);
            if (r == RECEIPT_VALID) fail_msg("payload with byte %zu changed to %c still verifies: %s", i, alt[a], t);
        }
    }
    receipt_keys_clear(&k);
}

static void test_reasons(void **state) {
    (void)state;
    receipt_keys a, b;
    load(&a, SEED_A, "");
    load(&b, SEED_B, "");
    char q[RECEIPT_PAYLOAD_MAX];
    sign(&a, q);
    receipt_claims c;
    assert_int_equal(receipt_payload_verify(&b, q, &c), RECEIPT_UNKNOWN_KEY);
    assert_string_equal(c.no, "C8Y9GVRP"); /* says which registration it claims */
    /* Another number under the same signature. */
    char t[RECEIPT_PAYLOAD_MAX];
    memcpy(t, q, sizeof t);
    t[7] = 'D';
    assert_int_equal(receipt_payload_verify(&a, t, &c), RECEIPT_BAD_SIGNATURE);
    /* Cut-off signature: well-formed claims, not a signature. */
    memcpy(t, q, sizeof t);
    t[strlen(t) - 3] = 0;
    assert_int_equal(receipt_payload_verify(&a, t, &c), RECEIPT_BAD_SIGNATURE);
    const char *junk[] = { "", "hello", "PUPNS1", "PUPNS2.C8Y9GVRP.197501022014071003.1441091109.abcdef01.x",
                           "PUPNS1.C8Y9GVR0.197501022014071003.1441091109.abcdef01.x",
                           "PUPNS1.C8Y9GVRP.19750102201407100.1441091109.abcdef01.x",
                           "PUPNS1.C8Y9GVRP.197501022014071003.01441091109.abcdef01.x",
                           "PUPNS1.C8Y9GVRP.197501022014071003.1441091109.ABCDEF01.x",
                           "PUPNS1.C8Y9GVRP.197501022014071003.1441091109.abcdef01.x.y",
                           "PUPNS1..197501022014071003.1441091109.abcdef01.x", "PUPNS1.C8Y9GVRP.1975 01.1.a.b", NULL };
    for (int i = 0; junk[i]; i++) {
        if (receipt_payload_verify(&a, junk[i], &c) != RECEIPT_MALFORMED) fail_msg("accepted as well-formed: %s", junk[i]);
        assert_string_equal(c.no, "");
    }
    assert_int_equal(receipt_payload_verify(&a, NULL, &c), RECEIPT_MALFORMED);
    assert_string_equal(receipt_check_code(RECEIPT_BAD_SIGNATURE), "tanda_tangan_tidak_valid");
    receipt_keys_clear(&a);
    receipt_keys_clear(&b);
}

/* A new key signs from now on; what the old one signed still verifies when
 * its public key is listed, and stops verifying when it is not. */
static void test_rotation(void **state) {
    (void)state;
    receipt_keys old, rotated, forgot;
    load(&old, SEED_A, "");
    char q_old[RECEIPT_PAYLOAD_MAX], q_new[RECEIPT_PAYLOAD_MAX], list[128], hex[65];
    sign(&old, q_old);
    sodium_bin2hex(hex, sizeof hex, old.current.pk, sizeof old.current.pk);
    snprintf(list, sizeof list, "%s:%s", old.current.kid, hex);
    load(&rotated, SEED_B, list);
    load(&forgot, SEED_B, "");
    sign(&rotated, q_new);
    assert_string_not_equal(old.current.kid, rotated.current.kid);
    receipt_claims c;
    assert_int_equal(receipt_payload_verify(&rotated, q_old, &c), RECEIPT_VALID);
    assert_string_equal(c.kid, old.current.kid);
    assert_int_equal(receipt_payload_verify(&rotated, q_new, &c), RECEIPT_VALID);
    assert_string_equal(c.kid, rotated.current.kid);
    assert_int_equal(receipt_payload_verify(&forgot, q_old, &c), RECEIPT_UNKNOWN_KEY);
    assert_int_equal(receipt_payload_verify(&old, q_new, &c), RECEIPT_UNKNOWN_KEY);
    /* The keys document lists both, the current one first. */
    json_t *j = receipt_keys_json(&rotated);
    json_t *keys = json_object_get(j, "keys");
    assert_int_equal(json_array_size(keys), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 0), "status")), "aktif");
    assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 1), "kid")), old.current.kid);
    assert_string_equal(json_string_value(json_object_get(json_array_get(keys, 1), "public_key")), hex);
    json_decref(j);
    /* A bare hex entry works too; a wrong kid or junk is refused. */
    receipt_keys k;
    char err[256];
    assert_int_equal(receipt_keys_load(&k, SEED_B, hex, err, sizeof err), PC_OK);
    assert_int_equal(k.nold, 1);
    snprintf(list, sizeof list, "deadbeef:%s", hex);
    assert_int_equal(receipt_keys_load(&k, SEED_B, list, err, sizeof err), PC_EINVAL);
    assert_non_null(strstr(err, "deadbeef"));
    assert_int_equal(receipt_keys_load(&k, SEED_B, "xyz", err, sizeof err), PC_EINVAL);
    assert_int_equal(receipt_keys_load(&k, "", "", err, sizeof err), PC_EINVAL);
    assert_int_equal(receipt_keys_load(&k, "abc", "", err, sizeof err), PC_EINVAL);
    receipt_keys_clear(&old);
    receipt_keys_clear(&rotated);
    receipt_keys_clear(&forgot);
}

static void test_kid(void **state) {
    (void)state;
    receipt_keys k;
    load(&k, SEED_A, "");
    char kid[RECEIPT_KID_LEN + 1];
    receipt_kid(k.current.pk, kid);
    assert_string_equal(kid, k.current.kid);
    assert_int_equal(strlen(kid), 8);
    assert_int_equal(strspn(kid, "0123456789abcdef"), 8);
    assert_ptr_equal(receipt_keys_find(&k, kid), &k.current);
    assert_null(receipt_keys_find(&k, "00000000"));
    receipt_keys_clear(&k);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_byte_changed),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_kid),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
