/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vb_error_set / vb_error_wrap: a wrap returns the caller's own errno whatever
 * the sink holds, never an invented one; messages layer outward; the first
 * cause wins.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "voidbuilder.h"
#include "voidbuilder/cleanup.h"

/* No sink: nothing recorded, and the errno comes back as given (either sign). */
static void test_no_sink(void **state)
{
        (void)state;
        assert_int_equal(vb_error_set(NULL, ENOENT, "x"), -ENOENT);
        assert_int_equal(vb_error_set(NULL, -ENOENT, "x"), -ENOENT);
        assert_int_equal(vb_error_wrap(NULL, -EACCES, "opening %s", "/x"), -EACCES);
        assert_int_equal(vb_error_wrap(NULL, EACCES, "opening %s", "/x"), -EACCES);
        assert_int_equal(vb_error_wrap(NULL, -ENOSPC, "x"), -ENOSPC);
}

/* An empty sink: the callee recorded nothing, so the wrap is the whole message. */
static void test_wrap_empty_sink(void **state)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;

        (void)state;
        assert_int_equal(vb_error_wrap(&err, -EACCES, "opening %s", "/x"), -EACCES);
        assert_non_null(err);
        assert_int_equal(err->errnum, EACCES);
        assert_string_equal(err->msg, "opening /x: Permission denied");
        assert_null(err->step);
}

/* r == 0 is no failure: nothing is recorded or changed, and 0 comes back. */
static void test_wrap_success(void **state)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;

        (void)state;
        assert_int_equal(vb_error_wrap(&err, 0, "x"), 0);
        assert_null(err);
        assert_int_equal(vb_error_set(&err, EPERM, "b"), -EPERM);
        assert_int_equal(vb_error_wrap(&err, 0, "a"), 0);
        assert_string_equal(err->msg, "b: Operation not permitted");
}

/* set then two wraps: "a: b: c: strerror", and the errno stays the callee's. */
static void test_layering(void **state)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        int r;

        (void)state;
        r = vb_error_set(&err, ENOENT, "c");
        assert_int_equal(r, -ENOENT);
        assert_string_equal(err->msg, "c: No such file or directory");
        assert_int_equal(vb_error_wrap(&err, r, "b"), -ENOENT);
        assert_int_equal(vb_error_wrap(&err, r, "a %d", 1), -ENOENT);
        assert_string_equal(err->msg, "a 1: b: c: No such file or directory");
        assert_int_equal(err->errnum, ENOENT);
}

/* The first cause wins: a later set changes nothing, and a wrap keeps the first errnum. */
static void test_first_cause_wins(void **state)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;

        (void)state;
        assert_int_equal(vb_error_set(&err, EBADF, "first"), -EBADF);
        assert_int_equal(vb_error_set(&err, EINVAL, "second"), -EINVAL);
        assert_string_equal(err->msg, "first: Bad file descriptor");
        assert_int_equal(err->errnum, EBADF);
        /* the wrap returns what this caller got; the record keeps its cause */
        assert_int_equal(vb_error_wrap(&err, -EINVAL, "outer"), -EINVAL);
        assert_int_equal(err->errnum, EBADF);
        assert_string_equal(err->msg, "outer: first: Bad file descriptor");
}

/* A set without a cause (errno 0 after a call that did not set it) is EIO, said so. */
static void test_set_zero(void **state)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;

        (void)state;
        assert_int_equal(vb_error_set(&err, 0, "lost"), -EIO);
        assert_int_equal(err->errnum, EIO);
        assert_string_equal(err->msg, "lost: Input/output error");
}

/* vb_error_free takes NULL and returns NULL, so `err = vb_error_free(err)` resets a sink. */
static void test_error_free(void **state)
{
        struct vb_error *err = NULL;

        (void)state;
        assert_null(vb_error_free(NULL));
        vb_error_set(&err, EPERM, "x");
        err = vb_error_free(err);
        assert_null(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_sink),          cmocka_unit_test(test_wrap_empty_sink),
                cmocka_unit_test(test_wrap_success),     cmocka_unit_test(test_layering),
                cmocka_unit_test(test_first_cause_wins), cmocka_unit_test(test_set_zero),
                cmocka_unit_test(test_error_free),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
