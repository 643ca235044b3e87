/* registration_number.h -- registration numbers (No. Registrasi) with a check
 * symbol: issued by the registration service, typed back to Verifikator 1
 * and checked by the verifier service, so both use this one module. */
#ifndef PUPNS_REGISTRATION_NUMBER_H
#define PUPNS_REGISTRATION_NUMBER_H

#include "status.h"

/* A registration number is what the PNS reads off the printed receipt (Bukti
 * Registrasi) and types or dictates back to Verifikator 1, so it is built to
 * survive human copying:
 *
 *   - 8 characters from the 31-symbol alphabet PC_REGNO_ALPHABET,
 *     which drops 0/O and 1/I/L because they are confused on paper;
 *   - the first 7 are uniform random symbols from libsodium's CSPRNG
 *     (31^7 ~ 2.75e10 numbers, so guessing one is impractical and a collision
 *     is rare; the database's unique index still decides, and the caller
 *     draws again on conflict);
 *   - the 8th is a check symbol, Luhn-style mod 31: from the right, the check
 *     symbol's value has weight 1, the symbol left of it 2, then 1, 2, ...;
 *     the number is valid when the weighted sum is 0 mod 31.
 *
 * Why not the textbook Luhn mod N: its "double, then add the base-N digits"
 * step is a permutation only for even N. With N = 31 it maps 1 and 16 (and
 * 2/17, ...) to the same value, so a single substitution could pass, and it
 * misses the transposition "2Z" <-> "Z2". Doubling modulo the prime 31
 * instead is a permutation, so every single-character substitution and
 * every adjacent transposition of two different characters is caught (the
 * unit tests check this exhaustively).
 *
 * The tutorial's example C8Y9GVRP is NOT valid under this scheme (its check
 * symbol would be X: C8Y9GVRX); numbers issued in 2015 are not in this
 * system, so nothing depends on it.
 *
 * All functions are stateless and thread-safe. */

#define PC_REGNO_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define PC_REGNO_LEN 8

/* Writes a fresh valid number and its NUL to out. Never fails. */
void pc_regno_new(char out[9]);

/* 1 if s is a valid number in canonical form (exactly 8 upper-case alphabet
 * symbols, correct check symbol), else 0 (also for NULL). Strict on purpose:
 * what is stored and compared is the canonical form; user input goes through
 * pc_regno_normalise first. */
int pc_regno_valid(const char *s);

/* Turns user input into the canonical form: strips surrounding ASCII
 * whitespace and upper-cases ASCII letters, so " c8y9gvrx\n" is accepted.
 * Returns PC_OK with out holding a valid number (pc_regno_valid(out)
 * == 1); PC_EINVAL for NULL, a wrong length, a symbol outside the alphabet
 * (including inner spaces and dashes) or a wrong check symbol, with out set
 * to "". */
pc_status pc_regno_normalise(const char *in, char out[9]);

/* Why a typed number is not valid, for a message a person can act on. */
typedef enum {
    PC_REGNO_OK = 0,
    PC_REGNO_LENGTH,   /* not 8 symbols (after removing spaces and dashes) */
    PC_REGNO_SYMBOL,   /* a character outside the alphabet (0, O, 1, I, L, ...) */
    PC_REGNO_CHECK     /* 8 valid symbols, but the check symbol does not match: a typo */
} pc_regno_problem;

/* Like pc_regno_normalise, but also forgives inner spaces and dashes
 * ("C8Y9 GVRX", "c8y9-gvrx") as people write numbers down, and says what is
 * wrong. out is "" unless PC_REGNO_OK. */
pc_regno_problem pc_regno_parse_typed(const char *in, char out[9]);

#endif
