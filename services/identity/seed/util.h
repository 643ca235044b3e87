/* util.h -- small helpers of pupns-seed: allocation that exits on failure,
 * string formatting, a monotonic clock and number formatting.
 *
 * The allocators print "seed: out of memory" and exit(1) instead of
 * returning NULL, so callers never check. */
#ifndef SEED_UTIL_H
#define SEED_UTIL_H

#include <stddef.h>

/* malloc / calloc that never return NULL (a zero size is rounded up to 1). */
void *seed_xmalloc(size_t n);
void *seed_xcalloc(size_t n, size_t size);

/* A new string formatted like printf; the caller frees it. */
__attribute__((format(printf, 1, 2)))
char *seed_fmt_dup(const char *fmt, ...);

/* A new copy of s with a-z turned to A-Z; the caller frees it. */
char *seed_upper_dup(const char *s);

/* 1 if s begins with prefix, 0 otherwise. */
int seed_starts_with(const char *s, const char *prefix);

/* Seconds on the monotonic clock. */
double seed_now_seconds(void);

/* Square root of x (0 for x <= 0), by Newton's method: no libm needed. */
double seed_sqrt_pos(double x);

/* Writes v with thousands separators ("4,500,000") into out[cap]. */
void seed_fmt_thousands(unsigned long long v, char *out, size_t cap);

#endif
