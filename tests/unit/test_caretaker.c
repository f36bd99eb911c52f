/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network caretaker's pure parts: vb_net_allow_parse(), the one parser
 * of allowlist entries, and the nftables ruleset built from a list.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "caretaker.h"
#include "voidbuilder.h"

static struct vb_net_allow parse_ok(const char *text)
{
        struct vb_net_allow a;
        const char *why = NULL;

        memset(&a, 0xaa, sizeof(a));
        if (vb_net_allow_parse(text, &a, &why) != 0)
                fail_msg("'%s' refused: %s", text, why ? why : "(no reason)");
        return a;
}

static const char *parse_why(const char *text)
{
        struct vb_net_allow a, before;
        const char *why = NULL;

        memset(&a, 0x55, sizeof(a));
        before = a;
        assert_int_equal(vb_net_allow_parse(text, &a, &why), -EINVAL);
        assert_non_null(why);
        assert_memory_equal(&a, &before, sizeof(a)); /* written only on success */
        return why;
}

static void test_loopback_forms(void **state)
{
        static const char *const same[] = { "8080", "tcp:8080", "127.0.0.1:8080", "tcp:localhost:8080" };
        struct vb_net_allow a;

        for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
                a = parse_ok(same[i]);
                /* The original form: every field added since is zero. */
                assert_false(a.udp);
                assert_int_equal(a.port, 8080);
                assert_int_equal(a.family, 0);
                for (int b = 0; b < 16; b++)
                        assert_int_equal(a.addr[b], 0);
        }
        a = parse_ok("udp:53");
        assert_true(a.udp);
        assert_int_equal(a.port, 53);
        assert_int_equal(a.family, 0);
        /* A NULL why is allowed. */
        assert_int_equal(vb_net_allow_parse("0", &a, NULL), -EINVAL);
}

static void test_hosts(void **state)
{
        struct vb_net_allow a = parse_ok("tcp:192.0.2.7:443");
        uint8_t v6[16];

        assert_int_equal(a.family, AF_INET);
        assert_int_equal(a.port, 443);
        assert_memory_equal(a.addr, ((uint8_t[]){ 192, 0, 2, 7 }), 4);
        a = parse_ok("udp:[2001:db8::1]:53");
        assert_true(a.udp);
        assert_int_equal(a.family, AF_INET6);
        assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", v6), 1);
        assert_memory_equal(a.addr, v6, 16);
        a = parse_ok("10.0.0.1:1");
        assert_int_equal(a.family, AF_INET);
}

static void test_refusals(void **state)
{
        assert_non_null(strstr(parse_why("tcp:example.org:80"), "names are not resolved"));
        assert_non_null(strstr(parse_why("tcp:2001:db8::1:80"), "in []"));
        assert_non_null(strstr(parse_why("tcp:[2001:db8::zz]:80"), "IPv6"));
        assert_non_null(strstr(parse_why("127.0.0.2:80"), "own loopback"));
        assert_non_null(strstr(parse_why("[::1]:80"), "127.0.0.1"));
        assert_non_null(strstr(parse_why("0.0.0.0:80"), "unicast"));
        assert_non_null(strstr(parse_why("224.0.0.1:80"), "unicast"));
        assert_non_null(strstr(parse_why("[ff02::1]:80"), "unicast"));
        assert_non_null(strstr(parse_why("[fe80::1]:80"), "link-local"));
        assert_non_null(strstr(parse_why("[::ffff:192.0.2.1]:80"), "IPv4"));
        assert_non_null(strstr(parse_why(VB_TAP_GW4 ":80"), "caretaker's own link"));
        assert_non_null(strstr(parse_why("[" VB_TAP_ADDR6 "]:80"), "caretaker's own link"));
        parse_why("192.0.2.1:0");
        parse_why("192.0.2.1:65536");
        parse_why("192.0.2.1:");
        parse_why(":80");
        parse_why("sctp:80");
        parse_why("tcp:80x");
}

static void test_ruleset(void **state)
{
        struct vb_net_allow allow[5];
        char buf[2048], tiny[64];
        int r;

        allow[0] = parse_ok("8080"); /* loopback: no rule, lo is accepted as a whole */
        allow[1] = parse_ok("tcp:192.0.2.7:443");
        allow[2] = parse_ok("tcp:192.0.2.8:80");
        allow[3] = parse_ok("udp:[2001:db8::1]:53");
        allow[4] = parse_ok("tcp:[2001:db8::1]:443");
        assert_false(vb_tap_wanted(allow, 1));
        assert_true(vb_tap_wanted(allow, 5));
        r = vb_tap_ruleset(allow, 5, buf, sizeof(buf));
        assert_int_equal(r, (int)strlen(buf));
        assert_non_null(strstr(buf, "policy drop;"));
        assert_non_null(strstr(buf, "oifname \"lo\" accept"));
        assert_non_null(strstr(buf, "ip daddr . tcp dport { 192.0.2.7 . 443, 192.0.2.8 . 80 } accept"));
        assert_non_null(strstr(buf, "ip6 daddr . udp dport { 2001:db8::1 . 53 } accept"));
        assert_non_null(strstr(buf, "ip6 daddr . tcp dport { 2001:db8::1 . 443 } accept"));
        assert_null(strstr(buf, "ip daddr . udp")); /* no empty set: nft refuses one */
        assert_non_null(strstr(buf, "meta l4proto tcp reject with tcp reset"));
        assert_int_equal(vb_tap_ruleset(allow, 5, tiny, sizeof(tiny)), -ENOBUFS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_loopback_forms),
                cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_ruleset),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
