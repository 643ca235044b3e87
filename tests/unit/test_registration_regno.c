/* test_registration_regno.c -- unit tests for registration numbers (libcommon/registration_number.c, through services/registration/regno.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "regno.h"

#define N 31
static const char A[] = REGISTRATION_REGNO_ALPHABET;

static int setup(void **state) {
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

/* Sets s[pos] to the one alphabet symbol that makes s valid; returns how
 * many symbols did (the scheme promises exactly one). */
static int complete_at(char s[9], int pos) {
    int hits = 0;
    char found = 0;
    for (int k = 0; k < N; k++) {
        s[pos] = A[k];
        if (registration_regno_valid(s)) {
            hits++;
            found = A[k];
        }
    }
    s[pos] = found;
    return hits;
}

/* A valid number with s[i] = a and s[i+1] = b (if i < 7), other payload
 * symbols random. Completes via the check symbol, or via position 0 when the
 * pair covers the check symbol. */
static void valid_with(char s[9], int i, char a, int j, char b) {
    for (int k = 0; k < 8; k++) s[k] = A[randombytes_uniform(N)];
    s[8] = '\0';
    s[i] = a;
    if (j >= 0) s[j] = b;
    int free_pos = (i == 7 || j == 7) ? (i == 0 || j == 0 ? 1 : 0) : 7;
    assert_int_equal(complete_at(s, free_pos), 1);
    assert_int_equal(s[i], a);
    if (j >= 0) assert_int_equal(s[j], b);
}

static void test_alphabet(void **state) {
    (void)state;
    assert_int_equal(strlen(A), 31);
    /* No look-alikes, no lower case, no repeats. */
    for (const char *bad = "01OIL"; *bad; bad++) assert_null(strchr(A, *bad));
    for (int i = 0; i < N; i++) {
        assert_true((A[i] >= '2' && A[i] <= '9') || (A[i] >= 'A' && A[i] <= 'Z'));
        assert_ptr_equal(strchr(A, A[i]), &A[i]);
    }
}

static void test_format(void **state) {
    (void)state;
    char s[9];
    memset(s, 'x', sizeof s);
    registration_regno_new(s);
    assert_int_equal(s[8], '\0');
    assert_int_equal(strlen(s), 8);
    for (int i = 0; i < 8; i++) assert_non_null(strchr(A, s[i]));
    assert_true(registration_regno_valid(s));
}

static int cmp_regno(const void *a, const void *b) {
    return memcmp(a, b, 9);
}

static void test_ten_thousand(void **state) {
    (void)state;
    enum { COUNT = 10000 };
    char(*all)[9] = malloc(sizeof *all * COUNT);
    assert_non_null(all);
    static int seen[8][N];
    memset(seen, 0, sizeof seen);
    for (int n = 0; n < COUNT; n++) {
        registration_regno_new(all[n]);
        assert_true(registration_regno_valid(all[n]));
        for (int i = 0; i < 8; i++) seen[i][strchr(A, all[n][i]) - A]++;
    }
    /* 31^7 ~ 2.75e10 numbers: a duplicate among 10,000 has odds ~0.2%, two
     * ~2e-6. More means the generator is broken. */
    qsort(all, COUNT, sizeof *all, cmp_regno);
    int dups = 0;
    for (int n = 1; n < COUNT; n++) dups += memcmp(all[n - 1], all[n], 9) == 0;
    assert_in_range(dups, 0, 1);
    /* Every symbol turns up in every position (~322 expected each; a miss
     * has odds ~1e-135), and none dominates. */
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < N; k++) assert_in_range(seen[i][k], 200, 450);
    free(all);
}

static void test_tutorial_example(void **state) {
    (void)state;
    /* The tutorial's C8Y9GVRP was issued by the 2015 system, not this
     * scheme: its check symbol here would be X. Documented in regno.h. */
    assert_false(registration_regno_valid("C8Y9GVRP"));
    assert_true(registration_regno_valid("C8Y9GVRX"));
    char s[9] = "C8Y9GVR?";
    assert_int_equal(complete_at(s, 7), 1);
    assert_string_equal(s, "C8Y9GVRX");
}

static void test_one_check_symbol_per_payload(void **state) {
    (void)state;
    for (int n = 0; n < 500; n++) {
        char s[9];
        registration_regno_new(s);
        assert_int_equal(complete_at(s, 7), 1);
        assert_true(registration_regno_valid(s));
    }
}

/* Exhaustive: in every position, every symbol replaced by every other. */
static void test_single_substitution_rejected(void **state) {
    (void)state;
    for (int pos = 0; pos < 8; pos++)
        for (int a = 0; a < N; a++) {
            char s[9];
            valid_with(s, pos, A[a], -1, 0);
            for (int b = 0; b < N; b++) {
                if (b == a) continue;
                s[pos] = A[b];
                assert_false(registration_regno_valid(s));
            }
        }
}

/* Exhaustive over the symbols of a few fixed and random numbers, as the
 * PNS would see them: each character replaced by every other symbol. */
static void test_single_substitution_of_numbers(void **state) {
    (void)state;
    char nums[12][9] = { "C8Y9GVRX", "22222222", "ZZZZZZZZ" };
    assert_true(registration_regno_valid(nums[1])); /* all-zero values */
    nums[2][7] = '?';
    assert_int_equal(complete_at(nums[2], 7), 1);
    for (int n = 3; n < 12; n++) registration_regno_new(nums[n]);
    for (int n = 0; n < 12; n++) {
        assert_true(registration_regno_valid(nums[n]));
        for (int pos = 0; pos < 8; pos++)
            for (int b = 0; b < N; b++) {
                char t[9];
                memcpy(t, nums[n], 9);
                if (t[pos] == A[b]) continue;
                t[pos] = A[b];
                assert_false(registration_regno_valid(t));
            }
        /* And the confusable characters the alphabet leaves out. */
        for (const char *bad = "01OILoil -"; *bad; bad++) {
            char t[9];
            memcpy(t, nums[n], 9);
            t[3] = *bad;
            assert_false(registration_regno_valid(t));
        }
    }
}

/* Exhaustive: every adjacent pair (including payload/check) of every two
 * distinct symbols, swapped. */
static void test_adjacent_transposition_rejected(void **state) {
    (void)state;
    int cases = 0;
    for (int i = 0; i < 7; i++)
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++) {
                if (a == b) continue;
                char s[9];
                valid_with(s, i, A[a], i + 1, A[b]);
                assert_true(registration_regno_valid(s));
                s[i] = A[b];
                s[i + 1] = A[a];
                assert_false(registration_regno_valid(s));
                cases++;
            }
    assert_int_equal(cases, 7 * 31 * 30);
}

static void test_valid_is_strict(void **state) {
    (void)state;
    assert_false(registration_regno_valid(NULL));
    assert_false(registration_regno_valid(""));
    assert_false(registration_regno_valid("C8Y9GVR"));
    assert_false(registration_regno_valid("C8Y9GVRX2"));
    assert_false(registration_regno_valid("c8y9gvrx"));
    assert_false(registration_regno_valid(" C8Y9GVRX"));
    assert_false(registration_regno_valid("C8Y9GVRX "));
    char embedded[10] = "C8Y9\0GVRX";
    assert_false(registration_regno_valid(embedded));
}

static void test_normalise(void **state) {
    (void)state;
    char out[9];
    assert_int_equal(registration_regno_normalise("C8Y9GVRX", out), PC_OK);
    assert_string_equal(out, "C8Y9GVRX");
    assert_int_equal(registration_regno_normalise("c8y9gvrx", out), PC_OK);
    assert_string_equal(out, "C8Y9GVRX");
    assert_int_equal(registration_regno_normalise("  c8Y9gVrX \t\r\n", out), PC_OK);
    assert_string_equal(out, "C8Y9GVRX");
    assert_true(registration_regno_valid(out));

    const char *bad[] = {
        NULL, "", "   ", "C8Y9GVRP", "c8y9gvrp", "C8Y9 GVRX", "C8Y9-GVRX", "C8Y9GVR", "C8Y9GVRXX",
        "C8Y9GVR0", "\"C8Y9GVRX\"", "C8Y9GVRX.", "c8y9gvrx\xc2\xa0", /* NBSP is not trimmed */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(out, "garbage", 8);
        assert_int_equal(registration_regno_normalise(bad[i], out), PC_EINVAL);
        assert_string_equal(out, "");
    }
    /* Round trip of generated numbers through lower case. */
    for (int n = 0; n < 100; n++) {
        char s[9], low[12];
        registration_regno_new(s);
        low[0] = ' ';
        for (int i = 0; i < 8; i++) low[i + 1] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
        low[9] = '\n';
        low[10] = '\0';
        assert_int_equal(registration_regno_normalise(low, out), PC_OK);
        assert_string_equal(out, s);
    }
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alphabet),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_ten_thousand),
        cmocka_unit_test(test_tutorial_example),
        cmocka_unit_test(test_one_check_symbol_per_payload),
        cmocka_unit_test(test_single_substitution_rejected),
        cmocka_unit_test(test_single_substitution_of_numbers),
        cmocka_unit_test(test_adjacent_transposition_rejected),
        cmocka_unit_test(test_valid_is_strict),
        cmocka_unit_test(test_normalise),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
