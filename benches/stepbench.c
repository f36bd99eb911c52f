/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stepbench: where a void's time goes, by ablation.  Each variant repeats
 * voidbuilder's child sequence (voidbuilder/core/child.c) with raw system calls up
 * to one more step than the one before, then exits; the difference between
 * two rows is what that step costs, its teardown at exit included.
 *
 *   ns         clone3 of all eight namespaces, setgroups/uid_map/gid_map
 *   +root      + MS_PRIVATE, a tmpfs by fsopen/fsmount, move_mount, read-only,
 *              pivot_root(".", "."), detach the old root (what a void always does)
 *   +proc      + a fresh procfs attached in the new root before the pivot
 *   +caps      + bounding set dropped cap by cap, ambient cleared, capset(0)
 *   +seccomp   + no_new_privs and voidshim's default seccomp filter (an allow list,
 *              libseccomp's binary tree, JIT-compiled on attach)
 *   +seccomp(deny list)  the same with the deny list it replaced (benches/deny-list.policy,
 *              a list of 194 instructions): issue 12's baseline
 *   +exec      + execveat() of the static PROBE by fd ("probe true"), which exits
 *   exec-noseccomp   +exec without the filter (what the filter costs at run time)
 *   exec(deny list)  +exec under the deny list
 *   +libs      + binds of /bin/true, its loader and libc (open_tree, mount_setattr,
 *              move_mount) and execve("/bin/true") instead of the probe
 *
 * Links nothing of voidshim's: this is the kernel's price list for the steps,
 * to be read next to voidshim's total.  Output: TSV like nsbench.
 *   stepbench [-n SPAWNS] [-r ROUNDS] [-p PROBE]
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define NS_ALL                                                                                                      \
        (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | \
         CLONE_NEWTIME)
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

enum level {
        L_NS,
        L_ROOT,
        L_PROC,
        L_CAPS,
        L_SECCOMP,
        L_SECCOMP_DENY,
        L_SECCOMP_TINY,
        L_EXEC,
        L_EXEC_NOSECCOMP,
        L_EXEC_DENY,
        L_LIBS,
        L_COUNT
};
static const char *const names[L_COUNT] = {
        "ns",    "+root",          "+proc",           "+caps", "+seccomp", "+seccomp(deny list)", "+seccomp(4 insns)",
        "+exec", "exec-noseccomp", "exec(deny list)", "+libs",
};

/* Host paths bound for +libs (as `voidshim run --libs /bin/true` would, give or take symlinks). */
static const char *const libs[] = { "/usr/bin/true", "/usr/lib64/ld-linux-x86-64.so.2",
                                    "/usr/lib/x86_64-linux-gnu/libc.so.6" };

static uid_t uid;
static gid_t gid;
static int probe_fd = -1, devnull = -1;
#ifdef VB_DEFAULT_BPF_INC
/* voidshim's own default filter, as compiled at build time (build/gen/default-bpf.inc). */
#include VB_DEFAULT_BPF_INC
#define FILTER_KIND "voidshim-default"
#else
#define FILTER_KIND "synthetic-linear"
#endif
#ifdef VB_DENY_BPF_INC
/* The deny list it replaced, as voidshim compiled it then (benches/build/deny-bpf.inc). */
#include VB_DENY_BPF_INC
#endif
static struct sock_filter filter[194];
static const struct sock_filter tiny[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
static struct sock_fprog fprog, fprog_deny, fprog_tiny = { ELEMENTSOF(tiny), (struct sock_filter *)tiny };

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Without the generated files: a synthetic linear list of 194 instructions, arch check, then
 * numbers nothing here calls (EPERM), then allow; it stands in for both filters.
 */
static void build_filters(void)
{
        size_t n = ELEMENTSOF(filter), i = 0, deny = n - 1;

        filter[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4); /* arch */
        filter[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
        filter[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
        filter[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0); /* nr */
        for (unsigned nr = 500; i < n - 2; nr++, i++)
                filter[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, (uint8_t)(deny - i - 1), 0);
        filter[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        filter[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
        fprog = (struct sock_fprog){ (unsigned short)n, filter };
        fprog_deny = fprog;
#ifdef VB_DEFAULT_BPF_INC
        fprog = (struct sock_fprog){ ELEMENTSOF(vb_default_bpf), (struct sock_filter *)vb_default_bpf };
#endif
#ifdef VB_DENY_BPF_INC
        fprog_deny = (struct sock_fprog){ ELEMENTSOF(vb_deny_bpf), (struct sock_filter *)vb_deny_bpf };
#endif
}

static int write_file(const char *path, const char *buf)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t len = (ssize_t)strlen(buf), w;

        if (fd < 0)
                return -1;
        w = write(fd, buf, (size_t)len);
        close(fd);
        return w == len ? 0 : -1;
}

#define CHECK(x)                     \
        do {                         \
                if ((x) < 0)         \
                        _exit(10 + __LINE__ % 100); \
        } while (0)

static int fs_new(const char *type, const char *k, const char *v, const char *k2, const char *v2)
{
        int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC), m;

        CHECK(fs);
        if (k)
                CHECK(syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, k, v, 0));
        if (k2)
                CHECK(syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, k2, v2, 0));
        CHECK(syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
        m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        CHECK(m);
        close(fs);
        return m;
}

static void attach_at(int mnt, int root, const char *dst, bool dir)
{
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s", dst + 1);
        for (char *p = path; (p = strchr(p, '/')); *p++ = '/') {
                *p = '\0';
                mkdirat(root, path, 0755);
        }
        if (dir)
                mkdirat(root, path, 0755);
        else
                close(openat(root, path, O_CREAT | O_WRONLY | O_CLOEXEC, 0444));
        fd = openat(root, path, O_PATH | O_CLOEXEC);
        CHECK(fd);
        CHECK(syscall(SYS_move_mount, mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
        close(fd);
}

static void bind_ro(int root, const char *src)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        int t = (int)syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

        CHECK(t);
        CHECK(syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)));
        attach_at(t, root, src, false);
        close(t);
}

static void make_root(enum level l)
{
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        int root;

        CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        root = fs_new("tmpfs", "size", "1m", "mode", "0755");
        CHECK(syscall(SYS_move_mount, root, "", AT_FDCWD, "/tmp", MOVE_MOUNT_F_EMPTY_PATH));
        if (l >= L_PROC) {
                int proc = fs_new("proc", NULL, NULL, NULL, NULL);

                attach_at(proc, root, "/proc", true);
                close(proc);
        }
        if (l == L_LIBS) {
                for (size_t i = 0; i < ELEMENTSOF(libs); i++)
                        bind_ro(root, libs[i]);
                CHECK(symlinkat("usr/bin", root, "bin"));
                CHECK(symlinkat("usr/lib", root, "lib"));
                CHECK(symlinkat("usr/lib64", root, "lib64"));
        }
        CHECK(syscall(SYS_mount_setattr, root, "", AT_EMPTY_PATH, &ro, sizeof(ro)));
        CHECK(fchdir(root));
        CHECK(syscall(SYS_pivot_root, ".", "."));
        CHECK(umount2(".", MNT_DETACH));
        CHECK(chdir("/"));
        close(root);
}

static void drop_caps(void)
{
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = { 0 };

        for (int c = 0; c <= CAP_LAST_CAP; c++)
                CHECK(prctl(PR_CAPBSET_DROP, c, 0, 0, 0));
        CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
        CHECK(syscall(SYS_capset, &h, d));
}

static _Noreturn void child(enum level l)
{
        char line[64];

        CHECK(write_file("/proc/self/setgroups", "deny"));
        snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)uid);
        CHECK(write_file("/proc/self/uid_map", line));
        snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)gid);
        CHECK(write_file("/proc/self/gid_map", line));
        if (l == L_NS)
                _exit(0);
        make_root(l);
        if (l == L_ROOT || l == L_PROC)
                _exit(0);
        drop_caps();
        if (l == L_CAPS)
                _exit(0);
        CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        if (l == L_SECCOMP_DENY || l == L_EXEC_DENY)
                CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog_deny));
        else if (l == L_SECCOMP_TINY)
                CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog_tiny));
        else if (l != L_EXEC_NOSECCOMP)
                CHECK(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog));
        if (l == L_SECCOMP || l == L_SECCOMP_DENY || l == L_SECCOMP_TINY)
                _exit(0);
        CHECK(dup2(devnull, 1));
        if (l == L_LIBS) {
                char *const argv[] = { "/bin/true", NULL }, *const envp[] = { NULL };

                execve("/bin/true", argv, envp);
        } else {
                char *const argv[] = { "probe", "true", NULL }, *const envp[] = { NULL };

                syscall(SYS_execveat, probe_fd, "", argv, envp, AT_EMPTY_PATH);
        }
        _exit(99);
}

struct sample {
        double *lat;
        size_t n;
        double cpu, wall;
        int bad;
};

static double rusage_s(void)
{
        struct rusage s, c;

        getrusage(RUSAGE_SELF, &s);
        getrusage(RUSAGE_CHILDREN, &c);
        return (double)(s.ru_utime.tv_sec + s.ru_stime.tv_sec + c.ru_utime.tv_sec + c.ru_stime.tv_sec) +
               (double)(s.ru_utime.tv_usec + s.ru_stime.tv_usec + c.ru_utime.tv_usec + c.ru_stime.tv_usec) * 1e-6;
}

static void spawn(enum level l, struct sample *s)
{
        struct clone_args a = { .flags = NS_ALL | CLONE_PIDFD, .exit_signal = SIGCHLD };
        int pidfd = -1;
        siginfo_t si;
        double t0 = now_s();
        pid_t pid;

        a.pidfd = (uint64_t)(uintptr_t)&pidfd;
        pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
        if (pid == 0)
                child(l);
        if (pid < 0) {
                s->bad = errno;
                return;
        }
        while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        close(pidfd);
        if (si.si_code != CLD_EXITED || si.si_status != 0) {
                s->bad = 1000 + si.si_status;
                return;
        }
        if (s->lat)
                s->lat[s->n++] = (now_s() - t0) * 1e6;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
        size_t n = 1000, rounds = 4;
        const char *probe = "../build/tests/probe";
        struct sample s[L_COUNT] = { 0 };
        struct passwd *pw;
        int opt;

        while ((opt = getopt(argc, argv, "n:r:p:")) != -1) {
                switch (opt) {
                case 'n': n = strtoul(optarg, NULL, 10); break;
                case 'r': rounds = strtoul(optarg, NULL, 10); break;
                case 'p': probe = optarg; break;
                default: fprintf(stderr, "usage: stepbench [-n SPAWNS] [-r ROUNDS] [-p PROBE]\n"); return 2;
                }
        }
        if (!n || !rounds || rounds > n)
                return 2;
        uid = geteuid();
        gid = getegid();
        pw = getpwuid(uid);
        probe_fd = open(probe, O_PATH | O_CLOEXEC);
        devnull = open("/dev/null", O_WRONLY); /* inherited by the children, on purpose */
        if (probe_fd < 0 || devnull < 0) {
                perror(probe);
                return 2;
        }
        build_filters();
        fprintf(stderr, "stepbench: filter %s, %u instructions; the deny list before it, %u\n", FILTER_KIND,
                fprog.len, fprog_deny.len);
        for (int l = 0; l < L_COUNT; l++) {
                struct sample w = { 0 };

                for (int k = 0; k < 30 && !w.bad; k++)
                        spawn((enum level)l, &w);
                s[l].bad = w.bad;
                s[l].lat = calloc(n + rounds, sizeof(double));
        }
        for (size_t r = 0; r < rounds; r++) {
                fprintf(stderr, "stepbench: round %zu/%zu\n", r + 1, rounds);
                for (int l = 0; l < L_COUNT; l++) {
                        double c0 = rusage_s(), w0 = now_s();
                        size_t count = n / rounds + (r < n % rounds);

                        for (size_t i = 0; i < count && !s[l].bad; i++)
                                spawn((enum level)l, &s[l]);
                        s[l].cpu += rusage_s() - c0;
                        s[l].wall += now_s() - w0;
                        usleep(100000);
                }
        }
        printf("who\tstep\tfilter\tn\tmedian_us\tp90_us\tmean_us\tcpu_us\tper_s\tstatus\n");
        for (int l = 0; l < L_COUNT; l++) {
                double sum = 0;

                printf("%s\t%s\t%s\t%zu\t", uid == 0 ? "root" : pw ? pw->pw_name : "user", names[l], FILTER_KIND, s[l].n);
                if (s[l].bad || !s[l].n) {
                        printf("-\t-\t-\t-\t-\tfailed:%d\n", s[l].bad);
                        continue;
                }
                qsort(s[l].lat, s[l].n, sizeof(double), cmp);
                for (size_t i = 0; i < s[l].n; i++)
                        sum += s[l].lat[i];
                printf("%.1f\t%.1f\t%.1f\t%.1f\t%.0f\tok\n", s[l].lat[s[l].n / 2], s[l].lat[s[l].n * 9 / 10],
                       sum / (double)s[l].n, s[l].cpu / (double)s[l].n * 1e6, (double)s[l].n / s[l].wall);
        }
        return 0;
}
