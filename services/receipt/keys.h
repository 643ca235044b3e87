/* keys.h -- the receipt signing key and the public keys that verify receipts.
 *
 * The current key is an Ed25519 seed from PUPNS_RECEIPT_SIGNING_KEY (64 hex
 * digits); its key id (kid) is the first 4 bytes of BLAKE2b-256 of the public
 * key, in hex, so nobody has to name keys by hand and a kid cannot point to
 * the wrong key. Retired public keys (PUPNS_RECEIPT_OLD_PUBLIC_KEYS,
 * "kid:hex,kid:hex" or "hex,hex"; white space separates too) keep verifying
 * the receipts they signed: rotation is "make a new seed, move the old
 * public key to the list" (docs/OPERATIONS.md has the commands). */
#ifndef RECEIPT_KEYS_H
#define RECEIPT_KEYS_H

#include <jansson.h>
#include <sodium.h>

#include "status.h"

#define RECEIPT_KID_LEN 8
/* Retired keys kept at most: as many as PUPNS_RECEIPT_OLD_PUBLIC_KEYS holds
 * (599 bytes, 74 per "kid:hex,"; checked in keys.c). A key a year is plenty. */
#define RECEIPT_OLD_KEYS_MAX 8

typedef struct {
    char kid[RECEIPT_KID_LEN + 1];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
} receipt_pubkey;

typedef struct {
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    receipt_pubkey current;
    receipt_pubkey old[RECEIPT_OLD_KEYS_MAX];
    int nold;
} receipt_keys;

/* The kid of a public key (8 hex digits). */
void receipt_kid(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], char kid[RECEIPT_KID_LEN + 1]);

/* Loads the signing seed (hex) and the list of retired public keys.
 * PC_EINVAL with errstr naming what is wrong (a kid that does not match
 * its key, a malformed entry or one that is no Ed25519 public key, two keys
 * under one kid, too many); nothing is left loaded then. */
pc_status receipt_keys_load(receipt_keys *k, const char *seed_hex, const char *old_list, char *errstr,
                            size_t errlen);

/* The public key named kid (current or retired), or NULL. */
const receipt_pubkey *receipt_keys_find(const receipt_keys *k, const char *kid);

/* {"alg": "Ed25519", "keys": [{"kid", "public_key" (hex), "status": "aktif"|"lama"}]} */
json_t *receipt_keys_json(const receipt_keys *k);

/* Wipes the secret half. */
void receipt_keys_clear(receipt_keys *k);

#endif
