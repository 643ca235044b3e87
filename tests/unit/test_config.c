/* test_config.c -- the PUPNS_* settings table: defaults, overrides, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static int clear_env(void **state) {
    (void)state;
    unsetenv("PUPNS_HTTP_PORT");
    unsetenv("PUPNS_PG_URL");
    unsetenv("PUPNS_INSTANCE_ID");
    unsetenv("PUPNS_REQUEST_TIMEOUT_MS");
    unsetenv("PUPNS_KAFKA_BROKERS");
    unsetenv("PUPNS_PG_URL_FILE");
    unsetenv("PUPNS_HTTP_PORT_FILE");
    return 0;
}

static void defaults_run_the_local_stack(void **state) {
    (void)state;
    pc_config c;
    char err[128];
    assert_int_equal(pc_config_load(&c, "identity", err, sizeof err), PC_OK);
    assert_int_equal(c.http_port, 8080);
    assert_int_equal(c.request_timeout_ms, 3000);
    assert_string_equal(c.kafka_brokers, "127.0.0.1:15403");
    assert_string_equal(c.pg_url, "postgresql://pupns_identity@127.0.0.1:15401/pupns");
    assert_string_equal(c.service, "identity");
    assert_non_null(strstr(c.instance_id, "identity-"));
}

static void environment_overrides(void **state) {
    (void)state;
    setenv("PUPNS_HTTP_PORT", "9090", 1);
    setenv("PUPNS_PG_URL", "postgresql://x@h/db", 1);
    setenv("PUPNS_INSTANCE_ID", "gw-7", 1);
    pc_config c;
    char err[128];
    assert_int_equal(pc_config_load(&c, "gateway", err, sizeof err), PC_OK);
    assert_int_equal(c.http_port, 9090);
    assert_string_equal(c.pg_url, "postgresql://x@h/db");
    assert_string_equal(c.instance_id, "gw-7");
}

static void expect_rejected(const char *name, const char *value) {
    setenv(name, value, 1);
    pc_config c;
    char err[128] = "";
    assert_int_equal(pc_config_load(&c, "gateway", err, sizeof err), PC_EINVAL);
    assert_non_null(strstr(err, name));
    unsetenv(name);
}

static void bad_values_name_the_variable(void **state) {
    (void)state;
    expect_rejected("PUPNS_HTTP_PORT", "0");
    expect_rejected("PUPNS_HTTP_PORT", "65536");
    expect_rejected("PUPNS_HTTP_PORT", "80x");
    expect_rejected("PUPNS_HTTP_PORT", "-1");
    expect_rejected("PUPNS_REQUEST_TIMEOUT_MS", "10");
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_rejected("PUPNS_KAFKA_BROKERS", big);
}

static void empty_value_means_default(void **state) {
    (void)state;
    setenv("PUPNS_HTTP_PORT", "", 1);
    pc_config c;
    char err[128];
    assert_int_equal(pc_config_load(&c, "gateway", err, sizeof err), PC_OK);
    assert_int_equal(c.http_port, 8080);
}

/* Writes text to a fresh temporary file; its path goes to path. */
static void temp_file(char path[64], const char *text) {
    snprintf(path, 64, "/tmp/pupns-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void settings_come_from_files(void **state) {
    (void)state;
    char path[64];
    temp_file(path, "postgresql://from@file/db\n");
    setenv("PUPNS_PG_URL_FILE", path, 1);
    pc_config c;
    char err[160] = "";
    assert_int_equal(pc_config_load(&c, "gateway", err, sizeof err), PC_OK);
    assert_string_equal(c.pg_url, "postgresql://from@file/db"); /* final newline dropped */

    setenv("PUPNS_PG_URL", "postgresql://x@h/db", 1);            /* both: ambiguous */
    assert_int_equal(pc_config_load(&c, "gateway", err, sizeof err), PC_EINVAL);
    assert_non_null(strstr(err, "PUPNS_PG_URL_FILE"));
    unsetenv("PUPNS_PG_URL");
    unlink(path);
    assert_int_equal(pc_config_load(&c, "gateway", err, sizeof err), PC_EINVAL); /* missing file */
    assert_non_null(strstr(err, path));
    unsetenv("PUPNS_PG_URL_FILE");

    temp_file(path, "9091");                                      /* numbers too */
    setenv("PUPNS_HTTP_PORT_FILE", path, 1);
    assert_int_equal(pc_config_load(&c, "gateway", err, sizeof err), PC_OK);
    assert_int_equal(c.http_port, 9091);
    unsetenv("PUPNS_HTTP_PORT_FILE");
    unlink(path);
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(defaults_run_the_local_stack, clear_env),
        cmocka_unit_test_setup(environment_overrides, clear_env),
        cmocka_unit_test_setup(bad_values_name_the_variable, clear_env),
        cmocka_unit_test_setup(empty_value_means_default, clear_env),
        cmocka_unit_test_setup(settings_come_from_files, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
