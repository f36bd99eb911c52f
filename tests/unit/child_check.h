/*
 * Checks run in a forked child (tests that change the child's namespaces,
 * capabilities or Landlock domain for good).  The child reports the first
 * failing line and its errno over report_fd, then exits; the test's own runner
 * forks, reads the report and asserts.  Test-only; included by test_*.c.
 */
#ifndef VB_TEST_CHILD_CHECK_H
#define VB_TEST_CHILD_CHECK_H

#include <errno.h>
#include <unistd.h>

struct report {
        int line; /* 0: passed */
        int err;
};

static int report_fd = -1;

static void child_report(int line, int err)
{
        struct report rep = { line, err };

        if (write(report_fd, &rep, sizeof(rep)) != sizeof(rep))
                _exit(3);
        _exit(line == 0 ? 0 : 1);
}

/* In a child: on a false condition, report where and the errno, then exit. */
#define CHECK(cond)                                                                                      \
        do {                                                                                             \
                errno = 0;                                                                               \
                if (!(cond))                                                                             \
                        child_report(__LINE__, errno);                                                   \
        } while (0)
/* In a child: a -errno result must be exactly want. */
#define CHECK_R(expr, want)                                                                              \
        do {                                                                                             \
                int _r = (expr);                                                                         \
                if (_r != (want))                                                                        \
                        child_report(__LINE__, _r < 0 ? -_r : _r);                                       \
        } while (0)

#endif
