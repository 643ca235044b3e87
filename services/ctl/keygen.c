/* keygen.c -- pupns-ctl keygen: fresh service keys for a secrets file. */
#include <sodium.h>
#include <stdio.h>

#include "ctl.h"

/* Prints fresh keys as environment lines for a secrets file (mode 0600). */
int ctl_keygen(void) {
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES], k[32];
    char hex[65];
    if (sodium_init() < 0) return 1;
    crypto_box_keypair(pk, sk);
    printf("PUPNS_REGISTRATION_PUBLIC_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, pk, sizeof pk));
    printf("PUPNS_REGISTRATION_SECRET_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, sk, sizeof sk));
    randombytes_buf(k, sizeof k);
    printf("PUPNS_FLOW_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, k, sizeof k));
    randombytes_buf(k, sizeof k);
    printf("PUPNS_REGISTRATION_PEPPER=%s\n", sodium_bin2hex(hex, sizeof hex, k, sizeof k));
    /* The notify service's pair: tokens in mails are sealed to its public half. */
    crypto_box_keypair(pk, sk);
    printf("PUPNS_NOTIFY_PUBLIC_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, pk, sizeof pk));
    printf("PUPNS_NOTIFY_SECRET_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, sk, sizeof sk));
    /* The verifier service's pair: verifier passwords are sealed to its public half. */
    crypto_box_keypair(pk, sk);
    printf("PUPNS_VERIFIER_PUBLIC_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, pk, sizeof pk));
    printf("PUPNS_VERIFIER_SECRET_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, sk, sizeof sk));
    randombytes_buf(k, sizeof k); /* an Ed25519 seed: the receipt service signs QR codes with it */
    printf("PUPNS_RECEIPT_SIGNING_KEY=%s\n", sodium_bin2hex(hex, sizeof hex, k, sizeof k));
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(k, sizeof k);
    sodium_memzero(hex, sizeof hex);
    return 0;
}
