/* client_address.h -- who the client is, for rate limits, lock-outs and the
 * audit log: the socket's peer, or, when that peer is one of the operators'
 * reverse proxies (PUPNS_TRUSTED_PROXIES: addresses or CIDR blocks, IPv4 or
 * IPv6, comma-separated), the address that proxy saw, from X-Forwarded-For.
 *
 * X-Forwarded-For is read right to left and trusted hop by hop: the first
 * address that is not a trusted proxy is the client. A header from a peer
 * that is not trusted is ignored, so nobody can choose their own address
 * to escape a limit or to get someone else limited. (gw_client_address,
 * declared in gateway.h, is the one entry point.) */
#ifndef GATEWAY_CLIENT_ADDRESS_H
#define GATEWAY_CLIENT_ADDRESS_H

#include <stddef.h>

#include "status.h"

/* Parses the list once at start-up; PC_EINVAL (errstr names the entry)
 * for an entry that is not an address or block. Empty: trust nobody. */
pc_status gw_trusted_proxies_init(const char *list, char *errstr, size_t errlen);

/* 1 if text (an IP address) is one of the trusted proxies. */
int gw_trusted_proxy(const char *text);

/* The client address for a connection from `peer` carrying X-Forwarded-For
 * `xff` (may be NULL), as text into out. */
void gw_client_from(const char *peer, const char *xff, char out[64]);

#endif
