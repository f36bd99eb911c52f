/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network caretaker's pure parts: vb_net_allow_parse(), the one parser
 * of allowlist entries, and the nftables ruleset built from a list; and the
 * socket forwarder, end to end on unix sockets in a scratch directory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "helper_check.h"
#include "helpers/caretaker.h"
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

/* The forwarder's upstream port: 1 to 65535 in decimal digits and nothing else, without overflow. */
static void test_upstream_port(void **state)
{
        static const char *const bad[] = {
                "tcp:127.0.0.1:0",
                "tcp:127.0.0.1:65536",
                "tcp:127.0.0.1:4294967376" /* 2^32 + 80 */,
                "tcp:127.0.0.1:4294967297",
                "tcp:127.0.0.1:99999999999999999999",
                "tcp:127.0.0.1:80x",
                "tcp:127.0.0.1: 80",
                "tcp:127.0.0.1:+80",
                "tcp:127.0.0.1:-1",
                "tcp:127.0.0.1:",
                "tcp:127.0.0.1:0x50",
                "tcp:[::1]:65536",
        };
        char dir[] = "/tmp/vb-port-XXXXXX", sock[64];
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        struct vb_upstream up;

        assert_int_equal(vb_upstream_parse("tcp:127.0.0.1:80", &up), 0);
        assert_int_equal(up.addr.ss_family, AF_INET);
        assert_int_equal(ntohs(((struct sockaddr_in *)&up.addr)->sin_port), 80);
        assert_int_equal(vb_upstream_parse("tcp:127.0.0.1:1", &up), 0);
        assert_int_equal(ntohs(((struct sockaddr_in *)&up.addr)->sin_port), 1);
        assert_int_equal(vb_upstream_parse("tcp:[::1]:65535", &up), 0);
        assert_int_equal(up.addr.ss_family, AF_INET6);
        assert_int_equal(ntohs(((struct sockaddr_in6 *)&up.addr)->sin6_port), 65535);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (vb_upstream_parse(bad[i], &up) != -EINVAL)
                        fail_msg("'%s' accepted (port %u)", bad[i], ntohs(((struct sockaddr_in *)&up.addr)->sin_port));
        /* Refused before anything is made: no socket is left at the path. */
        assert_non_null(mkdtemp(dir));
        snprintf(sock, sizeof(sock), "%s/fwd", dir);
        assert_int_equal(vb_caretaker_forward(sock, "tcp:127.0.0.1:4294967376", &c, &err), -EINVAL);
        assert_null(c);
        assert_non_null(strstr(err->msg, "4294967376"));
        vb_error_free(err);
        assert_int_equal(access(sock, F_OK), -1);
        assert_int_equal(rmdir(dir), 0);
}

/* A unix echo server at path, in a child: every connection echoed until EOF, then closed. */
static pid_t echo_server(const char *path)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        pid_t pid;

        assert_true(l >= 0);
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
        assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
        assert_int_equal(listen(l, 8), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char buf[4096];
                ssize_t n;

                prctl(PR_SET_PDEATHSIG, SIGKILL); /* a test that failed half-way leaves no server behind */
                for (;;) {
                        int c = accept(l, NULL, NULL);

                        while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0)
                                if (write(c, buf, (size_t)n) != n)
                                        break;
                        if (c >= 0)
                                close(c);
                }
        }
        close(l);
        return pid;
}

/* Send len bytes through fd and read them back at the same time; then half-close and expect EOF. */
static void echo_through(int fd, const unsigned char *data, size_t len)
{
        unsigned char *back = malloc(len);
        size_t sent = 0, got = 0;
        bool shut = false;

        assert_non_null(back);
        while (got < len) {
                struct pollfd p = { .fd = fd, .events = POLLIN | (sent < len ? POLLOUT : 0) };
                ssize_t n;

                assert_true(poll(&p, 1, 5000) > 0);
                if ((p.revents & POLLOUT) && sent < len) {
                        n = send(fd, data + sent, len - sent > 100000 ? 100000 : len - sent,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                        assert_true(n > 0 || errno == EAGAIN);
                        sent += n > 0 ? (size_t)n : 0;
                }
                if (sent == len && !shut)
                        shut = shutdown(fd, SHUT_WR) == 0;
                if (p.revents & POLLIN) {
                        n = recv(fd, back + got, len - got, MSG_DONTWAIT);
                        assert_true(n > 0 || (n < 0 && errno == EAGAIN));
                        got += n > 0 ? (size_t)n : 0;
                }
        }
        assert_memory_equal(back, data, len);
        assert_int_equal(recv(fd, back, 1, 0), 0); /* the half-close came back as EOF */
        free(back);
}

/* Megabytes both ways at once through the non-blocking forwarder, bytes intact, half-close passed on. */
static void test_forward_bulk(void **state)
{
        char dir[] = "/tmp/vb-fwd-XXXXXX", up[64], sock[64];
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        size_t len = 4 << 20;
        unsigned char *data = malloc(len);
        char upstream[80];
        struct stray s;
        pid_t srv;
        int fd;

        assert_non_null(data);
        for (size_t i = 0; i < len; i++)
                data[i] = (unsigned char)(i * 2654435761u >> 13);
        assert_non_null(mkdtemp(dir));
        snprintf(up, sizeof(up), "%s/up", dir);
        snprintf(sock, sizeof(sock), "%s/fwd", dir);
        snprintf(upstream, sizeof(upstream), "unix:%s", up);
        srv = echo_server(up);
        stray_begin(&s);
        assert_int_equal(vb_caretaker_forward(sock, upstream, &c, &err), 0);
        for (int round = 0; round < 2; round++) {
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
                assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
                echo_through(fd, data, len);
                close(fd);
        }
        /* Idle again, it holds its socket and control pipe only, and of signals only its own SIGPIPE. */
        await_fd_count(vb_caretaker_pid(c), 5);
        assert_fds(vb_caretaker_pid(c), &s, 2);
        assert_signals(vb_caretaker_pid(c), SIGBIT(SIGPIPE), 0, 0);
        stray_end(&s);
        vb_caretaker_free(c);
        kill(srv, SIGKILL);
        waitpid(srv, NULL, 0);
        unlink(up);
        rmdir(dir);
        free(data);
}

/* The terminal relay: its own signals only (the terminal's ignored, SIGWINCH on a signalfd), its five fds. */
static void test_pty_relay(void **state)
{
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        int in[2], out[2], slave = -1;
        struct stray s;
        char buf[16];
        pid_t pid;

        assert_int_equal(pipe2(in, O_CLOEXEC), 0);
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        stray_begin(&s);
        assert_int_equal(vb_caretaker_pty(in[0], out[1], &c, &slave, &err), 0);
        /* A line each way: the relay runs its loop. */
        assert_int_equal(write(in[1], "hi\n", 3), 3);
        assert_true(poll(&(struct pollfd){ .fd = slave, .events = POLLIN }, 1, 5000) == 1);
        assert_true(read(slave, buf, sizeof(buf)) > 0);
        assert_int_equal(write(slave, "yo", 2), 2);
        assert_true(poll(&(struct pollfd){ .fd = out[0], .events = POLLIN }, 1, 5000) == 1);
        assert_true(read(out[0], buf, sizeof(buf)) > 0);
        pid = vb_caretaker_pid(c);
        assert_signals(pid,
                       SIGBIT(SIGINT) | SIGBIT(SIGQUIT) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU) |
                               SIGBIT(SIGPIPE) | SIGBIT(SIGHUP),
                       SIGBIT(SIGWINCH), 0);
        assert_fds(pid, &s, 5); /* the master, the control pipe, the caller's two fds, the signalfd */
        stray_end(&s);
        close(slave);
        assert_int_equal(vb_caretaker_pty_drain(c, 5000), 0);
        vb_caretaker_free(c);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
}

/* 200 names to talk to: every one reaches xdg-dbus-proxy's command line, none is dropped. */
static void test_dbus_talk_names(void **state)
{
        char dir[] = "/tmp/vb-dbus-XXXXXX", sock[64], path[64], name[64], *talk[201], *args, *p, a[64], b[64];
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        size_t len = 0, n_talk = 0;
        struct stray s;
        FILE *f;
        pid_t pid;

        if (!have_tool("/usr/bin/xdg-dbus-proxy"))
                skip();
        for (int i = 0; i < 200; i++)
                assert_true(asprintf(&talk[i], "org.example.Name%d", i) > 0);
        talk[200] = NULL;
        assert_non_null(mkdtemp(dir));
        snprintf(sock, sizeof(sock), "%s/bus", dir);
        stray_begin(&s);
        if (vb_caretaker_dbus(sock, "unix:path=/nonexistent/bus", talk, &c, &err) < 0)
                fail_msg("%s", err->msg);
        pid = vb_caretaker_pid(c);
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        f = fopen(path, "re");
        assert_non_null(f);
        args = calloc(1, 1 << 16);
        assert_non_null(args);
        len = fread(args, 1, (1 << 16) - 1, f);
        fclose(f);
        for (p = args; p < args + len; p += strlen(p) + 1)
                if (strncmp(p, "--talk=", 7) == 0) {
                        snprintf(name, sizeof(name), "org.example.Name%zu", n_talk);
                        assert_string_equal(p + 7, name);
                        n_talk++;
                }
        assert_int_equal(n_talk, 200);
        /* Nothing of the caller's but its stderr, kept for the proxy's messages. */
        assert_no_stray_fd(pid, &s);
        assert_no_stray_signals(pid);
        assert_string_equal(proc_fd_link(pid, 0, a, sizeof(a)), "/dev/null");
        assert_string_equal(proc_fd_link(pid, 1, a, sizeof(a)), "/dev/null");
        assert_string_equal(proc_fd_link(pid, 2, a, sizeof(a)), proc_fd_link(getpid(), 2, b, sizeof(b)));
        stray_end(&s);
        vb_caretaker_free(c);
        for (int i = 0; i < 200; i++)
                free(talk[i]);
        free(args);
        unlink(sock);
        rmdir(dir);
}

/*
 * The network caretaker with a host to let through: the namespace holder (which
 * configured the tap), the nft it ran and pasta carry nothing of the caller's.
 * nft is a stand-in on PATH that records what it got, then runs the real one.
 */
static void test_network_caretaker(void **state)
{
        char dir[] = "/tmp/vb-nft-XXXXXX", script[64], report[64], line[512], *old_path, *path = NULL;
        struct vb_net_allow allow;
        struct vb_caretaker *c = NULL;
        struct vb_error *err = NULL;
        bool sig_seen = false, fd0_seen = false;
        struct stray s;
        FILE *f;

        if (!have_tool("/usr/bin/pasta") || !have_tool("/usr/sbin/nft"))
                skip();
        assert_non_null(mkdtemp(dir));
        snprintf(script, sizeof(script), "%s/nft", dir);
        snprintf(report, sizeof(report), "%s/report", dir);
        f = fopen(script, "we");
        assert_non_null(f);
        /* The shell's own status, read with builtins: while it waits for a child, dash blocks signals. */
        fprintf(f, "#!/bin/sh\n"
                   "exec 3>%s\n"
                   "while read -r k v; do case $k in Sig*) echo \"$k $v\" >&3;; esac; done </proc/$$/status\n"
                   "for l in /proc/$$/fd/*; do echo \"fd ${l##*/} $(readlink $l)\" >&3; done\n"
                   "exec 3>&-\n"
                   "exec /usr/sbin/nft \"$@\"\n",
                report);
        fclose(f);
        assert_int_equal(chmod(script, 0755), 0);
        old_path = getenv("PATH");
        assert_true(asprintf(&path, "%s:%s", dir, old_path ? old_path : "/usr/bin:/bin") > 0);
        old_path = old_path ? strdup(old_path) : NULL;
        setenv("PATH", path, 1);
        assert_int_equal(vb_net_allow_parse("tcp:192.0.2.7:443", &allow, NULL), 0);
        stray_begin(&s);
        if (vb_caretaker_pasta(&allow, 1, &c, &err) < 0)
                fail_msg("%s", err->msg);
        stray_end(&s);
        if (old_path)
                setenv("PATH", old_path, 1);
        /*
         * The holder: done with the tap, it holds 0-2 and its channel for live changes
         * (vb_caretaker_net_change()): the two pipes to the caretaker and the nft log.
         */
        await_fd_count(c->holder, 3 + 3);
        assert_fds(c->holder, &s, 3);
        assert_signals(c->holder, 0, 0, 0);
        /* pasta makes itself undumpable: only root may read its fds. */
        if (geteuid() == 0)
                assert_no_stray_fd(vb_caretaker_pid(c), &s);
        assert_no_stray_signals(vb_caretaker_pid(c));
        /* nft: stdin the ruleset, stdout and stderr the log, the script itself; nothing else. */
        f = fopen(report, "re");
        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                if (strncmp(line, "SigIgn:", 7) == 0)
                        assert_false(strtoull(line + 7, NULL, 16) & SIGBIT(SIGINT));
                if (strncmp(line, "SigBlk:", 7) == 0)
                        sig_seen = true, assert_false(strtoull(line + 7, NULL, 16) & SIGBIT(SIGTERM));
                if (strncmp(line, "fd ", 3) == 0 && (atoi(line + 3) == STRAY_FD || strstr(line, s.link)))
                        fail_msg("nft got the caller's stray fd: %s", line);
                fd0_seen |= strncmp(line, "fd 0 /memfd:nft-rules", 21) == 0;
        }
        fclose(f);
        assert_true(sig_seen && fd0_seen);
        vb_caretaker_free(c);
        unlink(report);
        unlink(script);
        rmdir(dir);
        free(path);
        free(old_path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_loopback_forms),
                cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_ruleset),
                cmocka_unit_test(test_upstream_port),
                cmocka_unit_test_teardown(test_forward_bulk, restore_signals),
                cmocka_unit_test_teardown(test_pty_relay, restore_signals),
                cmocka_unit_test_teardown(test_dbus_talk_names, restore_signals),
                cmocka_unit_test_teardown(test_network_caretaker, restore_signals),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
