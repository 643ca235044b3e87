/* test_envelope.c -- CloudEvents envelope encode/decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "envelope.h"
#include "ids.h"
#include "log.h"

static int setup(void **state) {
    (void)state;
    pc_event_set_source("test", "unit-1");
    return pc_ids_init() == PC_OK ? 0 : -1;
}

static void round_trip_keeps_every_attribute(void **state) {
    (void)state;
    json_t *ev = pc_event_new("id.go.bkn.pupns.test.v1", "197501022014071003",
                              json_pack("{s:s}", "nip", "197501022014071003"));
    assert_non_null(ev);
    json_object_set_new(ev, "replyto", json_string("pupns.gateway.replies.x"));
    json_object_set_new(ev, "deadline_ms", json_integer(2500));
    size_t len = 0;
    char *text = pc_event_encode(ev, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));

    pc_event out;
    char err[128];
    assert_int_equal(pc_event_decode(text, len, &out, err, sizeof err), PC_OK);
    assert_string_equal(out.type, "id.go.bkn.pupns.test.v1");
    assert_string_equal(out.source, "/pupns/test/unit-1");
    assert_string_equal(out.subject, "197501022014071003");
    assert_string_equal(out.replyto, "pupns.gateway.replies.x");
    assert_null(out.correlationid);
    assert_int_equal(out.deadline_ms, 2500);
    assert_null(out.requestid);
    assert_int_equal(strlen(out.id), 36);
    assert_int_equal(out.id[14], '4'); /* UUID version 4 */
    assert_non_null(out.time);
    assert_string_equal(json_string_value(json_object_get(out.data, "nip")), "197501022014071003");
    pc_event_clear(&out);
    assert_null(out.root);
    free(text);
    json_decref(ev);
}

/* The thread's request id rides along in every event it makes, and only a plain one. */
static void request_id_travels_in_new_events(void **state) {
    (void)state;
    pc_log_set_request_id("req-42.a:b");
    json_t *ev = pc_event_new("id.go.bkn.pupns.test.v1", NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(ev, "requestid")), "req-42.a:b");
    json_decref(ev);
    pc_log_set_request_id("bad id\n");
    assert_string_equal(pc_log_request_id(), "");
    ev = pc_event_new("id.go.bkn.pupns.test.v1", NULL, NULL);
    assert_null(json_object_get(ev, "requestid"));
    json_decref(ev);
    assert_false(pc_log_request_id_valid(""));
    assert_false(pc_log_request_id_valid(NULL));
    char longest[66];
    memset(longest, 'a', 65);
    longest[65] = '\0';
    assert_false(pc_log_request_id_valid(longest));
    longest[64] = '\0';
    assert_true(pc_log_request_id_valid(longest));
}

static void ids_are_unique(void **state) {
    (void)state;
    char a[PC_UUID_LEN], b[PC_UUID_LEN];
    pc_uuid_v4(a);
    pc_uuid_v4(b);
    assert_string_not_equal(a, b);
}

static void expect_invalid(const char *text, const char *why) {
    pc_event out;
    char err[128] = "";
    assert_int_equal(pc_event_decode(text, strlen(text), &out, err, sizeof err), PC_EINVAL);
    assert_null(out.root);
    assert_non_null(strstr(err, why));
}

static void bad_envelopes_are_rejected(void **state) {
    (void)state;
    expect_invalid("", "not JSON");
    expect_invalid("{", "not JSON");
    expect_invalid("[]", "not an object");
    expect_invalid("{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":{}}", "specversion");
    expect_invalid("{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\",\"data\":{}}", "id");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"s\",\"type\":\"t\",\"data\":{}}", "id");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"t\",\"data\":{}}", "source");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"data\":{}}", "type");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\"}", "data");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":[]}", "data");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":{},\"replyto\":5}", "replyto");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":{},\"deadline_ms\":\"x\"}", "deadline_ms");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":{},\"deadline_ms\":0}", "deadline_ms");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":{},\"requestid\":1}", "requestid");
    expect_invalid("{\"specversion\":\"1.0\",\"id\":\"1\",\"id\":\"2\",\"source\":\"s\",\"type\":\"t\",\"data\":{}}", "not JSON");
}

static void minimal_envelope_is_accepted(void **state) {
    (void)state;
    const char *text = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"data\":{}}";
    pc_event out;
    char err[64];
    assert_int_equal(pc_event_decode(text, strlen(text), &out, err, sizeof err), PC_OK);
    assert_null(out.subject);
    assert_null(out.replyto);
    assert_int_equal(out.deadline_ms, 0);
    pc_event_clear(&out);
}

/* Extension attributes (e.g. instansi) ride in the envelope and come back
 * decoded; names CloudEvents forbids or the envelope reserves are refused. */
static void extensions_round_trip(void **state) {
    (void)state;
    json_t *ev = pc_event_new("id.go.bkn.pupns.test.v1", NULL, NULL);
    assert_int_equal(pc_event_set_ext(ev, PC_EXT_INSTANSI, "K3171"), PC_OK);
    assert_int_equal(pc_event_set_ext(ev, "Instansi", "x"), PC_EINVAL);
    assert_int_equal(pc_event_set_ext(ev, "in-stansi", "x"), PC_EINVAL);
    assert_int_equal(pc_event_set_ext(ev, "abcdefghijklmnopqrstu", "x"), PC_EINVAL);
    assert_int_equal(pc_event_set_ext(ev, "id", "x"), PC_EINVAL);
    assert_int_equal(pc_event_set_ext(ev, "replyto", "x"), PC_EINVAL);
    assert_int_equal(pc_event_set_ext(ev, "region2", NULL), PC_EINVAL);
    size_t len = 0;
    char *text = pc_event_encode(ev, &len);
    pc_event out;
    char err[64];
    assert_int_equal(pc_event_decode(text, len, &out, err, sizeof err), PC_OK);
    assert_string_equal(pc_event_get_ext(&out, PC_EXT_INSTANSI), "K3171");
    assert_null(pc_event_get_ext(&out, "region2"));
    pc_event_clear(&out);
    free(text);
    json_decref(ev);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_keeps_every_attribute),
        cmocka_unit_test(ids_are_unique),
        cmocka_unit_test(request_id_travels_in_new_events),
        cmocka_unit_test(bad_envelopes_are_rejected),
        cmocka_unit_test(minimal_envelope_is_accepted),
        cmocka_unit_test(extensions_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
