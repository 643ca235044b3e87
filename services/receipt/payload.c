/* payload.c -- signs and verifies the QR payload of a receipt. */
#include "payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG_B64_LEN 86 /* 64 bytes, base64url, no padding */

static int all_in(const char *s, size_t n, const char *set) {
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(set, s[i])) return 0;
    return 1;
}

static int claims_valid(const receipt_claims *c) {
    return strlen(c->no) == 8 && all_in(c->no, 8, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") && strlen(c->nip) == 18 &&
           all_in(c->nip, 18, "0123456789") && c->issued > 0 && c->issued < 100000000000LL;
}

pc_status receipt_payload_sign(const receipt_keys *k, receipt_claims *c, char out[RECEIPT_PAYLOAD_MAX]) {
    if (!claims_valid(c)) return PC_EINVAL;
    memcpy(c->kid, k->current.kid, sizeof c->kid);
    int n = snprintf(out, RECEIPT_PAYLOAD_MAX, RECEIPT_PAYLOAD_PREFIX ".%s.%s.%lld.%s", c->no, c->nip, c->issued,
                     c->kid);
    if (n < 0 || n + 1 + SIG_B64_LEN + 1 > RECEIPT_PAYLOAD_MAX) return PC_EINVAL;
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)out, (unsigned long long)n, k->sk);
    out[n] = '.';
    sodium_bin2base64(out + n + 1, RECEIPT_PAYLOAD_MAX - (size_t)n - 1, sig, sizeof sig,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return PC_OK;
}

/* Copies field i (0-based, dot-separated) of q into out; 0 if absent or too long. */
static int field(const char *q, int i, char *out, size_t cap) {
    const char *s = q;
    for (int j = 0; j < i; j++) {
        s = strchr(s, '.');
        if (!s) return 0;
        s++;
    }
    size_t n = strcspn(s, ".");
    if (n == 0 || n >= cap) return 0;
    memcpy(out, s, n);
    out[n] = 0;
    return 1;
}

static int dots(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '.';
    return n;
}

receipt_check receipt_payload_verify(const receipt_keys *k, const char *q, receipt_claims *c) {
    memset(c, 0, sizeof *c);
    char prefix[8], issued[16], sig_b64[SIG_B64_LEN + 2];
    if (!q || strlen(q) >= RECEIPT_PAYLOAD_MAX || !all_in(q, strlen(q), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                      "abcdefghijklmnopqrstuvwxyz._-"))
        return RECEIPT_MALFORMED;
    if (!field(q, 0, prefix, sizeof prefix) || strcmp(prefix, RECEIPT_PAYLOAD_PREFIX) != 0 ||
        !field(q, 1, c->no, sizeof c->no) || !field(q, 2, c->nip, sizeof c->nip) ||
        !field(q, 3, issued, sizeof issued) || !field(q, 4, c->kid, sizeof c->kid) ||
        !field(q, 5, sig_b64, sizeof sig_b64) || dots(q) != 5)
        goto malformed;
    if (!all_in(issued, strlen(issued), "0123456789") || issued[0] == '0' ||
        strlen(c->kid) != RECEIPT_KID_LEN || !all_in(c->kid, RECEIPT_KID_LEN, "0123456789abcdef"))
        goto malformed;
    c->issued = strtoll(issued, NULL, 10);
    if (!claims_valid(c)) goto malformed;
    unsigned char sig[crypto_sign_BYTES];
    size_t siglen = 0;
    if (strlen(sig_b64) != SIG_B64_LEN ||
        sodium_base642bin(sig, sizeof sig, sig_b64, SIG_B64_LEN, NULL, &siglen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        siglen != sizeof sig)
        return RECEIPT_BAD_SIGNATURE; /* well-formed claims, a signature that cannot be one */
    const receipt_pubkey *pk = receipt_keys_find(k, c->kid);
    if (!pk) return RECEIPT_UNKNOWN_KEY;
    size_t signed_len = strlen(q) - SIG_B64_LEN - 1;
    if (crypto_sign_verify_detached(sig, (const unsigned char *)q, signed_len, pk->pk) != 0)
        return RECEIPT_BAD_SIGNATURE;
    return RECEIPT_VALID;
malformed:
    memset(c, 0, sizeof *c);
    return RECEIPT_MALFORMED;
}

const char *receipt_check_code(receipt_check r) {
    switch (r) {
    case RECEIPT_VALID: return "valid";
    case RECEIPT_MALFORMED: return "format_tidak_valid";
    case RECEIPT_UNKNOWN_KEY: return "kunci_tidak_dikenal";
    case RECEIPT_BAD_SIGNATURE: return "tanda_tangan_tidak_valid";
    }
    return "format_tidak_valid";
}
