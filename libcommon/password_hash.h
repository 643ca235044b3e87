/* password_hash.h -- argon2id hashing of account passwords (PNS and
 * verifier accounts share it: one set of parameters, one verification).
 *
 * Passwords are stored as libsodium's argon2id string
 * ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), which carries its own
 * salt and parameters, so raising the parameters later leaves old hashes
 * verifiable (crypto_pwhash_str_needs_rehash tells when to upgrade).
 *
 * Parameters: OWASP's Password Storage Cheat Sheet configuration for
 * argon2id, m = 19 MiB (19456 KiB), t = 2, p = 1. The cost of a hash is the
 * registration wave's bottleneck (every registration and login pays it
 * once): 64 MiB/t=3 measured about 3x slower here for no gain the threat
 * model needs, since answers are also peppered and the database is not
 * public. The benchmark reads the constants below; change them here only.
 *
 * Thread-safe once sodium_init() has run. */
#ifndef PUPNS_PASSWORD_HASH_H
#define PUPNS_PASSWORD_HASH_H

#include <sodium.h>

#include "status.h"

#define PC_PWHASH_ALG crypto_pwhash_ALG_ARGON2ID13
#define PC_PWHASH_OPSLIMIT 2ULL
#define PC_PWHASH_MEMLIMIT (19456UL * 1024)

/* Hashes password into out (NUL-terminated, < crypto_pwhash_STRBYTES).
 * PC_OK; PC_EINVAL if password is NULL; PC_ERROR if argon2id could not run
 * (usually: the memory could not be allocated). */
pc_status pc_pwhash(const char *password, char out[crypto_pwhash_STRBYTES]);

/* PC_OK if password matches stored; PC_EDENIED if it does not, or if stored
 * is NULL or not an argon2id string (a corrupt row must not let anyone in). */
pc_status pc_pwhash_verify(const char *stored, const char *password);

/* Spends the work of one pc_pwhash_verify against a hash made with the
 * current parameters, and discards the result. Call it when the account
 * does not exist, so "unknown account" and "wrong password" take the same
 * time and the login cannot be used to learn who has an account. */
void pc_pwhash_dummy_verify(const char *password);

#endif
