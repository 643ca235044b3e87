/* seal.c -- crypto_box_seal to and from base64, and secret-string hygiene. */
#include "seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL

_Static_assert(crypto_box_PUBLICKEYBYTES == 32 && crypto_box_SECRETKEYBYTES == 32, "32-byte X25519 keys");

pc_status pc_seal_b64(const unsigned char pk[32], const char *plaintext, char **out_b64) {
    if (!out_b64) return PC_EINVAL;
    *out_b64 = NULL;
    if (!pk || !plaintext) return PC_EINVAL;
    size_t mlen = strlen(plaintext);
    if (mlen > PC_SEAL_MAX_PLAINTEXT) return PC_EINVAL;
    /* Idempotent and cheap after the first call; sealing draws randomness. */
    if (sodium_init() < 0) return PC_ERROR;

    size_t clen = mlen + crypto_box_SEALBYTES;
    unsigned char *c = malloc(clen);
    size_t b64len = sodium_base64_ENCODED_LEN(clen, B64_VARIANT);
    char *b64 = malloc(b64len);
    if (!c || !b64 || crypto_box_seal(c, (const unsigned char *)plaintext, mlen, pk) != 0) {
        free(c);
        free(b64);
        return PC_ERROR;
    }
    sodium_bin2base64(b64, b64len, c, clen, B64_VARIANT);
    free(c);
    *out_b64 = b64;
    return PC_OK;
}

pc_status pc_unseal_b64(const unsigned char pk[32], const unsigned char sk[32], const char *b64, char **out_plain) {
    if (!out_plain) return PC_EINVAL;
    *out_plain = NULL;
    if (!pk || !sk || !b64) return PC_EINVAL;
    size_t b64len = strlen(b64);
    /* Refuse before allocating; ENCODED_LEN counts the NUL. */
    if (b64len + 1 > sodium_base64_ENCODED_LEN(PC_SEAL_MAX_PLAINTEXT + crypto_box_SEALBYTES, B64_VARIANT))
        return PC_EINVAL;

    size_t cap = b64len / 4 * 3 + 3;
    unsigned char *c = malloc(cap);
    if (!c) return PC_ERROR;
    size_t clen = 0;
    /* b64_end NULL: the whole string must be base64, nothing after it. */
    /* The length test above is only exact to 3 bytes; this one is exact. */
    if (sodium_base642bin(c, cap, b64, b64len, NULL, &clen, NULL, B64_VARIANT) != 0 ||
        clen < crypto_box_SEALBYTES || clen - crypto_box_SEALBYTES > PC_SEAL_MAX_PLAINTEXT) {
        free(c);
        return PC_EINVAL;
    }
    size_t mlen = clen - crypto_box_SEALBYTES;
    char *m = malloc(mlen + 1);
    if (!m) {
        free(c);
        return PC_ERROR;
    }
    int opened = crypto_box_seal_open((unsigned char *)m, c, clen, pk, sk) == 0;
    free(c);
    if (!opened || memchr(m, '\0', mlen)) {
        /* A plaintext with an inner NUL would be cut short by every string
         * function downstream; refuse it rather than guess. */
        sodium_memzero(m, mlen + 1);
        free(m);
        return PC_EINVAL;
    }
    m[mlen] = '\0';
    *out_plain = m;
    return PC_OK;
}

void pc_secret_free(char *s) {
    if (!s) return;
    sodium_memzero(s, strlen(s));
    free(s);
}

pc_status pc_keypair_hex(char pk_hex[65], char sk_hex[65]) {
    pk_hex[0] = sk_hex[0] = '\0';
    if (sodium_init() < 0) return PC_ERROR;
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    sodium_bin2hex(pk_hex, 65, pk, sizeof pk);
    sodium_bin2hex(sk_hex, 65, sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
    return PC_OK;
}
