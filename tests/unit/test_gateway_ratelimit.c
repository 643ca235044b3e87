/* test_gateway_ratelimit.c -- the limiter without Redis: limits are counted
 * in memory (local_limit.c), so they hold instead of failing open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "local_limit.h"
#include "log.h"
#include "ratelimit.h"

static void local_counts_per_window(void **state) {
    (void)state;
    gw_local_limit *l = gw_local_limit_new(128);
    assert_non_null(l);
    for (long i = 1; i <= 5; i++) assert_int_equal(gw_local_limit_hit(l, "k", 60, 61, 70), i);
    assert_int_equal(gw_local_limit_hit(l, "other", 60, 61, 70), 1);
    assert_int_equal(gw_local_limit_hit(l, "k", 120, 61, 125), 1); /* a new window */
    gw_local_limit_lock(l, "lock:k", 30, 1000);
    assert_int_equal(gw_local_limit_locked(l, "lock:k", 1010), 20);
    assert_int_equal(gw_local_limit_locked(l, "lock:k", 1031), 0);
    assert_int_equal(gw_local_limit_locked(l, "lock:none", 1000), 0);
    gw_local_limit_free(l);
}

static void a_full_table_refuses(void **state) {
    (void)state;
    gw_local_limit *l = gw_local_limit_new(4);
    char key[16];
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(gw_local_limit_hit(l, key, 0, 61, 1), 1);
    }
    assert_int_equal(gw_local_limit_hit(l, "k9", 0, 61, 1), -1);
    assert_int_equal(gw_local_limit_hit(l, "k9", 60, 61, 62), 1); /* the old window expired */
    gw_local_limit_free(l);
}

static void without_redis_the_limits_hold(void **state) {
    (void)state;
    gw_limiter *l = gw_limiter_new("redis://127.0.0.1:1/0", 2); /* nothing listens there */
    assert_non_null(l);
    int retry = 0, passed = 0;
    for (int i = 0; i < 8; i++) passed += gw_limiter_hit(l, "lookup", "192.0.2.1", 5, &retry) == PC_OK;
    assert_int_equal(passed, 5);
    assert_true(retry > 0);
    assert_int_equal(gw_limiter_hit(l, "lookup", "192.0.2.2", 5, &retry), PC_OK);
    assert_int_equal(gw_limiter_failure(l, "login", "192.0.2.1", 3), 0);
    assert_int_equal(gw_limiter_failure(l, "login", "192.0.2.1", 3), 0);
    assert_int_equal(gw_limiter_failure(l, "login", "192.0.2.1", 3), 30);
    assert_int_equal(gw_limiter_failure(l, "login", "192.0.2.1", 3), 60);
    assert_int_equal(gw_limiter_locked(l, "login", "192.0.2.1", &retry), PC_ELIMIT);
    assert_true(retry > 30 && retry <= 60);
    assert_int_equal(gw_limiter_locked(l, "login", "192.0.2.9", &retry), PC_OK);
    gw_limiter_free(l);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    pc_log_init("test", PC_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(local_counts_per_window),
        cmocka_unit_test(a_full_table_refuses),
        cmocka_unit_test(without_redis_the_limits_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
