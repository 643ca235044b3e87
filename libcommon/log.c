/* log.c -- JSON-lines logger: one fprintf per line so lines never interleave. */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

static char log_service[64] = "pupns";
static pc_log_level log_min = PC_LOG_INFO;
static _Thread_local char log_cid[80];
static _Thread_local char log_rid[72];

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void pc_log_init(const char *service, pc_log_level min_level) {
    snprintf(log_service, sizeof log_service, "%s", service ? service : "pupns");
    log_min = min_level;
}

pc_log_level pc_log_level_parse(const char *name) {
    for (int i = 0; name && i < 4; i++)
        if (strcmp(name, level_names[i]) == 0) return (pc_log_level)i;
    return PC_LOG_INFO;
}

void pc_log_set_cid(const char *cid) {
    snprintf(log_cid, sizeof log_cid, "%s", cid ? cid : "");
}

const char *pc_log_cid(void) { return log_cid; }

int pc_log_request_id_valid(const char *s) {
    size_t n = 0;
    for (; s && s[n]; n++) {
        char c = s[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok || n >= 64) return 0;
    }
    return n > 0;
}

void pc_log_set_request_id(const char *rid) {
    snprintf(log_rid, sizeof log_rid, "%s", pc_log_request_id_valid(rid) ? rid : "");
}

const char *pc_log_request_id(void) { return log_rid; }

void pc_log_write(pc_log_level level, const char *func, const char *fmt, ...) {
    if (level < log_min) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    char ts[32];
    pc_rfc3339(pc_now_ms(), ts);

    /* jansson does the escaping: messages may quote user input. */
    json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "ts", ts, "level", level_names[level],
                             "service", log_service, "fn", func ? func : "");
    if (!line) return;
    if (log_cid[0]) json_object_set_new(line, "cid", json_string(log_cid));
    if (log_rid[0]) json_object_set_new(line, "rid", json_string(log_rid));
    json_t *text = json_string(msg);
    if (!text) { /* not UTF-8: keep the line, lose only the odd bytes */
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c >= 0x80) *c = '?';
        text = json_string(msg);
    }
    json_object_set_new(line, "msg", text);
    char *out = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (out) {
        fprintf(stderr, "%s\n", out);
        free(out);
    }
    json_decref(line);
}
