/* test_captcha_challenge.c -- unit tests for captcha answers, their
 * comparison and their images (services/captcha/challenge.c, render.c), and
 * for libcommon/redis.c's URL handling. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "challenge.h"
#include "ids.h"
#include "redis.h"
#include "render.h"

#define DRAWS 2000

static void test_answer_length_and_alphabet(void **state) {
    (void)state;
    int seen_len[CAPTCHA_ANSWER_MAX + 1] = { 0 };
    for (int i = 0; i < DRAWS; i++) {
        char a[CAPTCHA_ANSWER_MAX + 1];
        captcha_challenge_new(a);
        size_t n = strlen(a);
        assert_in_range(n, CAPTCHA_ANSWER_MIN, CAPTCHA_ANSWER_MAX);
        seen_len[n]++;
        for (size_t j = 0; j < n; j++) assert_non_null(strchr(captcha_alphabet, a[j]));
    }
    for (int n = CAPTCHA_ANSWER_MIN; n <= CAPTCHA_ANSWER_MAX; n++) assert_true(seen_len[n] > 0);
}

static void test_answers_vary(void **state) {
    (void)state;
    char first[CAPTCHA_ANSWER_MAX + 1];
    captcha_challenge_new(first);
    int differ = 0, used[256] = { 0 };
    for (int i = 0; i < DRAWS; i++) {
        char a[CAPTCHA_ANSWER_MAX + 1];
        captcha_challenge_new(a);
        differ += strcmp(a, first) != 0;
        for (const char *p = a; *p; p++) used[(unsigned char)*p] = 1;
    }
    assert_true(differ >= DRAWS - 2);
    /* Every symbol of the alphabet turns up. */
    for (const char *p = captcha_alphabet; *p; p++) assert_true(used[(unsigned char)*p]);
}

static void test_alphabet_has_no_lookalikes(void **state) {
    (void)state;
    const char *banned = "0OQD1ILJ2Z5S8BUVW";
    for (const char *p = banned; *p; p++) assert_null(strchr(captcha_alphabet, *p));
    /* Answers are drawn upper case: no lower-case letters to confuse. */
    for (const char *p = captcha_alphabet; *p; p++) assert_false(*p >= 'a' && *p <= 'z');
}

static void test_matches_ignores_case_and_spaces(void **state) {
    (void)state;
    assert_true(captcha_challenge_matches("k7hx3", "K7HX3"));
    assert_true(captcha_challenge_matches("K7HX3", "k7hX3"));
    assert_true(captcha_challenge_matches("k7hx3", "  k7hx3 \n"));
    assert_false(captcha_challenge_matches("k7hx3", "k7hx"));
    assert_false(captcha_challenge_matches("k7hx3", "k7hx33"));
    assert_false(captcha_challenge_matches("k7hx3", "k7hx9"));
    assert_false(captcha_challenge_matches("k7hx3", "k7h x3"));
    assert_false(captcha_challenge_matches("k7hx3", ""));
    assert_false(captcha_challenge_matches("k7hx3", NULL));
    assert_false(captcha_challenge_matches("k7hx3", "k7hx3k7hx3k7hx3k7hx3"));
}

static void test_normalise_bounds(void **state) {
    (void)state;
    char out[CAPTCHA_GUESS_MAX + 1];
    assert_int_equal(captcha_challenge_normalise("AbC", out), PC_OK);
    assert_string_equal(out, "abc");
    assert_int_equal(captcha_challenge_normalise("0123456789abcdef", out), PC_OK);
    assert_int_equal(captcha_challenge_normalise("0123456789abcdefg", out), PC_EINVAL);
    assert_int_equal(captcha_challenge_normalise("   ", out), PC_EINVAL);
    assert_int_equal(captcha_challenge_normalise(NULL, out), PC_EINVAL);
}

static void test_render_gives_png_of_the_right_size(void **state) {
    (void)state;
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    for (int i = 0; i < 20; i++) {
        char a[CAPTCHA_ANSWER_MAX + 1];
        captcha_challenge_new(a);
        unsigned char *png = NULL;
        size_t len = 0;
        assert_int_equal(captcha_render_png(a, &png, &len), PC_OK);
        assert_non_null(png);
        assert_true(len > sizeof sig && len < 64 * 1024);
        assert_memory_equal(png, sig, sizeof sig);
        gdImagePtr im = gdImageCreateFromPngPtr((int)len, png);
        assert_non_null(im);
        assert_int_equal(gdImageSX(im), CAPTCHA_WIDTH);
        assert_int_equal(gdImageSY(im), CAPTCHA_HEIGHT);
        gdImageDestroy(im);
        free(png);
    }
}

static void test_render_is_random(void **state) {
    (void)state;
    unsigned char *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(captcha_render_png("K7HX3", &a, &la), PC_OK);
    assert_int_equal(captcha_render_png("K7HX3", &b, &lb), PC_OK);
    /* The same answer never looks the same twice. */
    assert_true(la != lb || memcmp(a, b, la) != 0);
    free(a);
    free(b);
}

static void test_render_rejects_bad_text(void **state) {
    (void)state;
    unsigned char *png = (unsigned char *)"x";
    size_t len = 1;
    assert_int_equal(captcha_render_png("", &png, &len), PC_EINVAL);
    assert_null(png);
    assert_int_equal(len, 0);
    assert_int_equal(captcha_render_png("ABCDEFGH", &png, &len), PC_EINVAL);
    assert_int_equal(captcha_render_png("AB CD", &png, &len), PC_EINVAL);
    assert_int_equal(captcha_render_png(NULL, &png, &len), PC_EINVAL);
}

static void test_data_url_round_trip(void **state) {
    (void)state;
    unsigned char *png = NULL;
    size_t len = 0;
    assert_int_equal(captcha_render_png("AC3F7", &png, &len), PC_OK);
    char *url = captcha_render_data_url(png, len);
    assert_non_null(url);
    static const char prefix[] = "data:image/png;base64,";
    assert_memory_equal(url, prefix, sizeof prefix - 1);
    unsigned char *back = malloc(len + 4);
    size_t blen = 0;
    assert_non_null(back);
    assert_int_equal(sodium_base642bin(back, len + 4, url + sizeof prefix - 1, strlen(url) - (sizeof prefix - 1),
                                       NULL, &blen, NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(blen, len);
    assert_memory_equal(back, png, len);
    free(back);
    free(url);
    free(png);
}

static void test_redis_bad_urls(void **state) {
    (void)state;
    const char *bad[] = { "", "http://127.0.0.1:6379", "redis://", "redis://:6379", "redis://h:0",
                          "redis://h:99999", "redis://h:12x", "redis://h:1/db", "redis://pw@h:1/0" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        assert_null(pc_redis_connect(bad[i], err, sizeof err));
        assert_true(err[0] != '\0');
    }
}

static void test_redis_errors_hide_the_password(void **state) {
    (void)state;
    /* Port 1 on loopback refuses: the error must name the host, not the secret. */
    char err[256] = "";
    assert_null(pc_redis_connect("redis://user:s3cr3t-pw@127.0.0.1:1/2", err, sizeof err));
    assert_non_null(strstr(err, "127.0.0.1"));
    assert_null(strstr(err, "s3cr3t"));
    /* A NULL connection is unavailable, not a crash. */
    pc_status st = PC_OK;
    assert_null(pc_redis_command(NULL, &st, "PING"));
    assert_int_equal(st, PC_EUNAVAIL);
    assert_false(pc_redis_ping(NULL));
    pc_redis_close(NULL);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    if (pc_ids_init() != PC_OK) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_length_and_alphabet),
        cmocka_unit_test(test_answers_vary),
        cmocka_unit_test(test_alphabet_has_no_lookalikes),
        cmocka_unit_test(test_matches_ignores_case_and_spaces),
        cmocka_unit_test(test_normalise_bounds),
        cmocka_unit_test(test_render_gives_png_of_the_right_size),
        cmocka_unit_test(test_render_is_random),
        cmocka_unit_test(test_render_rejects_bad_text),
        cmocka_unit_test(test_data_url_round_trip),
        cmocka_unit_test(test_redis_bad_urls),
        cmocka_unit_test(test_redis_errors_hide_the_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
