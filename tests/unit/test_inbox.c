/* Unit tests for the inbox (voidbuilder/inbox.c, mount.c): names, the plan, and a holder's grants. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/mount.h"
#include "helper_check.h"
#include "core/void.h"
#include "need.h"

static void test_names(void **state)
{
        static const char *const good[] = { "docs", "a", "My_Photos-2024.v2", "x+y@z,w" };
        static const char
                *const bad[] = { "",
                                 ".",
                                 "..",
                                 ".hidden",
                                 "a/b",
                                 "a b",
                                 "a\nb",
                                 "ä",
                                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 65 */ };

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                if (!vb_mount_inbox_name_ok(good[i]))
                        fail_msg("'%s' refused", good[i]);
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (vb_mount_inbox_name_ok(bad[i]))
                        fail_msg("'%s' accepted", bad[i]);
}

static void test_plan(void **state)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { "/bin/true", NULL };
        char *text;

        assert_int_equal(vb_void_inbox(v, NULL, "inbox"), -EINVAL);
        assert_int_equal(vb_void_inbox(v, NULL, "/in/../etc"), -EINVAL);
        assert_int_equal(vb_void_inbox(v, NULL, "/inbox"), 0);
        assert_int_equal(vb_void_inbox(v, NULL, "/other"), -EEXIST);
        assert_int_equal(vb_void_exec_path(v, "/bin/true", argv), 0);
        text = vb_void_explain(v);
        assert_non_null(text);
        assert_non_null(strstr(text, "/inbox: inbox, empty at start, read-only"));
        free(text);
        vb_void_free(v);
}

/* Run `sh -c SCRIPT` in a void with the inbox at /inbox; its exit status (a void that cannot start fails the test). */
static int run_in_void(struct vb_inbox *box, const char *script)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;
        int r, status = -1;

        assert_int_equal(vb_void_add_libs(v, "/bin/sh", &err), 0);
        assert_int_equal(vb_void_exec_path(v, "/bin/sh", argv), 0);
        assert_int_equal(vb_void_inbox(v, box, "/inbox"), 0);
        r = vb_void_spawn(v, &p, &err);
        if (r < 0)
                fail_msg("spawn: %s", err && err->msg ? err->msg : strerror(-r));
        assert_int_equal(vb_proc_wait(p, &status), 0);
        vb_proc_free(p);
        vb_error_free(err);
        vb_void_free(v);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void test_holder(void **state)
{
        char dir[] = "/tmp/vb-inbox-XXXXXX", sub[64], file[80];
        struct vb_inbox *box = NULL;
        struct vb_error *err = NULL;
        struct stray s;
        int fd, ffd, devnull = open("/dev/null", O_PATH | O_CLOEXEC);

        NEED_USERNS(); /* the holder lives in a user namespace of its own */
        assert_non_null(mkdtemp(dir));
        snprintf(sub, sizeof(sub), "%s/d", dir);
        snprintf(file, sizeof(file), "%s/d/f", dir);
        assert_int_equal(mkdir(sub, 0755), 0);
        assert_true((ffd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) >= 0);
        fd = open(sub, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        stray_begin(&s);
        if (vb_inbox_new(&box, &err) < 0) {
                stray_end(&s);
                fail_msg("no holder: %s", err && err->msg ? err->msg : "?");
        }
        /* The holder: its channel, its root and its inbox, and no signal setting of the caller's. */
        assert_fds(vb_inbox_pid(box), &s, 3);
        assert_signals(vb_inbox_pid(box), 0, 0, 0);
        stray_end(&s);
        assert_int_equal(vb_inbox_count(box), 0);
        assert_int_equal(vb_inbox_grant(box, fd, NULL, 0, &err), 0);
        assert_int_equal(vb_inbox_count(box), 1);
        assert_non_null(strstr(vb_inbox_describe(box, 0, NULL), "d <- /tmp/vb-inbox-"));
        assert_null(vb_inbox_describe(box, 1, NULL));
        assert_int_equal(vb_inbox_grant(box, fd, NULL, 0, NULL), -EEXIST);
        assert_int_equal(vb_inbox_grant(box, fd, ".x", 0, NULL), -EINVAL);
        assert_int_equal(vb_inbox_grant(box, devnull, "dev", 0, NULL), -EINVAL); /* a device: never */
        assert_int_equal(vb_inbox_grant(box, ffd, "file", 0, NULL), 0);          /* a file: yes */
        assert_int_equal(vb_inbox_ungrant(box, "file", NULL), 0);
        assert_int_equal(vb_inbox_grant(box, ffd, "file", 0, NULL), 0); /* and again after a revoke */
        assert_int_equal(vb_inbox_ungrant(box, "file", NULL), 0);
        assert_int_equal(vb_inbox_grant(box, fd, "e", VB_MOUNT_RW, NULL), 0); /* one directory, two names */
        /* Granted before the spawn: in the clone it takes.  d is read-only, e read-write. */
        assert_int_equal(
                run_in_void(box, "[ -e /inbox/d/f ] && [ -e /inbox/e/f ] && ! (: >/inbox/d/g) 2>&- && : >/inbox/e/g"),
                0);
        assert_int_equal(vb_inbox_ungrant(box, "d", &err), 0);
        assert_int_equal(vb_inbox_ungrant(box, "d", NULL), -ENOENT);
        assert_int_equal(run_in_void(box, "! [ -e /inbox/d ] && [ -e /inbox/e/g ]"), 0);
        vb_inbox_free(box);
        close(fd);
        close(ffd);
        close(devnull);
        snprintf(file, sizeof(file), "%s/d/g", dir);
        unlink(file);
        snprintf(file, sizeof(file), "%s/d/f", dir);
        unlink(file);
        rmdir(sub);
        rmdir(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_plan),
                cmocka_unit_test_teardown(test_holder, restore_signals),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
