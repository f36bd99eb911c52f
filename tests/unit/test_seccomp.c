/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seccomp policies: the parser (valid policies, every diagnostic with its
 * line), the compiler, and the real proof: a forked child sets no_new_privs,
 * installs a compiled filter and tries the forbidden calls, sending each
 * result (0 or errno) to the parent over a CLOEXEC pipe.  A filter cannot be
 * removed, so nothing is ever installed in the test process itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cleanup.h"
#include "core/seccomp.h"
#include "need.h"
#include "voidbuilder.h"

/* ---- helpers ------------------------------------------------------------ */

/*
 * err->msg is "NAME:LINE: message" lines followed by error.c's
 * ": strerror(EINVAL)"; compare up to that suffix.
 */
static void assert_msg(const struct vb_error *err, const char *want)
{
        size_t n = strlen(want);

        assert_non_null(err);
        assert_non_null(err->msg);
        if (strncmp(err->msg, want, n) != 0 || (err->msg[n] != '\0' && err->msg[n] != ':'))
                fail_msg("message\n  got:  %s\n  want: %s", err->msg, want);
        assert_false(err->msg[n] == ':' && err->msg[n + 1] != ' ');
        /* no further "NAME:LINE:" line after the expected ones */
        assert_null(strchr(err->msg + n, '\n'));
}

static int parse(const char *text, struct vb_seccomp_policy *p, struct vb_error **err)
{
        return vb_seccomp_parse(text, "t", p, err);
}

/* ---- parsing valid policies --------------------------------------------- */

/* Rules 5 to 11 of test_parse_valid's policy. */
static void check_valid_rest(const struct vb_seccomp_rule *r)
{
        /* conditions are stored sorted by argument */
        assert_int_equal(r[5].action, SCMP_ACT_TRAP);
        assert_int_equal(r[5].n_cmp, 2);
        assert_int_equal(r[5].cmp[0].arg, 0);
        assert_int_equal(r[5].cmp[0].op, SCMP_CMP_NE);
        assert_int_equal(r[5].cmp[0].datum_a, AF_UNIX);
        assert_int_equal(r[5].cmp[1].arg, 1);
        assert_int_equal(r[5].cmp[1].op, SCMP_CMP_GE);
        assert_int_equal(r[5].cmp[1].datum_a, 3);

        assert_int_equal(r[6].action, SCMP_ACT_LOG);
        assert_int_equal(r[6].cmp[0].op, SCMP_CMP_LE);
        assert_int_equal(r[6].cmp[0].datum_a, 16);
        assert_int_equal(r[7].action, SCMP_ACT_KILL_THREAD);
        assert_int_equal(r[7].cmp[0].op, SCMP_CMP_GT);
        assert_int_equal(r[8].action, SCMP_ACT_ERRNO(EOPNOTSUPP));
        assert_int_equal(r[8].cmp[0].op, SCMP_CMP_LT);
        assert_int_equal(r[9].cmp[0].arg, 3);

#ifdef __x86_64__
        assert_true(r[10].syscall < 0); /* kept for describe, skipped by compile */
#endif
        assert_int_equal(r[10].line, 14);
        assert_int_equal(r[11].n_cmp, 2);
        assert_int_equal(r[11].cmp[1].arg, 5);
        assert_int_equal(r[11].cmp[1].datum_a, 0xff);
        assert_int_equal(r[11].line, 15);
}

static void test_parse_valid(void **state)
{
        static const char text[] = "# a comment\n"
                                   "\n"
                                   "   default kill     # the default\n"
                                   "getpid allow\n"
                                   "clone errno EPERM when arg0 & CLONE_NEWUSER == CLONE_NEWUSER\n"
                                   "ioctl errno 13 when arg1 & 0xffffffff == TIOCSTI\n"
                                   "personality allow when arg0 == 0\n"
                                   "personality allow when arg0==8\n"
                                   "socket trap when arg1 >= 3 and arg0 != AF_UNIX\n"
                                   "read log when arg2 <= 0x10\n"
                                   "write kill-thread when arg0 > 2\t\r\n"
                                   "openat errno ENOTSUP when arg2 < 1\n"
                                   "openat errno ENOTSUP when arg3 < 1\n"
                                   "optional vm86 errno EPERM\n"
                                   "sendto allow when arg0&1==1 and arg5 == 0xFF";
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;
        const struct vb_seccomp_rule *r;

        assert_int_equal(parse(text, &p, &err), 0);
        assert_null(err);
        assert_int_equal(p.default_action, SCMP_ACT_KILL_PROCESS);
        assert_int_equal(p.n_rules, 12);
        r = p.rules;

        assert_int_equal(r[0].syscall, SCMP_SYS(getpid));
        assert_int_equal(r[0].action, SCMP_ACT_ALLOW);
        assert_int_equal(r[0].n_cmp, 0);
        assert_int_equal(r[0].line, 4);

        assert_int_equal(r[1].syscall, SCMP_SYS(clone));
        assert_int_equal(r[1].action, SCMP_ACT_ERRNO(EPERM));
        assert_int_equal(r[1].n_cmp, 1);
        assert_int_equal(r[1].cmp[0].arg, 0);
        assert_int_equal(r[1].cmp[0].op, SCMP_CMP_MASKED_EQ);
        assert_int_equal(r[1].cmp[0].datum_a, CLONE_NEWUSER);
        assert_int_equal(r[1].cmp[0].datum_b, CLONE_NEWUSER);

        assert_int_equal(r[2].action, SCMP_ACT_ERRNO(13));
        assert_int_equal(r[2].cmp[0].arg, 1);
        assert_int_equal(r[2].cmp[0].datum_a, 0xffffffffu);
        assert_int_equal(r[2].cmp[0].datum_b, TIOCSTI);

        assert_int_equal(r[3].syscall, SCMP_SYS(personality));
        assert_int_equal(r[3].cmp[0].op, SCMP_CMP_EQ);
        assert_int_equal(r[3].cmp[0].datum_a, 0);
        assert_int_equal(r[4].cmp[0].datum_a, 8);
        assert_int_equal(r[4].line, 8);
        check_valid_rest(r);
        vb_seccomp_policy_done(&p);
        assert_null(p.rules);
        assert_int_equal(p.n_rules, 0);
        vb_seccomp_policy_done(NULL);
}


static void test_parse_trivial(void **state)
{
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(parse("", &p, &err), 0);
        assert_int_equal(p.default_action, SCMP_ACT_ALLOW);
        assert_int_equal(p.n_rules, 0);
        vb_seccomp_policy_done(&p);

        assert_int_equal(parse("# nothing\n\n\t\n", &p, &err), 0);
        assert_int_equal(p.n_rules, 0);
        vb_seccomp_policy_done(&p);

        assert_int_equal(parse("keyctl errno EPERM", &p, &err), 0); /* no final newline */
        assert_int_equal(p.default_action, SCMP_ACT_ALLOW);
        assert_int_equal(p.n_rules, 1);
        vb_seccomp_policy_done(&p);

        assert_int_equal(parse("default errno ENOSYS\r\ngetpid errno 0\r\n", &p, &err), 0);
        assert_int_equal(p.default_action, SCMP_ACT_ERRNO(ENOSYS));
        assert_int_equal(p.rules[0].action, SCMP_ACT_ERRNO(0));
        assert_int_equal(p.rules[0].line, 2);
        vb_seccomp_policy_done(&p);

        /* several rules for one syscall with the same action are fine */
        assert_int_equal(parse("clone errno EPERM\nclone errno EPERM when arg0 == 1\n", &p, &err), 0);
        vb_seccomp_policy_done(&p);
        assert_null(err);
}

/* ---- diagnostics -------------------------------------------------------- */

struct bad {
        const char *text;
        const char *want;
};

static const struct bad bad_policies[] = {
        { "kexec errno EPERM", "t:1: unknown syscall 'kexec'" },
        { "optional kexec errno EPERM", "t:1: unknown syscall 'kexec'" },
        { "keyctl deny", "t:1: unknown action 'deny' (expected allow, kill, kill-thread, errno, log or trap)" },
        { "keyctl", "t:1: missing action after 'keyctl'" },
        { "keyctl errno EFOO", "t:1: unknown errno 'EFOO'" },
        { "keyctl errno", "t:1: missing errno value after 'errno'" },
        { "keyctl errno 4096", "t:1: errno 4096 out of range (0 to 4095)" },
        { "keyctl errno EPERM now",
          "t:1: unexpected 'now' after the action (expected 'when', 'otherwise' or end of line)" },
        { "keyctl errno EPERM $", "t:1: unexpected character '$'" },
        { "\n# c\nclone errno EPERM when arg7 == 1", "t:3: unknown argument 'arg7' (expected arg0 to arg5)" },
        { "clone errno EPERM when flags == 1", "t:1: unknown argument 'flags' (expected arg0 to arg5)" },
        { "clone errno EPERM when arg0 & 0xff < 3", "t:1: a masked comparison must use '==' or 'in', not '<'" },
        { "clone errno EPERM when arg0 & 0xff == 0x100",
          "t:1: value 0x100 has bits outside the mask 0xff, so the condition never holds" },
        { "clone errno EPERM when arg0 &", "t:1: missing mask after '&'" },
        { "clone errno EPERM when arg0 ==", "t:1: missing value after '=='" },
        { "clone errno EPERM when arg0", "t:1: missing operator after 'arg0'" },
        { "clone errno EPERM when arg0 =< 1",
          "t:1: unknown operator '=<' (expected ==, !=, <, <=, >, >=, in or & MASK ==)" },
        { "clone errno EPERM when arg0 == FOO", "t:1: unknown value 'FOO'" },
        { "clone errno EPERM when arg0 == 0x10000000000000000",
          "t:1: value '0x10000000000000000' does not fit in 64 bits" },
        { "clone errno EPERM when", "t:1: missing condition after 'when'" },
        { "clone errno EPERM when arg0 == 1 and", "t:1: missing condition after 'and'" },
        { "clone errno EPERM when arg0 == 1 or arg1 == 2",
          "t:1: unexpected 'or' after a condition (expected 'and' or end of line)" },
        { "clone errno EPERM when arg0 == 1 and arg0 == 2",
          "t:1: arg0 is compared twice in one rule (libseccomp allows one comparison per argument)" },
        { "default allow\n\ndefault kill", "t:3: second 'default' line (the first is line 1)" },
        { "default", "t:1: missing action after 'default'" },
        { "default kill when arg0 == 1", "t:1: unexpected 'when' after the default action" },
        { "optional default allow", "t:1: 'optional' applies to a syscall, not to 'default'" },
        { "optional", "t:1: missing syscall after 'optional'" },
        { "== errno EPERM", "t:1: expected a syscall name, got '=='" },
        { "keyctl allow", "t:1: the rule's action (allow) is the default action, so it would do nothing" },
        { "getpid kill\ndefault kill", "t:1: the rule's action (kill) is the default action, so it would do nothing" },
        { "getpid errno EPERM\ngetpid kill when arg0 == 1",
          "t:2: conflicts with line 1: an unconditional rule overrides every rule for its syscall, so they must "
          "all have the same action" },
        { "getpid errno EPERM when arg0 == 1 and arg1 == 2\ngetpid kill when arg1 == 2 and arg0 == 1",
          "t:2: conflicts with line 1: same syscall and conditions, another action" },
#ifdef __x86_64__
        { "vm86 errno EPERM",
          "t:1: syscall 'vm86' does not exist on this architecture (write 'optional vm86' to skip it)" },
#endif
};

static void test_parse_invalid(void **state)
{
        for (size_t i = 0; i < ELEMENTSOF(bad_policies); i++) {
                struct vb_seccomp_policy p = { .n_rules = 77 };
                struct vb_error *err = NULL;

                print_message("# %s\n", bad_policies[i].want);
                assert_int_equal(parse(bad_policies[i].text, &p, &err), -EINVAL);
                assert_int_equal(err->errnum, EINVAL);
                assert_msg(err, bad_policies[i].want);
                assert_int_equal(p.n_rules, 77); /* out untouched on failure */
                vb_error_free(err);
        }
        assert_true(ELEMENTSOF(bad_policies) >= 12);
}

static void test_parse_collects_all(void **state)
{
        static const char text[] = "default allow\n"
                                   "kexec errno EPERM\n"
                                   "keyctl errno EPERM\n"
                                   "keyctl errno EWHAT   # bad\n"
                                   "bpf errno EPERM when arg9 == 1\n"
                                   "bpf errno EPERM\n";
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(parse(text, &p, &err), -EINVAL);
        assert_msg(err, "t:2: unknown syscall 'kexec'\n"
                        "t:4: unknown errno 'EWHAT'\n"
                        "t:5: unknown argument 'arg9' (expected arg0 to arg5)");
        err = vb_error_free(err);

        /* whole-file checks are merged in line order */
        assert_int_equal(parse("getpid kill\nkexec errno EPERM\ndefault kill\n", &p, &err), -EINVAL);
        assert_msg(err, "t:1: the rule's action (kill) is the default action, so it would do nothing\n"
                        "t:2: unknown syscall 'kexec'");
        err = vb_error_free(err);

        /* an existing error is kept: the first cause wins */
        assert_int_equal(vb_error_set(&err, EBADF, "earlier"), -EBADF);
        assert_int_equal(parse("kexec errno EPERM", &p, &err), -EINVAL);
        assert_int_equal(err->errnum, EBADF);
        vb_error_free(err);
        /* and no sink at all is fine */
        assert_int_equal(parse("kexec errno EPERM", &p, NULL), -EINVAL);
}

/* ---- the default policy ------------------------------------------------- */

/* The file next to the tests: from the repo root, or relative to build/tests/test_seccomp. */
static char *read_default_file(void)
{
        static const char rel[] = "specs/seccomp/default.policy";
        char exe[PATH_MAX], path[PATH_MAX + sizeof(rel)];
        _cleanup_close_ int fd = open(rel, O_RDONLY | O_CLOEXEC);
        char *buf = NULL, *slash;
        ssize_t n, len;
        struct stat st;

        if (fd < 0) {
                n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
                assert_true(n > 0);
                exe[n] = '\0';
                for (int up = 0; up < 3 && (slash = strrchr(exe, '/')); up++)
                        *slash = '\0'; /* drop test_seccomp, tests, build */
                snprintf(path, sizeof(path), "%s/%s", exe, rel);
                fd = open(path, O_RDONLY | O_CLOEXEC);
        }
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        buf = calloc(1, (size_t)st.st_size + 1);
        assert_non_null(buf);
        for (len = 0; len < st.st_size; len += n) {
                n = read(fd, buf + len, (size_t)(st.st_size - len));
                assert_true(n > 0);
        }
        return buf;
}

static void test_default_matches_file(void **state)
{
        _cleanup_free_ char *file = read_default_file();
        const char *text = vb_seccomp_default_policy();
        size_t i = 0;

        while (text[i] && text[i] == file[i])
                i++;
        if (text[i] != file[i])
                fail_msg("specs/seccomp/default.policy and default_policy[] differ at byte %zu:\n"
                         "  file: %.40s\n  code: %.40s", i, file + i, text + i);
}

static void test_default_compiles(void **state)
{
        struct sock_fprog prog = { 0 };
        struct vb_seccomp_policy p = { 0 };
        struct vb_error *err = NULL;

        assert_int_equal(vb_seccomp_parse(vb_seccomp_default_policy(), "default", &p, &err), 0);
        assert_int_equal(p.default_action, SCMP_ACT_ERRNO(ENOSYS));
        assert_true(p.n_rules > 300);
        vb_seccomp_policy_done(&p);

        assert_int_equal(vb_seccomp_compile(vb_seccomp_default_policy(), "default", 0, &prog, &err), 0);
        assert_null(err);
        assert_non_null(prog.filter);
        assert_true(prog.len > 10 && prog.len <= BPF_MAXINSNS);
        /* the program starts by loading seccomp_data.arch to check it */
        assert_int_equal(prog.filter[0].code, BPF_LD | BPF_W | BPF_ABS);
        assert_int_equal(prog.filter[0].k, offsetof(struct seccomp_data, arch));
        vb_seccomp_fprog_done(&prog);
        assert_null(prog.filter);
        assert_int_equal(prog.len, 0);
        vb_seccomp_fprog_done(NULL);
}

static void test_compile_errors(void **state)
{
        struct sock_fprog prog = { .len = 3 };
        struct vb_error *err = NULL;

        assert_int_equal(vb_seccomp_compile("keyctl errno EPERM\nfoo kill\nbar kill\n", "p.policy", 0, &prog, &err),
                         -EINVAL);
        assert_msg(err, "p.policy:2: unknown syscall 'foo'\np.policy:3: unknown syscall 'bar'");
        assert_int_equal(prog.len, 3);
        assert_null(prog.filter);
        vb_error_free(err);

        assert_int_equal(vb_seccomp_install(NULL), -EINVAL);
        prog = (struct sock_fprog){ 0 };
        assert_int_equal(vb_seccomp_install(&prog), -EINVAL);
}

static void test_describe(void **state)
{
        _cleanup_free_ char *d = vb_seccomp_describe(vb_seccomp_default_policy(), "default.policy");
        _cleanup_free_ char *bad = vb_seccomp_describe("x kill\n", "mine");
        _cleanup_free_ char *small = vb_seccomp_describe("default errno EACCES\ngetpid allow\n"
                                                         "socket trap when arg1 >= 3 and arg0 != AF_UNIX\n",
                                                         "s");

        assert_non_null(d);
        assert_non_null(strstr(d, "  default action: errno ENOSYS ("));
        assert_non_null(strstr(d, ": keyctl -> errno EPERM\n"));
        assert_non_null(strstr(d, ": openat -> allow\n"));
        assert_non_null(strstr(d, ": ioctl -> allow otherwise\n"));
        assert_non_null(strstr(d, ": socket -> allow when arg0 == 0x11 (if network)\n"));
        assert_non_null(strstr(d, ": clone -> errno EPERM when arg0 & 0x10000000 == 0x10000000\n"));
        assert_non_null(strstr(d, ": ioctl -> errno EPERM when arg1 & 0xffffffff == 0x5412\n"));
#ifdef __x86_64__
        assert_non_null(strstr(d, ": vm86 -> skipped, not a syscall on this architecture\n"));
#endif
        assert_string_equal(small, "  default action: errno EACCES (2 rules)\n"
                                   "  s:2: getpid -> allow\n"
                                   "  s:3: socket -> trap when arg0 != 1 and arg1 >= 3\n");
        assert_string_equal(bad, "  invalid policy:\nmine:1: unknown syscall 'x'\n");
}

/* ---- in a child: the filter against the kernel --------------------------- */

#define ERR(expr) ((expr) < 0 ? errno : 0)

typedef int (*probe_fn)(void);

struct probe {
        const char *name;
        probe_fn fn;
        int want; /* 0: must succeed; otherwise the errno */
};

/* Raw clone, so that glibc does not swap in clone3 or check the flags. */
static int raw_clone(unsigned long flags)
{
        long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
        int status;

        if (pid == 0)
                _exit(7);
        if (pid < 0)
                return errno;
        if (waitpid((pid_t)pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
                return EIO;
        return 0;
}

static int p_keyctl(void) { return ERR(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -2, 0)); }
/* The process keyring (-2): if the filter failed, the key dies with the child. */
static int p_add_key(void) { return ERR(syscall(SYS_add_key, "user", "vb", "x", 1, -2)); }
static int p_unshare(void) { return ERR(unshare(CLONE_NEWUSER)); }
static int p_setns(void) { return ERR(setns(-1, 0)); }
static int p_clone_user(void) { return raw_clone(CLONE_NEWUSER); }
static int p_clone_net(void) { return raw_clone(CLONE_NEWNET); }
static int p_clone_ns(void) { return raw_clone(CLONE_NEWNS | CLONE_NEWPID); }
static int p_clone_cgroup(void) { return raw_clone(CLONE_NEWCGROUP); }
static int p_clone_uts(void) { return raw_clone(CLONE_NEWUTS); }
static int p_clone_ipc(void) { return raw_clone(CLONE_NEWIPC); }
static int p_fork(void) { return raw_clone(0); }
static int p_clone3(void)
{
        uint64_t args[8] = { [4] = SIGCHLD }; /* struct clone_args, CLONE_ARGS_SIZE_VER0 */
        long pid = syscall(SYS_clone3, args, sizeof(args));

        if (pid == 0)
                _exit(0);
        return pid < 0 ? errno : 0;
}
/* fd -1, not 0: unfiltered (the control run), TIOCSTI on a terminal would type into it. */
static int p_tiocsti(void) { char c = 'x'; return ERR(syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI, &c)); }
static int p_tiocsti_hi(void) { char c = 'x'; return ERR(syscall(SYS_ioctl, -1, 0x100005412ul, &c)); }
static int p_tioclinux(void) { char c = 0; return ERR(syscall(SYS_ioctl, -1, (unsigned long)TIOCLINUX, &c)); }
static int p_fionread(void)
{
        int fds[2], n = -1, r;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return errno;
        r = ERR(ioctl(fds[0], FIONREAD, &n));
        close(fds[0]);
        close(fds[1]);
        return r ? r : n == 0 ? 0 : EIO;
}
static int p_mount(void) { return ERR(mount(NULL, "/nonexistent-vb", NULL, MS_REMOUNT, NULL)); }
static int p_umount(void) { return ERR(umount2("/nonexistent-vb", 0)); }
static int p_chroot(void) { return ERR(chroot("/nonexistent-vb")); }
static int p_bpf(void) { return ERR(syscall(SYS_bpf, 0, NULL, 0)); }
static int p_ptrace(void) { return ERR(ptrace(PTRACE_TRACEME, 0, NULL, NULL)); }
static int p_perf(void) { return ERR(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)); }
static int p_userfaultfd(void) { return ERR(syscall(SYS_userfaultfd, 0)); }
static int p_io_uring(void) { return ERR(syscall(SYS_io_uring_setup, 1, NULL)); }
static int p_open_by_handle(void) { return ERR(syscall(SYS_open_by_handle_at, -1, NULL, 0)); }
static int p_settimeofday(void) { return ERR(syscall(SYS_settimeofday, NULL, NULL)); }
static int p_clock_settime(void) { return ERR(syscall(SYS_clock_settime, -1, NULL)); }
/* glibc's adjtimex() is clock_adjtime(CLOCK_REALTIME): reading must work. */
static int p_adjtimex(void) { struct timex tx = { .modes = 0 }; return ERR(adjtimex(&tx)); }
static int p_clock_adjtime(void) { struct timex tx = { .modes = 0 }; return ERR(clock_adjtime(CLOCK_TAI, &tx)); }
static int p_syslog(void) { return ERR(syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0)); }
static int p_per_bsd(void) { return ERR(personality(PER_BSD)); }
static int p_per_norandom(void) { return ERR(personality(ADDR_NO_RANDOMIZE)); }
static int p_per_hi(void) { return ERR(syscall(SYS_personality, 0x100000006ul)); }
static int p_per_query(void) { return ERR(personality(0xffffffff)); }
static int p_per_linux32(void)
{
        int r = ERR(personality(PER_LINUX32));

        return r ? r : ERR(personality(PER_LINUX));
}
static int p_per_hi_zero(void) { return ERR(syscall(SYS_personality, 0x100000000ul)); }
static int p_getpid(void) { return syscall(SYS_getpid) == getpid() ? 0 : EIO; }
static int p_getppid(void) { return ERR(syscall(SYS_getppid)); }
static int p_getuid(void) { return ERR(syscall(SYS_getuid)); }
/* A socket of family f (type t, protocol pr), closed again: 0 or the errno. */
static int sock(int f, int t, int pr)
{
        int fd = socket(f, t | SOCK_CLOEXEC, pr);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}
static int p_vsock(void) { return sock(AF_VSOCK, SOCK_STREAM, 0); }
static int p_packet(void) { return sock(AF_PACKET, SOCK_RAW, 0); }
static int p_bluetooth(void) { return sock(AF_BLUETOOTH, SOCK_RAW, 0); }
static int p_netlink_route(void) { return sock(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE); }
static int p_netlink_audit(void) { return sock(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT); }
static int p_socketpair_inet(void)
{
        int sv[2];

        if (socketpair(AF_INET, SOCK_STREAM, 0, sv) < 0)
                return errno;
        close(sv[0]);
        close(sv[1]);
        return 0;
}
/* Known to the kernel and refused by name. */
static int p_kexec_file_load(void) { return ERR(syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0)); }
/* cachestat(2) (Linux 6.5, nr 451 on x86-64 and the generic table): newer than the policy's names. */
static int p_unnamed(void) { return ERR(syscall(451, -1, NULL, NULL, 0)); }
static int p_socket_inet_dgram(void)
{
        int fd = socket(AF_INET, SOCK_DGRAM, 0);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}
static int p_socket_inet_stream(void)
{
        int fd = socket(AF_INET, SOCK_STREAM, 0);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}
static int p_socket_unix_dgram(void)
{
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

#define P(fn, want) { #fn, fn, want }

static const struct probe default_probes[] = {
        P(p_keyctl, EPERM),        P(p_add_key, EPERM),        P(p_setns, EPERM),
        P(p_clone_user, EPERM),    P(p_clone_net, EPERM),      P(p_clone_ns, EPERM),
        P(p_clone_cgroup, EPERM),  P(p_clone_uts, EPERM),      P(p_clone_ipc, EPERM),
        P(p_clone3, ENOSYS),       P(p_tiocsti, EPERM),        P(p_tiocsti_hi, EPERM),
        P(p_tioclinux, EPERM),     P(p_mount, EPERM),          P(p_umount, EPERM),
        P(p_chroot, EPERM),        P(p_bpf, EPERM),            P(p_ptrace, EPERM),
        P(p_perf, EPERM),          P(p_userfaultfd, EPERM),    P(p_io_uring, EPERM),
        P(p_open_by_handle, EPERM), P(p_settimeofday, EPERM),  P(p_clock_settime, EPERM),
        P(p_clock_adjtime, EPERM), P(p_syslog, EPERM),         P(p_per_bsd, EPERM),
        P(p_per_norandom, EPERM),  P(p_per_hi, EPERM),          P(p_vsock, EPERM),
        P(p_packet, EPERM),        P(p_bluetooth, EPERM),      P(p_netlink_audit, EPROTONOSUPPORT),
        P(p_socketpair_inet, EPERM), P(p_kexec_file_load, EPERM), P(p_unnamed, ENOSYS),
        /* what must keep working */
        P(p_getpid, 0),            P(p_fork, 0),               P(p_fionread, 0),
        P(p_per_query, 0),         P(p_per_linux32, 0),        P(p_per_hi_zero, 0),
        P(p_adjtimex, 0),          P(p_socket_inet_dgram, 0),  P(p_netlink_route, 0),
        /* last: unfiltered (the control run), it would leave the child without privileges */
        P(p_unshare, EPERM),
};

static const struct probe action_probes[] = { P(p_getpid, 0), P(p_getppid, EACCES), P(p_getuid, EACCES) };

static const struct probe cond_probes[] = {
        P(p_socket_inet_dgram, EAFNOSUPPORT), P(p_socket_inet_stream, 0), P(p_socket_unix_dgram, 0),
        P(p_getuid, 1234),                    P(p_getpid, 0),
};

#ifdef __x86_64__
static int p_int80_getpid(void);
static int p_x32_getpid(void);
#endif

/* Probes used only by the kill tests; listed so that the child can find them by name. */
static const struct probe kill_probes[] = {
        P(p_getppid, 0),
#ifdef __x86_64__
        P(p_int80_getpid, 0), P(p_x32_getpid, 0),
#endif
};

static probe_fn find_probe(const char *name)
{
        static const struct {
                const struct probe *v;
                size_t n;
        } tables[] = {
                { default_probes, ELEMENTSOF(default_probes) },
                { action_probes, ELEMENTSOF(action_probes) },
                { cond_probes, ELEMENTSOF(cond_probes) },
                { kill_probes, ELEMENTSOF(kill_probes) },
        };

        for (size_t t = 0; t < ELEMENTSOF(tables); t++)
                for (size_t i = 0; i < tables[t].n; i++)
                        if (strcmp(tables[t].v[i].name, name) == 0)
                                return tables[t].v[i].fn;
        return NULL;
}

/*
 * The child, after fork and a re-exec of this binary (so that it runs
 * natively even under valgrind, whose forked children would emulate
 * seccomp(2) away): argv is "--seccomp-child BPF_FD RESULT_FD PROBE...".
 * It reads the program compiled by the parent into static memory, sets
 * no_new_privs, installs it with vb_seccomp_install() (BPF_FD -1: no filter,
 * for the control run), then writes the install result and one int per
 * probe (0 or errno) to RESULT_FD.
 */
static int seccomp_child(int argc, char **argv)
{
        static struct sock_filter insns[BPF_MAXINSNS];
        struct sock_fprog prog = { .filter = insns };
        int bpf_fd = atoi(argv[2]), out = atoi(argv[3]), r = 0;
        ssize_t n;

        if (bpf_fd >= 0) {
                n = pread(bpf_fd, insns, sizeof(insns), 0);
                if (n <= 0 || n % (ssize_t)sizeof(insns[0]) != 0)
                        _exit(120);
                prog.len = (unsigned short)(n / (ssize_t)sizeof(insns[0]));
        }
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(121);
        if (bpf_fd >= 0)
                r = vb_seccomp_install(&prog);
        if (write(out, &r, sizeof(r)) != sizeof(r) || r < 0)
                _exit(122);
        for (int i = 4; i < argc; i++) {
                probe_fn fn = find_probe(argv[i]);

                if (!fn)
                        _exit(123);
                r = fn();
                if (write(out, &r, sizeof(r)) != sizeof(r))
                        _exit(124);
        }
        _exit(0);
}

/* The compiled program in a memfd for the child; -1 for none. */
static int bpf_memfd(const struct sock_fprog *prog)
{
        size_t size;
        int fd;

        if (!prog)
                return -1;
        size = prog->len * sizeof(prog->filter[0]);
        fd = memfd_create("test-seccomp-bpf", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, prog->filter, size), (ssize_t)size);
        return fd;
}

/*
 * Run the probes in a child under prog (none if NULL); results[i] gets probe
 * i's result.  With results NULL, the probes are expected to end the child
 * before reporting.  Returns the child's wait status.
 */
static int run_child(const struct sock_fprog *prog, const struct probe *probes, size_t n, int *results)
{
        _cleanup_close_ int bpf = bpf_memfd(prog);
        char bpf_arg[16], out_arg[16], *argv[64 + 5], exe[PATH_MAX];
        int fds[2], status, install = -1;
        ssize_t len;
        pid_t pid;

        assert_true(n <= 64);
        /* readlink, not execv("/proc/self/exe"): under valgrind that link is valgrind's tool */
        len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        assert_true(len > 0);
        exe[len] = '\0';
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        snprintf(bpf_arg, sizeof(bpf_arg), "%d", bpf < 0 ? -1 : 100);
        snprintf(out_arg, sizeof(out_arg), "%d", 101);
        argv[0] = (char *)"test_seccomp";
        argv[1] = (char *)"--seccomp-child";
        argv[2] = bpf_arg;
        argv[3] = out_arg;
        for (size_t i = 0; i < n; i++)
                argv[4 + i] = (char *)probes[i].name;
        argv[4 + n] = NULL;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* dup2() leaves the copies without FD_CLOEXEC, so they survive the exec */
                if ((bpf >= 0 && dup2(bpf, 100) < 0) || dup2(fds[1], 101) < 0)
                        _exit(125);
                execv(exe, argv);
                _exit(126);
        }
        close(fds[1]);
        if (read(fds[0], &install, sizeof(install)) == sizeof(install))
                assert_int_equal(install, 0);
        for (size_t i = 0; results && i < n; i++)
                assert_int_equal(read(fds[0], &results[i], sizeof(int)), sizeof(int));
        /* Drain to EOF: a child that survives its probes still writes their results, and
         * closing the pipe under it would kill it with SIGPIPE (a flaky "not exited"). */
        for (int scratch; read(fds[0], &scratch, sizeof(scratch)) > 0;)
                ;
        close(fds[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!results)
                assert_int_equal(install, 0);
        return status;
}

static void check_probes(const char *policy, const struct probe *probes, size_t n)
{
        struct sock_fprog prog = { 0 };
        struct vb_error *err = NULL;
        int results[64], bad = 0, status;

        assert_true(n <= ELEMENTSOF(results));
        assert_int_equal(vb_seccomp_compile(policy, "probe", 0, &prog, &err), 0);
        status = run_child(&prog, probes, n, results);
        vb_seccomp_fprog_done(&prog);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        for (size_t i = 0; i < n; i++) {
                if (results[i] == probes[i].want)
                        continue;
                print_error("%s: got %s, want %s\n", probes[i].name, results[i] ? strerror(results[i]) : "success",
                            probes[i].want ? strerror(probes[i].want) : "success");
                bad++;
        }
        assert_int_equal(bad, 0);
}

static void test_kernel_default_policy(void **state)
{
        check_probes(vb_seccomp_default_policy(), default_probes, ELEMENTSOF(default_probes));
}

/* True when this process runs as root and under no seccomp filter of its own. */
static bool root_without_filter(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];

        if (geteuid() != 0 || !f)
                return false;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "Seccomp:", 8) == 0)
                        return strtol(line + 8, NULL, 10) == 0;
        return false;
}

/*
 * Control: without a filter, no denied probe fails the way the filter makes
 * it fail, so the results above come from the filter.  ptrace(TRACEME) is
 * left out: a child traced by cmocka would stop at its first signal.  Only
 * meaningful as root and outside another filter: otherwise the kernel (or
 * that filter) already refuses mount, chroot, bpf, ... with EPERM.
 */
static void test_kernel_control(void **state)
{
        struct probe probes[ELEMENTSOF(default_probes)];
        int results[ELEMENTSOF(default_probes)], bad = 0, status;
        size_t n = 0;

        NEED(root_without_filter(), "root without a seccomp filter of its own (or the kernel refuses anyway)");

        for (size_t i = 0; i < ELEMENTSOF(default_probes); i++)
                if (default_probes[i].fn != p_ptrace)
                        probes[n++] = default_probes[i];
        status = run_child(NULL, probes, n, results);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        for (size_t i = 0; i < n; i++)
                if (probes[i].want && results[i] == probes[i].want) {
                        print_error("%s: %s even without a filter\n", probes[i].name, strerror(results[i]));
                        bad++;
                }
        assert_int_equal(bad, 0);
}

/*
 * The default action applies to everything not named.  The child must still
 * report and exit (write, exit_group), and a sanitizer runtime in it needs
 * memory, signal and thread calls, so those are allowed too.
 */
static void test_kernel_default_action(void **state)
{
        check_probes("default errno EACCES\n"
                     "write allow\nexit_group allow\nexit allow\ngetpid allow\ngettid allow\n"
                     "read allow\nopenat allow\nclose allow\nfstat allow\nnewfstatat allow\nreadlink allow\n"
                     "mmap allow\nmunmap allow\nmprotect allow\nmadvise allow\nbrk allow\n"
                     "rt_sigaction allow\nrt_sigprocmask allow\nrt_sigreturn allow\nsigaltstack allow\n"
                     "futex allow\nsched_yield allow\nprctl allow\ntgkill allow\n",
                     action_probes, ELEMENTSOF(action_probes));
}

static void test_kernel_conditions(void **state)
{
        check_probes("socket errno EAFNOSUPPORT when arg0 == AF_INET and arg1 == 2\n"
                     "getuid errno 1234\n"
                     "getpid log\n",
                     cond_probes, ELEMENTSOF(cond_probes));
}

/* Returns the wait status of a child that installs policy and calls the probe named name. */
static int killed_by(const char *policy, const char *name)
{
        struct probe probe = { name, NULL, 0 };
        struct sock_fprog prog = { 0 };
        struct vb_error *err = NULL;
        int status;

        assert_int_equal(vb_seccomp_compile(policy, "kill", 0, &prog, &err), 0);
        status = run_child(&prog, &probe, 1, NULL);
        vb_seccomp_fprog_done(&prog);
        return status;
}

static void assert_sigsys(int status)
{
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
                fail_msg("child not killed by SIGSYS: wait status %#x", (unsigned)status);
}

static void test_kernel_kill_actions(void **state)
{
        int status;

        assert_sigsys(killed_by("getppid kill\n", "p_getppid"));
        assert_sigsys(killed_by("getppid trap\n", "p_getppid")); /* SIGSYS, not handled: fatal */
        status = killed_by("getppid kill\n", "p_getpid");
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

#ifdef __x86_64__
/* getpid through the i386 entry point: nr 20 in eax, int $0x80. */
static int p_int80_getpid(void)
{
        long ret = 20;

        __asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
        return ret == getpid() ? 0 : EIO;
}

/* getpid with the x32 bit set. */
static int p_x32_getpid(void)
{
        return ERR(syscall(0x40000000 | SYS_getpid));
}

static void test_kernel_other_abis_killed(void **state)
{
        struct probe probe = { "p_int80_getpid", NULL, 0 };
        int result = -1, status;

        /* Control: without a filter, int $0x80 works unless the kernel lacks ia32 emulation. */
        status = run_child(NULL, &probe, 1, &result);
        NEED(WIFEXITED(status) && WEXITSTATUS(status) == 0 && result == 0, "ia32 emulation (int $0x80)");

        assert_sigsys(killed_by(vb_seccomp_default_policy(), "p_int80_getpid"));
        assert_sigsys(killed_by(vb_seccomp_default_policy(), "p_x32_getpid"));
}
#endif

/*
 * libseccomp asks the kernel which actions it supports; valgrind does not
 * know seccomp(2) and answers ENOSYS, after which KILL_PROCESS and LOG look
 * unsupported.  Under valgrind, state the level of the real kernel (the
 * children, which install the filters, run natively).
 */
static void fix_api_level_under_valgrind(void)
{
        const char *preload = getenv("LD_PRELOAD");

        if (preload && strstr(preload, "vgpreload") && seccomp_api_get() < 3)
                assert_int_equal(seccomp_api_set(3), 0);
}

int main(int argc, char **argv)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_valid),
                cmocka_unit_test(test_parse_trivial),
                cmocka_unit_test(test_parse_invalid),
                cmocka_unit_test(test_parse_collects_all),
                cmocka_unit_test(test_default_matches_file),
                cmocka_unit_test(test_default_compiles),
                cmocka_unit_test(test_compile_errors),
                cmocka_unit_test(test_describe),
                cmocka_unit_test(test_kernel_default_policy),
                cmocka_unit_test(test_kernel_control),
                cmocka_unit_test(test_kernel_default_action),
                cmocka_unit_test(test_kernel_conditions),
                cmocka_unit_test(test_kernel_kill_actions),
#ifdef __x86_64__
                cmocka_unit_test(test_kernel_other_abis_killed),
#endif
        };

        if (argc >= 4 && strcmp(argv[1], "--seccomp-child") == 0)
                return seccomp_child(argc, argv);
        fix_api_level_under_valgrind();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
