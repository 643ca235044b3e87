/* lifecycle.h -- one place for SIGTERM/SIGINT.
 *
 * pc_lifecycle_init() blocks the signals in the calling thread (call it in
 * main before starting any thread, so every thread inherits the mask) and
 * starts a thread that sigwait()s for them. Loops poll pc_running() with a
 * short timeout; main may sleep in pc_lifecycle_wait() instead. */
#ifndef PUPNS_LIFECYCLE_H
#define PUPNS_LIFECYCLE_H

#include "status.h"

pc_status pc_lifecycle_init(void);
int pc_running(void);
/* Blocks until a stop signal arrives (or pc_lifecycle_stop is called). */
void pc_lifecycle_wait(void);
void pc_lifecycle_stop(void);
/* Stops because something cannot recover in-process (e.g. a fenced Kafka
 * consumer): main then exits non-zero so the supervisor restarts it. */
void pc_lifecycle_fail(void);
/* The same, for a thread that cannot go on: logs the reason (printf-style,
 * no secrets) at error level, then pc_lifecycle_fail(), so the process
 * stops and exits 1 instead of running on without that thread. */
void pc_lifecycle_fail_because(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int pc_lifecycle_failed(void);

#endif
