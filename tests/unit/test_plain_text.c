/* test_plain_text.c -- the plain-text rule for free-text fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plain_text.h"

static void names_pass(void **state) {
    (void)state;
    assert_int_equal(pc_plain_text_check("AKHMAD SOLEH ARIFIN", 200, 0), PC_TEXT_OK);
    assert_int_equal(pc_plain_text_check("Nur'aini Ḥasanah, S.Pd.", 200, 0), PC_TEXT_OK);
    assert_int_equal(pc_plain_text_check("Pemerintah Kota Malang (Jawa Timur) & sekitarnya", 200, 0), PC_TEXT_OK);
    assert_int_equal(pc_plain_text_check("", 500, 1), PC_TEXT_OK);
    assert_int_equal(pc_plain_text_check(NULL, 500, 1), PC_TEXT_OK);
}

static void the_rest_is_refused(void **state) {
    (void)state;
    assert_int_equal(pc_plain_text_check(NULL, 200, 0), PC_TEXT_BLANK);
    assert_int_equal(pc_plain_text_check("", 200, 0), PC_TEXT_BLANK);
    assert_int_equal(pc_plain_text_check("   ", 200, 0), PC_TEXT_BLANK);
    assert_int_equal(pc_plain_text_check("\xc2\xa0 \xc2\xa0", 200, 0), PC_TEXT_BLANK);
    assert_int_equal(pc_plain_text_check("abc", 2, 0), PC_TEXT_TOO_LONG);
    assert_int_equal(pc_plain_text_check("a\nb", 200, 0), PC_TEXT_CONTROL);
    assert_int_equal(pc_plain_text_check("a\tb", 200, 0), PC_TEXT_CONTROL);
    assert_int_equal(pc_plain_text_check("a\x7f", 200, 0), PC_TEXT_CONTROL);
    assert_int_equal(pc_plain_text_check("a\xc2\x85", 200, 0), PC_TEXT_CONTROL); /* NEL */
    assert_int_equal(pc_plain_text_check("<script>alert(1)</script>", 200, 0), PC_TEXT_MARKUP);
    assert_int_equal(pc_plain_text_check("a > b", 200, 0), PC_TEXT_MARKUP);
}

/* What would show a text other than what it says. */
static void invisible_format_characters_are_refused(void **state) {
    (void)state;
    const char *refused[] = {
        "AKHMAD\xe2\x80\x8bSOLEH",     /* U+200B zero-width space */
        "a\xe2\x80\x8f" "b",              /* U+200F right-to-left mark */
        "a\xe2\x80\xa8" "b",              /* U+2028 line separator */
        "Kota \xe2\x80\xae" "Batu",        /* U+202E right-to-left override */
        "a\xe2\x81\xa0" "b",              /* U+2060 word joiner */
        "a\xe2\x81\xa6" "b\xe2\x81\xa9", /* U+2066 .. U+2069 isolates */
        "\xef\xbb\xbf" "Nama",            /* U+FEFF */
        "BUDI\xf3\xa0\x81\x81" "X",        /* U+E0041 tag latin capital A */
        "a\xd8\x9c" "b",                   /* U+061C Arabic letter mark */
        "a\xc2\xad" "b",                   /* U+00AD soft hyphen */
        "a\xe2\x81\xaa" "b",              /* U+206A inhibit symmetric swapping */
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(pc_plain_text_check(refused[i], 200, 0), PC_TEXT_CONTROL);
    /* Their neighbours stay: en dash U+2013, ellipsis U+2026, U+2070 superscript zero. */
    assert_int_equal(pc_plain_text_check("Malang \xe2\x80\x93 Batu\xe2\x80\xa6 x\xe2\x81\xb0", 200, 0), PC_TEXT_OK);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_pass),
        cmocka_unit_test(the_rest_is_refused),
        cmocka_unit_test(invisible_format_characters_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
