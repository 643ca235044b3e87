/* seal.h -- sealed boxes for secrets that travel through Kafka. */
#ifndef PUPNS_SEAL_H
#define PUPNS_SEAL_H

#include "status.h"

/* The broker persists every message, so a password, a mother's maiden name
 * or a security answer is sealed by the gateway to the registration
 * service's X25519 public key (libsodium crypto_box_seal: an ephemeral
 * sender key, so only the secret key's holder can open it, and nobody can
 * tell two seals of the same text apart). Sealed values travel as standard
 * base64 with padding (sodium_base64_VARIANT_ORIGINAL) inside JSON.
 *
 * Keys are 32 bytes, configured as 64 hex digits (PUPNS_REG_PUBLIC_KEY,
 * PUPNS_REG_SECRET_KEY; decode with pc_config_key). Thread-safe. */

/* Longest plaintext sealed or accepted, in bytes: well above any field
 * (passwords <= 128, answers <= 200) and small enough that a forged huge
 * message costs the consumer nothing. */
#define PC_SEAL_MAX_PLAINTEXT 4096

/* Seals plaintext to pk and sets *out_b64 to a malloc'd base64 string, which
 * the caller frees with free() (it holds nothing readable). PC_OK;
 * PC_EINVAL if an argument is NULL or plaintext is longer than
 * PC_SEAL_MAX_PLAINTEXT; PC_ERROR on failure (libsodium, memory). *out_b64
 * is NULL on any error. */
pc_status pc_seal_b64(const unsigned char pk[32], const char *plaintext, char **out_b64);

/* Opens b64 with the key pair and sets *out_plain to a malloc'd
 * NUL-terminated plaintext that contains no other NUL byte; the caller
 * frees it with pc_secret_free. PC_OK; PC_EINVAL for a NULL argument, bad
 * base64 (strict: no whitespace, correct padding), input longer than the
 * seal of PC_SEAL_MAX_PLAINTEXT bytes, a ciphertext that does not open with
 * this key pair (wrong key, tampered, truncated), or a plaintext with a NUL
 * byte; PC_ERROR if memory runs out. *out_plain is NULL on any error. */
pc_status pc_unseal_b64(const unsigned char pk[32], const unsigned char sk[32], const char *b64, char **out_plain);

/* Wipes s (up to its NUL) and frees it, so an opened secret does not linger
 * in freed memory. NULL is fine. */
void pc_secret_free(char *s);

/* Generates a fresh key pair as 64 lower-case hex digits + NUL each (the
 * local stack's first run, `pupns-ctl keygen`). PC_OK; PC_ERROR if libsodium
 * cannot initialise. Wipe sk_hex when done. */
pc_status pc_keypair_hex(char pk_hex[65], char sk_hex[65]);

#endif
