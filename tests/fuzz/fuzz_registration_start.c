/* fuzz_registration_start.c -- libFuzzer target: the request body of POST /api/v1/registrasi/mulai,
 * parsed and validated by the gateway's own handler gw_registration_start with its network
 * stubbed (fuzz_gateway.h). Input: the HTTP body. */
#include <stdint.h>

#include "fuzz_gateway.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_gw_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_variant = fuzz_hash(data, size);
    fuzz_gw_run(gw_registration_start, data, size, NULL, NULL, NULL, NULL);
    return 0;
}
