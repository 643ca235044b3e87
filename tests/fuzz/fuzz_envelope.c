/* fuzz_envelope.c -- libFuzzer target: pc_event_decode (libcommon/envelope.c),
 * what every service runs on every Kafka message it consumes. Input: the
 * message value. A decoded event must be whole, and must decode again to the
 * same attributes after pc_event_encode. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "fuzz check failed: %s\n", #c); abort(); } } while (0)

static int same(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pc_event ev;
    char err[256];
    pc_status st = pc_event_decode(data, size, &ev, err, sizeof err);
    CHECK(st == PC_OK || st == PC_EINVAL);
    if (st != PC_OK) {
        CHECK(ev.root == NULL && ev.data == NULL && ev.id == NULL);
        CHECK(memchr(err, '\0', sizeof err) != NULL);
        return 0;
    }
    CHECK(ev.root && json_is_object(ev.root) && json_is_object(ev.data));
    CHECK(ev.id && *ev.id && ev.source && *ev.source && ev.type && *ev.type);
    CHECK(ev.deadline_ms >= 0);

    size_t len = 0;
    char *text = pc_event_encode(ev.root, &len);
    CHECK(text && len == strlen(text));
    pc_event again;
    CHECK(pc_event_decode(text, len, &again, err, sizeof err) == PC_OK);
    CHECK(same(ev.id, again.id) && same(ev.source, again.source) && same(ev.type, again.type));
    CHECK(same(ev.subject, again.subject) && same(ev.time, again.time) && same(ev.replyto, again.replyto));
    CHECK(same(ev.correlationid, again.correlationid) && same(ev.requestid, again.requestid));
    CHECK(ev.deadline_ms == again.deadline_ms);
    CHECK(json_equal(ev.data, again.data));
    free(text);
    pc_event_clear(&again);
    pc_event_clear(&ev);
    CHECK(ev.root == NULL);
    return 0;
}
