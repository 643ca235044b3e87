/* password_policy.h -- which passwords (kata kunci) a PNS may choose. */
#ifndef PUPNS_PASSWORD_POLICY_H
#define PUPNS_PASSWORD_POLICY_H

#include "status.h"

/* The rules, in the order they are checked (the first broken one is
 * reported, so the PNS gets one clear message per field):
 *
 *   kata_kunci_pendek     fewer than 8 characters, counted as UTF-8 code
 *                         points so "kataküncí" is 9 (not 11); also NULL
 *   kata_kunci_panjang    more than 128 bytes (bounds argon2id's input and
 *                         the sealed message; bytes, not characters, because
 *                         that is what costs)
 *   kata_kunci_nip        equal to the NIP or containing it
 *   kata_kunci_umum       one of ~100 common passwords (international and
 *                         Indonesian, e.g. "bismillah", "pupns2015"),
 *                         compared ASCII-case-insensitively
 *   kata_kunci_tidak_sama the confirmation differs (exact byte comparison)
 *
 * Confirmation: the portal reports every field at once, so the mismatch is
 * also available alone. pc_password_check with confirmation NULL
 * checks the password only; pc_password_confirm_check checks only
 * the equality. A form handler calls both (one error per field); a service
 * that has one value can pass it as its own confirmation.
 *
 * code is a stable machine code for the problem's field error; message is
 * Indonesian text for the PNS. Both point to static strings (never to the
 * password) and are set to NULL on PC_OK; either pointer may be NULL.
 * Stateless and thread-safe. */

#define PC_PASSWORD_MIN_CHARS 8
#define PC_PASSWORD_MAX_BYTES 128

/* PC_OK if password satisfies every rule above (and equals confirmation
 * when confirmation is not NULL); PC_EINVAL with *code / *message set to the
 * first rule broken. nip may be NULL or "" when unknown (rule skipped). */
pc_status pc_password_check(const char *password, const char *confirmation, const char *nip,
                                      const char **code, const char **message);

/* PC_OK if both are non-NULL and byte-for-byte equal; otherwise PC_EINVAL
 * with code "kata_kunci_tidak_sama". */
pc_status pc_password_confirm_check(const char *password, const char *confirmation,
                                              const char **code, const char **message);

#endif
