/* deadletter.h -- the record written to pupns.deadletter for a message a
 * consumer cannot handle (proto/schemas/deadletter.v1.json): a CloudEvent
 * whose data says where the message was, why it was refused, and what it
 * held (the first PC_DEADLETTER_KEEP bytes, as text when it is UTF-8, else
 * as base64), so an operator can inspect or replay it. */
#ifndef PUPNS_DEADLETTER_H
#define PUPNS_DEADLETTER_H

#include <stddef.h>
#include <stdint.h>

#include "contract.h"

#define PC_DEADLETTER_KEEP 8192

/* Encodes the record; caller frees. detail, key and type may be NULL.
 * NULL only when out of memory. */
char *pc_deadletter_encode(const char *reason, const char *detail, const char *topic, int32_t partition,
                           int64_t offset, const char *key, const void *raw, size_t raw_len,
                           const char *type);

#endif
