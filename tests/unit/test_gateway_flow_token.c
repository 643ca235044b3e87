/* test_gateway_flow_token.c -- flow tokens: round trip, expiry, forgery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "flow_token.h"

static unsigned char key[32], other[32];

static int setup(void **state) {
    (void)state;
    if (sodium_init() < 0) return -1;
    randombytes_buf(key, sizeof key);
    randombytes_buf(other, sizeof other);
    return 0;
}

static void round_trip(void **state) {
    (void)state;
    char tok[GW_FLOW_TOKEN_MAX], nip[19], email[256];
    json_t *pns = json_pack("{s:s, s:{s:s, s:s}}", "nama", "AKHMAD SOLEH ARIFIN", "instansi", "kode", "K3573",
                            "nama", "Pemerintah Kota Malang"), *back = NULL;
    assert_int_equal(gw_flow_token_make(key, "197501022014071003", "soleh@malangkota.go.id", pns, 1000, 900, tok), PC_OK);
    assert_int_equal(gw_flow_token_check(key, tok, 1899, nip, email, &back), PC_OK);
    assert_string_equal(nip, "197501022014071003");
    assert_string_equal(email, "soleh@malangkota.go.id");
    assert_true(json_equal(back, pns));
    json_decref(back);
    assert_int_equal(gw_flow_token_check(key, tok, 1901, nip, email, &back), PC_ETIMEDOUT);
    assert_null(back);
    json_decref(pns);
}

static void forgeries_fail(void **state) {
    (void)state;
    char tok[GW_FLOW_TOKEN_MAX], nip[19], email[256];
    json_t *pns = json_object();
    gw_flow_token_make(key, "197501022014071003", "a@b.id", pns, 1000, 900, tok);
    json_decref(pns);
    assert_int_equal(gw_flow_token_check(other, tok, 1000, nip, email, NULL), PC_EINVAL);
    char bad[GW_FLOW_TOKEN_MAX];
    strcpy(bad, tok);
    bad[3] = bad[3] == 'A' ? 'B' : 'A'; /* another payload, same MAC */
    assert_int_equal(gw_flow_token_check(key, bad, 1000, nip, email, NULL), PC_EINVAL);
    assert_int_equal(gw_flow_token_check(key, "", 1000, nip, email, NULL), PC_EINVAL);
    assert_int_equal(gw_flow_token_check(key, "abc", 1000, nip, email, NULL), PC_EINVAL);
    assert_int_equal(gw_flow_token_check(key, "abc.def", 1000, nip, email, NULL), PC_EINVAL);
    assert_int_equal(gw_flow_token_check(key, NULL, 1000, nip, email, NULL), PC_EINVAL);
    char longer[GW_FLOW_TOKEN_MAX + 10];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    longer[5] = '.';
    assert_int_equal(gw_flow_token_check(key, longer, 1000, nip, email, NULL), PC_EINVAL);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(forgeries_fail),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
