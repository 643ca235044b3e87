/* flow_token.h -- the short-lived token between step 2 (Lanjut) and step 3
 * (Registrasi): it binds a NIP to an email, expires, and is signed with
 * HMAC-SHA-256 under the gateway's PUPNS_FLOW_KEY, so no server state is
 * needed between the two steps and any gateway instance can check it. */
#ifndef GATEWAY_FLOW_TOKEN_H
#define GATEWAY_FLOW_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define GW_FLOW_TOKEN_MAX 512

/* Makes "<payload>.<mac>" (base64url) valid for ttl_s seconds. */
pc_status gw_flow_token_make(const unsigned char key[32], const char *nip, const char *email,
                             int64_t now_s, int ttl_s, char out[GW_FLOW_TOKEN_MAX]);

/* Checks signature and expiry; on PC_OK copies the bound NIP and email.
 * PC_EINVAL: malformed or forged; PC_ETIMEDOUT: expired. */
pc_status gw_flow_token_check(const unsigned char key[32], const char *token, int64_t now_s,
                              char nip[19], char email[256]);

#endif
