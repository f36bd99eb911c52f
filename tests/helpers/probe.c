/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * probe: a static test program that the integration tests run inside voids
 * to try one (often forbidden) thing and say what happened.
 *
 *   probe CMD [ARGS...]
 *
 * Every command prints one line: "ok" (plus details) and exits 0, or the
 * errno symbol ("ENOENT") and exits 1, or "usage" and exits 2.  Exceptions,
 * by design: `exit N` prints nothing and exits N; `kill-self` and a
 * successful `exec` or `copy-exec` print nothing (the process dies or is
 * replaced); `serve` prints "ok PORT" and then waits to be killed.
 * Arguments beyond those a command uses are ignored, so a test can add a
 * marker to find the process with pgrep -f.
 *
 * Self-contained on purpose: libc only, no project headers, linked -static,
 * so it runs in an empty root (built by `make build/tests/probe`).
 */
#include "probe.h"

/* ---- output ----------------------------------------------------------- */

int ok(void)
{
        puts("ok");
        return 0;
}

/* Print the errno symbol for e and return exit status 1. */
int fail_errno(int e)
{
        const char *name = strerrorname_np(e);

        if (name)
                puts(name);
        else
                printf("E%d\n", e);
        return 1;
}

int fail(void)
{
        return fail_errno(errno);
}

int usage(void)
{
        puts("usage");
        return 2;
}

/* ok, or the errno of a libc call that returned r < 0. */
int result(long r)
{
        return r < 0 ? fail() : ok();
}

/* Parse a whole decimal integer in [min, max]; false when s is not one. */
bool parse_long(const char *s, long min, long max, long *out)
{
        char *end = NULL;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return false;
        *out = v;
        return true;
}

int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmp_int(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;

        return (x > y) - (x < y);
}

/* ---- process ---------------------------------------------------------- */

int cmd_true(char **argv)
{
        return ok();
}

int cmd_exit(char **argv)
{
        long n;

        if (!parse_long(argv[0], 0, 255, &n))
                return usage();
        exit((int)n);
}

int cmd_kill_self(char **argv)
{
        sigset_t set;
        long sig;

        if (!parse_long(argv[0], 1, 64, &sig))
                return usage();
        signal((int)sig, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, (int)sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        if (raise((int)sig) != 0)
                return fail();
        return ok(); /* still alive: the signal's default action is to ignore it */
}

int cmd_exec(char **argv)
{
        fflush(stdout);
        execv(argv[0], argv);
        return fail();
}

int cmd_pid(char **argv)
{
        printf("ok %d %d\n", (int)getpid(), (int)getppid());
        return 0;
}

int cmd_uid(char **argv)
{
        printf("ok %u %u %u %u\n", (unsigned)getuid(), (unsigned)getgid(), (unsigned)geteuid(),
               (unsigned)getegid());
        return 0;
}

int cmd_caps(char **argv)
{
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {0};
        unsigned long long eff, perm, inh, bnd = 0, amb = 0;

        if (syscall(SYS_capget, &hdr, d) < 0)
                return fail();
        eff = d[0].effective | (unsigned long long)d[1].effective << 32;
        perm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
        inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
        /* Both prctls fail with EINVAL past the kernel's last capability. */
        for (int i = 0; i < 64; i++) {
                if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
                        bnd |= 1ULL << i;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) == 1)
                        amb |= 1ULL << i;
        }
        printf("ok %llx %llx %llx BND=%llx AMB=%llx\n", eff, perm, inh, bnd, amb);
        return 0;
}

int cmd_nnp(char **argv)
{
        int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);

        if (r < 0)
                return fail();
        printf("ok %d\n", r);
        return 0;
}

int cmd_seccomp(char **argv)
{
        char line[256];
        FILE *f = fopen("/proc/self/status", "re");
        int r;

        if (f) {
                while (fgets(line, sizeof(line), f)) {
                        if (strncmp(line, "Seccomp:", 8) == 0) {
                                fclose(f);
                                printf("ok %d\n", atoi(line + 8));
                                return 0;
                        }
                }
                fclose(f);
        }
        r = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
        if (r < 0)
                return fail();
        printf("ok %d\n", r);
        return 0;
}

int cmd_hostname(char **argv)
{
        char name[256] = {0};

        if (gethostname(name, sizeof(name) - 1) < 0)
                return fail();
        printf("ok %s\n", name);
        return 0;
}

int cmd_clock(char **argv)
{
        static const struct {
                const char *name;
                clockid_t id;
        } clocks[] = {{"boottime", CLOCK_BOOTTIME}, {"monotonic", CLOCK_MONOTONIC}, {"realtime", CLOCK_REALTIME}};
        struct timespec ts;

        for (size_t i = 0; i < ELEMENTSOF(clocks); i++) {
                if (strcmp(argv[0], clocks[i].name) != 0)
                        continue;
                if (clock_gettime(clocks[i].id, &ts) < 0)
                        return fail();
                printf("ok %lld\n", (long long)ts.tv_sec);
                return 0;
        }
        return usage();
}

int cmd_chdir_pwd(char **argv)
{
        char cwd[4096];

        if (!getcwd(cwd, sizeof(cwd)))
                return fail();
        printf("ok %s\n", cwd);
        return 0;
}

int cmd_env(char **argv)
{
        fputs("ok", stdout);
        for (char **e = environ; e && *e; e++)
                printf(" %s", *e);
        putchar('\n');
        return 0;
}

/* Open fds, from /proc/self/fd when mounted, else by probing 0..1023. */
int cmd_fds(char **argv)
{
        int fds[1024], n = 0, self = -1;
        struct dirent *de;
        DIR *d = opendir("/proc/self/fd");

        if (d) {
                self = dirfd(d);
                while ((de = readdir(d)) && n < (int)ELEMENTSOF(fds)) {
                        long fd;
                        if (parse_long(de->d_name, 0, 1 << 30, &fd) && fd != self)
                                fds[n++] = (int)fd;
                }
                closedir(d);
                qsort(fds, (size_t)n, sizeof(fds[0]), cmp_int);
        } else {
                for (int fd = 0; fd < 1024; fd++)
                        if (fcntl(fd, F_GETFD) >= 0)
                                fds[n++] = fd;
        }
        fputs("ok", stdout);
        for (int i = 0; i < n; i++)
                printf(" %d", fds[i]);
        putchar('\n');
        return 0;
}

static void sleep_seconds(long s)
{
        struct timespec ts = {.tv_sec = s, .tv_nsec = 0};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int cmd_sleep(char **argv)
{
        long s;

        if (!parse_long(argv[0], 0, 1L << 30, &s))
                return usage();
        sleep_seconds(s);
        return ok();
}

int cmd_wait_signal(char **argv)
{
        pause();
        return ok();
}

int cmd_fork_sleep(char **argv)
{
        long s;
        pid_t pid;

        if (!parse_long(argv[0], 0, 1L << 30, &s))
                return usage();
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return fail();
        if (pid == 0) {
                sleep_seconds(s);
                _exit(0);
        }
        sleep_seconds(s);
        waitpid(pid, NULL, 0);
        return ok();
}

/* Fork a child that sleeps S seconds, and exit at once without waiting for it. */
int cmd_orphan(char **argv)
{
        long s;
        pid_t pid;

        if (!parse_long(argv[0], 0, 1L << 30, &s))
                return usage();
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return fail();
        if (pid == 0) {
                sleep_seconds(s);
                _exit(0);
        }
        return ok();
}

/* Die of a real SIGSEGV (a fault, not a sent signal: even a pid namespace's init dies of it). */
int cmd_segv(char **argv)
{
        signal(SIGSEGV, SIG_DFL);
        *(volatile int *)0 = 1;
        return ok();
}

/* ---- dispatch --------------------------------------------------------- */

static const struct command {
        const char *name;
        int min_args;
        int (*fn)(char **argv);
} commands[] = {
        /* process */
        {"true", 0, cmd_true}, {"exit", 1, cmd_exit}, {"kill-self", 1, cmd_kill_self},
        {"exec", 1, cmd_exec}, {"pid", 0, cmd_pid}, {"uid", 0, cmd_uid}, {"caps", 0, cmd_caps},
        {"nnp", 0, cmd_nnp}, {"seccomp", 0, cmd_seccomp}, {"hostname", 0, cmd_hostname},
        {"clock", 1, cmd_clock}, {"fds", 0, cmd_fds}, {"env", 0, cmd_env}, {"chdir-pwd", 0, cmd_chdir_pwd},
        {"sleep", 1, cmd_sleep}, {"wait-signal", 0, cmd_wait_signal}, {"fork-sleep", 1, cmd_fork_sleep},
        {"orphan", 1, cmd_orphan}, {"segv", 0, cmd_segv},
        /* files and mounts */
        {"open", 1, cmd_open}, {"open-w", 1, cmd_open_w}, {"write", 1, cmd_write}, {"write-str", 2, cmd_write_str}, {"read", 1, cmd_read}, {"ls", 1, cmd_ls},
        {"stat", 1, cmd_stat}, {"mkdir", 1, cmd_mkdir}, {"mknod", 1, cmd_mknod}, {"umount", 1, cmd_umount},
        {"remount-rw", 1, cmd_remount_rw}, {"mount-tmpfs", 1, cmd_mount_tmpfs},
        {"mount-proc", 1, cmd_mount_proc}, {"umount-ls", 1, cmd_umount_ls}, {"fill", 2, cmd_fill},
        {"readn", 2, cmd_readn}, {"read-fd", 1, cmd_read_fd}, {"fdstat", 1, cmd_fdstat},
        {"open-many", 1, cmd_open_many}, {"copy-exec", 2, cmd_copy_exec}, {"mountpoints", 0, cmd_mountpoints},
        /* network */
        {"ifaces", 0, cmd_ifaces}, {"connect", 2, cmd_connect}, {"listen", 1, cmd_listen},
        {"socket", 1, cmd_socket}, {"socketpair", 1, cmd_socketpair}, {"serve", 0, cmd_serve},
        {"selfconnect", 0, cmd_selfconnect},
        {"addroute", 1, cmd_addroute}, {"userve", 1, cmd_userve}, {"uconnect", 1, cmd_uconnect},
        {"zombies", 1, cmd_zombies},
        /* other processes and kernel interfaces */
        {"ptrace", 1, cmd_ptrace}, {"signal", 2, cmd_signal}, {"keyctl", 0, cmd_keyctl},
        {"unshare", 1, cmd_unshare}, {"bpf", 0, cmd_bpf}, {"setns", 1, cmd_setns},
        {"ioctl-tiocsti", 0, cmd_ioctl_tiocsti}, {"getpid", 0, cmd_getpid}, {"clone3", 0, cmd_clone3},
        {"clone", 1, cmd_clone}, {"int80", 1, cmd_int80}, {"personality", 1, cmd_personality}, {"x32", 1, cmd_x32},
        {"syscall", 1, cmd_syscall}, {"io-uring", 0, cmd_io_uring},
        /* ways out (probe_esc.c) */
        {"term", 1, cmd_term}, {"unix-req", 2, cmd_unix_req}, {"unix-serve", 1, cmd_unix_serve},
        {"perf", 0, cmd_perf}, {"userfaultfd", 0, cmd_userfaultfd},
        {"no-landlock", 1, cmd_no_landlock}, {"writeat", 2, cmd_writeat},
        /* using up a resource (probe_limits.c) */
        {"forks", 1, cmd_forks}, {"forkbomb", 1, cmd_forkbomb}, {"memfill", 2, cmd_memfill}, {"spin", 1, cmd_spin},
        /* a program that keeps running: commands from stdin */
        {"repl", 0, cmd_repl}, {"readat", 2, cmd_readat},
};

static int dispatch(int argc, char **argv)
{
        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                if (strcmp(argv[1], commands[i].name) != 0)
                        continue;
                if (argc - 2 < commands[i].min_args)
                        return usage();
                return commands[i].fn(argv + 2);
        }
        return usage();
}

/*
 * Read commands from stdin, one per line ("read /inbox/docs/x"), and run each in a child,
 * one answer line each: a program that keeps running while the test changes its world.
 * "hold PATH" opens PATH here and keeps the fd ("ok N"), for a later "readat N NAME".
 */
int cmd_repl(char **argv)
{
        char line[4096];

        setvbuf(stdout, NULL, _IOLBF, 0);
        while (fgets(line, sizeof(line), stdin)) {
                char *args[10] = { "probe" }, *save = NULL;
                int argc = 1;
                pid_t pid;

                for (char *t = strtok_r(line, " \n", &save); t && argc < 9; t = strtok_r(NULL, " \n", &save))
                        args[argc++] = t;
                if (argc < 2)
                        continue;
                if (strcmp(args[1], "hold") == 0 && argc == 3) {
                        int fd = open(args[2], O_RDONLY | O_DIRECTORY);

                        if (fd < 0)
                                fail();
                        else
                                printf("ok %d\n", fd);
                        continue;
                }
                fflush(stdout);
                pid = fork();
                if (pid == 0)
                        exit(dispatch(argc, args));
                if (pid < 0 || waitpid(pid, NULL, 0) < 0)
                        fail();
        }
        return 0;
}

/* Read NAME relative to the inherited directory fd N (see repl's "hold"): "ok CONTENT" as `read`. */
int cmd_readat(char **argv)
{
        char buf[4096];
        long dfd;
        ssize_t n;
        int fd;

        if (!parse_long(argv[0], 0, 1 << 20, &dfd))
                return usage();
        fd = openat((int)dfd, argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return fail();
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0)
                return fail();
        close(fd);
        while (n > 0 && buf[n - 1] == '\n')
                n--;
        buf[n] = '\0';
        printf("ok %s\n", buf);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return usage();
        return dispatch(argc, argv);
}
