/* payload.h -- the signed text in the receipt's QR code.
 *
 *   PUPNS1.<no_registrasi>.<nip>.<issued, Unix seconds>.<kid>.<signature>
 *
 * The signature is Ed25519 (crypto_sign_detached) over everything before
 * its dot, base64url without padding (86 characters). Only [0-9A-Za-z._-]
 * occur, so the payload travels in a URL query unescaped, and a verifier
 * offline needs only the public key of kid (GET /api/v1/bukti/kunci). */
#ifndef RECEIPT_PAYLOAD_H
#define RECEIPT_PAYLOAD_H

#include "keys.h"
#include "status.h"

#define RECEIPT_PAYLOAD_PREFIX "PUPNS1"
#define RECEIPT_PAYLOAD_MAX 200

typedef struct {
    char no[9];
    char nip[19];
    long long issued;
    char kid[RECEIPT_KID_LEN + 1];
} receipt_claims;

typedef enum {
    RECEIPT_VALID = 0,
    RECEIPT_MALFORMED,     /* not a receipt payload */
    RECEIPT_UNKNOWN_KEY,   /* well-formed, signed by a key we do not know */
    RECEIPT_BAD_SIGNATURE  /* the signature does not match the content */
} receipt_check;

/* Writes the payload for claims c signed with k's current key (c->kid is
 * set to it). PC_EINVAL if a claim is malformed. */
pc_status receipt_payload_sign(const receipt_keys *k, receipt_claims *c, char out[RECEIPT_PAYLOAD_MAX]);

/* Parses and verifies q; *c is filled whenever q is well-formed (so a
 * caller can say which registration a bad signature claims to be). */
receipt_check receipt_payload_verify(const receipt_keys *k, const char *q, receipt_claims *c);

/* Stable code of a check result ("valid", "format_tidak_valid", ...). */
const char *receipt_check_code(receipt_check r);

#endif
