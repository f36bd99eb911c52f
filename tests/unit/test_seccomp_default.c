/* The BPF compiled at build time must be exactly what libseccomp compiles from the policy text now. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/seccomp.h"

static void check_flags(unsigned flags)
{
        struct sock_fprog built = {}, now = {};
        struct vb_error *err = NULL;

        assert_int_equal(vb_seccomp_default_fprog(flags, &built), 0);
        assert_int_equal(vb_seccomp_compile(vb_seccomp_default_policy(), "default.policy", flags, &now, &err), 0);
        assert_null(err);
        assert_true(built.len > 50);
        assert_int_equal(built.len, now.len);
        assert_memory_equal(built.filter, now.filter, now.len * sizeof(now.filter[0]));
        vb_seccomp_fprog_done(&built);
        vb_seccomp_fprog_done(&now);
}

/* For a void without a network and for one with a network (the policy's `if network` rules). */
static void test_precompiled_matches_runtime(void **state)
{
        check_flags(0);
        check_flags(VB_SECCOMP_NETWORK);
}

/* The two programs differ: the network one allows packet sockets. */
static void test_network_differs(void **state)
{
        struct sock_fprog a = {}, b = {};

        assert_int_equal(vb_seccomp_default_fprog(0, &a), 0);
        assert_int_equal(vb_seccomp_default_fprog(VB_SECCOMP_NETWORK, &b), 0);
        assert_true(a.len != b.len || memcmp(a.filter, b.filter, a.len * sizeof(a.filter[0])) != 0);
        vb_seccomp_fprog_done(&a);
        vb_seccomp_fprog_done(&b);
}

/* Each call hands out its own copy: a void may free it without touching the next one's. */
static void test_copies_are_independent(void **state)
{
        struct sock_fprog a = {}, b = {};

        assert_int_equal(vb_seccomp_default_fprog(0, &a), 0);
        assert_int_equal(vb_seccomp_default_fprog(0, &b), 0);
        assert_ptr_not_equal(a.filter, b.filter);
        a.filter[0].k ^= 1;
        assert_int_not_equal(a.filter[0].k, b.filter[0].k);
        vb_seccomp_fprog_done(&a);
        vb_seccomp_fprog_done(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_precompiled_matches_runtime),
                cmocka_unit_test(test_network_differs),
                cmocka_unit_test(test_copies_are_independent),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
