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
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

extern char **environ;

/* Every command has the dispatch table's signature; many ignore their arguments. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- output ----------------------------------------------------------- */

static int ok(void)
{
        puts("ok");
        return 0;
}

/* Print the errno symbol for e and return exit status 1. */
static int fail_errno(int e)
{
        const char *name = strerrorname_np(e);

        if (name)
                puts(name);
        else
                printf("E%d\n", e);
        return 1;
}

static int fail(void)
{
        return fail_errno(errno);
}

static int usage(void)
{
        puts("usage");
        return 2;
}

/* ok, or the errno of a libc call that returned r < 0. */
static int result(long r)
{
        return r < 0 ? fail() : ok();
}

/* Parse a whole decimal integer in [min, max]; false when s is not one. */
static bool parse_long(const char *s, long min, long max, long *out)
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

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_int(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;

        return (x > y) - (x < y);
}

/* ---- process ---------------------------------------------------------- */

static int cmd_true(char **argv)
{
        return ok();
}

static int cmd_exit(char **argv)
{
        long n;

        if (!parse_long(argv[0], 0, 255, &n))
                return usage();
        exit((int)n);
}

static int cmd_kill_self(char **argv)
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

static int cmd_exec(char **argv)
{
        fflush(stdout);
        execv(argv[0], argv);
        return fail();
}

static int cmd_pid(char **argv)
{
        printf("ok %d %d\n", (int)getpid(), (int)getppid());
        return 0;
}

static int cmd_uid(char **argv)
{
        printf("ok %u %u %u %u\n", (unsigned)getuid(), (unsigned)getgid(), (unsigned)geteuid(),
               (unsigned)getegid());
        return 0;
}

static int cmd_caps(char **argv)
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

static int cmd_nnp(char **argv)
{
        int r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);

        if (r < 0)
                return fail();
        printf("ok %d\n", r);
        return 0;
}

static int cmd_seccomp(char **argv)
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

static int cmd_hostname(char **argv)
{
        char name[256] = {0};

        if (gethostname(name, sizeof(name) - 1) < 0)
                return fail();
        printf("ok %s\n", name);
        return 0;
}

static int cmd_clock(char **argv)
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

static int cmd_chdir_pwd(char **argv)
{
        char cwd[4096];

        if (!getcwd(cwd, sizeof(cwd)))
                return fail();
        printf("ok %s\n", cwd);
        return 0;
}

static int cmd_env(char **argv)
{
        fputs("ok", stdout);
        for (char **e = environ; e && *e; e++)
                printf(" %s", *e);
        putchar('\n');
        return 0;
}

/* Open fds, from /proc/self/fd when mounted, else by probing 0..1023. */
static int cmd_fds(char **argv)
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

static int cmd_sleep(char **argv)
{
        long s;

        if (!parse_long(argv[0], 0, 1L << 30, &s))
                return usage();
        sleep_seconds(s);
        return ok();
}

static int cmd_wait_signal(char **argv)
{
        pause();
        return ok();
}

static int cmd_fork_sleep(char **argv)
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
static int cmd_orphan(char **argv)
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
static int cmd_segv(char **argv)
{
        signal(SIGSEGV, SIG_DFL);
        *(volatile int *)0 = 1;
        return ok();
}

/* ---- files and mounts ------------------------------------------------- */

static int cmd_open(char **argv)
{
        int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return fail();
        close(fd);
        return ok();
}

static int cmd_write(char **argv)
{
        int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                return fail();
        if (write(fd, "probe\n", 6) != 6) {
                int e = errno ? errno : EIO;
                close(fd);
                return fail_errno(e);
        }
        if (close(fd) < 0)
                return fail();
        return ok();
}

/* Write STRING and a newline to the existing file PATH (no O_CREAT: for /proc/sys and devices). */
static int cmd_write_str(char **argv)
{
        size_t len = strlen(argv[1]);
        char buf[4096];
        int fd;

        if (len + 1 > sizeof(buf))
                return usage();
        memcpy(buf, argv[1], len);
        buf[len++] = '\n';
        fd = open(argv[0], O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return fail();
        if (write(fd, buf, len) != (ssize_t)len) {
                int e = errno ? errno : EIO;
                close(fd);
                return fail_errno(e);
        }
        if (close(fd) < 0)
                return fail();
        return ok();
}

/* Print the file's first 64 KiB after "ok ": newlines and NULs as spaces, trailing ones dropped. */
static int cmd_read(char **argv)
{
        static char buf[65536];
        size_t len = 0;
        ssize_t n;
        int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return fail();
        while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
                if (n < 0) {
                        int e = errno;
                        if (e == EINTR)
                                continue;
                        close(fd);
                        return fail_errno(e);
                }
                len += (size_t)n;
        }
        close(fd);
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
                len--;
        for (size_t i = 0; i < len; i++)
                if (buf[i] == '\n' || buf[i] == '\0')
                        buf[i] = ' ';
        buf[len] = '\0';
        printf("ok %s\n", buf);
        return 0;
}

static int cmd_ls(char **argv)
{
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        DIR *d = opendir(argv[0]);

        if (!d)
                return fail();
        errno = 0;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 64;
                        names = realloc(names, cap * sizeof(*names));
                        if (!names)
                                return fail_errno(ENOMEM);
                }
                if (!(names[n++] = strdup(de->d_name)))
                        return fail_errno(ENOMEM);
        }
        if (errno)
                return fail();
        closedir(d);
        qsort(names, n, sizeof(*names), cmp_str);
        fputs("ok", stdout);
        for (size_t i = 0; i < n; i++)
                printf(" %s", names[i]);
        putchar('\n');
        return 0; /* the process ends now; no need to free */
}

static const char *file_type(mode_t m)
{
        switch (m & S_IFMT) {
        case S_IFREG:
                return "file";
        case S_IFDIR:
                return "dir";
        case S_IFLNK:
                return "link";
        case S_IFCHR:
                return "chr";
        case S_IFBLK:
                return "blk";
        case S_IFIFO:
                return "fifo";
        case S_IFSOCK:
                return "sock";
        default:
                return "unknown";
        }
}

static int cmd_stat(char **argv)
{
        struct stat st;

        if (lstat(argv[0], &st) < 0)
                return fail();
        printf("ok %u %u %o %s\n", (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777),
               file_type(st.st_mode));
        return 0;
}

static int cmd_mkdir(char **argv)
{
        return result(mkdir(argv[0], 0755));
}

static int cmd_mknod(char **argv)
{
        return result(mknod(argv[0], S_IFCHR | 0666, makedev(1, 3)));
}

static int cmd_umount(char **argv)
{
        return result(umount2(argv[0], MNT_DETACH));
}

/* A bind mount is remounted with MS_BIND; try that first, then a plain remount. */
static int cmd_remount_rw(char **argv)
{
        if (mount(NULL, argv[0], NULL, MS_REMOUNT | MS_BIND, NULL) == 0)
                return ok();
        return result(mount(NULL, argv[0], NULL, MS_REMOUNT, NULL));
}

static int cmd_mount_tmpfs(char **argv)
{
        return result(mount("tmpfs", argv[0], "tmpfs", 0, NULL));
}

static int cmd_mount_proc(char **argv)
{
        return result(mount("proc", argv[0], "proc", 0, NULL));
}

/* Detach PATH, then list what is left there: "ok" and the names (see `ls`). */
static int cmd_umount_ls(char **argv)
{
        if (umount2(argv[0], MNT_DETACH) < 0)
                return fail();
        return cmd_ls(argv);
}

/* Write BYTES zero bytes to PATH (created): ok, or the first error (ENOSPC, EFBIG...). */
static int cmd_fill(char **argv)
{
        static const char zeros[65536];
        long total;
        int fd;

        if (!parse_long(argv[1], 0, 1L << 40, &total))
                return usage();
        fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return fail();
        while (total > 0) {
                size_t chunk = total < (long)sizeof(zeros) ? (size_t)total : sizeof(zeros);
                ssize_t n = write(fd, zeros, chunk);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = n < 0 ? errno : EIO;
                        close(fd);
                        return fail_errno(e);
                }
                total -= n;
        }
        if (close(fd) < 0)
                return fail();
        return ok();
}

/* Read exactly N bytes from PATH: "ok N", or the errno (EIO at an early end of file). */
static int cmd_readn(char **argv)
{
        char buf[4096];
        long want, got = 0;
        int fd;

        if (!parse_long(argv[1], 0, 1L << 30, &want))
                return usage();
        fd = open(argv[0], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return fail();
        while (got < want) {
                size_t chunk = want - got < (long)sizeof(buf) ? (size_t)(want - got) : sizeof(buf);
                ssize_t n = read(fd, buf, chunk);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int e = n < 0 ? errno : EIO;
                        close(fd);
                        return fail_errno(e);
                }
                got += n;
        }
        close(fd);
        printf("ok %ld\n", got);
        return 0;
}

/* Like `read`, from an inherited fd N. */
static int cmd_read_fd(char **argv)
{
        static char buf[65536];
        ssize_t n;
        size_t len = 0;
        long fd;

        if (!parse_long(argv[0], 0, 1 << 20, &fd))
                return usage();
        while (len < sizeof(buf) - 1 && (n = read((int)fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return fail();
                len += (size_t)n;
        }
        while (len > 0 && buf[len - 1] == '\n')
                len--;
        buf[len] = '\0';
        printf("ok %s\n", buf);
        return 0;
}

/* What fd N is: "ok TYPE" plus "MAJOR:MINOR" for a device. */
static int cmd_fdstat(char **argv)
{
        struct stat st;
        long fd;

        if (!parse_long(argv[0], 0, 1 << 20, &fd))
                return usage();
        if (fstat((int)fd, &st) < 0)
                return fail();
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                printf("ok %s %u:%u\n", file_type(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
        else
                printf("ok %s\n", file_type(st.st_mode));
        return 0;
}

/* Open "/" N times and keep every fd: "ok N", or the errno of the first failure (EMFILE). */
static int cmd_open_many(char **argv)
{
        long n;

        if (!parse_long(argv[0], 0, 1 << 20, &n))
                return usage();
        for (long i = 0; i < n; i++)
                if (open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC) < 0)
                        return fail();
        printf("ok %ld\n", n);
        return 0;
}

/* Copy SRC to DST (mode 0755) and exec DST with the remaining arguments: shows noexec (EACCES). */
static int cmd_copy_exec(char **argv)
{
        char buf[65536];
        ssize_t n;
        int in = open(argv[0], O_RDONLY | O_CLOEXEC), out;

        if (in < 0)
                return fail();
        out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        if (out < 0)
                return fail();
        while ((n = read(in, buf, sizeof(buf))) > 0)
                if (write(out, buf, (size_t)n) != n)
                        return fail();
        if (n < 0 || close(out) < 0)
                return fail();
        close(in);
        fflush(stdout);
        execv(argv[1], argv + 1);
        return fail();
}

/* ---- network ---------------------------------------------------------- */

static int cmd_ifaces(char **argv)
{
        struct if_nameindex *ifs;
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (s < 0)
                return fail();
        ifs = if_nameindex();
        if (!ifs)
                return fail();
        fputs("ok", stdout);
        for (struct if_nameindex *i = ifs; i->if_index; i++) {
                struct ifreq ifr = {0};
                snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
                if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                        printf(" %s:E%d", i->if_name, errno);
                else
                        printf(" %s:%s", i->if_name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
        }
        putchar('\n');
        if_freenameindex(ifs);
        close(s);
        return 0;
}

/* Non-blocking connect with a 2 s limit: ok, or ECONNREFUSED/ENETUNREACH/ETIMEDOUT/... */
static int cmd_connect(char **argv)
{
        struct sockaddr_storage ss = {0};
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        socklen_t len, elen = sizeof(int);
        struct pollfd pfd;
        long port;
        int s, e = 0, r;

        if (!parse_long(argv[1], 0, 65535, &port))
                return usage();
        if (inet_pton(AF_INET, argv[0], &sin->sin_addr) == 1) {
                sin->sin_family = AF_INET;
                sin->sin_port = htons((uint16_t)port);
                len = sizeof(*sin);
        } else if (inet_pton(AF_INET6, argv[0], &sin6->sin6_addr) == 1) {
                sin6->sin6_family = AF_INET6;
                sin6->sin6_port = htons((uint16_t)port);
                len = sizeof(*sin6);
        } else {
                return usage();
        }
        s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0)
                return fail();
        if (connect(s, (struct sockaddr *)&ss, len) == 0)
                return ok();
        if (errno != EINPROGRESS)
                return fail();
        pfd = (struct pollfd){.fd = s, .events = POLLOUT};
        do
                r = poll(&pfd, 1, 2000);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return fail();
        if (r == 0)
                return fail_errno(ETIMEDOUT);
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
                return fail();
        return e ? fail_errno(e) : ok();
}

static int cmd_listen(char **argv)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        int one = 1, s;
        long port;

        if (!parse_long(argv[0], 0, 65535, &port))
                return usage();
        sa.sin_port = htons((uint16_t)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return fail();
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0)
                return fail();
        return ok();
}

static int cmd_socket(char **argv)
{
        static const struct {
                const char *name;
                int family, type, protocol;
        } fams[] = {
                {"unix", AF_UNIX, SOCK_STREAM, 0},
                {"inet", AF_INET, SOCK_STREAM, 0},
                {"inet6", AF_INET6, SOCK_STREAM, 0},
                {"netlink", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE},
                {"packet", AF_PACKET, SOCK_RAW, 0}, /* protocol set below: htons() is not constant */
        };

        for (size_t i = 0; i < ELEMENTSOF(fams); i++) {
                if (strcmp(argv[0], fams[i].name) != 0)
                        continue;
                int proto = fams[i].family == AF_PACKET ? htons(ETH_P_ALL) : fams[i].protocol;
                return result(socket(fams[i].family, fams[i].type | SOCK_CLOEXEC, proto));
        }
        return usage();
}

/* Listen on 127.0.0.1 at an ephemeral port, print "ok PORT", then wait to be killed. */
static int cmd_serve(char **argv)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t len = sizeof(sa);
        int s;

        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return fail();
        if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0 ||
            getsockname(s, (struct sockaddr *)&sa, &len) < 0)
                return fail();
        printf("ok %d\n", ntohs(sa.sin_port));
        fflush(stdout);
        for (;;)
                pause();
}

/* Listen on 127.0.0.1, connect to that listener, accept: ok, or the first errno. */
static int cmd_selfconnect(char **argv)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t len = sizeof(sa);
        int l, c, a;

        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (l < 0)
                return fail();
        if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
            getsockname(l, (struct sockaddr *)&sa, &len) < 0)
                return fail();
        c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return fail();
        a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (a < 0)
                return fail();
        if (write(c, "x", 1) != 1)
                return fail();
        return ok();
}

/* ---- other processes and kernel interfaces ---------------------------- */

static int cmd_ptrace(char **argv)
{
        long pid;

        if (!parse_long(argv[0], 1, 1L << 30, &pid))
                return usage();
        if (ptrace(PTRACE_ATTACH, (pid_t)pid, NULL, NULL) < 0)
                return fail();
        waitpid((pid_t)pid, NULL, __WALL);
        ptrace(PTRACE_DETACH, (pid_t)pid, NULL, NULL);
        return ok();
}

static int cmd_signal(char **argv)
{
        long pid, sig;

        if (!parse_long(argv[0], -(1L << 30), 1L << 30, &pid) || !parse_long(argv[1], 0, 64, &sig))
                return usage();
        return result(kill((pid_t)pid, (int)sig));
}

static int cmd_keyctl(char **argv)
{
        /* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3), without creating it. */
        return result(syscall(SYS_keyctl, 0, -3, 0));
}

static int cmd_unshare(char **argv)
{
        static const struct {
                const char *name;
                int flag;
        } nss[] = {
                {"user", CLONE_NEWUSER}, {"net", CLONE_NEWNET},       {"mnt", CLONE_NEWNS},
                {"pid", CLONE_NEWPID},   {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
                {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
        };

        for (size_t i = 0; i < ELEMENTSOF(nss); i++)
                if (strcmp(argv[0], nss[i].name) == 0)
                        return result(unshare(nss[i].flag));
        return usage();
}

static int cmd_bpf(char **argv)
{
        long cmd = 5, r;

        /* Default BPF_PROG_LOAD (5) with a NULL attr of size 0: only the permission check matters.
         * An unknown CMD (e.g. 1000) gets EINVAL from the kernel whatever the privileges. */
        if (argv[0] && !parse_long(argv[0], 0, 1L << 30, &cmd))
                return usage();
        r = syscall(SYS_bpf, (int)cmd, NULL, 0);

        if (r >= 0)
                close((int)r);
        return result(r);
}

static int cmd_setns(char **argv)
{
        int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return fail();
        return result(setns(fd, 0));
}

static int cmd_ioctl_tiocsti(char **argv)
{
        char c = 'x';

        return result(ioctl(0, TIOCSTI, &c));
}

/* getpid(2) by raw syscall, so that a seccomp errno rule on it can be seen: "ok PID" or the errno. */
static int cmd_getpid(char **argv)
{
        long r = syscall(SYS_getpid);

        if (r < 0)
                return fail();
        printf("ok %ld\n", r);
        return 0;
}

/* clone3(2) with no flags (a plain fork): ok once the child is reaped, or the errno. */
static int cmd_clone3(char **argv)
{
        struct {
                uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
        } args = {.exit_signal = SIGCHLD};
        long pid;

        fflush(stdout);
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return fail();
        if (pid == 0)
                _exit(0);
        waitpid((pid_t)pid, NULL, 0);
        return ok();
}

/* clone(2) with CLONE_NEW<NS> (a fork into a new namespace): ok once the child is reaped, or the errno. */
static int cmd_clone(char **argv)
{
        static const struct {
                const char *name;
                long flag;
        } nss[] = {
                {"user", CLONE_NEWUSER}, {"net", CLONE_NEWNET}, {"mnt", CLONE_NEWNS}, {"pid", CLONE_NEWPID},
                {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP},
        };

        for (size_t i = 0; i < ELEMENTSOF(nss); i++) {
                long pid;

                if (strcmp(argv[0], nss[i].name) != 0)
                        continue;
                fflush(stdout);
                /* x86-64 order: flags, stack, parent_tid, child_tid, tls; NULL stack = fork-like. */
                pid = syscall(SYS_clone, nss[i].flag | SIGCHLD, NULL, NULL, NULL, 0);
                if (pid < 0)
                        return fail();
                if (pid == 0)
                        _exit(0);
                waitpid((pid_t)pid, NULL, 0);
                return ok();
        }
        return usage();
}

/* personality(VALUE) (VALUE in C notation, e.g. 0x0040000): "ok PREVIOUS" or the errno. */
static int cmd_personality(char **argv)
{
        char *end = NULL;
        unsigned long v;
        long r;

        errno = 0;
        v = strtoul(argv[0], &end, 0);
        if (errno || end == argv[0] || *end)
                return usage();
        r = syscall(SYS_personality, v);
        if (r < 0 && r > -4096L && errno)
                return fail();
        printf("ok %#lx\n", (unsigned long)r);
        return 0;
}

/*
 * A system call through another ABI, which a filter written for x86-64 numbers must not let
 * through: `int80 NR` (i386, e.g. 20 = getpid, 288 = keyctl) and `x32 NR` (x86-64 numbers with
 * __X32_SYSCALL_BIT, e.g. 39 = getpid, 250 = keyctl).  Prints "ok RESULT" or the errno; the
 * default filter kills the process with SIGSYS instead.
 */
static int cmd_int80(char **argv)
{
#if defined(__x86_64__)
        long nr, r;

        if (!parse_long(argv[0], 0, 1000, &nr))
                return usage();
        /* keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) when NR is keyctl. */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(0L), "c"(-3L), "d"(0L) : "memory");
        if (r < 0 && r > -4096)
                return fail_errno((int)-r);
        printf("ok %ld\n", r);
        return 0;
#else
        return fail_errno(ENOSYS);
#endif
}

static int cmd_x32(char **argv)
{
#if defined(__x86_64__)
        long nr, r;

        if (!parse_long(argv[0], 0, 1000, &nr))
                return usage();
        r = syscall(0x40000000L | nr, 0L, -3L, 0L);
        if (r < 0)
                return fail();
        printf("ok %ld\n", r);
        return 0;
#else
        return fail_errno(ENOSYS);
#endif
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
        {"open", 1, cmd_open}, {"write", 1, cmd_write}, {"write-str", 2, cmd_write_str}, {"read", 1, cmd_read}, {"ls", 1, cmd_ls},
        {"stat", 1, cmd_stat}, {"mkdir", 1, cmd_mkdir}, {"mknod", 1, cmd_mknod}, {"umount", 1, cmd_umount},
        {"remount-rw", 1, cmd_remount_rw}, {"mount-tmpfs", 1, cmd_mount_tmpfs},
        {"mount-proc", 1, cmd_mount_proc}, {"umount-ls", 1, cmd_umount_ls}, {"fill", 2, cmd_fill},
        {"readn", 2, cmd_readn}, {"read-fd", 1, cmd_read_fd}, {"fdstat", 1, cmd_fdstat},
        {"open-many", 1, cmd_open_many}, {"copy-exec", 2, cmd_copy_exec},
        /* network */
        {"ifaces", 0, cmd_ifaces}, {"connect", 2, cmd_connect}, {"listen", 1, cmd_listen},
        {"socket", 1, cmd_socket}, {"serve", 0, cmd_serve}, {"selfconnect", 0, cmd_selfconnect},
        /* other processes and kernel interfaces */
        {"ptrace", 1, cmd_ptrace}, {"signal", 2, cmd_signal}, {"keyctl", 0, cmd_keyctl},
        {"unshare", 1, cmd_unshare}, {"bpf", 0, cmd_bpf}, {"setns", 1, cmd_setns},
        {"ioctl-tiocsti", 0, cmd_ioctl_tiocsti}, {"getpid", 0, cmd_getpid}, {"clone3", 0, cmd_clone3},
        {"clone", 1, cmd_clone}, {"int80", 1, cmd_int80}, {"personality", 1, cmd_personality}, {"x32", 1, cmd_x32},
};

int main(int argc, char **argv)
{
        if (argc < 2)
                return usage();
        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                if (strcmp(argv[1], commands[i].name) != 0)
                        continue;
                if (argc - 2 < commands[i].min_args)
                        return usage();
                return commands[i].fn(argv + 2);
        }
        return usage();
}
