/* ids.h -- identifiers and clocks: random UUIDs, wall-clock and monotonic time.
 * Call pc_ids_init() once before the first UUID (it initialises libsodium). */
#ifndef PUPNS_IDS_H
#define PUPNS_IDS_H

#include <stdint.h>

#include "status.h"

#define PC_UUID_LEN 37 /* 36 characters and the terminator */

pc_status pc_ids_init(void);
/* Random (version 4) UUID in canonical lowercase form. */
void pc_uuid_v4(char out[PC_UUID_LEN]);
/* Milliseconds since the Unix epoch (wall clock: for timestamps only, never
 * for budgets, which use pc_mono_us; PUPNS_CLOCK_SKEW_MS shifts it in tests). */
int64_t pc_now_ms(void);
/* Monotonic microseconds, for measuring durations. */
int64_t pc_mono_us(void);
/* RFC 3339 UTC timestamp with milliseconds: 2015-07-01T08:00:00.000Z */
void pc_rfc3339(int64_t epoch_ms, char out[32]);

#endif
