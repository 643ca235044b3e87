/* secret_hash.c -- answer normalisation and keyed BLAKE2b-256 hashes. */
#include "secret_hash.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void registration_normalise_answer(const char *in, char *out, size_t outlen) {
    if (outlen == 0) return;
    size_t n = 0;
    int pending_space = 0;
    for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p; p++) {
        if (is_space(*p)) {
            pending_space = n > 0; /* leading whitespace never becomes a space */
            continue;
        }
        if (pending_space) {
            if (n + 1 >= outlen) break;
            out[n++] = ' ';
            pending_space = 0;
        }
        if (n + 1 >= outlen) break;
        out[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    /* Cut: drop a trailing space and any incomplete UTF-8 sequence. */
    if (n > 0 && out[n - 1] == ' ') n--;
    if (n > 0 && ((unsigned char)out[n - 1] & 0x80)) {
        size_t start = n - 1;
        while (start > 0 && ((unsigned char)out[start] & 0xC0) == 0x80) start--;
        unsigned char lead = (unsigned char)out[start];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if ((lead & 0xC0) == 0xC0 && n - start < need) n = start;
    }
    out[n] = '\0';
}

pc_status registration_keyed_hash(const unsigned char key[32], const char *purpose, const char *value,
                                  char out_hex[65]) {
    out_hex[0] = '\0';
    if (!key || !purpose || !*purpose || !value) return PC_EINVAL;
    size_t cap = strlen(value) + 1;
    char *norm = malloc(cap);
    if (!norm) return PC_ERROR;
    registration_normalise_answer(value, norm, cap);

    unsigned char digest[32];
    crypto_generichash_state st;
    static const unsigned char sep = 0x00; /* purpose is a C string, so it cannot contain the separator */
    crypto_generichash_init(&st, key, 32, sizeof digest);
    crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose));
    crypto_generichash_update(&st, &sep, 1);
    crypto_generichash_update(&st, (const unsigned char *)norm, strlen(norm));
    crypto_generichash_final(&st, digest, sizeof digest);
    sodium_bin2hex(out_hex, 65, digest, sizeof digest);

    /* The normalised answer and the keyed state are as secret as the answer. */
    sodium_memzero(norm, cap);
    sodium_memzero(&st, sizeof st);
    free(norm);
    return PC_OK;
}

static int is_hash_hex(const char *s) {
    if (!s) return 0;
    size_t i = 0;
    for (; i < 64; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return s[i] == '\0';
}

int registration_keyed_hash_equal(const char *a_hex, const char *b_hex) {
    if (!is_hash_hex(a_hex) || !is_hash_hex(b_hex)) return 0;
    return sodium_memcmp(a_hex, b_hex, 64) == 0;
}
