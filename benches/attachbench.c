/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * attachbench: what a void's seccomp filter costs to attach, the default allow
 * list against the deny list it replaced (benches/deny-list.policy, as
 * voidshim compiled it then: a list of 194 instructions).  Each sample is a
 * fork whose child sets no_new_privs, attaches one filter and exits; the
 * seccomp(2) call itself is timed inside the child (CLOCK_MONOTONIC around
 * it), and the whole fork+attach+exit+reap in the parent.  The variants take
 * turns, sample by sample, so that the machine's load falls on all alike.
 *
 *   attachbench [-n SAMPLES] [-l LIMIT]
 *
 * Output: TSV, one row per variant, with the medians, p10 and p90 of both
 * times, and for the allow lists the ratio of their median attach time to the
 * deny list's and "ok" when it is within LIMIT (1.25: issue 12's +25%).
 * Links nothing of voidshim's: the filters are the build's arrays,
 * build/gen/default-bpf.inc and benches/build/deny-bpf.inc.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include VB_DEFAULT_BPF_INC
#include VB_DENY_BPF_INC

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static const struct sock_filter tiny[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static const struct variant {
        const char *name;
        const struct sock_filter *filter;
        unsigned short len;
} variants[] = {
        { "none", NULL, 0 },
        { "4 insns", tiny, ELEMENTSOF(tiny) },
        { "deny list (before)", vb_deny_bpf, ELEMENTSOF(vb_deny_bpf) },
        { "allow list", vb_default_bpf, ELEMENTSOF(vb_default_bpf) },
        { "allow list, network", vb_default_bpf_network, ELEMENTSOF(vb_default_bpf_network) },
};
#define DENY 2

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/* One sample: *attach the seccomp(2) call in the child, *total the fork to the reap. -1 if it failed. */
static int sample(const struct variant *v, volatile double *shared, double *attach, double *total)
{
        struct sock_fprog prog = { v->len, (struct sock_filter *)v->filter };
        double t0 = now_us();
        int status;
        pid_t pid = fork();

        if (pid == 0) {
                double a;

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(2);
                a = now_us();
                if (v->filter && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                        _exit(3);
                *shared = now_us() - a;
                _exit(0);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -1;
        *total = now_us() - t0;
        *attach = *shared;
        return 0;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
        enum { N_VARIANTS = ELEMENTSOF(variants) };
        double *attach[N_VARIANTS], *total[N_VARIANTS], limit = 1.25, med_deny = 0;
        volatile double *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        struct passwd *pw = getpwuid(geteuid());
        size_t n = 2000;
        int opt;

        while ((opt = getopt(argc, argv, "n:l:")) != -1) {
                switch (opt) {
                case 'n': n = strtoul(optarg, NULL, 10); break;
                case 'l': limit = strtod(optarg, NULL); break;
                default: fprintf(stderr, "usage: attachbench [-n SAMPLES] [-l LIMIT]\n"); return 2;
                }
        }
        if (shared == MAP_FAILED || n < 10)
                return 2;
        for (int v = 0; v < N_VARIANTS; v++) {
                attach[v] = calloc(n, sizeof(double));
                total[v] = calloc(n, sizeof(double));
                if (!attach[v] || !total[v])
                        return 2;
        }
        for (size_t i = 0; i < n + 50; i++) /* the first 50 rounds warm up and are dropped */
                for (int v = 0; v < N_VARIANTS; v++) {
                        double a, t;

                        if (sample(&variants[v], shared, &a, &t) < 0) {
                                fprintf(stderr, "attachbench: %s: the child failed\n", variants[v].name);
                                return 1;
                        }
                        if (i >= 50) {
                                attach[v][i - 50] = a;
                                total[v][i - 50] = t;
                        }
                }
        printf("who\tfilter\tinsns\tn\tattach_median_us\tattach_p10_us\tattach_p90_us\ttotal_median_us\t"
               "attach_vs_deny_list\tverdict\n");
        for (int v = 0; v < N_VARIANTS; v++) {
                double med;

                qsort(attach[v], n, sizeof(double), cmp);
                qsort(total[v], n, sizeof(double), cmp);
                med = attach[v][n / 2];
                if (v == DENY)
                        med_deny = med;
                printf("%s\t%s\t%u\t%zu\t%.1f\t%.1f\t%.1f\t%.1f\t", geteuid() == 0 ? "root" : pw ? pw->pw_name : "user",
                       variants[v].name, (unsigned)variants[v].len, n, med, attach[v][n / 10],
                       attach[v][n * 9 / 10], total[v][n / 2]);
                if (v > DENY)
                        printf("%.2f\t%s\n", med / med_deny, med / med_deny <= limit ? "ok" : "over the limit");
                else
                        printf("-\t-\n");
        }
        return 0;
}
