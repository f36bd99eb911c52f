/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The allow-list side of the policy language (`in`, `otherwise`, `override`,
 * `if network`, `group`), the BPF interpreter that checks libseccomp's output,
 * and the default policy's meaning for every call that depends on arguments:
 * its compiled programs are run through the interpreter on many values and
 * compared with what doc/seccomp-policy.md says.  test_seccomp.c runs the
 * same policy against the kernel.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cleanup.h"
#include "core/seccomp.h"
#include "core/server.h"
#include "voidbuilder.h"

#define ALLOW SCMP_ACT_ALLOW
#define ERRNO(e) SCMP_ACT_ERRNO(e)

static int parse(const char *text, struct vb_seccomp_policy *p, struct vb_error **err)
{
        return vb_seccomp_parse(text, "t", p, err);
}

/* The message of an invalid policy, without error.c's ": strerror" suffix. */
static void assert_invalid(const char *text, const char *want)
{
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(parse(text, &p, &err), -EINVAL);
        assert_non_null(err);
        if (strncmp(err->msg, want, strlen(want)) != 0)
                fail_msg("message\n  got:  %s\n  want: %s", err->msg, want);
        vb_error_free(err);
}

static struct sock_fprog compile(const char *text, unsigned flags)
{
        struct sock_fprog prog = { 0 };
        struct vb_error *err = NULL;

        if (vb_seccomp_compile(text, "t", flags, &prog, &err) < 0)
                fail_msg("%s", err ? err->msg : "?");
        return prog;
}

/* What prog answers for syscall nr with args a0..a2 (the rest 0). */
static uint32_t run3(const struct sock_fprog *prog, int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
        struct seccomp_data d = { .nr = nr, .arch = seccomp_arch_native(), .args = { a0, a1, a2 } };
        uint32_t ret = 0xdead;

        assert_int_equal(vb_seccomp_run(prog, &d, &ret), 0);
        return ret;
}

/* ---- `in` ------------------------------------------------------------------ */

static void test_in(void **state)
{
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(parse("default errno ENOSYS\n"
                               "personality allow when arg0 & 0xffffffff in PER_LINUX PER_LINUX32 PER_QUERY\n"
                               "socket allow when arg0 in AF_UNIX AF_INET and arg1 == 1\n",
                               &p, &err),
                         0);
        assert_int_equal(p.n_rules, 5);
        for (int i = 0; i < 3; i++) {
                assert_int_equal(p.rules[i].line, 2);
                assert_int_equal(p.rules[i].cmp[0].op, SCMP_CMP_MASKED_EQ);
                assert_int_equal(p.rules[i].cmp[0].datum_a, 0xffffffffu);
        }
        assert_int_equal(p.rules[0].cmp[0].datum_b, 0);
        assert_int_equal(p.rules[1].cmp[0].datum_b, 8);
        assert_int_equal(p.rules[2].cmp[0].datum_b, 0xffffffffu);
        assert_int_equal(p.rules[3].n_cmp, 2);
        assert_int_equal(p.rules[3].cmp[0].op, SCMP_CMP_EQ);
        assert_int_equal(p.rules[3].cmp[0].datum_a, AF_UNIX);
        assert_int_equal(p.rules[4].cmp[0].datum_a, AF_INET);
        assert_int_equal(p.rules[4].cmp[1].datum_a, 1);
        vb_seccomp_policy_done(&p);

        assert_invalid("socket errno EPERM when arg0 in", "t:1: missing value after 'in'");
        assert_invalid("socket errno EPERM when arg0 in and arg1 == 2", "t:1: missing value after 'in'");
        assert_invalid("socket errno EPERM when arg0 in 1 2 1", "t:1: value 0x1 is listed twice after 'in'");
        assert_invalid("socket errno EPERM when arg0 in 1 and arg1 in 2",
                       "t:1: a rule may have one 'in' condition only");
        assert_invalid("ioctl errno EPERM when arg1 & 0xff in 0x100", "t:1: value 0x100 has bits outside the mask");
        assert_invalid("socket errno EPERM when arg0 in 1 FOO", "t:1: unknown value 'FOO'");
        assert_invalid("socket errno EPERM when arg0 in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
                       "23 24 25 26 27 28 29 30 31 32",
                       "t:1: more than 32 values after 'in'");
}

/* ---- `override` ------------------------------------------------------------ */

static void test_override(void **state)
{
        static const char base[] = "default errno ENOSYS\n"
                                   "socket allow when arg0 in AF_UNIX AF_INET\n"
                                   "setuid allow\n";
        _cleanup_free_ char *text = NULL;
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        /* same conditions: replaced; the other family stays */
        assert_true(asprintf(&text, "%soverride socket errno EACCES when arg0 == AF_INET\n", base) > 0);
        assert_int_equal(parse(text, &p, &err), 0);
        assert_int_equal(p.n_rules, 3);
        assert_int_equal(p.rules[0].cmp[0].datum_a, AF_UNIX);
        assert_int_equal(p.rules[0].action, ALLOW);
        assert_int_equal(p.rules[2].action, ERRNO(EACCES));
        assert_int_equal(p.rules[2].line, 4);
        vb_seccomp_policy_done(&p);
        free(text);

        /* unconditional: every rule of the syscall goes; nothing to replace: a plain rule */
        assert_true(asprintf(&text, "%soverride socket errno EACCES\noverride keyctl errno EPERM\n", base) > 0);
        assert_int_equal(parse(text, &p, &err), 0);
        assert_int_equal(p.n_rules, 3);
        assert_int_equal(p.rules[0].syscall, SCMP_SYS(setuid));
        assert_int_equal(p.rules[1].n_cmp, 0);
        assert_int_equal(p.rules[2].syscall, SCMP_SYS(keyctl));
        vb_seccomp_policy_done(&p);
        free(text);

        /* an override to the default action only takes away */
        assert_true(asprintf(&text, "%soverride setuid errno ENOSYS\n", base) > 0);
        assert_int_equal(parse(text, &p, &err), 0);
        assert_int_equal(p.n_rules, 2);
        vb_seccomp_policy_done(&p);

        /* without `override` the same line is a conflict, as before */
        assert_invalid("default errno ENOSYS\nsetuid allow\nsetuid errno EPERM\n",
                       "t:3: conflicts with line 2: an unconditional rule overrides");
        assert_invalid("override default allow", "t:1: 'override' applies to a syscall, not to 'default'");
        assert_invalid("if network override socket allow when arg0 == 17",
                       "t:1: an 'if network' rule cannot override another");
        assert_null(err);
}

/* ---- `otherwise` ----------------------------------------------------------- */

static void test_otherwise_parse(void **state)
{
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(parse("default errno ENOSYS\nioctl errno EPERM when arg1 == 1\nioctl allow otherwise\n", &p,
                               &err),
                         0);
        assert_int_equal(p.n_rules, 2);
        assert_true(p.rules[1].otherwise);
        assert_int_equal(p.rules[1].n_cmp, 0);
        vb_seccomp_policy_done(&p);

        assert_invalid("default errno ENOSYS\nioctl allow otherwise\n",
                       "t:2: 'otherwise' needs conditional rules for the same syscall");
        assert_invalid("default errno ENOSYS\nioctl errno EPERM\nioctl allow otherwise\n",
                       "t:3: conflicts with line 2: 'otherwise' applies to the calls no conditional rule matches");
        assert_invalid("default errno ENOSYS\nioctl errno EPERM when arg1 == 1\nioctl allow otherwise\n"
                       "ioctl kill otherwise\n",
                       "t:4: second 'otherwise' rule for this syscall (the first is line 3)");
        assert_invalid("default errno ENOSYS\nioctl allow otherwise now\n", "t:2: unexpected 'now' after 'otherwise'");
        assert_invalid("default errno ENOSYS\nioctl errno ENOSYS when arg1 == 1\nioctl errno ENOSYS otherwise\n",
                       "t:2: the rule's action (errno ENOSYS) is the default action");
}

/* An `otherwise` gets exactly the calls no rule matches, whatever the argument's upper half holds. */
static void test_otherwise_compiles(void **state)
{
        struct sock_fprog prog = compile("default errno ENOSYS\n"
                                         "ioctl errno EPERM when arg1 & 0xffffffff in 0x5412 0x541c\n"
                                         "ioctl allow otherwise\n"
                                         "personality allow when arg0 & 0xffffffff in 0 8\n"
                                         "personality errno EACCES otherwise\n",
                                         0);

        assert_int_equal(run3(&prog, SYS_ioctl, 0, 0x5412, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_ioctl, 1, 0x100005412ull, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_ioctl, 0, 0x541c, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_ioctl, 0, 0x5413, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_ioctl, 3, 0xffffffff80045430ull, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_personality, 8, 0, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_personality, 0x100000000ull, 0, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_personality, 9, 0, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_personality, 0x40000, 0, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_getpid, 0, 0, 0), ERRNO(ENOSYS));
        vb_seccomp_fprog_done(&prog);
}

/*
 * libseccomp tests a cube of arg0 holding 0 after the catch-all: the check finds
 * it, and the policy is refused rather than compiled into a filter that refuses fork.
 */
static void test_otherwise_check_refuses(void **state)
{
        struct sock_fprog prog = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(vb_seccomp_compile("default errno ENOSYS\n"
                                            "clone allow when arg0 & 0x7e020080 == 0\n"
                                            "clone errno EPERM otherwise\n",
                                            "t", 0, &prog, &err),
                         -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "t:3: libseccomp does not test this 'otherwise' rule last: clone("));
        assert_null(prog.filter);
        vb_error_free(err);
}

/* A policy compiled again comes from the cache: the same program, a copy of its own. */
static void test_cache(void **state)
{
        static const char text[] = "default errno ENOSYS\n"
                                   "socket allow when arg0 == AF_UNIX\n"
                                   "if network socket allow when arg0 == AF_PACKET\n"
                                   "socket errno EPERM otherwise\n";
        struct sock_fprog a = compile(text, 0), b = compile(text, 0), c = compile(text, VB_SECCOMP_NETWORK);

        assert_ptr_not_equal(a.filter, b.filter);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.filter, b.filter, a.len * sizeof(a.filter[0]));
        vb_seccomp_fprog_done(&a);
        assert_int_equal(run3(&b, SYS_socket, AF_UNIX, SOCK_STREAM, 0), ALLOW);
        /* the flags are part of the key */
        assert_int_equal(run3(&b, SYS_socket, AF_PACKET, SOCK_RAW, 0), ERRNO(EPERM));
        assert_int_equal(run3(&c, SYS_socket, AF_PACKET, SOCK_RAW, 0), ALLOW);
        vb_seccomp_fprog_done(&b);
        vb_seccomp_fprog_done(&c);
}

/* ---- `if network` and groups ----------------------------------------------- */

static void test_if_network(void **state)
{
        static const char text[] = "default errno ENOSYS\n"
                                   "socket allow when arg0 == AF_UNIX\n"
                                   "if network socket allow when arg0 == AF_PACKET\n"
                                   "socket errno EPERM otherwise\n";
        struct sock_fprog none = compile(text, 0), net = compile(text, VB_SECCOMP_NETWORK);
        _cleanup_free_ char *d = vb_seccomp_describe(text, "t");

        assert_int_equal(run3(&none, SYS_socket, AF_PACKET, SOCK_RAW, 0), ERRNO(EPERM));
        assert_int_equal(run3(&net, SYS_socket, AF_PACKET, SOCK_RAW, 0), ALLOW);
        assert_int_equal(run3(&none, SYS_socket, AF_UNIX, SOCK_STREAM, 0), ALLOW);
        assert_int_equal(run3(&net, SYS_socket, AF_VSOCK, SOCK_STREAM, 0), ERRNO(EPERM));
        assert_non_null(strstr(d, "  t:3: socket -> allow when arg0 == 0x11 (if network)\n"));
        assert_non_null(strstr(d, "  t:4: socket -> errno EPERM otherwise\n"));
        assert_invalid("if local socket allow when arg0 == 1", "t:1: unknown condition 'if local'");
        vb_seccomp_fprog_done(&none);
        vb_seccomp_fprog_done(&net);
}

static void test_groups(void **state)
{
        static const char text[] = "default errno ENOSYS\n"
                                   "read allow\n"
                                   "group io  reading and writing   # a comment\n"
                                   "write allow\n"
                                   "pwrite64 allow\n"
                                   "keyctl errno EPERM\n"
                                   "add_key errno EPERM\n"
                                   "ioctl errno EPERM when arg1 == 1\n"
                                   "ioctl allow otherwise\n"
                                   "group denied  a server's part\n"
                                   "override write errno EACCES\n"
                                   "group io\n"
                                   "pread64 allow\n";
        _cleanup_free_ char *s = vb_seccomp_summary(text, "t");
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(parse(text, &p, &err), 0);
        assert_int_equal(p.n_groups, 2);
        assert_string_equal(p.groups[0].name, "io");
        assert_string_equal(p.groups[0].what, "reading and writing");
        assert_int_equal(p.groups[0].line, 3);
        assert_false(p.groups[0].overrides);
        assert_true(p.groups[1].overrides);
        assert_int_equal(p.rules[0].group, -1);
        assert_int_equal(p.rules[p.n_rules - 1].group, 0); /* pread64: io again */
        vb_seccomp_policy_done(&p);

        assert_non_null(s);
        assert_string_equal(s, "  a call no rule names: errno ENOSYS (8 rules in 2 groups)\n"
                               "  (no group)\n"
                               "    allow: 1 call\n"
                               "  io: reading and writing\n"
                               "    allow: 2 calls\n"
                               "    errno EPERM: keyctl add_key\n"
                               "    by argument: ioctl (-v for the rules)\n"
                               "  denied: a server's part\n"
                               "    t:11: write -> errno EACCES\n");
        assert_invalid("group\n", "t:1: missing group name after 'group'");
        assert_invalid("group ==\n", "t:1: expected a group name, got '=='");
}

/* ---- the interpreter ------------------------------------------------------- */

static void test_run(void **state)
{
        struct sock_filter good[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_STMT(BPF_ST, 3),
                BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0),
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 2),
                BPF_STMT(BPF_LD | BPF_MEM, 3),
                BPF_STMT(BPF_RET | BPF_A, 0),
                BPF_STMT(BPF_RET | BPF_K, 7),
        };
        struct sock_filter bad_load[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), BPF_STMT(BPF_RET | BPF_K, 0) };
        struct sock_filter bad_jump[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0), BPF_STMT(BPF_RET | BPF_K, 0) };
        struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
        struct sock_fprog p = { ELEMENTSOF(good), good };
        struct seccomp_data d = { .nr = 0x13 };
        uint32_t ret = 0;

        assert_int_equal(vb_seccomp_run(&p, &d, &ret), 0);
        assert_int_equal(ret, 0x13);
        d.nr = 0x23;
        assert_int_equal(vb_seccomp_run(&p, &d, &ret), 0);
        assert_int_equal(ret, 7);
        p = (struct sock_fprog){ ELEMENTSOF(bad_load), bad_load };
        assert_int_equal(vb_seccomp_run(&p, &d, &ret), -EINVAL);
        p = (struct sock_fprog){ ELEMENTSOF(bad_jump), bad_jump };
        assert_int_equal(vb_seccomp_run(&p, &d, &ret), -EINVAL);
        p = (struct sock_fprog){ ELEMENTSOF(no_ret), no_ret };
        assert_int_equal(vb_seccomp_run(&p, &d, &ret), -EINVAL);
}

/* ---- the default policy, call by call --------------------------------------- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
        rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
        return rnd_state ^ (rnd_state >> 29);
}

static void check_personality(const struct sock_fprog *prog, uint64_t x)
{
        uint32_t lo = (uint32_t)x;
        uint32_t want = lo == 0 || lo == 8 || lo == 0xffffffffu ? ALLOW : ERRNO(EPERM);

        if (run3(prog, SYS_personality, x, 0, 0) != want)
                fail_msg("personality(%#llx): want %s", (unsigned long long)x, want == ALLOW ? "allow" : "EPERM");
}

static void check_ioctl(const struct sock_fprog *prog, uint64_t req)
{
        uint32_t lo = (uint32_t)req;
        uint32_t want = lo == TIOCSTI || lo == TIOCLINUX ? ERRNO(EPERM) : ALLOW;

        if (run3(prog, SYS_ioctl, 0, req, 0) != want)
                fail_msg("ioctl(0, %#llx)", (unsigned long long)req);
}

static uint32_t socket_want(uint64_t family, uint64_t protocol, bool network)
{
        if (family == AF_UNIX || family == AF_INET || family == AF_INET6)
                return ALLOW;
        if (family == AF_NETLINK)
                return protocol == NETLINK_ROUTE ? ALLOW : ERRNO(EPROTONOSUPPORT);
        if (family == AF_PACKET && network)
                return ALLOW;
        return ERRNO(EPERM);
}

static void check_sockets(const struct sock_fprog *prog, bool network)
{
        static const uint64_t hi[] = { 0, 1ull << 32, 0xffffffff00000000ull };

        for (uint64_t f = 0; f < 64; f++)
                for (size_t h = 0; h < ELEMENTSOF(hi); h++)
                        for (uint64_t pr = 0; pr < 24; pr++) {
                                uint64_t fam = f | hi[h];
                                uint32_t want = hi[h] ? ERRNO(EPERM) : socket_want(fam, pr, network);

                                if (run3(prog, SYS_socket, fam, SOCK_STREAM, pr) != want)
                                        fail_msg("socket(%#llx, _, %llu), network %d", (unsigned long long)fam,
                                                 (unsigned long long)pr, network);
                                want = fam == AF_UNIX ? ALLOW : ERRNO(EPERM);
                                if (run3(prog, SYS_socketpair, fam, SOCK_STREAM, pr) != want)
                                        fail_msg("socketpair(%#llx)", (unsigned long long)fam);
                        }
        assert_int_equal(run3(prog, SYS_socket, (uint64_t)-1, SOCK_STREAM, 0), ERRNO(EPERM));
        assert_int_equal(run3(prog, SYS_socket, AF_NETLINK, SOCK_RAW, 1ull << 32), ERRNO(EPROTONOSUPPORT));
}

static void check_clone(const struct sock_fprog *prog)
{
        const uint64_t ns = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                            CLONE_NEWPID | CLONE_NEWNET | 0x80 /* CLONE_NEWTIME */;

        for (int i = 0; i < 20000; i++) {
                uint64_t flags = rnd() & ~(i % 2 ? 0 : ns);

                if (run3(prog, SYS_clone, flags, 0, 0) != (flags & ns ? ERRNO(EPERM) : ALLOW))
                        fail_msg("clone(%#llx)", (unsigned long long)flags);
        }
        assert_int_equal(run3(prog, SYS_clone, 0x11 /* SIGCHLD */, 0, 0), ALLOW);
        assert_int_equal(run3(prog, SYS_clone, 0x3d0f00 /* glibc's pthread_create */, 0, 0), ALLOW);
}

static void check_default(unsigned flags)
{
        struct sock_fprog prog = { 0 };
        struct seccomp_data d = { .arch = AUDIT_ARCH_I386, .nr = SYS_getpid };
        uint32_t ret = 0;

        assert_int_equal(vb_seccomp_default_fprog(flags, &prog), 0);
        for (unsigned i = 0; i <= 32; i++)
                for (unsigned j = i; j <= 32; j++) {
                        uint32_t v = (i < 32 ? 1u << i : 0) | (j < 32 ? 1u << j : 0);

                        check_personality(&prog, v);
                        check_personality(&prog, ~v);
                        check_personality(&prog, (uint64_t)v << 32 | 8);
                        check_ioctl(&prog, v);
                        check_ioctl(&prog, (uint64_t)v << 32 | TIOCSTI);
                        check_ioctl(&prog, (uint64_t)v << 32 | TIOCLINUX);
                }
        for (int i = 0; i < 100000; i++) {
                uint64_t x = rnd();

                check_personality(&prog, i % 2 ? x : x >> 40);
                check_ioctl(&prog, i % 2 ? x : x >> 40);
        }
        check_sockets(&prog, flags & VB_SECCOMP_NETWORK);
        check_clone(&prog);
        assert_int_equal(run3(&prog, SYS_clock_adjtime, 0, 0, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_clock_adjtime, 11 /* CLOCK_TAI */, 0, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_kexec_file_load, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_io_uring_setup, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_openat, 0, 0, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_clone3, 0, 0, 0), ERRNO(ENOSYS));
        for (int nr = 451; nr < 1024; nr++) /* newer than the policy's names, or no syscall at all */
                assert_int_equal(run3(&prog, nr, 0, 0, 0), ERRNO(ENOSYS));
        /* another ABI: killed */
        assert_int_equal(vb_seccomp_run(&prog, &d, &ret), 0);
        assert_int_equal(ret, SECCOMP_RET_KILL_PROCESS);
#ifdef __x86_64__
        assert_int_equal(run3(&prog, 0x40000000 | SYS_getpid, 0, 0, 0), SECCOMP_RET_KILL_PROCESS);
#endif
        vb_seccomp_fprog_done(&prog);
}

static void test_default_meaning(void **state)
{
        check_default(0);
        check_default(VB_SECCOMP_NETWORK);
}

/* Every call number, through the program and through the policy's own meaning. */
static void test_default_every_number(void **state)
{
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(vb_seccomp_parse(vb_seccomp_default_policy(), "default", &p, &err), 0);
        for (unsigned flags = 0; flags <= VB_SECCOMP_NETWORK; flags++) {
                struct sock_fprog prog = { 0 };

                assert_int_equal(vb_seccomp_default_fprog(flags, &prog), 0);
                for (int nr = 0; nr < 1024; nr++)
                        for (int k = 0; k < 8; k++) {
                                struct seccomp_data d = { .nr = nr, .arch = seccomp_arch_native() };
                                uint32_t ret = 0;

                                for (int a = 0; a < 6 && k; a++)
                                        d.args[a] = k == 1 ? (uint64_t)-1 : rnd() >> (k * 7);
                                assert_int_equal(vb_seccomp_run(&prog, &d, &ret), 0);
                                if (ret != vb_seccomp_expect(&p, flags, &d))
                                        fail_msg("nr %d, args %#llx %#llx %#llx", nr, (unsigned long long)d.args[0],
                                                 (unsigned long long)d.args[1], (unsigned long long)d.args[2]);
                        }
                vb_seccomp_fprog_done(&prog);
        }
        vb_seccomp_policy_done(&p);
}

/* ---- the denied servers on top of the allow list ------------------------------ */

static void test_denied_servers(void **state)
{
        _cleanup_free_ char *text = NULL;
        struct sock_fprog prog;

        assert_true(asprintf(&text, "%s%s%s%s%s%s%s", vb_seccomp_default_policy(), vb_server_rules_net,
                             vb_server_rules_unix, vb_server_rules_auth, vb_server_rules_fs, vb_server_rules_ipc,
                             vb_server_rules_uts) > 0);
        prog = compile(text, 0);
        assert_int_equal(run3(&prog, SYS_socket, AF_INET, SOCK_STREAM, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_socket, AF_INET6, SOCK_DGRAM, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_socket, AF_PACKET, SOCK_RAW, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT), ERRNO(EPROTONOSUPPORT));
        assert_int_equal(run3(&prog, SYS_socket, AF_UNIX, SOCK_STREAM, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_socketpair, AF_UNIX, SOCK_STREAM, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_socket, AF_VSOCK, SOCK_STREAM, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_setuid, 0, 0, 0), ERRNO(EPERM));
        assert_int_equal(run3(&prog, SYS_openat, 0, 0, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_execve, 0, 0, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_execveat, 0, 0, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_shmget, 0, 0, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_sethostname, 0, 0, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_read, 0, 0, 0), ALLOW);
        assert_int_equal(run3(&prog, SYS_keyctl, 0, 0, 0), ERRNO(EPERM));
        vb_seccomp_fprog_done(&prog);

        /* on a deny list, or with seccomp off, the same text is plain rules */
        prog = compile(vb_server_rules_net, 0);
        assert_int_equal(run3(&prog, SYS_socket, AF_INET, SOCK_STREAM, 0), ERRNO(EACCES));
        assert_int_equal(run3(&prog, SYS_socket, AF_VSOCK, SOCK_STREAM, 0), ALLOW);
        vb_seccomp_fprog_done(&prog);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_in),
                cmocka_unit_test(test_override),
                cmocka_unit_test(test_otherwise_parse),
                cmocka_unit_test(test_otherwise_compiles),
                cmocka_unit_test(test_otherwise_check_refuses),
                cmocka_unit_test(test_cache),
                cmocka_unit_test(test_if_network),
                cmocka_unit_test(test_groups),
                cmocka_unit_test(test_run),
                cmocka_unit_test(test_default_meaning),
                cmocka_unit_test(test_default_every_number),
                cmocka_unit_test(test_denied_servers),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
