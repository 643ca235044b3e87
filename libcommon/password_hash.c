/* password_hash.c -- argon2id hashing, verification and the equal-time dummy. */
#include "password_hash.h"

#include <string.h>

_Static_assert(PC_PWHASH_OPSLIMIT >= crypto_pwhash_OPSLIMIT_MIN, "opslimit below libsodium's minimum");
_Static_assert(PC_PWHASH_MEMLIMIT >= 19UL * 1024 * 1024, "memlimit below OWASP's argon2id minimum");

pc_status pc_pwhash(const char *password, char out[crypto_pwhash_STRBYTES]) {
    out[0] = '\0';
    if (!password) return PC_EINVAL;
    if (crypto_pwhash_str_alg(out, password, strlen(password), PC_PWHASH_OPSLIMIT,
                              PC_PWHASH_MEMLIMIT, PC_PWHASH_ALG) != 0)
        return PC_ERROR;
    return PC_OK;
}

pc_status pc_pwhash_verify(const char *stored, const char *password) {
    /* Only argon2id: libsodium would also accept argon2i strings, which this
     * service never writes, so one would mean a tampered row. */
    if (!stored || !password || strncmp(stored, "$argon2id$", 10) != 0) return PC_EDENIED;
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0 ? PC_OK : PC_EDENIED;
}

void pc_pwhash_dummy_verify(const char *password) {
    /* A verification is one argon2id run with the stored hash's parameters
     * and salt plus a 32-byte comparison. Running argon2id directly with the
     * current parameters costs the same and, unlike a dummy hash string
     * pasted into the source, cannot drift from them. */
    static const unsigned char salt[crypto_pwhash_SALTBYTES] = { 0 }; /* any value costs the same */
    unsigned char out[32];
    const char *p = password ? password : "";
    if (crypto_pwhash(out, sizeof out, p, strlen(p), salt, PC_PWHASH_OPSLIMIT,
                      PC_PWHASH_MEMLIMIT, PC_PWHASH_ALG) == 0)
        sodium_memzero(out, sizeof out);
}
