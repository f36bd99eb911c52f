/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nsbench: what the kernel charges for namespaces, without voidshim.
 *
 * Each variant starts a child that does nothing (or only its namespace
 * chores) and exits, and reaps it (waitid on its pidfd) before the next, so
 * zombies never pin namespaces and the next spawn pays for the last one's
 * teardown as far as the kernel does it synchronously.  Three ways in:
 *
 *   clone3   one clone3() with the CLONE_NEW* flags (what voidbuilder does);
 *   unshare  clone3() without flags, then unshare(2) in the child (as
 *            unshare(1) does; "+fork" adds the grandchild a new pid ns needs);
 *   setns    clone3() without flags, then setns(2) into namespaces created
 *            once before the loop (is sharing one empty namespace cheaper?),
 *            then unshare(2) of the rest and a fork for the new pid ns.
 *
 * Output: one TSV row per variant on stdout (header first); progress and
 * errors on stderr.  Columns:
 *   who        root or the user name
 *   variant    short name (see the table below)
 *   method     clone3 | unshare | setns | clone3-parked
 *   flags      namespaces created fresh ("+" joined), as letters
 *   n          measured spawns (warm-up excluded)
 *   median_us p90_us mean_us min_us   spawn+reap latency, one at a time
 *   cpu_us     CPU of this process and its reaped children per spawn
 *              (getrusage SELF+CHILDREN, user+sys): misses deferred kernel work
 *   busy_us    all CPUs' busy time per spawn from /proc/stat during the loop,
 *              which includes kernel workers (netns cleanup) but also any
 *              other load on the machine
 *   per_s      sustained rate: spawns / wall time of the whole loop
 *   status     ok, or STEP:ERRNO-NAME when the variant cannot run here
 *
 * Usage: nsbench [-n SPAWNS] [-r ROUNDS] [-w WARMUP] [-f SUBSTRING] [-l]
 *   -n  spawns per variant (default 1000), split over -r rounds (default 4)
 *       that cycle through the variants, so slow drift hits all alike
 *   -f  only variants whose name contains SUBSTRING (repeatable)
 *   -l  list variants and exit
 *
 * Self-contained on purpose: links nothing of voidshim's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define NS_ALL                                                                                                      \
        (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | \
         CLONE_NEWTIME)
#define NS_ALL_BUT_NET (NS_ALL & ~CLONE_NEWNET)

enum method { M_CLONE3, M_UNSHARE, M_SETNS, M_PARKED };
static const char *const method_names[] = { "clone3", "unshare", "setns", "clone3-parked" };

enum {
        O_MAPS = 1 << 0,      /* the child writes setgroups=deny, uid_map, gid_map */
        O_FORK = 1 << 1,      /* the child forks a grandchild (init of the new pid ns) and reaps it */
        O_JOIN_NET = 1 << 2,  /* setns() straight into the shared empty netns */
        O_JOIN_UNET = 1 << 3, /* setns() into the holder's user ns, then its empty netns */
        O_JOIN_ALL = 1 << 4,  /* setns(pidfd, all eight) into a holder void */
};

struct variant {
        const char *name;
        enum method method;
        uint64_t flags; /* created fresh: clone3 flags, or unshare flags for the others */
        unsigned opts;
};

static const struct variant variants[] = {
        { "none", M_CLONE3, 0, 0 },
        { "user", M_CLONE3, CLONE_NEWUSER, 0 },
        { "mnt", M_CLONE3, CLONE_NEWNS, 0 },
        { "pid", M_CLONE3, CLONE_NEWPID, 0 },
        { "net", M_CLONE3, CLONE_NEWNET, 0 },
        { "ipc", M_CLONE3, CLONE_NEWIPC, 0 },
        { "uts", M_CLONE3, CLONE_NEWUTS, 0 },
        { "cgroup", M_CLONE3, CLONE_NEWCGROUP, 0 },
        { "time", M_CLONE3, CLONE_NEWTIME, 0 },
        { "all8", M_CLONE3, NS_ALL, 0 },
        { "all8+maps", M_CLONE3, NS_ALL, O_MAPS },
        { "all-but-net+maps", M_CLONE3, NS_ALL_BUT_NET, O_MAPS },
        /* The spawner itself sits in the shared empty netns: clone3 inherits it, no setns per void. */
        { "all8:net-parked+maps", M_PARKED, NS_ALL_BUT_NET, O_MAPS },
        { "unshare:all8+maps", M_UNSHARE, NS_ALL, O_MAPS },
        { "unshare:all8+maps+fork", M_UNSHARE, NS_ALL, O_MAPS | O_FORK },
        { "unshare:all-but-net+maps+fork", M_UNSHARE, NS_ALL_BUT_NET, O_MAPS | O_FORK },
        { "setns:net+maps+fork", M_SETNS, NS_ALL_BUT_NET, O_JOIN_NET | O_MAPS | O_FORK },
        { "setns:user.net+maps+fork", M_SETNS, NS_ALL_BUT_NET, O_JOIN_UNET | O_MAPS | O_FORK },
        { "setns:all8+fork", M_SETNS, 0, O_JOIN_ALL | O_FORK },
};

/* Namespaces that the holders made once, before any loop. */
struct shared {
        int net_fd;       /* an empty netns owned by our own user ns (root: the initial one) */
        int unet_user_fd; /* a user ns we own ... */
        int unet_net_fd;  /* ... and an empty netns owned by it */
        int holder_pidfd; /* a process sitting in eight fresh namespaces */
        int orig_net_fd;  /* ours, to come back from a parked loop */
        int net_errno;    /* why net_fd could not be made in our own user ns */
        pid_t holder_pid;
};

/* Where a failing child says what went wrong; MAP_SHARED so it costs no syscall on success. */
struct child_err {
        int step;
        int errnum;
};
enum { S_OK, S_SETNS_USER, S_SETNS_NET, S_SETNS_ALL, S_UNSHARE, S_MAPS, S_FORK, S_PARK, S_CLONE };
static const char *const step_names[] = { "ok",     "setns-user", "setns-net", "setns-all", "unshare",
                                          "idmaps", "fork",       "park",      "clone3" };

struct sample {
        double *lat_us;
        size_t n;
        double wall_s;
        double cpu_s;
        double busy_s;
        int step, errnum;
};

static volatile struct child_err *cerr;
static uid_t outer_uid;
static gid_t outer_gid;

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double rusage_s(void)
{
        struct rusage self, kids;

        getrusage(RUSAGE_SELF, &self);
        getrusage(RUSAGE_CHILDREN, &kids);
        return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
               (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
                        kids.ru_stime.tv_usec) *
                       1e-6;
}

/* Busy seconds of all CPUs (everything but idle and iowait) from /proc/stat. */
static double busy_s(void)
{
        unsigned long long v[10] = { 0 };
        long hz = sysconf(_SC_CLK_TCK);
        FILE *f = fopen("/proc/stat", "re");
        double busy;

        if (!f)
                return 0;
        if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                   &v[7]) != 8)
                v[0] = v[1] = v[2] = v[5] = v[6] = v[7] = 0;
        fclose(f);
        busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
        return busy / (double)(hz > 0 ? hz : 100);
}

static pid_t clone3_pidfd(uint64_t flags, int *pidfd)
{
        struct clone_args args = {
                .flags = flags | CLONE_PIDFD,
                .pidfd = (uint64_t)(uintptr_t)pidfd,
                .exit_signal = SIGCHLD,
        };

        return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static int write_file(const char *path, const char *buf)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t len = (ssize_t)strlen(buf), n;

        if (fd < 0)
                return -1;
        n = write(fd, buf, (size_t)len);
        close(fd);
        return n == len ? 0 : -1;
}

/* As voidbuilder and unshare --map-root-user do: one id, 0 inside over the caller outside. */
static int write_maps(uid_t uid, gid_t gid)
{
        char line[64];

        if (write_file("/proc/self/setgroups", "deny") < 0 && errno != ENOENT)
                return -1;
        snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)uid);
        if (write_file("/proc/self/uid_map", line) < 0)
                return -1;
        snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)gid);
        return write_file("/proc/self/gid_map", line);
}

static _Noreturn void child_fail(int step)
{
        cerr->errnum = errno;
        cerr->step = step;
        _exit(1);
}

static void join(const struct variant *v, const struct shared *sh)
{
        if ((v->opts & O_JOIN_NET) && setns(sh->net_fd, CLONE_NEWNET) < 0)
                child_fail(S_SETNS_NET);
        if ((v->opts & O_JOIN_UNET) && setns(sh->unet_user_fd, CLONE_NEWUSER) < 0)
                child_fail(S_SETNS_USER);
        if ((v->opts & O_JOIN_UNET) && setns(sh->unet_net_fd, CLONE_NEWNET) < 0)
                child_fail(S_SETNS_NET);
        if ((v->opts & O_JOIN_ALL) && setns(sh->holder_pidfd, NS_ALL) < 0)
                child_fail(S_SETNS_ALL);
}

/* The child: namespace chores only, then exit. */
static _Noreturn void child(const struct variant *v, const struct shared *sh)
{
        uid_t uid = outer_uid;
        gid_t gid = outer_gid;
        pid_t pid;

        if (v->method == M_SETNS)
                join(v, sh);
        if (v->method == M_SETNS || v->method == M_UNSHARE) {
                /* The map's outer ids are ours as seen from the user ns we are in now. */
                uid = geteuid();
                gid = getegid();
                if (v->flags && unshare((int)v->flags) < 0)
                        child_fail(S_UNSHARE);
        }
        if ((v->opts & O_MAPS) && write_maps(uid, gid) < 0)
                child_fail(S_MAPS);
        if (v->opts & O_FORK) {
                pid = fork();
                if (pid < 0)
                        child_fail(S_FORK);
                if (pid == 0)
                        _exit(0);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        _exit(0);
}

static int spawn_one(const struct variant *v, const struct shared *sh, struct sample *s)
{
        uint64_t flags = v->method == M_CLONE3 || v->method == M_PARKED ? v->flags : 0;
        siginfo_t si;
        int pidfd = -1;
        double t0 = now_s();
        pid_t pid;

        pid = clone3_pidfd(flags, &pidfd);
        if (pid < 0) {
                s->step = S_CLONE;
                s->errnum = errno;
                return -1;
        }
        if (pid == 0)
                child(v, sh);
        while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
                if (errno != EINTR) {
                        perror("waitid");
                        exit(2);
                }
        close(pidfd);
        if (si.si_code != CLD_EXITED || si.si_status != 0) {
                s->step = cerr->step ? cerr->step : S_CLONE;
                s->errnum = cerr->errnum;
                return -1;
        }
        if (s->lat_us)
                s->lat_us[s->n++] = (now_s() - t0) * 1e6;
        return 0;
}

/* Park this process in the shared empty netns for a M_PARKED loop, or come back from it. */
static int park(const struct shared *sh, bool in, struct sample *s)
{
        if (setns(in ? sh->net_fd : sh->orig_net_fd, CLONE_NEWNET) == 0)
                return 0;
        s->step = S_PARK;
        s->errnum = errno;
        return -1;
}

static void run_round(const struct variant *v, const struct shared *sh, struct sample *s, size_t count)
{
        double w0, c0, b0;

        if (s->step)
                return;
        if (v->method == M_PARKED && park(sh, true, s) < 0)
                return;
        w0 = now_s();
        c0 = rusage_s();
        b0 = busy_s();
        for (size_t i = 0; i < count; i++)
                if (spawn_one(v, sh, s) < 0)
                        break;
        s->busy_s += busy_s() - b0;
        s->cpu_s += rusage_s() - c0;
        s->wall_s += now_s() - w0;
        if (v->method == M_PARKED && park(sh, false, s) < 0) {
                fprintf(stderr, "nsbench: cannot leave the parked netns: %s\n", strerror(errno));
                exit(2);
        }
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static double pct(const double *sorted, size_t n, double p)
{
        double idx = p * (double)(n - 1);
        size_t lo = (size_t)idx;

        if (lo + 1 >= n)
                return sorted[n - 1];
        return sorted[lo] + (sorted[lo + 1] - sorted[lo]) * (idx - (double)lo);
}

static void flags_str(const struct variant *v, char *buf, size_t len)
{
        static const struct {
                uint64_t flag;
                const char *name;
        } names[] = {
                { CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" },        { CLONE_NEWPID, "pid" },
                { CLONE_NEWNET, "net" },   { CLONE_NEWIPC, "ipc" },       { CLONE_NEWUTS, "uts" },
                { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
        };
        size_t off = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (v->flags & names[i].flag)
                        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", names[i].name);
        if (v->opts & (O_JOIN_NET | O_JOIN_UNET) || v->method == M_PARKED)
                off += (size_t)snprintf(buf + off, len - off, "%s+net", off ? "," : "");
        if (v->opts & O_JOIN_UNET)
                off += (size_t)snprintf(buf + off, len - off, "(+user)");
        if (v->opts & O_JOIN_ALL)
                off += (size_t)snprintf(buf + off, len - off, "+all8");
        if (off == 0)
                snprintf(buf, len, "-");
}

static void print_row(const char *who, const struct variant *v, struct sample *s)
{
        char flags[128];
        double sum = 0;
        size_t n = s->n;

        flags_str(v, flags, sizeof(flags));
        printf("%s\t%s\t%s\t%s\t%zu\t", who, v->name, method_names[v->method], flags, n);
        if (s->step || n == 0) {
                printf("-\t-\t-\t-\t-\t-\t-\t%s:%s\n", step_names[s->step], strerrorname_np(s->errnum) ?: "?");
                return;
        }
        qsort(s->lat_us, n, sizeof(double), cmp_double);
        for (size_t i = 0; i < n; i++)
                sum += s->lat_us[i];
        printf("%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\tok\n", pct(s->lat_us, n, 0.5), pct(s->lat_us, n, 0.9),
               sum / (double)n, s->lat_us[0], s->cpu_s / (double)n * 1e6, s->busy_s / (double)n * 1e6,
               (double)n / s->wall_s);
        fflush(stdout);
}

/* A process that stays in a fresh user ns (maps written) and a netns it owns, or in all eight. */
static pid_t make_holder(uint64_t flags, int *pidfd)
{
        int sync[2];
        char c;
        pid_t pid;

        if (pipe2(sync, O_CLOEXEC) < 0)
                return -1;
        pid = clone3_pidfd(flags, pidfd);
        if (pid == 0) {
                close(sync[0]);
                if (write_maps(outer_uid, outer_gid) < 0)
                        _exit(1);
                (void)!write(sync[1], "x", 1);
                for (;;)
                        pause();
        }
        close(sync[1]);
        if (pid > 0 && read(sync[0], &c, 1) != 1) {
                waitpid(pid, NULL, 0);
                pid = -1;
        }
        close(sync[0]);
        return pid;
}

static int open_ns(pid_t pid, const char *name)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
        return open(path, O_RDONLY | O_CLOEXEC);
}

static void setup_shared(struct shared *sh)
{
        int pidfd = -1;
        pid_t pid;

        sh->orig_net_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        /* An empty netns owned by our own user ns: only possible with CAP_SYS_ADMIN (root). */
        sh->net_fd = -1;
        sh->net_errno = 0;
        if (unshare(CLONE_NEWNET) < 0) {
                sh->net_errno = errno;
        } else {
                sh->net_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                if (setns(sh->orig_net_fd, CLONE_NEWNET) < 0) {
                        perror("nsbench: setns back");
                        exit(2);
                }
        }
        /* Anyone can have a user ns of their own with an empty netns in it; the fds keep both alive. */
        pid = make_holder(CLONE_NEWUSER | CLONE_NEWNET, &pidfd);
        sh->unet_user_fd = pid > 0 ? open_ns(pid, "user") : -1;
        sh->unet_net_fd = pid > 0 ? open_ns(pid, "net") : -1;
        /*
         * Unprivileged, the only empty netns we can make is owned by a user ns of
         * our own: joining it straight from here fails (setns needs CAP_SYS_ADMIN
         * in our own user ns too), which the setns:net rows then show.
         */
        if (sh->net_fd < 0)
                sh->net_fd = sh->unet_net_fd;
        if (pid > 0) {
                syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                waitpid(pid, NULL, 0);
                close(pidfd);
        }
        sh->holder_pid = make_holder(NS_ALL, &sh->holder_pidfd);
        if (sh->holder_pid < 0)
                sh->holder_pidfd = -1;
}

static void teardown_shared(struct shared *sh)
{
        if (sh->holder_pid > 0) {
                syscall(SYS_pidfd_send_signal, sh->holder_pidfd, SIGKILL, NULL, 0);
                waitpid(sh->holder_pid, NULL, 0);
        }
}

static bool selected(const char *name, char **filters, int nf)
{
        if (nf == 0)
                return true;
        for (int i = 0; i < nf; i++)
                if (strstr(name, filters[i]))
                        return true;
        return false;
}

/* Unprivileged, every namespace but user needs a user ns of its own to be created in. */
static struct variant adapt(struct variant v)
{
        if (geteuid() != 0 && v.method == M_CLONE3 && v.flags && !(v.flags & CLONE_NEWUSER))
                v.flags |= CLONE_NEWUSER;
        return v;
}

static void usage(void)
{
        fprintf(stderr, "usage: nsbench [-n SPAWNS] [-r ROUNDS] [-w WARMUP] [-f SUBSTRING]... [-l]\n");
        exit(2);
}

int main(int argc, char **argv)
{
        size_t n = 1000, rounds = 4, warmup = 50, nv = ELEMENTSOF(variants);
        char *filters[32];
        int nf = 0, opt;
        struct shared sh;
        struct sample *samples;
        struct variant vs[ELEMENTSOF(variants)];
        struct passwd *pw;
        const char *who;

        while ((opt = getopt(argc, argv, "n:r:w:f:l")) != -1) {
                switch (opt) {
                case 'n': n = strtoul(optarg, NULL, 10); break;
                case 'r': rounds = strtoul(optarg, NULL, 10); break;
                case 'w': warmup = strtoul(optarg, NULL, 10); break;
                case 'f':
                        if (nf < (int)ELEMENTSOF(filters))
                                filters[nf++] = optarg;
                        break;
                case 'l':
                        for (size_t i = 0; i < nv; i++)
                                printf("%s\n", variants[i].name);
                        return 0;
                default: usage();
                }
        }
        if (n == 0 || rounds == 0 || rounds > n)
                usage();
        cerr = mmap(NULL, sizeof(*cerr), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        samples = calloc(nv, sizeof(*samples));
        if (cerr == MAP_FAILED || !samples)
                return 2;
        outer_uid = geteuid();
        outer_gid = getegid();
        pw = getpwuid(outer_uid);
        who = outer_uid == 0 ? "root" : pw ? pw->pw_name : "user";
        setup_shared(&sh);
        for (size_t i = 0; i < nv; i++) {
                vs[i] = adapt(variants[i]);
                samples[i].lat_us = calloc(n + rounds, sizeof(double));
                if (!samples[i].lat_us)
                        return 2;
                if (!selected(vs[i].name, filters, nf)) {
                        samples[i].step = -1;
                        continue;
                }
                /* Warm-up, unrecorded: page cache, slab caches, first-use paths. */
                struct sample w = { 0 };
                for (size_t k = 0; k < warmup && !w.step; k++)
                        (void)spawn_one(&vs[i], &sh, &w);
                samples[i].step = w.step;
                samples[i].errnum = w.errnum;
        }
        printf("who\tvariant\tmethod\tflags\tn\tmedian_us\tp90_us\tmean_us\tmin_us\tcpu_us\tbusy_us\tper_s\tstatus\n");
        for (size_t r = 0; r < rounds; r++) {
                size_t count = n / rounds + (r < n % rounds ? 1 : 0);

                fprintf(stderr, "nsbench [%s]: round %zu/%zu\n", who, r + 1, rounds);
                for (size_t i = 0; i < nv; i++) {
                        run_round(&vs[i], &sh, &samples[i], count);
                        /* Let deferred teardown (netns cleanup) of this block settle before the next. */
                        usleep(100000);
                }
        }
        for (size_t i = 0; i < nv; i++)
                if (samples[i].step >= 0)
                        print_row(who, &vs[i], &samples[i]);
        teardown_shared(&sh);
        return 0;
}
