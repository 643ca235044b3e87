/* secret_hash.h -- keyed hashes of the mother's maiden name and the security answer. */
#ifndef REGISTRATION_SECRET_HASH_H
#define REGISTRATION_SECRET_HASH_H

#include <stddef.h>

#include "status.h"

/* Nama Ibu Kandung and Jawaban are only ever compared (account recovery by
 * the helpdesk or the PNS), never shown again, so they are stored as
 *
 *   hex(BLAKE2b-256, keyed with the 32-byte pepper (PUPNS_PEPPER),
 *       over purpose || 0x00 || normalise(value))
 *
 * The key keeps a stolen table from being brute-forced (mother's names are a
 * small dictionary) without the service's configuration. The purpose
 * ("ibu_kandung", "jawaban") separates domains, so equal texts in two fields
 * do not give equal hashes. Normalising first makes "siti  aminah " and
 * "Siti Aminah" the same answer, as a person typing from memory expects.
 *
 * Stateless and thread-safe once sodium_init() has run. */

#define REGISTRATION_KEYED_HASH_HEX 65 /* 64 hex digits + NUL */

/* Writes the comparison form of in to out: surrounding ASCII whitespace
 * removed, every inner run of ASCII whitespace (space, \t, \n, \r, \v, \f)
 * turned into one space, ASCII letters upper-cased, every other byte
 * (including UTF-8 sequences such as "é", left as typed) copied unchanged.
 * The result is never longer than in. If it does not fit in outlen - 1 bytes
 * it is cut, never inside a UTF-8 sequence; callers that need the whole
 * value pass outlen >= strlen(in) + 1. NULL in gives "". Nothing is written
 * when outlen is 0. */
void registration_normalise_answer(const char *in, char *out, size_t outlen);

/* Keyed hash of normalise(value) under purpose, as 64 lower-case hex digits
 * + NUL in out_hex. PC_OK; PC_EINVAL if an argument is NULL or purpose is
 * empty; PC_ERROR if memory runs out (out_hex is then ""). */
pc_status registration_keyed_hash(const unsigned char key[32], const char *purpose, const char *value,
                                  char out_hex[65]);

/* 1 if both are 64-hex-digit strings with the same bytes, else 0. The
 * comparison of the digits takes the same time wherever they differ, so a
 * caller comparing a typed answer's hash with the stored one leaks nothing
 * about how close it was. */
int registration_keyed_hash_equal(const char *a_hex, const char *b_hex);

#endif
