/* fuzz_session_token.c -- libFuzzer target: the bearer session token, as the
 * gateway takes it from the Authorization header (auth_api.c: bearer(),
 * gw_session_nip, gw_logout, gw_token_hash). Input: the header's value.
 * The registration service must be asked (by the token's hash) exactly
 * when the header is "Bearer " (any case) and 16-128 bytes of token. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_gateway.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_gw_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *h = malloc(size + 1);
    if (!h) return 0;
    memcpy(h, data, size);
    h[size] = '\0';
    size_t n = strlen(h); /* a header value ends at its first NUL */
    int well_formed = n >= 7 && strncasecmp(h, "Bearer ", 7) == 0 && n - 7 >= 16 && n - 7 <= 128;

    for (unsigned v = 0; v < 2; v++) {
        fuzz_variant = v; /* 0: the service says invalid, 1: valid */
        int status = fuzz_gw_run(gw_logout, NULL, 0, "Authorization", h, NULL, NULL);
        FUZZ_CHECK(fuzz_seen.session_queries == well_formed, "logout asked %d times", fuzz_seen.session_queries);
        FUZZ_CHECK(status == (well_formed && v ? 204 : 401), "logout answered %d", status);
        status = fuzz_gw_run(gw_registration_get, NULL, 0, "Authorization", h, "no", "PUPNS-2015-0000001");
        FUZZ_CHECK(fuzz_seen.session_queries == well_formed, "session asked %d times", fuzz_seen.session_queries);
        FUZZ_CHECK(status == (well_formed && v ? 200 : 401), "registration answered %d", status);
    }
    char a[65], b[65];
    gw_token_hash(h, a);
    gw_token_hash(h, b);
    FUZZ_CHECK(strlen(a) == 64 && strcmp(a, b) == 0, "token hash");
    free(h);
    return 0;
}
