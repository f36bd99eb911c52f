/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocibench: the OCI runtime path a container engine takes, for each runtime
 * given, side by side: create + start + wait + delete of one bundle, timed
 * from the first fork to the end of delete.
 *
 *   ocibench -b BUNDLE [-n N] [-r ROUNDS] [-u] NAME=RUNTIME...
 *
 * The runtimes run with runc's command line (--root DIR create --bundle B
 * --pid-file F ID; start ID; delete ID), their output thrown away.  ocibench
 * is a child subreaper, so each container's init, orphaned when `create`
 * returns, is waited for here, as conmon and containerd's shim wait for it.
 * Rounds interleave the runtimes (each runs N/ROUNDS cycles a round), so the
 * drift of a shared machine hits them alike.  -u first hides the cgroup2 tree
 * of a hybrid host (v1 controllers beside a v2 mount holding none) under a
 * tmpfs, in a mount namespace of ocibench's own: crun 1.8 refuses hybrid
 * hosts, and this way every runtime sees the same cgroups, with no wrapper
 * process in the timed path.
 *
 * Output (TSV): one row per runtime (median, p10, p90 in ms, cycles), then
 * the ratio of medians of every pair.  Nothing is written but stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RT 8

struct rt {
        const char *name, *path;
        char state[64], pidfile[96];
        double *ms;
        int n;
};

static double now_ms(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Run argv with its stdio on /dev/null and wait for it (that child only); its exit status. */
static int run(char *const argv[])
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);

                dup2(null, 0), dup2(null, 1), dup2(null, 2);
                execv(argv[0], argv);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One create + start + wait + delete; its time in ms, or a negative number on failure. */
static double cycle(struct rt *r, const char *bundle, int i)
{
        char id[64], num[32] = "";
        double t0 = now_ms();
        pid_t init;
        int fd, status;
        ssize_t n;

        snprintf(id, sizeof(id), "ob-%d-%d", (int)getpid(), i);
        char *create[] = { (char *)r->path, "--root",     r->state,   "create", "--bundle",
                           (char *)bundle,  "--pid-file", r->pidfile, id,       NULL };
        char *start[] = { (char *)r->path, "--root", r->state, "start", id, NULL };
        char *del[] = { (char *)r->path, "--root", r->state, "delete", id, NULL };

        if (run(create) != 0) {
                fprintf(stderr, "ocibench: %s create failed\n", r->name);
                return -1;
        }
        fd = open(r->pidfile, O_RDONLY);
        n = fd < 0 ? -1 : read(fd, num, sizeof(num) - 1);
        if (fd >= 0)
                close(fd);
        init = n > 0 ? (pid_t)atoi(num) : 0;
        if (init <= 0 || run(start) != 0) {
                fprintf(stderr, "ocibench: %s start failed\n", r->name);
                return -1;
        }
        /* Ours to reap: orphaned when create returned (we are a subreaper). */
        while (waitpid(init, &status, 0) < 0)
                if (errno != EINTR) {
                        fprintf(stderr, "ocibench: %s: waiting for the init %d: %s\n", r->name, (int)init,
                                strerror(errno));
                        return -1;
                }
        if (run(del) != 0) {
                fprintf(stderr, "ocibench: %s delete failed\n", r->name);
                return -1;
        }
        return now_ms() - t0;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
        return v[(int)(p * (n - 1) + 0.5)];
}

/* A hybrid host's cgroup2 tree (controllers: none of the v1 ones) hidden under a tmpfs, here only. */
static int hide_unified(void)
{
        struct statfs fs;

        if (statfs("/sys/fs/cgroup/unified", &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
                return 0; /* not a hybrid host */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("none", "/sys/fs/cgroup/unified", "tmpfs", 0, "size=16m") < 0) {
                perror("ocibench: hiding /sys/fs/cgroup/unified");
                return -1;
        }
        return 0;
}

/* The state directories ocibench made (each empty but for the pid file once its last cycle ended). */
static void remove_states(struct rt *rts, int nrt)
{
        for (int k = 0; k < nrt; k++) {
                unlink(rts[k].pidfile);
                rmdir(rts[k].state);
        }
}

int main(int argc, char **argv)
{
        struct rt rts[MAX_RT];
        const char *bundle = NULL;
        int n = 100, rounds = 5, nrt = 0, opt;
        bool hide = false;

        while ((opt = getopt(argc, argv, "b:n:r:u")) != -1) {
                if (opt == 'b')
                        bundle = optarg;
                else if (opt == 'n')
                        n = atoi(optarg);
                else if (opt == 'r')
                        rounds = atoi(optarg);
                else if (opt == 'u')
                        hide = true;
                else
                        return 2;
        }
        if (!bundle || optind >= argc || n < rounds || rounds < 1) {
                fprintf(stderr, "usage: ocibench -b BUNDLE [-n N] [-r ROUNDS] [-u] NAME=RUNTIME...\n");
                return 2;
        }
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || (hide && hide_unified() < 0))
                return 1;
        for (int i = optind; i < argc && nrt < MAX_RT; i++) {
                struct rt *r = &rts[nrt++];
                char *eq = strchr(argv[i], '=');

                if (!eq)
                        return fprintf(stderr, "ocibench: %s: NAME=RUNTIME\n", argv[i]), 2;
                *eq = '\0';
                *r = (struct rt){ .name = argv[i], .path = eq + 1, .ms = calloc((size_t)n, sizeof(double)) };
                snprintf(r->state, sizeof(r->state), "/tmp/ocibench-%d-%d", (int)getpid(), nrt);
                snprintf(r->pidfile, sizeof(r->pidfile), "%s/pid", r->state);
                if (!r->ms || mkdir(r->state, 0700) < 0)
                        return perror("ocibench"), 1;
                /* One untimed cycle: page cache, and proof that it works at all. */
                if (cycle(r, bundle, -1) < 0)
                        return remove_states(rts, nrt), 1;
        }
        for (int round = 0; round < rounds; round++)
                for (int k = 0; k < nrt; k++)
                        for (int i = 0; i < n / rounds; i++) {
                                double ms = cycle(&rts[k], bundle, round * n + i);

                                if (ms < 0)
                                        return remove_states(rts, nrt), 1;
                                rts[k].ms[rts[k].n++] = ms;
                        }
        printf("runtime\tmedian_ms\tp10_ms\tp90_ms\tcycles\n");
        for (int k = 0; k < nrt; k++) {
                qsort(rts[k].ms, (size_t)rts[k].n, sizeof(double), cmp);
                printf("%s\t%.2f\t%.2f\t%.2f\t%d\n", rts[k].name, pct(rts[k].ms, rts[k].n, 0.5),
                       pct(rts[k].ms, rts[k].n, 0.1), pct(rts[k].ms, rts[k].n, 0.9), rts[k].n);
        }
        printf("ratio\tof_medians\n");
        for (int a = 0; a < nrt; a++)
                for (int b = 0; b < nrt; b++)
                        if (a != b)
                                printf("%s/%s\t%.3f\n", rts[a].name, rts[b].name,
                                       pct(rts[a].ms, rts[a].n, 0.5) / pct(rts[b].ms, rts[b].n, 0.5));
        remove_states(rts, nrt);
        return 0;
}
