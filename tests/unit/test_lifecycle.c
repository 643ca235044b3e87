/* test_lifecycle.c -- a thread that gives up stops the process as failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lifecycle.h"
#include "log.h"

static void fail_because_stops_as_failed(void **state) {
    (void)state;
    assert_true(pc_running());
    assert_false(pc_lifecycle_failed());
    pc_lifecycle_fail_because("relay %s cannot connect: %d", "registration", 42);
    assert_false(pc_running());
    assert_true(pc_lifecycle_failed());
    pc_lifecycle_wait(); /* returns at once: already stopped */
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    pc_log_init("test", PC_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fail_because_stops_as_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
