/* test_regno_typed.c -- unit tests for pc_regno_parse_typed
 * (libcommon/registration_number.c): what Verifikator 1 types back from a
 * Bukti Registrasi, and the reason a wrong one is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "registration_number.h"

static const char A[] = PC_REGNO_ALPHABET;

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

static void test_forgiving_forms(void **state) {
    (void)state;
    char no[9], out[9], typed[32];
    for (int i = 0; i < 200; i++) {
        pc_regno_new(no);
        for (int f = 0; f < 4; f++) {
            switch (f) {
            case 0: snprintf(typed, sizeof typed, "%s", no); break;
            case 1: snprintf(typed, sizeof typed, " %s\n", no); break;
            case 2: snprintf(typed, sizeof typed, "%.4s %s", no, no + 4); break;
            default: snprintf(typed, sizeof typed, "%.4s-%s", no, no + 4); break;
            }
            for (char *c = typed; *c; c++)
                if (i % 2 && *c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
            assert_int_equal(pc_regno_parse_typed(typed, out), PC_REGNO_OK);
            assert_string_equal(out, no);
        }
    }
}

static void test_every_typo_is_a_check_failure(void **state) {
    (void)state;
    char no[9], t[9], out[9];
    for (int i = 0; i < 50; i++) {
        pc_regno_new(no);
        for (int pos = 0; pos < 8; pos++)
            for (int k = 0; k < 31; k++) {
                if (A[k] == no[pos]) continue;
                memcpy(t, no, 9);
                t[pos] = A[k];
                assert_int_equal(pc_regno_parse_typed(t, out), PC_REGNO_CHECK);
                assert_string_equal(out, "");
            }
        for (int pos = 0; pos < 7; pos++) {
            if (no[pos] == no[pos + 1]) continue;
            memcpy(t, no, 9);
            t[pos] = no[pos + 1];
            t[pos + 1] = no[pos];
            assert_int_equal(pc_regno_parse_typed(t, out), PC_REGNO_CHECK);
        }
    }
}

static void test_reasons(void **state) {
    (void)state;
    char no[9], t[16], out[9];
    pc_regno_new(no);
    assert_int_equal(pc_regno_parse_typed(NULL, out), PC_REGNO_LENGTH);
    assert_int_equal(pc_regno_parse_typed("", out), PC_REGNO_LENGTH);
    assert_int_equal(pc_regno_parse_typed("ABC", out), PC_REGNO_LENGTH);
    snprintf(t, sizeof t, "%sA", no);
    assert_int_equal(pc_regno_parse_typed(t, out), PC_REGNO_LENGTH);
    const char foreign[] = { '0', 'O', '1', 'I', 'L', '#', '.' };
    for (size_t i = 0; i < sizeof foreign; i++) {
        memcpy(t, no, 9);
        t[3] = foreign[i];
        assert_int_equal(pc_regno_parse_typed(t, out), PC_REGNO_SYMBOL);
        assert_string_equal(out, "");
    }
    assert_int_equal(pc_regno_parse_typed("C8Y9GVRX", out), PC_REGNO_OK); /* the tutorial's, with its check symbol */
    assert_int_equal(pc_regno_parse_typed("C8Y9GVRP", out), PC_REGNO_CHECK); /* the tutorial's as printed in 2015 */
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forgiving_forms),
        cmocka_unit_test(test_every_typo_is_a_check_failure),
        cmocka_unit_test(test_reasons),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
