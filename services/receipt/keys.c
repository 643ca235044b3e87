/* keys.c -- the signing key, key ids and the retired public keys. */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

void receipt_kid(const unsigned char pk[crypto_sign_PUBLICKEYBYTES], char kid[RECEIPT_KID_LEN + 1]) {
    unsigned char h[32];
    crypto_generichash(h, sizeof h, pk, crypto_sign_PUBLICKEYBYTES, NULL, 0);
    sodium_bin2hex(kid, RECEIPT_KID_LEN + 1, h, RECEIPT_KID_LEN / 2);
}

/* The retired list is one configuration value (pc_config, libcommon/config.h):
 * RECEIPT_OLD_KEYS_MAX entries "kid:hex," must fit in it, or the limit named
 * in the error messages would be one nobody can reach. */
_Static_assert(sizeof(((pc_config *)0)->receipt_old_public_keys) >=
                   RECEIPT_OLD_KEYS_MAX * (RECEIPT_KID_LEN + 1 + 2 * crypto_sign_PUBLICKEYBYTES + 1),
               "PUPNS_RECEIPT_OLD_PUBLIC_KEYS cannot hold RECEIPT_OLD_KEYS_MAX keys");

/* Separators between entries: commas and white space, so a list kept in a
 * file (PUPNS_RECEIPT_OLD_PUBLIC_KEYS_FILE, a mounted secret) may put one
 * key on each line. */
#define OLD_KEYS_SEP ", \t\r\n"

/* One entry "kid:hex" or "hex" of the retired list into k->old. */
static pc_status add_old(receipt_keys *k, const char *entry, size_t n, char *errstr, size_t errlen) {
    char buf[160], want_kid[RECEIPT_KID_LEN + 1] = "";
    if (n >= sizeof buf) goto bad;
    memcpy(buf, entry, n);
    buf[n] = 0;
    const char *hex = buf;
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = 0;
        if (strlen(buf) != RECEIPT_KID_LEN) goto bad;
        memcpy(want_kid, buf, RECEIPT_KID_LEN + 1);
        hex = colon + 1;
    }
    receipt_pubkey p;
    if (pc_config_key(hex, p.pk) != PC_OK) goto bad;
    /* A mistyped digit usually leaves no curve point: say so now, not with
     * every receipt of that key answered "tanda tangan tidak valid". */
    if (crypto_core_ed25519_is_valid_point(p.pk) != 1) {
        snprintf(errstr, errlen, "PUPNS_RECEIPT_OLD_PUBLIC_KEYS: %.8s... is not an Ed25519 public key", hex);
        return PC_EINVAL;
    }
    receipt_kid(p.pk, p.kid);
    if (want_kid[0] && strcmp(want_kid, p.kid) != 0) {
        snprintf(errstr, errlen, "PUPNS_RECEIPT_OLD_PUBLIC_KEYS: kid %s does not belong to its key (its kid is %s)",
                 want_kid, p.kid);
        return PC_EINVAL;
    }
    /* The same key twice, or the current key listed too: harmless. Two keys
     * under one kid (4 bytes: 1 in 2^32 per pair) would let one hide the
     * other's receipts, so that is refused; it can only arise at a rotation,
     * from the new seed, and another seed cures it. */
    const receipt_pubkey *same = receipt_keys_find(k, p.kid);
    if (same) {
        if (sodium_memcmp(same->pk, p.pk, sizeof p.pk) == 0) return PC_OK;
        snprintf(errstr, errlen, "PUPNS_RECEIPT_OLD_PUBLIC_KEYS: kid %s names two different keys%s", p.kid,
                 same == &k->current ? ", the signing key's and a retired one: make another signing seed" : "");
        return PC_EINVAL;
    }
    if (k->nold >= RECEIPT_OLD_KEYS_MAX) {
        snprintf(errstr, errlen, "PUPNS_RECEIPT_OLD_PUBLIC_KEYS: more than %d keys", RECEIPT_OLD_KEYS_MAX);
        return PC_EINVAL;
    }
    k->old[k->nold++] = p;
    return PC_OK;
bad:
    snprintf(errstr, errlen,
             "PUPNS_RECEIPT_OLD_PUBLIC_KEYS: entries are kid:hex or hex (64 hex digits), separated by commas or "
             "white space");
    return PC_EINVAL;
}

pc_status receipt_keys_load(receipt_keys *k, const char *seed_hex, const char *old_list, char *errstr,
                            size_t errlen) {
    unsigned char seed[crypto_sign_SEEDBYTES];
    memset(k, 0, sizeof *k);
    if (!seed_hex || pc_config_key(seed_hex, seed) != PC_OK) {
        snprintf(errstr, errlen, "PUPNS_RECEIPT_SIGNING_KEY must be 64 hex digits (pupns-ctl keygen makes one)");
        return PC_EINVAL;
    }
    crypto_sign_seed_keypair(k->current.pk, k->sk, seed);
    sodium_memzero(seed, sizeof seed);
    receipt_kid(k->current.pk, k->current.kid);
    const char *s = old_list ? old_list : "";
    while (*s) {
        s += strspn(s, OLD_KEYS_SEP);
        if (!*s) break;
        size_t n = strcspn(s, OLD_KEYS_SEP);
        if (add_old(k, s, n, errstr, errlen) != PC_OK) {
            receipt_keys_clear(k);
            return PC_EINVAL;
        }
        s += n;
    }
    return PC_OK;
}

const receipt_pubkey *receipt_keys_find(const receipt_keys *k, const char *kid) {
    if (!kid) return NULL;
    if (strcmp(kid, k->current.kid) == 0) return &k->current;
    for (int i = 0; i < k->nold; i++)
        if (strcmp(kid, k->old[i].kid) == 0) return &k->old[i];
    return NULL;
}

static json_t *key_json(const receipt_pubkey *p, const char *status) {
    char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    sodium_bin2hex(hex, sizeof hex, p->pk, sizeof p->pk);
    return json_pack("{s:s, s:s, s:s}", "kid", p->kid, "public_key", hex, "status", status);
}

json_t *receipt_keys_json(const receipt_keys *k) {
    json_t *list = json_array();
    json_array_append_new(list, key_json(&k->current, "aktif"));
    for (int i = 0; i < k->nold; i++) json_array_append_new(list, key_json(&k->old[i], "lama"));
    return json_pack("{s:s, s:o}", "alg", "Ed25519", "keys", list);
}

void receipt_keys_clear(receipt_keys *k) { sodium_memzero(k, sizeof *k); }
