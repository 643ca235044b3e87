/* challenge.h -- captcha answers: drawn at random from an alphabet without
 * look-alike characters, and compared in constant time, ignoring case.
 * Call pc_ids_init() (which initialises libsodium) before using them. */
#ifndef CAPTCHA_CHALLENGE_H
#define CAPTCHA_CHALLENGE_H

#include <stddef.h>

#include "status.h"

#define CAPTCHA_ANSWER_MIN 5
#define CAPTCHA_ANSWER_MAX 6
/* The longest answer a client may send; longer ones are "invalid". */
#define CAPTCHA_GUESS_MAX 16

/* Characters answers are drawn from, as drawn (upper case). */
extern const char captcha_alphabet[];

/* Writes a random answer of CAPTCHA_ANSWER_MIN..MAX upper-case characters
 * into out (terminated). */
void captcha_challenge_new(char out[CAPTCHA_ANSWER_MAX + 1]);

/* Lower-cases s into out (what the store keeps and compares), dropping
 * surrounding white space. PC_EINVAL when the result is empty or longer than
 * CAPTCHA_GUESS_MAX. */
pc_status captcha_challenge_normalise(const char *s, char out[CAPTCHA_GUESS_MAX + 1]);

/* 1 when guess matches the stored answer (both normalised or not; case
 * and surrounding white space are ignored), 0 otherwise. Takes the same
 * time whatever the inputs' contents, so timing reveals no prefix. */
int captcha_challenge_matches(const char *stored, const char *guess);

#endif
