/* test_nip.c -- unit tests for the NIP parser and validator (libcommon/nip.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "nip.h"

/* A fixed "today" inside the 2015 e-PUPNS campaign keeps results stable. */
#define TY 2015
#define TM 10
#define TD 15

static pc_nip_error at(const char *s) {
    return pc_nip_parse_at(s, TY, TM, TD, NULL);
}

static void test_tutorial_nip_fields(void **state) {
    (void)state;
    pc_nip n;
    assert_int_equal(pc_nip_parse_at("197501022014071003", TY, TM, TD, &n), PC_NIP_OK);
    assert_int_equal(n.birth_year, 1975);
    assert_int_equal(n.birth_month, 1);
    assert_int_equal(n.birth_day, 2);
    assert_int_equal(n.tmt_year, 2014);
    assert_int_equal(n.tmt_month, 7);
    assert_int_equal(n.gender, 1);
    assert_int_equal(n.serial, 3);
}

static void test_tutorial_nip_today(void **state) {
    (void)state;
    pc_nip n;
    /* Real clock: the tutorial NIP is in the past for any plausible run date. */
    assert_int_equal(pc_nip_parse("197501022014071003", &n), PC_NIP_OK);
    assert_int_equal(n.serial, 3);
    /* TMT in year 9999 is in the future whatever today is. */
    assert_int_equal(pc_nip_parse("197501029999071003", NULL), PC_NIP_ETMT_FUTURE);
    assert_int_equal(pc_nip_parse(NULL, NULL), PC_NIP_ELENGTH);
}

static void test_female_max_serial(void **state) {
    (void)state;
    pc_nip n;
    assert_int_equal(pc_nip_parse_at("198812312010122999", TY, TM, TD, &n), PC_NIP_OK);
    assert_int_equal(n.gender, 2);
    assert_int_equal(n.serial, 999);
    assert_int_equal(n.birth_day, 31);
    assert_int_equal(n.tmt_month, 12);
}

static void test_leap_day(void **state) {
    (void)state;
    assert_int_equal(at("199602292014071003"), PC_NIP_OK);         /* 1996 leap */
    assert_int_equal(at("199702292014071003"), PC_NIP_EBIRTH_DATE); /* 1997 not */
    assert_int_equal(at("190002292014071003"), PC_NIP_EBIRTH_DATE); /* century, not leap */
    /* 2000 is leap (divisible by 400); needs a later "today" to be 18. */
    assert_int_equal(pc_nip_parse_at("200002292018021001", 2020, 6, 1, NULL), PC_NIP_OK);
}

static void test_bad_calendar_dates(void **state) {
    (void)state;
    assert_int_equal(at("197504312014071003"), PC_NIP_EBIRTH_DATE); /* 31 April */
    assert_int_equal(at("197504302014071003"), PC_NIP_OK);          /* 30 April */
    assert_int_equal(at("197513022014071003"), PC_NIP_EBIRTH_DATE); /* month 13 */
    assert_int_equal(at("197500022014071003"), PC_NIP_EBIRTH_DATE); /* month 00 */
    assert_int_equal(at("197501002014071003"), PC_NIP_EBIRTH_DATE); /* day 00 */
    assert_int_equal(at("197501322014071003"), PC_NIP_EBIRTH_DATE); /* day 32 */
}

static void test_birth_year_bounds(void **state) {
    (void)state;
    assert_int_equal(at("189912312014071003"), PC_NIP_EBIRTH_DATE);
    assert_int_equal(at("190001012014071003"), PC_NIP_OK);
    assert_int_equal(at("000001012014071003"), PC_NIP_EBIRTH_DATE);
}

static void test_birth_in_future(void **state) {
    (void)state;
    assert_int_equal(at("201510162014071003"), PC_NIP_EBIRTH_DATE); /* tomorrow */
    /* Born today is a valid date; the TMT rule is what rejects it. */
    assert_int_equal(at("201510152015101003"), PC_NIP_ETMT_BEFORE_18);
}

static void test_tmt_month_invalid(void **state) {
    (void)state;
    assert_int_equal(at("197501022014001003"), PC_NIP_ETMT_INVALID);
    assert_int_equal(at("197501022014131003"), PC_NIP_ETMT_INVALID);
    assert_int_equal(at("197501021899071003"), PC_NIP_ETMT_INVALID);
}

static void test_tmt_eighteen_boundary(void **state) {
    (void)state;
    /* Born 2 Jan 1975: 18 in Jan 1993. Same month passes, previous fails. */
    assert_int_equal(at("197501021993011003"), PC_NIP_OK);
    assert_int_equal(at("197501021992121003"), PC_NIP_ETMT_BEFORE_18);
    /* Birth day is ignored: born 31 Dec, TMT in December of the 18th year. */
    assert_int_equal(at("197512311993121003"), PC_NIP_OK);
    assert_int_equal(at("197512311993111003"), PC_NIP_ETMT_BEFORE_18);
    /* TMT before birth. */
    assert_int_equal(at("197501021970011003"), PC_NIP_ETMT_BEFORE_18);
}

static void test_tmt_future(void **state) {
    (void)state;
    assert_int_equal(at("197501022015101003"), PC_NIP_OK);          /* this month */
    assert_int_equal(at("197501022015111003"), PC_NIP_ETMT_FUTURE); /* next month */
    assert_int_equal(at("197501022016011003"), PC_NIP_ETMT_FUTURE); /* next year */
    /* Month boundary of "today" itself: first and last day behave the same. */
    assert_int_equal(pc_nip_parse_at("197501022015111003", 2015, 11, 1, NULL), PC_NIP_OK);
    assert_int_equal(pc_nip_parse_at("197501022015111003", 2015, 10, 31, NULL),
                     PC_NIP_ETMT_FUTURE);
}

static void test_gender(void **state) {
    (void)state;
    assert_int_equal(at("197501022014070003"), PC_NIP_EGENDER);
    assert_int_equal(at("197501022014073003"), PC_NIP_EGENDER);
    assert_int_equal(at("197501022014079003"), PC_NIP_EGENDER);
    assert_int_equal(at("197501022014071003"), PC_NIP_OK);
    assert_int_equal(at("197501022014072003"), PC_NIP_OK);
}

static void test_serial(void **state) {
    (void)state;
    assert_int_equal(at("197501022014071000"), PC_NIP_ESERIAL);
    assert_int_equal(at("197501022014071001"), PC_NIP_OK);
    assert_int_equal(at("197501022014071999"), PC_NIP_OK);
}

static void test_length(void **state) {
    (void)state;
    assert_int_equal(at(NULL), PC_NIP_ELENGTH);
    assert_int_equal(at(""), PC_NIP_ELENGTH);
    assert_int_equal(at("19750102201407100"), PC_NIP_ELENGTH);   /* 17 */
    assert_int_equal(at("1975010220140710031"), PC_NIP_ELENGTH); /* 19 */
    assert_int_equal(at(" 197501022014071003"), PC_NIP_ELENGTH); /* not trimmed */
    assert_int_equal(at("197501022014071003\n"), PC_NIP_ELENGTH);
    /* Length is checked before content. */
    assert_int_equal(at("abc"), PC_NIP_ELENGTH);
}

static void test_long_input(void **state) {
    (void)state;
    size_t n = 1u << 20;
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, '1', n);
    s[n] = '\0';
    assert_int_equal(at(s), PC_NIP_ELENGTH);
    free(s);
}

static void test_not_digits(void **state) {
    (void)state;
    assert_int_equal(at("19750102201407100A"), PC_NIP_ENOT_DIGITS);
    assert_int_equal(at("abcdefghijklmnopqr"), PC_NIP_ENOT_DIGITS);
    assert_int_equal(at("19750102 014071003"), PC_NIP_ENOT_DIGITS); /* embedded space */
    assert_int_equal(at(" 97501022014071003"), PC_NIP_ENOT_DIGITS);
    assert_int_equal(at("1975-01-0220140710"), PC_NIP_ENOT_DIGITS);
    assert_int_equal(at("+97501022014071003"), PC_NIP_ENOT_DIGITS);
    /* High bytes (negative as plain char) must not pass nor trip isdigit UB. */
    assert_int_equal(at("19750102201407100\xff"), PC_NIP_ENOT_DIGITS);
    /* A UTF-8 digit-looking char is 2+ bytes: 16 ASCII + U+0661 = 18 bytes. */
    assert_int_equal(at("1975010220140710\xd9\xa1"), PC_NIP_ENOT_DIGITS);
}

static void test_first_failure_wins(void **state) {
    (void)state;
    /* Bad birth date, TMT, gender and serial: birth date reported. */
    assert_int_equal(at("197502302014130000"), PC_NIP_EBIRTH_DATE);
    /* Bad TMT, gender, serial: TMT reported. */
    assert_int_equal(at("197501022014000000"), PC_NIP_ETMT_INVALID);
    /* Bad gender and serial: gender reported. */
    assert_int_equal(at("197501022014070000"), PC_NIP_EGENDER);
}

static void test_out_untouched_on_error(void **state) {
    (void)state;
    pc_nip n;
    memset(&n, 0x5a, sizeof n);
    pc_nip before = n;
    assert_int_equal(pc_nip_parse_at("197501022014071000", TY, TM, TD, &n), PC_NIP_ESERIAL);
    assert_memory_equal(&n, &before, sizeof n);
    assert_int_equal(pc_nip_parse_at("197501022014071003", TY, TM, TD, NULL), PC_NIP_OK);
}

static void test_error_strings(void **state) {
    (void)state;
    for (int i = 0; i < PC_NIP_ERROR_COUNT; i++) {
        const char *code = pc_nip_error_code((pc_nip_error)i);
        const char *msg = pc_nip_error_message((pc_nip_error)i);
        const char *field = pc_nip_error_field((pc_nip_error)i);
        assert_non_null(code);
        assert_non_null(msg);
        assert_non_null(field);
        assert_true(strlen(code) > 0);
        assert_true(strlen(msg) > 0);
        assert_true(strlen(field) > 0);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(code, pc_nip_error_code((pc_nip_error)j));
            assert_string_not_equal(msg, pc_nip_error_message((pc_nip_error)j));
        }
    }
    assert_string_equal(pc_nip_error_code(PC_NIP_OK), "ok");
    assert_string_equal(pc_nip_error_code(PC_NIP_ELENGTH), "nip_length");
    assert_string_equal(pc_nip_error_code(PC_NIP_ENOT_DIGITS), "nip_not_digits");
    assert_string_equal(pc_nip_error_code(PC_NIP_EBIRTH_DATE), "nip_birth_date");
    assert_string_equal(pc_nip_error_code(PC_NIP_ETMT_INVALID), "nip_tmt_invalid");
    assert_string_equal(pc_nip_error_code(PC_NIP_ETMT_BEFORE_18), "nip_tmt_before_18");
    assert_string_equal(pc_nip_error_code(PC_NIP_ETMT_FUTURE), "nip_tmt_future");
    assert_string_equal(pc_nip_error_code(PC_NIP_EGENDER), "nip_gender");
    assert_string_equal(pc_nip_error_code(PC_NIP_ESERIAL), "nip_serial");
    assert_string_equal(pc_nip_error_field(PC_NIP_ELENGTH), "nip");
    assert_string_equal(pc_nip_error_field(PC_NIP_ENOT_DIGITS), "nip");
    assert_string_equal(pc_nip_error_field(PC_NIP_EBIRTH_DATE), "tanggal_lahir");
    assert_string_equal(pc_nip_error_field(PC_NIP_ETMT_INVALID), "tmt_cpns");
    assert_string_equal(pc_nip_error_field(PC_NIP_ETMT_BEFORE_18), "tmt_cpns");
    assert_string_equal(pc_nip_error_field(PC_NIP_ETMT_FUTURE), "tmt_cpns");
    assert_string_equal(pc_nip_error_field(PC_NIP_EGENDER), "jenis_kelamin");
    assert_string_equal(pc_nip_error_field(PC_NIP_ESERIAL), "nomor_urut");
    assert_string_equal(pc_nip_error_message(PC_NIP_ELENGTH),
                        "NIP harus terdiri dari 18 digit angka.");
    assert_string_equal(pc_nip_error_message(PC_NIP_EBIRTH_DATE),
                        "Tanggal lahir pada NIP (digit 1–8) tidak valid.");
    assert_string_equal(pc_nip_error_message(PC_NIP_ETMT_BEFORE_18),
                        "TMT CPNS pada NIP (digit 9–14) lebih awal dari usia 18 tahun.");
    /* Out-of-range values still get a usable answer. */
    assert_string_equal(pc_nip_error_code((pc_nip_error)99), "nip_unknown");
    assert_string_equal(pc_nip_error_field((pc_nip_error)99), "nip");
    assert_true(strlen(pc_nip_error_message((pc_nip_error)99)) > 0);
}

static const struct {
    const char *nip;
    pc_nip_error want;
} cases[] = {
    {"197501022014071003", PC_NIP_OK},
    {"198007152005012001", PC_NIP_OK},
    {"196512311990031002", PC_NIP_OK},
    {"199203032015082004", PC_NIP_OK},
    {"199602292014071003", PC_NIP_OK},
    {"197501021993011003", PC_NIP_OK},
    {"197501022015101003", PC_NIP_OK},
    {"197501022014071001", PC_NIP_OK},
    {"197501022014072999", PC_NIP_OK},
    {"190001011918011001", PC_NIP_OK},
    {NULL, PC_NIP_ELENGTH},
    {"", PC_NIP_ELENGTH},
    {"1", PC_NIP_ELENGTH},
    {"19750102201407100", PC_NIP_ELENGTH},
    {"1975010220140710031", PC_NIP_ELENGTH},
    {"19750102201407100x", PC_NIP_ENOT_DIGITS},
    {"1975 102201407100 ", PC_NIP_ENOT_DIGITS},
    {"19750102201407100.", PC_NIP_ENOT_DIGITS},
    {"199702292014071003", PC_NIP_EBIRTH_DATE},
    {"197504312014071003", PC_NIP_EBIRTH_DATE},
    {"197506312014071003", PC_NIP_EBIRTH_DATE},
    {"197513012014071003", PC_NIP_EBIRTH_DATE},
    {"197501002014071003", PC_NIP_EBIRTH_DATE},
    {"189901012014071003", PC_NIP_EBIRTH_DATE},
    {"203001012014071003", PC_NIP_EBIRTH_DATE},
    {"197501022014001003", PC_NIP_ETMT_INVALID},
    {"197501022014131003", PC_NIP_ETMT_INVALID},
    {"197501021992121003", PC_NIP_ETMT_BEFORE_18},
    {"199001012007121003", PC_NIP_ETMT_BEFORE_18},
    {"197501022015111003", PC_NIP_ETMT_FUTURE},
    {"197501022099011003", PC_NIP_ETMT_FUTURE},
    {"197501022014070003", PC_NIP_EGENDER},
    {"197501022014073003", PC_NIP_EGENDER},
    {"197501022014079003", PC_NIP_EGENDER},
    {"197501022014071000", PC_NIP_ESERIAL},
    {"197501022014072000", PC_NIP_ESERIAL},
};

static void test_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pc_nip_error got = at(cases[i].nip);
        if (got != cases[i].want)
            fail_msg("case %zu \"%s\": got %s, want %s", i,
                     cases[i].nip ? cases[i].nip : "(null)", pc_nip_error_code(got),
                     pc_nip_error_code(cases[i].want));
    }
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial_nip_fields),
        cmocka_unit_test(test_tutorial_nip_today),
        cmocka_unit_test(test_female_max_serial),
        cmocka_unit_test(test_leap_day),
        cmocka_unit_test(test_bad_calendar_dates),
        cmocka_unit_test(test_birth_year_bounds),
        cmocka_unit_test(test_birth_in_future),
        cmocka_unit_test(test_tmt_month_invalid),
        cmocka_unit_test(test_tmt_eighteen_boundary),
        cmocka_unit_test(test_tmt_future),
        cmocka_unit_test(test_gender),
        cmocka_unit_test(test_serial),
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_not_digits),
        cmocka_unit_test(test_first_failure_wins),
        cmocka_unit_test(test_out_untouched_on_error),
        cmocka_unit_test(test_error_strings),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
