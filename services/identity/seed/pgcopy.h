/* pgcopy.h -- PostgreSQL helpers of pupns-seed: run a statement, and stream
 * rows into a COPY ... FROM STDIN through a 4 MiB buffer.
 *
 * A COPY is seed_copy_begin, then per row seed_copy_room and the inline
 * seed_copy_text/char/digits appenders (at most SEED_ROW_MAX bytes a row),
 * then seed_copy_end. Errors are printed as "seed: ... failed: ...". */
#ifndef SEED_PGCOPY_H
#define SEED_PGCOPY_H

#include <libpq-fe.h>
#include <stddef.h>
#include <string.h>

#define SEED_COPY_BUF_SIZE (4u << 20)  /* bytes handed to PQputCopyData at a time */
#define SEED_ROW_MAX       1024u       /* upper bound of one formatted COPY row */

typedef struct {
    PGconn *pg;
    char *buf;         /* SEED_COPY_BUF_SIZE bytes while the COPY runs */
    size_t len;
    const char *what;  /* the COPY statement, for error messages */
} seed_copy;

/* 0 if res is a success (command or tuples), else -1 after printing the
 * error, naming the statement as `what`. res may be NULL. */
int seed_pg_ok(PGconn *pg, PGresult *res, const char *what);

/* Runs one statement without parameters; 0 on success, -1 after printing. */
int seed_pg_exec(PGconn *pg, const char *sql);

/* Starts the COPY `sql` and allocates the buffer. Returns 0, or -1 after
 * printing why (nothing left to free). */
int seed_copy_begin(seed_copy *c, PGconn *pg, const char *sql);

/* Sends what is buffered; 0, or -1 after printing why. */
int seed_copy_flush(seed_copy *c);

/* Ends the COPY; with `abort_msg` the server discards it (and -1 is
 * returned). Always frees the buffer. 0 when the server accepted the rows. */
int seed_copy_end(seed_copy *c, const char *abort_msg);

/* Makes room for one more row; flushes the buffer when it is nearly full. */
static inline int seed_copy_room(seed_copy *c)
{
    return c->len + SEED_ROW_MAX > SEED_COPY_BUF_SIZE ? seed_copy_flush(c) : 0;
}

static inline void seed_copy_text(seed_copy *c, const char *s)
{
    size_t n = strlen(s);
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static inline void seed_copy_char(seed_copy *c, char ch)
{
    c->buf[c->len++] = ch;
}

/* Appends v as exactly `width` decimal digits, zero-padded. */
static inline void seed_copy_digits(seed_copy *c, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        c->buf[c->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    c->len += (size_t)width;
}

#endif
