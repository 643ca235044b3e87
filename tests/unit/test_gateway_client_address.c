/* test_gateway_client_address.c -- X-Forwarded-For is believed only from
 * trusted proxies, hop by hop from the right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "client_address.h"

static const char *client(const char *peer, const char *xff) {
    static char out[64];
    gw_client_from(peer, xff, out);
    return out;
}

static void untrusted_peers_speak_for_themselves(void **state) {
    (void)state;
    assert_int_equal(gw_trusted_proxies_init("", NULL, 0), PC_OK);
    assert_string_equal(client("203.0.113.7", "198.51.100.1"), "203.0.113.7");
    assert_int_equal(gw_trusted_proxies_init("10.0.0.0/8", NULL, 0), PC_OK);
    assert_string_equal(client("203.0.113.7", "198.51.100.1"), "203.0.113.7"); /* a client's own header */
}

static void trusted_chains_are_walked_from_the_right(void **state) {
    (void)state;
    assert_int_equal(gw_trusted_proxies_init("10.0.0.0/8, 192.168.1.5,2001:db8::/32", NULL, 0), PC_OK);
    assert_string_equal(client("10.1.2.3", "198.51.100.1"), "198.51.100.1");
    /* the client prepended a lie; the proxy appended the truth */
    assert_string_equal(client("10.1.2.3", "1.2.3.4, 198.51.100.1"), "198.51.100.1");
    /* two trusted hops */
    assert_string_equal(client("10.1.2.3", "198.51.100.1,192.168.1.5 , 10.9.9.9"), "198.51.100.1");
    assert_string_equal(client("2001:db8::1", "2001:db8::2, 2a00:1450::1"), "2a00:1450::1");
    /* only trusted hops: the leftmost */
    assert_string_equal(client("10.1.2.3", "10.2.2.2"), "10.2.2.2");
    /* garbage: the last trusted hop stays */
    assert_string_equal(client("10.1.2.3", "198.51.100.1, not-an-ip"), "10.1.2.3");
    assert_string_equal(client("10.1.2.3", ""), "10.1.2.3");
    assert_string_equal(client("10.1.2.3", NULL), "10.1.2.3");
    assert_string_equal(client("11.1.2.3", "198.51.100.1"), "11.1.2.3"); /* outside 10/8 */
}

static void bad_lists_are_refused(void **state) {
    (void)state;
    char err[160] = "";
    assert_int_equal(gw_trusted_proxies_init("10.0.0.0/33", err, sizeof err), PC_EINVAL);
    assert_non_null(strstr(err, "10.0.0.0/33"));
    assert_int_equal(gw_trusted_proxies_init("proxy.local", err, sizeof err), PC_EINVAL);
    assert_int_equal(gw_trusted_proxies_init("10.0.0.0/x", err, sizeof err), PC_EINVAL);
    assert_int_equal(gw_trusted_proxy("10.0.0.1"), 0); /* a refused list trusts nobody */
}

int main(void) {
    cmocka_set_message_output(CM_OUTPUT_TAP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(untrusted_peers_speak_for_themselves),
        cmocka_unit_test(trusted_chains_are_walked_from_the_right),
        cmocka_unit_test(bad_lists_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
