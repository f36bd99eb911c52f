/*
 * What a unit test needs of the machine, decided in one place.  A test whose
 * feature the machine genuinely lacks is skipped, and fails instead under
 * VOIDSHIM_MUST_WORK (any non-empty value, as for the integration tests), so
 * CI cannot pass by skipping.  Only a probe of the feature itself decides: a
 * library call that fails on a machine that has the feature is a failure,
 * never a skip.  Test-only; included by test_*.c after <cmocka.h>.
 */
#ifndef VB_TEST_NEED_H
#define VB_TEST_NEED_H

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline bool must_work(void)
{
        const char *s = getenv("VOIDSHIM_MUST_WORK");

        return s && *s;
}

/* This machine lacks what the test needs (printf-style reason): skip, or fail under VOIDSHIM_MUST_WORK. */
#define NEED_MISSING(...)                                                                       \
        do {                                                                                    \
                char _why[256];                                                                 \
                snprintf(_why, sizeof(_why), __VA_ARGS__);                                      \
                if (must_work())                                                                \
                        fail_msg("VOIDSHIM_MUST_WORK is set, and this machine lacks %s", _why); \
                print_message("# SKIP: this machine lacks %s\n", _why);                         \
                skip();                                                                         \
        } while (0)
/* NEED(cond, reason...): the test goes on only where cond holds. */
#define NEED(cond, ...)                            \
        do {                                       \
                if (!(cond))                       \
                        NEED_MISSING(__VA_ARGS__); \
        } while (0)

/*
 * Can a process of this uid and gid (or ours, with uid (uid_t)-1) make a user
 * namespace?  Tried by unshare(CLONE_NEWUSER) in a child, so nothing of ours
 * changes.  Returns 0, the errno unshare() gave, or -1 when the probe itself
 * could not run (fork or setuid failed: not the feature's absence).
 */
static inline int userns_errno(uid_t uid, gid_t gid)
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                if (uid != (uid_t)-1 && (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
                        _exit(255);
                _exit(unshare(CLONE_NEWUSER) < 0 ? errno : 0);
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) == 255)
                return -1;
        return WEXITSTATUS(status);
}

/* Voids need user namespaces: for a test that spawns, as us or as uid/gid. */
#define NEED_USERNS_AS(uid, gid)                                                                  \
        do {                                                                                      \
                uid_t _u = (uid);                                                                 \
                int _e = userns_errno(_u, (gid));                                                 \
                if (_u == (uid_t)-1)                                                              \
                        _u = getuid();                                                            \
                if (_e < 0)                                                                       \
                        fail_msg("could not probe for user namespaces as uid %d", (int)_u);       \
                NEED(_e == 0, "user namespaces for uid %d (unshare: %s)", (int)_u, strerror(_e)); \
        } while (0)
#define NEED_USERNS() NEED_USERNS_AS((uid_t)-1, (gid_t)-1)

#endif
