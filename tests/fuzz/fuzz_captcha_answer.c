/* fuzz_captcha_answer.c -- libFuzzer target: captcha_challenge_normalise and
 * captcha_challenge_matches (services/captcha/challenge.c), the check of a
 * client's captcha answer. Input: "<stored>\0<guess>" (no NUL: the input is
 * both, and is also compared with its upper-cased copy). */
#include <ctype.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "challenge.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz check failed: %s\n", #c); abort(); } } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return sodium_init() < 0 ? -1 : 0;
}

static int normalise_checked(const char *s, char out[CAPTCHA_GUESS_MAX + 1]) {
    pc_status st = captcha_challenge_normalise(s, out);
    CHECK(st == PC_OK || st == PC_EINVAL);
    CHECK(out[CAPTCHA_GUESS_MAX] == '\0');
    if (st != PC_OK) return 0;
    size_t n = strlen(out);
    CHECK(n >= 1 && n <= CAPTCHA_GUESS_MAX);
    CHECK(!isspace((unsigned char)out[0]) && !isspace((unsigned char)out[n - 1]));
    for (size_t i = 0; i < n; i++) CHECK(!isupper((unsigned char)out[i]));
    char twice[CAPTCHA_GUESS_MAX + 1];
    CHECK(captcha_challenge_normalise(out, twice) == PC_OK && strcmp(out, twice) == 0); /* idempotent */
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 2);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    const char *stored = buf;
    const char *nul = memchr(buf, '\0', size);
    const char *guess = nul ? nul + 1 : buf;

    char a[CAPTCHA_GUESS_MAX + 1], b[CAPTCHA_GUESS_MAX + 1];
    int okA = normalise_checked(stored, a), okB = normalise_checked(guess, b);
    int m = captcha_challenge_matches(stored, guess);
    CHECK(m == 0 || m == 1);
    CHECK(m == captcha_challenge_matches(guess, stored));
    CHECK(m == (okA && okB && strcmp(a, b) == 0));
    CHECK(captcha_challenge_matches(stored, stored) == okA);
    CHECK(captcha_challenge_matches(NULL, guess) == 0 && captcha_challenge_matches(stored, NULL) == 0);

    /* Case is ignored: the upper-cased input matches the input. */
    size_t n = strlen(stored);
    char *upper = malloc(n + 1);
    if (upper) {
        for (size_t i = 0; i <= n; i++) upper[i] = (char)toupper((unsigned char)stored[i]);
        CHECK(captcha_challenge_matches(upper, stored) == okA);
        free(upper);
    }

    /* A drawn answer is in the alphabet and matches its lower-case form. */
    char drawn[CAPTCHA_ANSWER_MAX + 1], low[CAPTCHA_GUESS_MAX + 1];
    captcha_challenge_new(drawn);
    n = strlen(drawn);
    CHECK(n >= CAPTCHA_ANSWER_MIN && n <= CAPTCHA_ANSWER_MAX && strspn(drawn, captcha_alphabet) == n);
    CHECK(captcha_challenge_normalise(drawn, low) == PC_OK && captcha_challenge_matches(drawn, low));
    free(buf);
    return 0;
}
