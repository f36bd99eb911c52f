/* SCM_RIGHTS helpers: counts, end of stream, and no fd leaked when a message carries too many. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "voidbuilder.h"

static int open_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        assert_non_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void test_roundtrip(void **state)
{
        int sv[2], fds[3], got[3];
        bool eof;

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        for (int i = 0; i < 3; i++)
                fds[i] = dup(0);
        assert_int_equal(vb_fd_send(sv[0], fds, 3), 0);
        assert_int_equal(vb_fd_recv(sv[1], got, 3, 0, &eof), 3);
        assert_false(eof);
        for (int i = 0; i < 3; i++) {
                assert_true(got[i] >= 0 && got[i] != fds[i]);
                close(got[i]);
                close(fds[i]);
        }
        assert_int_equal(vb_fd_send(sv[0], NULL, 0), 0); /* a message with no fds */
        assert_int_equal(vb_fd_recv(sv[1], got, 3, 0, &eof), 0);
        assert_false(eof);
        close(sv[0]);
        assert_int_equal(vb_fd_recv(sv[1], got, 3, 0, &eof), 0); /* the other end is gone */
        assert_true(eof);
        close(sv[1]);
}

static void test_too_many_leaks_nothing(void **state)
{
        int sv[2], fds[5], got[2], before;
        bool eof;

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        for (int i = 0; i < 5; i++)
                fds[i] = dup(0);
        assert_int_equal(vb_fd_send(sv[0], fds, 5), 0);
        for (int i = 0; i < 5; i++)
                close(fds[i]);
        before = open_fds();
        assert_int_equal(vb_fd_recv(sv[1], got, 2, 0, &eof), -E2BIG);
        assert_int_equal(open_fds(), before);
        assert_int_equal(vb_fd_recv(sv[1], got, 2, MSG_DONTWAIT, &eof), -EAGAIN);
        close(sv[0]);
        close(sv[1]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_too_many_leaks_nothing),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
