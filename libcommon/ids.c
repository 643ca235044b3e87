/* ids.c -- UUIDs from libsodium's CSPRNG, and clocks. */
#include "ids.h"

#include <stdlib.h>

#include <sodium.h>
#include <stdio.h>
#include <time.h>

/* PUPNS_CLOCK_SKEW_MS: for tests only, pretends this host's wall clock is
 * off by that much (as an unsynchronised host's is): the clock-skew test
 * shows that nothing depends on two hosts' clocks agreeing. */
static int64_t clock_skew_ms;

pc_status pc_ids_init(void) {
    const char *skew = getenv("PUPNS_CLOCK_SKEW_MS");
    clock_skew_ms = skew ? strtoll(skew, NULL, 10) : 0;
    return sodium_init() < 0 ? PC_ERROR : PC_OK;
}

void pc_uuid_v4(char out[PC_UUID_LEN]) {
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, PC_UUID_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

int64_t pc_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_skew_ms;
}

int64_t pc_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void pc_rfc3339(int64_t epoch_ms, char out[32]) {
    time_t secs = (time_t)(epoch_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char base[24];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%.19s.%03dZ", base, (int)(epoch_ms % 1000));
}
