/* fuzz_nip.c -- libFuzzer target: pc_nip_parse and pc_nip_parse_at (libcommon/nip.c).
 * Input: the NIP text. With more than 18 bytes, the bytes after the first
 * 18 are also used to pick the "today" of pc_nip_parse_at. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nip.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz check failed: %s\n", #c); abort(); } } while (0)

static void check_result(const char *s, pc_nip_error e, const pc_nip *n) {
    CHECK(e >= PC_NIP_OK && e < PC_NIP_ERROR_COUNT);
    CHECK(pc_nip_error_code(e) && pc_nip_error_message(e) && pc_nip_error_field(e));
    if (e != PC_NIP_OK) return;
    CHECK(strlen(s) == 18 && strspn(s, "0123456789") == 18);
    CHECK(n->birth_year >= 1900 && n->birth_month >= 1 && n->birth_month <= 12);
    CHECK(n->birth_day >= 1 && n->birth_day <= 31);
    CHECK(n->tmt_year >= 1900 && n->tmt_month >= 1 && n->tmt_month <= 12);
    CHECK(n->tmt_year * 12 + n->tmt_month >= (n->birth_year + 18) * 12 + n->birth_month);
    CHECK(n->gender == 1 || n->gender == 2);
    CHECK(n->serial >= 1 && n->serial <= 999);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    pc_nip n, before;
    memset(&n, 0x5a, sizeof n);
    before = n;
    pc_nip_error e = pc_nip_parse(s, &n);
    check_result(s, e, &n);
    if (e != PC_NIP_OK) CHECK(memcmp(&n, &before, sizeof n) == 0); /* untouched on error */
    CHECK(pc_nip_parse(s, NULL) == e);

    /* A "today" from the bytes after the NIP: any valid calendar date. */
    int y = 2026, m = 12, d = 1;
    if (size >= 22) {
        y = 1900 + (data[18] | data[19] << 8) % 8100;
        m = 1 + data[20] % 12;
        d = 1 + data[21] % 28;
    }
    memset(&n, 0, sizeof n);
    e = pc_nip_parse_at(s, y, m, d, &n);
    check_result(s, e, &n);
    if (e == PC_NIP_OK) {
        CHECK((long)n.birth_year * 372 + n.birth_month * 31 + n.birth_day <= (long)y * 372 + m * 31 + d);
        CHECK(n.tmt_year * 12 + n.tmt_month <= y * 12 + m);
    }
    if (size > 18) {
        /* The first 18 bytes alone, as a caller that trimmed would pass them. */
        s[18] = '\0';
        check_result(s, pc_nip_parse(s, &n), &n);
    }
    free(s);
    return 0;
}
