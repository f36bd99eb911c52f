/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_net_loopback_up() / vb_net_link_flags() against the real kernel.
 * Every test that changes namespaces or capabilities runs in a forked child,
 * which reports the first failed check (source line and errno) over a pipe;
 * the parent does the cmocka asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "child_check.h"
#include "need.h"

#include "core/net.h"

/* Run fn in a forked child and assert that it passed. */
static void run_child(void (*fn)(void))
{
        struct report rep = {0, 0};
        int pfd[2], status;
        pid_t pid;
        ssize_t n;

        assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(pfd[0]);
                report_fd = pfd[1];
                fn();
                child_report(0, 0);
        }
        close(pfd[1]);
        n = read(pfd[0], &rep, sizeof(rep));
        close(pfd[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(n, sizeof(rep));
        if (rep.line != 0)
                fail_msg("child check at %s:%d failed: %s", __FILE__, rep.line, strerror(rep.err));
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n, len = (ssize_t)strlen(text);

        if (fd < 0)
                return -errno;
        n = write(fd, text, (size_t)len);
        if (n != len) {
                int e = n < 0 ? errno : EIO;
                close(fd);
                return -e;
        }
        close(fd);
        return 0;
}

/* unshare(CLONE_NEWUSER | extra) and map our uid/gid to 0, for full caps in the new userns. */
static void enter_userns(int extra)
{
        char map[64];
        uid_t uid = getuid();
        gid_t gid = getgid();

        CHECK(unshare(CLONE_NEWUSER | extra) == 0); /* the test checked NEED_USERNS() */
        snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
        CHECK_R(write_file("/proc/self/uid_map", map), 0);
        CHECK_R(write_file("/proc/self/setgroups", "deny\n"), 0);
        snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
        CHECK_R(write_file("/proc/self/gid_map", map), 0);
}

/* TCP over 127.0.0.1: bind port 0, listen, connect, accept. */
static void check_tcp_loopback(void)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
        socklen_t len = sizeof(sa);
        int ls, cs, as;

        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(ls >= 0);
        CHECK(bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        CHECK(listen(ls, 1) == 0);
        CHECK(getsockname(ls, (struct sockaddr *)&sa, &len) == 0);
        cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        CHECK(cs >= 0);
        CHECK(connect(cs, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        as = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        CHECK(as >= 0);
        CHECK(write(cs, "x", 1) == 1);
        char c = 0;
        CHECK(read(as, &c, 1) == 1 && c == 'x');
        close(as);
        close(cs);
        close(ls);
}

static void child_loopback_up(void)
{
        unsigned flags = 0;

        enter_userns(CLONE_NEWNET);
        /* A fresh net ns holds only lo, and it is down. */
        CHECK_R(vb_net_link_flags("lo", &flags), 0);
        CHECK(!(flags & IFF_UP));
        CHECK_R(vb_net_loopback_up(), 0);
        CHECK_R(vb_net_link_flags("lo", &flags), 0);
        CHECK((flags & IFF_UP) && (flags & IFF_LOOPBACK));
        /* Bringing it up again changes nothing and still succeeds. */
        CHECK_R(vb_net_loopback_up(), 0);
        check_tcp_loopback();
}

static void test_loopback_up_in_new_netns(void **state)
{
        NEED_USERNS();
        run_child(child_loopback_up);
}

/* A new userns that kept the host's net ns has no CAP_NET_ADMIN over it. */
static void child_no_netns(void)
{
        unsigned flags = 0;

        enter_userns(0);
        CHECK_R(vb_net_loopback_up(), -EPERM);
        /* Reading needs no capability. */
        CHECK_R(vb_net_link_flags("lo", &flags), 0);
}

static void test_loopback_up_eperm_in_host_netns(void **state)
{
        NEED_USERNS();
        run_child(child_no_netns);
}

/* Drop CAP_NET_ADMIN from the bounding, effective, permitted and inheritable sets. */
static void child_dropped_cap(void)
{
        cap_value_t v[] = {CAP_NET_ADMIN};
        cap_t caps;

        /* Needs CAP_SETPCAP; without it we never had CAP_NET_ADMIN in the bounding set to use. */
        if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) < 0 && errno != EPERM)
                child_report(__LINE__, errno);
        caps = cap_get_proc();
        CHECK(caps != NULL);
        CHECK(cap_set_flag(caps, CAP_EFFECTIVE, 1, v, CAP_CLEAR) == 0);
        CHECK(cap_set_flag(caps, CAP_PERMITTED, 1, v, CAP_CLEAR) == 0);
        CHECK(cap_set_flag(caps, CAP_INHERITABLE, 1, v, CAP_CLEAR) == 0);
        CHECK(cap_set_proc(caps) == 0);
        cap_free(caps);
        CHECK_R(vb_net_loopback_up(), -EPERM);
}

static void test_loopback_up_eperm_without_cap(void **state)
{
        run_child(child_dropped_cap);
}

static void test_link_flags_errors(void **state)
{
        unsigned flags = 0xdead;

        assert_int_equal(vb_net_link_flags("", &flags), -EINVAL);
        assert_int_equal(vb_net_link_flags("0123456789abcdef", &flags), -EINVAL); /* IFNAMSIZ bytes */
        assert_int_equal(vb_net_link_flags("vbnosuchif0", &flags), -ENODEV);
        assert_int_equal(flags, 0xdead); /* untouched on failure */
        assert_int_equal(vb_net_link_flags("lo", &flags), 0);
        assert_true(flags & IFF_LOOPBACK);
}

/* Addresses, neighbours and routes: the network caretaker's tap configuration, tried on lo. */
static void child_addr_route(void)
{
        uint8_t a4[4] = {10, 91, 0, 2}, gw4[4] = {10, 91, 0, 1}, dst4[4] = {198, 51, 100, 7};
        uint8_t a6[16] = {0xfd, 0xb0, 0x1d, 0x5c, [15] = 2}, mac[6] = {2, 0, 0x5b, 0, 0, 1};
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9)};
        unsigned lo;
        int s;

        enter_userns(CLONE_NEWNET);
        lo = if_nametoindex("lo");
        CHECK(lo > 0);
        CHECK_R(vb_net_link_up("lo"), 0);
        CHECK_R(vb_net_addr_add(lo, AF_INET, a4, 32), 0);
        CHECK_R(vb_net_addr_add(lo, AF_INET, a4, 32), -EEXIST);
        CHECK_R(vb_net_addr_add(lo, AF_INET6, a6, 128), 0);
        CHECK_R(vb_net_addr_add(lo, AF_INET, a4, 33), -EINVAL);
        CHECK_R(vb_net_addr_add(lo, AF_UNIX, a4, 8), -EINVAL);
        /* No route to 198.51.100.7 yet: ENETUNREACH at once. */
        memcpy(&sa.sin_addr, dst4, 4);
        s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        CHECK(s >= 0);
        CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == ENETUNREACH);
        CHECK_R(vb_net_route_add(lo, AF_INET, dst4, 32, NULL), 0);
        CHECK_R(vb_net_route_add(lo, AF_INET, dst4, 32, NULL), -EEXIST);
        CHECK(connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        close(s);
        CHECK_R(vb_net_route_add(0, AF_INET, dst4, 32, NULL), -EINVAL);
        /* (A neighbour entry needs a link with addresses to resolve: test-caretaker.sh tries the tap.) */
        CHECK_R(vb_net_neigh_add(lo, AF_UNIX, gw4, mac), -EINVAL);
        CHECK_R(vb_net_neigh_add(0, AF_INET, gw4, mac), -EINVAL);
        CHECK_R(vb_net_link_up(""), -EINVAL);
        CHECK_R(vb_net_link_up("vbnosuchif0"), -ENODEV);
}

static void test_addr_route_in_new_netns(void **state)
{
        NEED_USERNS();
        run_child(child_addr_route);
}

/* Without CAP_NET_ADMIN over the namespace (a void's case) a route cannot be added. */
static void child_route_eperm(void)
{
        uint8_t dst4[4] = {198, 51, 100, 7};

        enter_userns(0);
        CHECK_R(vb_net_route_add(if_nametoindex("lo"), AF_INET, dst4, 32, NULL), -EPERM);
}

static void test_route_eperm_in_host_netns(void **state)
{
        NEED_USERNS();
        run_child(child_route_eperm);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_link_flags_errors),
                cmocka_unit_test(test_loopback_up_in_new_netns),
                cmocka_unit_test(test_loopback_up_eperm_in_host_netns),
                cmocka_unit_test(test_loopback_up_eperm_without_cap),
                cmocka_unit_test(test_addr_route_in_new_netns),
                cmocka_unit_test(test_route_eperm_in_host_netns),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
