/* log.h -- JSON-lines logging to stderr, one object per line.
 *
 * Every line carries time, level, service, the calling function and the
 * correlation id of the work at hand (thread-local, set by whoever starts
 * handling a request or message). Never pass secrets to these functions. */
#ifndef PUPNS_LOG_H
#define PUPNS_LOG_H

typedef enum { PC_LOG_DEBUG = 0, PC_LOG_INFO, PC_LOG_WARN, PC_LOG_ERROR } pc_log_level;

/* Set once at start-up; service is copied. */
void pc_log_init(const char *service, pc_log_level min_level);
/* Parses "debug|info|warn|error"; unknown names give PC_LOG_INFO. */
pc_log_level pc_log_level_parse(const char *name);
/* Correlation id for the calling thread; NULL clears it. Copied. */
void pc_log_set_cid(const char *cid);
const char *pc_log_cid(void);
/* Id of the HTTP request the calling thread works for (the gateway's
 * X-Request-Id, carried between services in each event's `requestid`);
 * logged as "rid"; NULL or an id that is not short and plain clears it.
 * pc_log_request_id() returns "" when none is set. */
void pc_log_set_request_id(const char *rid);
const char *pc_log_request_id(void);
/* 1 if s may serve as a request id: 1-64 of [A-Za-z0-9._:-]. */
int pc_log_request_id_valid(const char *s);

void pc_log_write(pc_log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define PC_DEBUG(...) pc_log_write(PC_LOG_DEBUG, __func__, __VA_ARGS__)
#define PC_INFO(...)  pc_log_write(PC_LOG_INFO, __func__, __VA_ARGS__)
#define PC_WARN(...)  pc_log_write(PC_LOG_WARN, __func__, __VA_ARGS__)
#define PC_ERROR(...) pc_log_write(PC_LOG_ERROR, __func__, __VA_ARGS__)

#endif
