/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * probe: commands that use up a resource, to show where a void's limits stop
 * them (tests/integration/test-limits.sh).  Never run them outside a limited
 * void: a fork bomb is a fork bomb.
 */
#include <sys/mman.h>
#include <sys/resource.h>

#include "probe.h"

/* forks N: fork N children that wait for our end; "ok N", or the errno of the fork that failed and how many were made ("EAGAIN 62"). */
int cmd_forks(char **argv)
{
        long n;

        if (!parse_long(argv[0], 1, 1L << 20, &n))
                return usage();
        fflush(stdout);
        for (long i = 0; i < n; i++) {
                pid_t pid = fork();

                if (pid == 0) {
                        prctl(PR_SET_PDEATHSIG, SIGKILL);
                        pause();
                        _exit(0);
                }
                if (pid < 0) {
                        int e = errno;

                        printf("%s %ld\n", strerrorname_np(e) ? strerrorname_np(e) : "E?", i);
                        return 1;
                }
        }
        printf("ok %ld\n", n);
        return 0;
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * forkbomb S: every process forks for ever, its children too, for S seconds; then
 * "ok MADE REFUSED" (this process's forks that worked and that failed) and exit, which,
 * as the init of the void's pid namespace, ends them all.  A safety net of RLIMIT_NPROC
 * 4096 holds where nothing else does (it does not bind root, nor stop at a test's limit).
 */
int cmd_forkbomb(char **argv)
{
        struct rlimit net = { 4096, 4096 };
        long s, made = 0, refused = 0;
        double end;

        if (!parse_long(argv[0], 1, 600, &s))
                return usage();
        (void)setrlimit(RLIMIT_NPROC, &net);
        fflush(stdout);
        end = now() + (double)s;
        while (now() < end) {
                pid_t pid = fork();

                if (pid == 0) {
                        alarm((unsigned)s + 5); /* in case we are not an init whose end takes them */
                        for (;;)
                                (void)fork();
                }
                if (pid > 0)
                        made++;
                else
                        refused++;
        }
        printf("ok %ld %ld\n", made, refused);
        return 0;
}

/*
 * memfill KIND MIB [PATH]: use MIB MiB of memory and touch every page: KIND anon (a private
 * anonymous mapping, what RLIMIT_AS sees), memfd (a memfd written full, never mapped: RLIMIT_AS
 * does not see it), or file (a file at PATH written full: on a tmpfs, its pages).  "ok" once all of it is in use, the
 * errno when refused; under a memory limit the kernel may kill us first.
 */
int cmd_memfill(char **argv)
{
        static char chunk[1 << 20];
        long mib;
        size_t size;
        int fd = -1;
        char *p;

        if (!parse_long(argv[1], 1, 1L << 20, &mib))
                return usage();
        size = (size_t)mib << 20;
        memset(chunk, 0x5a, sizeof(chunk));
        if (strcmp(argv[0], "file") == 0) {
                if (!argv[2] || (fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
                        return argv[2] ? fail() : usage();
                for (long i = 0; i < mib; i++)
                        if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
                                return fail();
                return ok();
        }
        if (strcmp(argv[0], "memfd") == 0) {
                /* Written, never mapped: no address space is used, so RLIMIT_AS never sees it. */
                fd = (int)syscall(SYS_memfd_create, "memfill", 1U /* MFD_CLOEXEC */);
                if (fd < 0)
                        return fail();
                for (long i = 0; i < mib; i++)
                        if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
                                return fail();
                return ok();
        }
        if (strcmp(argv[0], "anon") == 0) {
                p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        } else {
                return usage();
        }
        if (p == MAP_FAILED)
                return fail();
        for (size_t off = 0; off < size; off += sizeof(chunk))
                memcpy(p + off, chunk, sizeof(chunk));
        return ok();
}

/* spin S: keep a CPU busy for S seconds of wall time; "ok CPU" with the CPU seconds it got (user + system). */
int cmd_spin(char **argv)
{
        struct rusage ru;
        volatile unsigned long n = 0;
        long s;
        double end;

        if (!parse_long(argv[0], 1, 600, &s))
                return usage();
        end = now() + (double)s;
        while (now() < end)
                for (int i = 0; i < 100000; i++)
                        n++;
        if (getrusage(RUSAGE_SELF, &ru) < 0)
                return fail();
        printf("ok %.2f\n", (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                                    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
        return 0;
}
