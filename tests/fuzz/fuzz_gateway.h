/* fuzz_gateway.h -- shared by the gateway fuzz targets: a gw_ctx whose
 * Kafka calls, rate limits and backpressure are stubs (gw_stubs.c), and one
 * call that runs a real handler on a request built from the fuzz input.
 *
 * The handlers are the gateway's own (auth_api.c, registration_api.c,
 * correction_api.c, ...), compiled with clang; only what sits behind the
 * network is replaced. The stub of pc_rpc_call checks what the handler
 * sends (a NIP that passed validation, plain-text proposals, ...) and
 * answers from a small table, the variant picked by a hash of the input, so
 * the success and failure paths after each call are reached too.
 * Any violation aborts, which libFuzzer reports as a crash. */
#ifndef FUZZ_GATEWAY_H
#define FUZZ_GATEWAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gateway.h"

/* The flow-token key of the fuzz gateway: bytes 0, 1, ..., 31. The seed
 * corpus's tokens are signed with it (tests/fuzz/README.md). */
extern const unsigned char fuzz_flow_key[32];

/* What the stubs saw during the last fuzz_gw_run. */
typedef struct {
    int rpc_calls;
    int session_queries; /* REG_SESSION and REG_LOGOUT */
    int captcha_checks;
} fuzz_gw_seen;
extern fuzz_gw_seen fuzz_seen;

/* The stub's answers depend on this (set from a hash of the input):
 * variant % 4 picks the answer of each call, variant % 7 == 6 makes every
 * call time out. */
extern unsigned fuzz_variant;
/* A hash of the input for fuzz_variant (FNV-1a with a final mix). */
unsigned fuzz_hash(const uint8_t *data, size_t size);

void fuzz_gw_init(void);
gw_ctx *fuzz_gw(void);

/* Runs handler on a POST with body (may be empty), an optional header and
 * an optional URL parameter, then checks the response: a known status, and
 * a JSON body when it has one. Returns the HTTP status. */
int fuzz_gw_run(gw_handler handler, const uint8_t *body, size_t len, const char *header_name,
                const char *header_value, const char *url_key, const char *url_value);

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz check failed: %s (%s:%d): ", #cond, __FILE__, __LINE__);        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
