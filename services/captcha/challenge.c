/* challenge.c -- random captcha answers and their constant-time comparison. */
#include "challenge.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

/* No look-alikes: 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 6/G, 8/B, U/V, W/VV and 4/A
 * (gd's bitmap 4 is open, like an A) are out, and so are most vowels, so
 * that answers rarely spell words. 17 symbols, 5-6 of them: about 2.5e7
 * answers, and each captcha takes exactly one guess. */
const char captcha_alphabet[] = "ACEFHKMNPRTXY3679";

void captcha_challenge_new(char out[CAPTCHA_ANSWER_MAX + 1]) {
    uint32_t n = (uint32_t)(sizeof captcha_alphabet - 1);
    size_t len = CAPTCHA_ANSWER_MIN + randombytes_uniform(CAPTCHA_ANSWER_MAX - CAPTCHA_ANSWER_MIN + 1);
    for (size_t i = 0; i < len; i++) out[i] = captcha_alphabet[randombytes_uniform(n)];
    out[len] = '\0';
}

pc_status captcha_challenge_normalise(const char *s, char out[CAPTCHA_GUESS_MAX + 1]) {
    memset(out, 0, CAPTCHA_GUESS_MAX + 1);
    if (!s) return PC_EINVAL;
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    if (n == 0 || n > CAPTCHA_GUESS_MAX) return PC_EINVAL;
    for (size_t i = 0; i < n; i++) out[i] = (char)tolower((unsigned char)s[i]);
    return PC_OK;
}

int captcha_challenge_matches(const char *stored, const char *guess) {
    /* Both sides padded with zeros to the same fixed width, so one
     * sodium_memcmp over the whole width decides: equal lengths and equal
     * bytes, in time that does not depend on where they first differ. */
    char a[CAPTCHA_GUESS_MAX + 1], b[CAPTCHA_GUESS_MAX + 1];
    int ok = captcha_challenge_normalise(stored, a) == PC_OK;
    ok &= captcha_challenge_normalise(guess, b) == PC_OK;
    ok &= sodium_memcmp(a, b, sizeof a) == 0;
    sodium_memzero(a, sizeof a);
    sodium_memzero(b, sizeof b);
    return ok;
}
