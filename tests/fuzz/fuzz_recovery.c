/* fuzz_recovery.c -- libFuzzer target: the request bodies of the recovery
 * forms (services/gateway/recovery_api.c), parsed and validated by the
 * gateway's own handlers with the network stubbed (fuzz_gateway.h).
 * Input: byte 0 picks the handler (mod 5: kata-kunci/reset, kata-kunci/lupa,
 * kata-kunci/baru, status, email/verifikasi), the rest is the HTTP body. */
#include <stdint.h>

#include "fuzz_gateway.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_gw_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const gw_handler handlers[] = { gw_password_reset, gw_password_forgot, gw_password_token_reset,
                                           gw_status_check, gw_email_verify };
    if (size == 0) return 0;
    fuzz_variant = fuzz_hash(data, size);
    fuzz_gw_run(handlers[data[0] % 5], data + 1, size - 1, NULL, NULL, NULL, NULL);
    return 0;
}
