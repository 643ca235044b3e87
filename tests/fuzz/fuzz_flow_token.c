/* fuzz_flow_token.c -- libFuzzer target: gw_flow_token_check
 * (services/gateway/flow_token.c), the registration flow token a client
 * sends back at step 3. Input: first byte even -> the rest is the token as
 * sent; odd -> the rest is the token's claims text, which the target signs
 * with the fuzz key first, so the claims parser behind the MAC is reached.
 * A token that checks must carry an 18-byte NIP, an email under 256 bytes
 * and an object, and a token made from them must check again. */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_token.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz check failed: %s\n", #c); abort(); } } while (0)
#define NOW 1780000000

static const unsigned char key[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    return sodium_init() < 0 ? -1 : 0;
}

/* "<b64url(claims)>.<b64url(hmac)>" in a malloc'd string. */
static char *sign(const uint8_t *claims, size_t len) {
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1 +
                 sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *t = malloc(cap);
    if (!t) return NULL;
    sodium_bin2base64(t, cap, claims, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t plen = strlen(t);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)t, plen, key);
    t[plen] = '.';
    sodium_bin2base64(t + plen + 1, cap - plen - 1, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char *token;
    if (data[0] & 1) {
        token = sign(data + 1, size - 1);
    } else {
        token = malloc(size);
        if (token) {
            memcpy(token, data + 1, size - 1);
            token[size - 1] = '\0';
        }
    }
    if (!token) return 0;

    char nip[19], email[256];
    json_t *pns = (json_t *)1;
    pc_status st = gw_flow_token_check(key, token, NOW, nip, email, &pns);
    CHECK(st == PC_OK || st == PC_EINVAL || st == PC_ETIMEDOUT);
    if (st != PC_OK) {
        CHECK(pns == NULL);
    } else {
        CHECK(strlen(nip) == 18 && strlen(email) < 256 && json_is_object(pns));
        /* Without pns, and with another key: the same answer / a refusal. */
        char nip2[19], email2[256];
        CHECK(gw_flow_token_check(key, token, NOW, nip2, email2, NULL) == PC_OK);
        unsigned char other[32];
        memcpy(other, key, 32);
        other[0] ^= 1;
        CHECK(gw_flow_token_check(other, token, NOW, nip2, email2, NULL) == PC_EINVAL);
        /* Made again from what it carries, it checks to the same values. */
        char *again = malloc(GW_FLOW_TOKEN_MAX);
        json_t *pns2 = NULL;
        if (again && gw_flow_token_make(key, nip, email, pns, NOW, 60, again) == PC_OK) {
            CHECK(gw_flow_token_check(key, again, NOW, nip2, email2, &pns2) == PC_OK);
            CHECK(strcmp(nip, nip2) == 0 && strcmp(email, email2) == 0 && json_equal(pns, pns2));
            CHECK(gw_flow_token_check(key, again, NOW + 61, nip2, email2, NULL) == PC_ETIMEDOUT);
            json_decref(pns2);
        }
        free(again);
        json_decref(pns);
    }
    free(token);
    return 0;
}
