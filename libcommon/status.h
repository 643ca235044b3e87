/* status.h -- the one status vocabulary every PUPNS module returns.
 *
 * Functions return PC_OK on success or a negative PC_E* code; where a caller
 * needs the reason it passes an errstr buffer. The gateway maps these to
 * HTTP statuses in exactly one place (services/gateway/http_status.c). */
#ifndef PUPNS_STATUS_H
#define PUPNS_STATUS_H

typedef enum {
    PC_OK          = 0,
    PC_ERROR       = -1,  /* unexpected failure (I/O, library, out of memory) */
    PC_EINVAL      = -2,  /* the caller's input is malformed */
    PC_ENOTFOUND   = -3,  /* the thing asked for does not exist */
    PC_ECONFLICT   = -4,  /* the thing already exists / state forbids it */
    PC_ETIMEDOUT   = -5,  /* no answer in time */
    PC_EUNAVAIL    = -6,  /* a backend (Kafka, PostgreSQL, Redis) is unreachable */
    PC_EDENIED     = -7,  /* authentication or authorisation refused */
    PC_ELIMIT      = -8   /* rate limit or capacity exceeded */
} pc_status;

/* Stable lowercase name of a status, for logs and problem types. */
const char *pc_status_name(pc_status s);

#endif
