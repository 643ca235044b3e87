/* flow_token.h -- the short-lived token between step 2 (Lanjut) and step 3
 * (Registrasi): it binds a NIP to an email and to the PNS data shown at
 * step 2 (nama, instansi, unit kerja), expires, and is signed with
 * HMAC-SHA-256 under the gateway's PUPNS_FLOW_KEY. No server state is needed
 * between the two steps, any gateway instance can check it, and step 3 need
 * not look the NIP up again. */
#ifndef GATEWAY_FLOW_TOKEN_H
#define GATEWAY_FLOW_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#include <jansson.h>

#define GW_FLOW_TOKEN_MAX 2048

/* Makes "<payload>.<mac>" (base64url) valid for ttl_s seconds. pns (an
 * object, borrowed) is the identity snapshot to carry. PC_EINVAL if it does
 * not fit in GW_FLOW_TOKEN_MAX. */
pc_status gw_flow_token_make(const unsigned char key[32], const char *nip, const char *email,
                             const json_t *pns, int64_t now_s, int ttl_s, char out[GW_FLOW_TOKEN_MAX]);

/* Checks signature and expiry; on PC_OK copies the bound NIP and email and,
 * if pns is not NULL, sets *pns to the carried snapshot (caller decrefs).
 * PC_EINVAL: malformed or forged; PC_ETIMEDOUT: expired (nothing returned). */
pc_status gw_flow_token_check(const unsigned char key[32], const char *token, int64_t now_s,
                              char nip[19], char email[256], json_t **pns);

#endif
