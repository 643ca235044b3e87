/* pwhash.h -- argon2id hashing of PNS account passwords: the registration
 * service's names for libcommon/password_hash.h (shared with the verifier's
 * accounts, so both use one set of parameters; see there for the choice). */
#ifndef REGISTRATION_PWHASH_H
#define REGISTRATION_PWHASH_H

#include "password_hash.h"

#define REGISTRATION_PWHASH_ALG PC_PWHASH_ALG
#define REGISTRATION_PWHASH_OPSLIMIT PC_PWHASH_OPSLIMIT
#define REGISTRATION_PWHASH_MEMLIMIT PC_PWHASH_MEMLIMIT

/* See pc_pwhash, pc_pwhash_verify and pc_pwhash_dummy_verify. */
static inline pc_status registration_pwhash(const char *password, char out[crypto_pwhash_STRBYTES]) {
    return pc_pwhash(password, out);
}
static inline pc_status registration_pwhash_verify(const char *stored, const char *password) {
    return pc_pwhash_verify(stored, password);
}
static inline void registration_pwhash_dummy_verify(const char *password) {
    pc_pwhash_dummy_verify(password);
}

#endif
