/* fuzz_correction.c -- libFuzzer target: POST /api/v1/pns/{nip}/koreksi,
 * the body (and the {nip} of the path) parsed and validated by the gateway's
 * own handler gw_correction_new with its network stubbed (fuzz_gateway.h).
 * Input: "<nip>\n<body>" when the first line is at most 32 bytes, else the
 * body alone with the tutorial's NIP. One input in three also carries a
 * bearer header (the stub's session belongs to the tutorial's NIP, or is
 * invalid, by variant). The stub aborts if a report that reaches the
 * identity service has an invalid NIP or text that is not plain; and a 201
 * needs a flow token of that NIP in the body or the session of its owner,
 * and a captcha check. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "flow_token.h"
#include "fuzz_gateway.h"

#define TUTORIAL_NIP "197501022014071003"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    fuzz_gw_init();
    return 0;
}

/* 1 if body holds a flow token (fuzz key) for nip. */
static int token_for(const uint8_t *data, size_t size, const char *nip) {
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    const char *token = json_string_value(json_object_get(body, "token"));
    char tnip[19], email[256];
    int ok = token && gw_flow_token_check(fuzz_flow_key, token, time(NULL), tnip, email, NULL) == PC_OK &&
             strcmp(tnip, nip) == 0;
    json_decref(body);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_variant = fuzz_hash(data, size);
    char nip[33] = TUTORIAL_NIP;
    const uint8_t *nl = memchr(data, '\n', size < 33 ? size : 33);
    if (nl && memchr(data, '\0', (size_t)(nl - data)) == NULL) {
        memcpy(nip, data, (size_t)(nl - data));
        nip[nl - data] = '\0';
        size -= (size_t)(nl - data) + 1;
        data = nl + 1;
    }
    int bearer = (fuzz_variant >> 8) % 3 == 0;
    int status = fuzz_gw_run(gw_correction_new, data, size, bearer ? "Authorization" : NULL,
                             bearer ? "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" : NULL, "nip", nip);
    if (status == 201) {
        FUZZ_CHECK(token_for(data, size, nip) || (bearer && fuzz_seen.session_queries > 0 &&
                                                  strcmp(nip, TUTORIAL_NIP) == 0),
                   "a report for %s filed without its flow token or its owner's session", nip);
        FUZZ_CHECK(fuzz_seen.captcha_checks > 0, "a report filed without a captcha check");
    }
    return 0;
}
