/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * scale: how many voids per second libvoidbuilder sustains, what a live void
 * costs in memory, and whether anything leaks over a long run.
 *
 *   scale [-n VOIDS] [-N VOIDS_FULL] [-j JOBS] [-m LIVE] [-p PROBE] [-s VOIDSHIM] [-v VARIANT]...
 *
 * Each worker (JOBS of them, forked, each with its own struct vb_void) spawns
 * its share of the voids one after the other, vb_void_spawn() then
 * vb_proc_wait(), reusing the same vb_void.  Variants:
 *   static       the static PROBE run by fd in an empty root ("probe true")
 *   libs         /bin/true with its ELF closure bound in (--libs /bin/true)
 *   full         libs plus a fresh /proc: the "full void"
 *   full-pool    full, taking its netns from a vb_pool (when the library has one); the
 *                worker calls vb_pool_enter() first (when the library has it), which
 *                gives an unprivileged worker root's single-clone3 path
 *   full-hop     full, with recommendation 1 of doc/performance.md done by hand
 *                through the public API: a helper process makes empty netns ahead
 *                of time (like vb_pool) and, for each void, the worker setns()es
 *                into a fresh one, spawns with the net namespace "shared" (so one
 *                clone3, no two-stage fork), and setns()es back.  Each netns is
 *                used by one void only.  Unprivileged, the worker first enters a
 *                user namespace of its own that owns the pooled namespaces.
 *   full-warm    full, from a vb_warm pool: voids built ahead of time by a helper,
 *                each waiting for its program (vb_warm_spawn); each void still has
 *                namespaces of its own and is used once
 *   full-parked  full, but the worker first moves itself into an empty netns of
 *                its own and the voids share it (VB_NS_SHARED): no netns per void.
 *                Weaker isolation (voids see each other's abstract sockets); shown
 *                as the lower bound of what netns work costs.
 * And, timed by the same loop for the ratios the targets are stated in (a
 * long-lived process that starts sandboxed /bin/true one after the other, each
 * started with posix_spawn and reaped with waitpid):
 *   cli          `voidshim run --proc --libs /bin/true -- /bin/true` (-s VOIDSHIM):
 *                the one-shot CLI, a fresh netns per void (VOIDSHIM_SERVE=0: never served)
 *   cli-served   the same command, served by a `voidshim serve` that scale starts for
 *                the run (a void built ahead of time per run, each with its own
 *                namespaces, used once; doc/voidshim-serve.md)
 *   unshare      unshare(1) with all eight namespaces (peers.py's unshare-all8)
 *   bwrap        bwrap --unshare-all with the usual binds (peers.py's bwrap)
 * A command that is not installed, or named with -x PEER (make WITHOUT=), is reported as unavailable.
 * full runs -N voids (default 10000), the others -n (default 2000), with 1
 * worker and with JOBS workers (default 2), in -r ROUNDS (default 4) that
 * cycle through the variants.  -g GAP_US makes every worker wait GAP_US before
 * each spawn, outside the timed part: the latency of a spawner that is not
 * saturated (a pool gets time to refill; the peers' kernel work after a run,
 * such as netns teardown, gets time to finish).
 *
 * Then -m LIVE voids (default 200) running `sleep 30` (/bin/sleep, full void)
 * are started and kept alive to read the growth of /proc/meminfo per void.
 *
 * Output (stdout), TSV with a section name first:
 *   rate  who variant jobs n wall_s per_s median_us p90_us p99_us failed
 *   mem   who live memavail_kib slab_kib pagetables_kib kernelstack_kib percpu_kib
 *         (per live void) and after_kill_memavail_kib (total not yet returned)
 *   leak  who item before after verdict
 * Progress and errors go to stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "voidbuilder.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

struct opts {
        size_t n, n_full, live, rounds;
        int jobs;
        unsigned gap_us;
        const char *probe, *voidshim;
        const char *only[12];
        int n_only;
        const char *without[12]; /* -x: peers taken as not installed (their rows say so) */
        int n_without;
};

static const char *who;

/* Each worker's own fds, mounts and children before and after its loop, summed over all workers. */
struct wsnap {
        long fds[2], mounts[2], children[2];
};
static struct wsnap wsum;

static long count_lines(const char *path);
static long count_dir(const char *path);
static void count_procs(long *children, long *zombies);

static void wsnap_take(struct wsnap *w, int i)
{
        long z;

        w->fds[i] = count_dir("/proc/self/fd");
        w->mounts[i] = count_lines("/proc/self/mountinfo");
        count_procs(&w->children[i], &z);
}

static double now_s(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die_err(const char *what, int r, struct vb_error *e)
{
        fprintf(stderr, "scale: %s: %s\n", what, e && e->msg ? e->msg : strerror(-r));
        exit(2);
}

/* Move this process into an empty netns of its own (in a user ns of its own when unprivileged). */
static int park_in_empty_netns(void)
{
        char line[64];
        uid_t uid = geteuid();
        gid_t gid = getegid();
        int fd;

        if (uid == 0)
                return unshare(CLONE_NEWNET);
        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
                return -1;
        fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "deny", 4) != 4)
                return -1;
        close(fd);
        snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)uid);
        fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
                return -1;
        close(fd);
        snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)gid);
        fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
                return -1;
        close(fd);
        return 0;
}

#ifdef HAVE_VB_POOL
static struct vb_pool *pool;
#endif
#ifdef HAVE_VB_WARM
static struct vb_warm *warm_pool;
/* This worker's snapshot: a warm pool's standing voids are not a leak, so it is taken before the pool. */
static struct wsnap *cur_ws;
#endif
static unsigned gap_us;
static int start_hop_pool(unsigned depth);

/* The void of a variant; NULL (with a message) when this build cannot make it. */
static struct vb_void *make_void(const char *variant, const struct opts *o, const char *prog, char *const argv[])
{
        struct vb_void *v = vb_void_new();
        struct vb_error *e = NULL;
        int r = 0;

        if (!v)
                die_err("vb_void_new", -ENOMEM, NULL);
        if (strcmp(variant, "static") == 0) {
                char *const pargv[] = { "probe", "true", NULL };
                int fd = open(o->probe, O_PATH | O_CLOEXEC);

                if (fd < 0)
                        die_err(o->probe, -errno, NULL);
                r = vb_void_exec_fd(v, fd, pargv);
                close(fd);
                if (r < 0)
                        die_err("vb_void_exec_fd", r, NULL);
                return v;
        }
        r = vb_void_add_libs(v, prog, &e);
        if (r < 0)
                die_err("vb_void_add_libs", r, e);
        r = vb_void_exec_path(v, prog, argv);
        if (r >= 0 && strcmp(variant, "libs") != 0)
                r = vb_void_proc(v, "/proc", 0);
        if (r < 0)
                die_err("configuring the void", r, NULL);
        if (strcmp(variant, "full-pool") == 0) {
#ifdef HAVE_VB_POOL
                if (!pool)
                        pool = vb_pool_new(16, &e);
                if (!pool)
                        die_err("vb_pool_new", -EPERM, e);
#ifdef HAVE_VB_POOL_ENTER
                /* Unprivileged: this worker moves into the pool's user ns, for root's one-clone3 path. */
                r = vb_pool_enter(pool, &e);
                if (r < 0)
                        die_err("vb_pool_enter", r, e);
#endif
                r = vb_void_use_pool(v, pool);
                if (r < 0)
                        die_err("vb_void_use_pool", r, NULL);
#else
                fprintf(stderr, "scale: this libvoidbuilder has no vb_pool\n");
                return vb_void_free(v);
#endif
        }
        if (strcmp(variant, "full-warm") == 0) {
#ifdef HAVE_VB_WARM
                if (cur_ws)
                        wsnap_take(cur_ws, 0);
                warm_pool = vb_warm_new(v, 4, &e);
                if (!warm_pool)
                        die_err("vb_warm_new", -EPERM, e);
#else
                fprintf(stderr, "scale: this libvoidbuilder has no vb_warm\n");
                return vb_void_free(v);
#endif
        }
        if (strcmp(variant, "full-hop") == 0) {
                if (start_hop_pool(16) < 0)
                        die_err("starting the netns helper", -errno, NULL);
                r = vb_void_set_ns(v, VB_NS_NET, VB_NS_SHARED, -1);
                if (r < 0)
                        die_err("vb_void_set_ns", r, NULL);
        }
        if (strcmp(variant, "full-parked") == 0) {
                if (park_in_empty_netns() < 0)
                        die_err("parking in an empty netns", -errno, NULL);
                r = vb_void_set_ns(v, VB_NS_NET, VB_NS_SHARED, -1);
                if (r < 0)
                        die_err("vb_void_set_ns", r, NULL);
        }
        return v;
}

/* ---- full-hop: a netns pool driven from outside the library -------------------- */

static struct {
        int sock; /* to the helper; -1 when the variant is not full-hop */
        int home; /* the worker's own netns, to come back to after each clone */
} hop = { -1, -1 };

static int send_fd(int sock, int fd)
{
        char byte = 'n';
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u = { 0 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int recv_fd(int sock)
{
        char byte;
        struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
        struct cmsghdr *c;
        int fd = -1;

        if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
                return -1;
        c = CMSG_FIRSTHDR(&msg);
        if (c && c->cmsg_type == SCM_RIGHTS)
                memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}

/* The helper makes one empty netns per credit byte, owned by the user ns it runs in. */
static int start_hop_pool(unsigned depth)
{
        int sv[2];
        pid_t pid;

        if (geteuid() != 0 && park_in_empty_netns() < 0) /* our own user ns, and a home netns it owns */
                return -1;
        hop.home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (hop.home < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -1;
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                char credit;

                close(sv[0]);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                while (read(sv[1], &credit, 1) == 1) {
                        int fd;

                        if (unshare(CLONE_NEWNET) < 0)
                                _exit(1);
                        fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || send_fd(sv[1], fd) < 0)
                                _exit(1);
                        close(fd);
                }
                _exit(0);
        }
        close(sv[1]);
        hop.sock = sv[0];
        for (unsigned i = 0; i < depth; i++)
                if (write(hop.sock, "c", 1) != 1)
                        return -1;
        return 0;
}

/* Before a spawn: step into a fresh pooled netns (waits if the helper is behind). */
static int hop_in(void)
{
        int fd;

        if (hop.sock < 0)
                return 0;
        fd = recv_fd(hop.sock);
        if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
                return -1;
        close(fd); /* the void holds it from now on */
        return write(hop.sock, "c", 1) == 1 ? 0 : -1;
}

static int hop_out(void)
{
        return hop.sock < 0 || setns(hop.home, CLONE_NEWNET) == 0 ? 0 : -1;
}

/* ---- peers and the CLI, timed by the same loop ------------------------------- */

extern char **environ;

/* The argv of a command variant, or NULL when the variant is a void. */
static char **command_of(const char *variant, const struct opts *o)
{
        static char *cli[] = { NULL, "run", "--proc", "--libs", "/bin/true", "--", "/bin/true", NULL };
        static char *unshare8[] = { "unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--net",
                                    "--ipc", "--uts", "--cgroup", "--time", "/bin/true", NULL };
        static char *bwrap[] = { "bwrap", "--unshare-all", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib64",
                                 "/lib64", "--symlink", "usr/lib", "/lib", "--symlink", "usr/bin", "/bin", "--proc",
                                 "/proc", "--dev", "/dev", "/bin/true", NULL };

        if (strcmp(variant, "cli") == 0 || strcmp(variant, "cli-served") == 0) {
                cli[0] = (char *)o->voidshim;
                return o->voidshim ? cli : NULL;
        }
        if (strcmp(variant, "unshare") == 0)
                return unshare8;
        if (strcmp(variant, "bwrap") == 0)
                return bwrap;
        return NULL;
}

static bool is_command(const char *variant)
{
        return strcmp(variant, "cli") == 0 || strcmp(variant, "cli-served") == 0 || strcmp(variant, "unshare") == 0 ||
               strcmp(variant, "bwrap") == 0;
}

/* The runtime directory of the voidshim serve that cli-served asks (empty: none started). */
static char serve_dir[64];

/* The environment of a command variant: cli never asks a server, cli-served asks ours. */
static char **command_env(const char *variant)
{
        static char *env[512];
        static char dir[128], serve0[] = "VOIDSHIM_SERVE=0";
        size_t n = 0;

        snprintf(dir, sizeof(dir), "VOIDSHIM_RUNTIME_DIR=%s", serve_dir);
        for (char **e = environ; *e && n < ELEMENTSOF(env) - 3; e++)
                if (strncmp(*e, "VOIDSHIM_SERVE=", 15) != 0 && strncmp(*e, "VOIDSHIM_RUNTIME_DIR=", 21) != 0)
                        env[n++] = *e;
        if (serve_dir[0])
                env[n++] = dir;
        if (strcmp(variant, "cli-served") != 0)
                env[n++] = serve0;
        env[n] = NULL;
        return env;
}

/* Start (or, with stop, stop) the voidshim serve of cli-served. */
static void serve_ctl(const char *voidshim, bool stop)
{
        char *argv[] = { (char *)voidshim, "serve", stop ? "--stop" : "--background", "--depth", "4", NULL };
        int status = -1;
        pid_t pid;

        if (!stop && !mkdtemp(strcpy(serve_dir, "/tmp/vsscale-XXXXXX")))
                die_err("mkdtemp", -errno, NULL);
        if (stop)
                argv[3] = NULL;
        if (posix_spawn(&pid, voidshim, NULL, NULL, argv, command_env("cli-served")) != 0 ||
            waitpid(pid, &status, 0) != pid || status != 0)
                fprintf(stderr, "scale: voidshim serve %s failed\n", argv[2]);
        if (stop) {
                rmdir(serve_dir);
                serve_dir[0] = '\0';
        }
}

/* Can this command run here?  (Installed, and it succeeds once.) */
static bool command_works(char **argv, char **env)
{
        pid_t pid;
        int status;

        if (!argv || posix_spawnp(&pid, argv[0], NULL, NULL, argv, env) != 0)
                return false;
        return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static size_t command_worker(char **argv, char **env, size_t count, double *lat)
{
        size_t failed = 0;

        for (size_t i = 0; i < count; i++) {
                double t0 = (usleep(gap_us), now_s());
                int status = 0;
                pid_t pid;

                if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, env) != 0 ||
                    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        failed++;
                lat[i] = (now_s() - t0) * 1e6;
        }
        return failed;
}

/* One worker: count spawns, latencies (µs) into lat[]; returns the number that failed. */
static size_t worker(struct vb_void *v, size_t count, double *lat)
{
        struct vb_error *e = NULL;
        size_t failed = 0;

        for (size_t i = 0; i < count; i++) {
                struct vb_proc *p = NULL;
                double t0 = (usleep(gap_us), now_s());
                int status = 0, r;

                r = hop_in() < 0 ? -errno : 0;
#ifdef HAVE_VB_WARM
                if (r >= 0 && warm_pool)
                        r = vb_warm_spawn(warm_pool, NULL, NULL, 0, &p, &e);
                else
#endif
                if (r >= 0)
                        r = vb_void_spawn(v, &p, &e);
                if (hop_out() < 0)
                        die_err("leaving the pooled netns", -errno, NULL);
                if (r >= 0)
                        r = vb_proc_wait(p, &status);
                lat[i] = (now_s() - t0) * 1e6;
                if (r < 0 || status != 0) {
                        if (failed++ == 0)
                                fprintf(stderr, "scale: spawn failed: %s (status %d)\n",
                                        e && e->msg ? e->msg : strerror(-r), status);
                        e = vb_error_free(e);
                }
                vb_proc_free(p);
        }
        return failed;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static double pct(const double *s, size_t n, double p)
{
        double idx = p * (double)(n - 1);
        size_t lo = (size_t)idx;

        return lo + 1 >= n ? s[n - 1] : s[lo] + (s[lo + 1] - s[lo]) * (idx - (double)lo);
}

/* What one (variant, workers) pair gathered over all rounds. */
struct acc {
        double *lat;
        size_t n, failed;
        double wall;
        bool unavailable;
};

/* Fork `jobs` workers that start together for n voids; latencies land in a shared mapping, then in a. */
static void run_rate(const char *variant, const struct opts *o, size_t n, int jobs, struct acc *a)
{
        char *const argv[] = { "/bin/true", NULL };
        size_t per = n / (size_t)jobs, total = per * (size_t)jobs;
        double *lat = mmap(NULL, total * sizeof(double) + sizeof(size_t) * (size_t)jobs, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        size_t *failed = (size_t *)(lat + total), nfailed = 0;
        struct wsnap *ws = mmap(NULL, sizeof(*ws) * (size_t)jobs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                                -1, 0);
        int go[2], ready[2];
        double t0, wall;
        char c;

        if (lat == MAP_FAILED || ws == MAP_FAILED || pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
                die_err("setting up workers", -errno, NULL);
        for (int j = 0; j < jobs; j++) {
                pid_t pid = fork();

                if (pid < 0)
                        die_err("fork", -errno, NULL);
                if (pid == 0 && is_command(variant)) {
                        char **cmd = command_of(variant, o), **env = command_env(variant);
                        bool ok = command_works(cmd, env);

                        close(go[1]);
                        (void)!write(ready[1], ok ? "r" : "x", 1);
                        if (!ok || read(go[0], &c, 1) != 1)
                                _exit(3);
                        wsnap_take(&ws[j], 0);
                        failed[j] = command_worker(cmd, env, per, lat + (size_t)j * per);
                        wsnap_take(&ws[j], 1);
                        _exit(0);
                }
                if (pid == 0) {
                        struct vb_void *v;

                        /*
                         * The driver's end of the start pipe goes first: full-warm takes its "before"
                         * snapshot inside make_void(), and an fd closed after it would read as one
                         * fewer fd per worker "after" (the "12 lower after" of an earlier run).
                         */
                        close(go[1]);
#ifdef HAVE_VB_WARM
                        cur_ws = &ws[j];
#endif
                        v = make_void(variant, o, "/bin/true", argv);
                        (void)!write(ready[1], v ? "r" : "x", 1);
                        if (!v || read(go[0], &c, 1) != 1)
                                _exit(3);
#ifdef HAVE_VB_WARM
                        if (!warm_pool)
#endif
                                wsnap_take(&ws[j], 0);
                        failed[j] = worker(v, per, lat + (size_t)j * per);
#ifdef HAVE_VB_WARM
                        warm_pool = vb_warm_free(warm_pool); /* ends its standing voids: then count */
#endif
                        wsnap_take(&ws[j], 1);
                        vb_void_free(v);
#ifdef HAVE_VB_POOL
                        vb_pool_free(pool);
#endif
                        _exit(0);
                }
        }
        close(go[0]);
        close(ready[1]);
        for (int j = 0; j < jobs; j++)
                if (read(ready[0], &c, 1) != 1 || c != 'r') {
                        /* This build cannot make the variant: say so in the table, and move on. */
                        close(go[1]);
                        while (wait(NULL) > 0)
                                ;
                        a->unavailable = true;
                        goto out;
                }
        t0 = now_s();
        for (int j = 0; j < jobs; j++)
                (void)!write(go[1], "g", 1);
        close(go[1]);
        while (wait(NULL) > 0)
                ;
        wall = now_s() - t0;
        for (int j = 0; j < jobs; j++) {
                nfailed += failed[j];
                for (int i = 0; i < 2; i++) {
                        wsum.fds[i] += ws[j].fds[i];
                        wsum.mounts[i] += ws[j].mounts[i];
                        wsum.children[i] += ws[j].children[i];
                }
        }
        memcpy(a->lat + a->n, lat, total * sizeof(double));
        a->n += total;
        a->wall += wall;
        a->failed += nfailed;
out:
        close(ready[0]);
        munmap(ws, sizeof(*ws) * (size_t)jobs);
        munmap(lat, total * sizeof(double) + sizeof(size_t) * (size_t)jobs);
}

/* ---- memory per live void -------------------------------------------------- */

enum { MI_AVAIL, MI_SLAB, MI_PAGETABLES, MI_KSTACK, MI_PERCPU, MI_COUNT };

static void meminfo(long kib[MI_COUNT])
{
        static const char *const keys[MI_COUNT] = { "MemAvailable:", "Slab:", "PageTables:", "KernelStack:",
                                                    "Percpu:" };
        char line[256];
        FILE *f = fopen("/proc/meminfo", "re");

        memset(kib, 0, sizeof(long) * MI_COUNT);
        while (f && fgets(line, sizeof(line), f))
                for (int i = 0; i < MI_COUNT; i++)
                        if (strncmp(line, keys[i], strlen(keys[i])) == 0)
                                kib[i] = strtol(line + strlen(keys[i]), NULL, 10);
        if (f)
                fclose(f);
}

static void run_mem(const struct opts *o)
{
        char *const argv[] = { "/bin/sleep", "30", NULL };
        struct vb_proc **procs = calloc(o->live, sizeof(*procs));
        struct vb_void *v = make_void("full", o, "/bin/sleep", argv);
        struct vb_error *e = NULL;
        long before[MI_COUNT], live[MI_COUNT], after[MI_COUNT];
        size_t started = 0;

        if (!procs)
                die_err("calloc", -ENOMEM, NULL);
        sleep(1);
        meminfo(before);
        for (; started < o->live; started++) {
                int r = vb_void_spawn(v, &procs[started], &e);

                if (r < 0) {
                        fprintf(stderr, "scale: live void %zu: %s\n", started, e && e->msg ? e->msg : strerror(-r));
                        break;
                }
        }
        sleep(2); /* let the sleeps map their libraries and deferred work settle */
        meminfo(live);
        for (size_t i = 0; i < started; i++)
                vb_proc_free(procs[i]); /* SIGKILL and reap */
        sleep(2);
        meminfo(after);
        if (started == 0)
                started = 1;
        printf("mem\t%s\t%zu\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\n", who, started,
               (double)(before[MI_AVAIL] - live[MI_AVAIL]) / (double)started,
               (double)(live[MI_SLAB] - before[MI_SLAB]) / (double)started,
               (double)(live[MI_PAGETABLES] - before[MI_PAGETABLES]) / (double)started,
               (double)(live[MI_KSTACK] - before[MI_KSTACK]) / (double)started,
               (double)(live[MI_PERCPU] - before[MI_PERCPU]) / (double)started, before[MI_AVAIL] - after[MI_AVAIL]);
        fflush(stdout);
        vb_void_free(v);
        free(procs);
}

/* ---- leak check ------------------------------------------------------------- */

struct snapshot {
        long mounts, fds, children, zombies, userns, netns, mntns;
};

static long count_lines(const char *path)
{
        FILE *f = fopen(path, "re");
        long n = 0;
        int ch;

        while (f && (ch = getc(f)) != EOF)
                n += ch == '\n';
        if (f)
                fclose(f);
        return n;
}

static long count_dir(const char *path)
{
        DIR *d = opendir(path);
        struct dirent *de;
        long n = 0;

        while (d && (de = readdir(d)))
                n += de->d_name[0] != '.';
        if (d)
                closedir(d);
        return n - 1; /* opendir's own fd */
}

/* Distinct namespace inodes of one type over every process we can see. */
static long count_ns(const char *type)
{
        unsigned long seen[8192];
        long n = 0;
        DIR *d = opendir("/proc");
        struct dirent *de;

        while (d && (de = readdir(d))) {
                char path[300], link[64];
                unsigned long ino;
                ssize_t len;
                long i;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/ns/%s", de->d_name, type);
                len = readlink(path, link, sizeof(link) - 1);
                if (len <= 0)
                        continue;
                link[len] = '\0';
                if (sscanf(strchr(link, '[') ? strchr(link, '[') + 1 : link, "%lu", &ino) != 1)
                        continue;
                for (i = 0; i < n && seen[i] != ino; i++)
                        ;
                if (i == n && n < (long)ELEMENTSOF(seen))
                        seen[n++] = ino;
        }
        if (d)
                closedir(d);
        return n;
}

/* Zombies on the machine, and live children of ours. */
static void count_procs(long *children, long *zombies)
{
        DIR *d = opendir("/proc");
        struct dirent *de;
        pid_t me = getpid();

        *children = *zombies = 0;
        while (d && (de = readdir(d))) {
                char path[300], buf[512], state;
                int ppid;
                FILE *f;

                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;
                if (fgets(buf, sizeof(buf), f) && strrchr(buf, ')') &&
                    sscanf(strrchr(buf, ')') + 2, "%c %d", &state, &ppid) == 2) {
                        *zombies += state == 'Z';
                        *children += ppid == me;
                }
                fclose(f);
        }
        if (d)
                closedir(d);
}

static void snap(struct snapshot *s)
{
        sleep(1); /* deferred teardown of the last voids */
        s->mounts = count_lines("/proc/self/mountinfo");
        s->fds = count_dir("/proc/self/fd");
        count_procs(&s->children, &s->zombies);
        s->userns = count_ns("user");
        s->netns = count_ns("net");
        s->mntns = count_ns("mnt");
}

static void print_leaks(const struct snapshot *a, const struct snapshot *b)
{
        const struct {
                const char *name;
                long before, after;
                bool strict; /* ours alone: must be equal */
        } rows[] = {
                { "driver_mounts", a->mounts, b->mounts, true },
                { "driver_fds", a->fds, b->fds, true },
                { "driver_children", a->children, b->children, true },
                { "workers_fds(sum)", wsum.fds[0], wsum.fds[1], true },
                { "workers_mounts(sum)", wsum.mounts[0], wsum.mounts[1], true },
                { "workers_children(sum)", wsum.children[0], wsum.children[1], true },
                { "zombies_visible", a->zombies, b->zombies, false },
                { "user_namespaces_visible", a->userns, b->userns, false },
                { "net_namespaces_visible", a->netns, b->netns, false },
                { "mnt_namespaces_visible", a->mntns, b->mntns, false },
        };

        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const char *verdict = rows[i].before == rows[i].after ? "equal"
                                      : rows[i].strict               ? "LEAK"
                                                                     : "differs(other load?)";

                printf("leak\t%s\t%s\t%ld\t%ld\t%s\n", who, rows[i].name, rows[i].before, rows[i].after, verdict);
        }
}

static void print_rate(const char *variant, int jobs, struct acc *a)
{
        if (a->unavailable || a->n == 0) {
                printf("rate\t%s\t%s\t%d\t0\t-\t-\t-\t-\t-\tunavailable\n", who, variant, jobs);
                return;
        }
        qsort(a->lat, a->n, sizeof(double), cmp_double);
        printf("rate\t%s\t%s\t%d\t%zu\t%.2f\t%.0f\t%.0f\t%.0f\t%.0f\t%zu\n", who, variant, jobs, a->n, a->wall,
               (double)a->n / a->wall, pct(a->lat, a->n, 0.5), pct(a->lat, a->n, 0.9), pct(a->lat, a->n, 0.99),
               a->failed);
}

static bool wanted(const struct opts *o, const char *variant)
{
        if (o->n_only == 0)
                return true;
        for (int i = 0; i < o->n_only; i++)
                if (strcmp(o->only[i], variant) == 0)
                        return true;
        return false;
}

int main(int argc, char **argv)
{
        static const char *const variants[] = { "static",   "libs",        "full", "full-pool",  "full-warm", "full-hop",
                                                "full-parked", "cli", "cli-served", "unshare", "bwrap" };
        struct opts o = {
                .n = 2000, .n_full = 10000, .live = 200, .rounds = 4, .jobs = 2, .probe = "../build/tests/probe"
        };
        struct acc accs[ELEMENTSOF(variants)][2] = { 0 };
        struct snapshot before, after;
        struct passwd *pw;
        int opt;

        while ((opt = getopt(argc, argv, "n:N:r:j:m:p:s:v:g:x:")) != -1) {
                switch (opt) {
                case 'n': o.n = strtoul(optarg, NULL, 10); break;
                case 'N': o.n_full = strtoul(optarg, NULL, 10); break;
                case 'r': o.rounds = strtoul(optarg, NULL, 10); break;
                case 'j': o.jobs = atoi(optarg); break;
                case 'g': o.gap_us = (unsigned)strtoul(optarg, NULL, 10); break;
                case 'm': o.live = strtoul(optarg, NULL, 10); break;
                case 'p': o.probe = optarg; break;
                case 's': o.voidshim = optarg; break;
                case 'v':
                        if (o.n_only < (int)ELEMENTSOF(o.only))
                                o.only[o.n_only++] = optarg;
                        break;
                case 'x':
                        if (o.n_without < (int)ELEMENTSOF(o.without))
                                o.without[o.n_without++] = optarg;
                        break;
                default:
                        fprintf(stderr, "usage: scale [-n N] [-N N_FULL] [-r ROUNDS] [-j JOBS] [-m LIVE] [-p PROBE] [-s VOIDSHIM] "
                                        "[-g GAP_US] [-v VARIANT]... [-x PEER]...\n");
                        return 2;
                }
        }
        if (o.jobs < 1 || o.rounds < 1 || o.n < (size_t)o.jobs * o.rounds || o.n_full < (size_t)o.jobs * o.rounds)
                return 2;
        gap_us = o.gap_us;
        pw = getpwuid(geteuid());
        who = geteuid() == 0 ? "root" : pw ? pw->pw_name : "user";
        signal(SIGPIPE, SIG_IGN);
        printf("rate\twho\tvariant\tjobs\tn\twall_s\tper_s\tmedian_us\tp90_us\tp99_us\tfailed\n");
        fflush(stdout);
        snap(&before);
        /* After the "before" snapshot and stopped before the "after" one: its standing voids are no run's. */
        if (o.voidshim && wanted(&o, "cli-served"))
                serve_ctl(o.voidshim, false);
        /* Rounds cycle through the variants, so that the machine's slow drift hits all alike. */
        for (size_t r = 0; r < o.rounds; r++) {
                fprintf(stderr, "scale [%s]: round %zu/%zu\n", who, r + 1, o.rounds);
                for (size_t i = 0; i < ELEMENTSOF(variants); i++) {
                        size_t n = (strcmp(variants[i], "full") == 0 ? o.n_full : o.n) / o.rounds;

                        if (!wanted(&o, variants[i]))
                                continue;
                        for (int k = 0; k < (o.jobs > 1 ? 2 : 1); k++) {
                                struct acc *a = &accs[i][k];

                                for (int x = 0; x < o.n_without; x++)
                                        a->unavailable |= strcmp(o.without[x], variants[i]) == 0;
                                if (a->unavailable)
                                        continue;
                                if (!a->lat && !(a->lat = calloc(n * o.rounds + 1, sizeof(double))))
                                        die_err("calloc", -ENOMEM, NULL);
                                run_rate(variants[i], &o, n, k ? o.jobs : 1, a);
                        }
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(variants); i++)
                for (int k = 0; k < (o.jobs > 1 ? 2 : 1); k++)
                        if (wanted(&o, variants[i]))
                                print_rate(variants[i], k ? o.jobs : 1, &accs[i][k]);
        fflush(stdout);
        if (o.live > 0) {
                fprintf(stderr, "scale [%s]: %zu live voids\n", who, o.live);
                printf("mem\twho\tlive\tmemavail_kib\tslab_kib\tpagetables_kib\tkernelstack_kib\tpercpu_kib\t"
                       "after_kill_memavail_kib\n");
                run_mem(&o);
        }
        if (serve_dir[0])
                serve_ctl(o.voidshim, true);
        snap(&after);
        printf("leak\twho\titem\tbefore\tafter\tverdict\n");
        print_leaks(&before, &after);
        return 0;
}
