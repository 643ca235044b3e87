/* fuzz_correction.c -- libFuzzer target: POST /api/v1/pns/{nip}/koreksi,
 * the body (and the {nip} of the path) parsed and validated by the gateway's
 * own handler gw_correction_new with its network stubbed (fuzz_gateway.h).
 * Input: "<nip>\n<body>" when the first line is at most 32 bytes, else the
 * body alone with the tutorial's NIP. The stub aborts if a report that
 * reaches the identity service has an invalid NIP or text that is not plain. */
#include <stdint.h>
#include <string.h>

#include "fuzz_gateway.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_gw_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_variant = fuzz_hash(data, size);
    char nip[33] = "197501022014071003";
    const uint8_t *nl = memchr(data, '\n', size < 33 ? size : 33);
    if (nl && memchr(data, '\0', (size_t)(nl - data)) == NULL) {
        memcpy(nip, data, (size_t)(nl - data));
        nip[nl - data] = '\0';
        size -= (size_t)(nl - data) + 1;
        data = nl + 1;
    }
    fuzz_gw_run(gw_correction_new, data, size, NULL, NULL, "nip", nip);
    return 0;
}
