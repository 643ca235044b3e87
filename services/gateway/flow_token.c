/* flow_token.c -- HMAC-signed, expiring NIP+email tokens (libsodium). */
#include "flow_token.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

pc_status gw_flow_token_make(const unsigned char key[32], const char *nip, const char *email,
                             const json_t *pns, int64_t now_s, int ttl_s, char out[GW_FLOW_TOKEN_MAX]) {
    json_t *claims = json_pack("{s:s, s:s, s:I, s:O}", "nip", nip, "email", email, "exp",
                               (json_int_t)(now_s + ttl_s), "pns", pns);
    char *text = claims ? json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(claims);
    if (!text) return PC_ERROR;
    size_t len = strlen(text);
    pc_status st = PC_EINVAL;
    if (sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1 +
            sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) <=
        GW_FLOW_TOKEN_MAX) {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        sodium_bin2base64(out, GW_FLOW_TOKEN_MAX, (const unsigned char *)text, len,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        size_t plen = strlen(out);
        crypto_auth_hmacsha256(mac, (const unsigned char *)out, plen, key);
        out[plen] = '.';
        sodium_bin2base64(out + plen + 1, GW_FLOW_TOKEN_MAX - plen - 1, mac, sizeof mac,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        st = PC_OK;
    }
    free(text);
    return st;
}

pc_status gw_flow_token_check(const unsigned char key[32], const char *token, int64_t now_s,
                              char nip[19], char email[256], json_t **pns) {
    if (pns) *pns = NULL;
    const char *dot = token ? strchr(token, '.') : NULL;
    if (!dot || strlen(token) >= GW_FLOW_TOKEN_MAX) return PC_EINVAL;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    size_t maclen = 0;
    if (sodium_base642bin(mac, sizeof mac, dot + 1, strlen(dot + 1), NULL, &maclen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        maclen != sizeof mac ||
        crypto_auth_hmacsha256_verify(mac, (const unsigned char *)token, (size_t)(dot - token), key) != 0)
        return PC_EINVAL;
    char text[GW_FLOW_TOKEN_MAX];
    size_t len = 0;
    if (sodium_base642bin((unsigned char *)text, sizeof text - 1, token, (size_t)(dot - token), NULL, &len,
                          NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return PC_EINVAL;
    text[len] = '\0';
    json_t *claims = json_loads(text, 0, NULL);
    const char *n = json_string_value(json_object_get(claims, "nip"));
    const char *e = json_string_value(json_object_get(claims, "email"));
    json_int_t exp = json_integer_value(json_object_get(claims, "exp"));
    json_t *snapshot = json_object_get(claims, "pns");
    pc_status st = PC_EINVAL;
    if (n && e && strlen(n) == 18 && strlen(e) < 256 && json_is_object(snapshot)) {
        st = exp >= now_s ? PC_OK : PC_ETIMEDOUT;
        snprintf(nip, 19, "%s", n);
        snprintf(email, 256, "%s", e);
        if (st == PC_OK && pns) *pns = json_incref(snapshot);
    }
    json_decref(claims);
    return st;
}
