/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A test application for `voidshim exec` (tests/integration/test-exec.sh):
 * one binary, several entrypoints, written with <voidshim/app.h>.  Each
 * triggered entrypoint looks at itself from the inside (fds, environment,
 * mounts, the trigger) and reports one line on its output fd.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "voidshim/app.h"

extern char **environ;

/* "0,1,2,3,4": the fds open in this process, from /proc/self/fd. */
static void list_fds(char *out, size_t len)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;
        int mine = d ? dirfd(d) : -1, n = 0;
        int fds[64];

        out[0] = '\0';
        if (!d) {
                snprintf(out, len, "no-proc");
                return;
        }
        while ((de = readdir(d)) && n < 64)
                if (de->d_name[0] != '.' && atoi(de->d_name) != mine)
                        fds[n++] = atoi(de->d_name);
        closedir(d);
        for (int i = 0; i < n; i++) /* readdir order is not numeric: sort */
                for (int j = i + 1; j < n; j++)
                        if (fds[j] < fds[i]) {
                                int t = fds[i];
                                fds[i] = fds[j], fds[j] = t;
                        }
        for (int i = 0; i < n; i++)
                snprintf(out + strlen(out), len - strlen(out), "%s%d", i ? "," : "", fds[i]);
}

/* "/,/proc,...": every mount point, from /proc/self/mountinfo. */
static void list_mounts(char *out, size_t len)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[1024], mp[512];

        out[0] = '\0';
        if (!f) {
                snprintf(out, len, "no-proc");
                return;
        }
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1)
                        snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? "," : "", mp);
        fclose(f);
}

/* Variable names only, in order: "VOIDSHIM_ENTRYPOINT,VOIDSHIM_FDS". */
static void list_env(char *out, size_t len)
{
        out[0] = '\0';
        for (char **e = environ; *e; e++) {
                size_t n = strcspn(*e, "=");

                snprintf(out + strlen(out), len - strlen(out), "%s%.*s", out[0] ? "," : "", (int)n, *e);
        }
}

static int report(int fd, const char *line)
{
        /* One write on an O_APPEND file: lines from concurrent voids do not interleave. */
        return write(fd, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : 1;
}

/* feed: each trailing word becomes one message on pipe "jobs"; "BIG:N" is N bytes of 'x'. */
static int feed_main(int argc, char **argv)
{
        int jobs = vs_fd("jobs");

        if (jobs < 0)
                return 10;
        for (int i = 1; i < argc; i++) {
                int r;

                if (strncmp(argv[i], "BIG:", 4) == 0) {
                        size_t n = strtoul(argv[i] + 4, NULL, 10);
                        char *big = malloc(n);

                        if (!big)
                                return 11;
                        memset(big, 'x', n);
                        r = vs_write_message(jobs, big, n);
                        free(big);
                } else {
                        r = vs_write_message(jobs, argv[i], strlen(argv[i]));
                }
                if (r < 0 && r != -EPIPE)
                        return 12;
        }
        return 0;
}

/* work: started by one message; reports what it holds. */
static int work_main(int argc, char **argv)
{
        char fds[256], env[512], mounts[2048], line[4096], target[128] = "";
        int out = vs_fd("out"), trig = vs_fd("trigger"), seals;
        size_t len = 0;
        char *msg = vs_trigger_message(&len);
        const char *w;
        ssize_t n;

        if (out < 0 || trig < 0 || !msg)
                return 20;
        list_fds(fds, sizeof(fds));
        list_env(env, sizeof(env));
        list_mounts(mounts, sizeof(mounts));
        snprintf(line, sizeof(line), "/proc/self/fd/%d", trig);
        n = readlink(line, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = '\0';
        seals = fcntl(trig, F_GET_SEALS);
        w = write(trig, "x", 1) < 0 ? (errno == EPERM ? "EPERM" : errno == EBADF ? "EBADF" : "error") : "WROTE";
        snprintf(line, sizeof(line),
                 "%s len=%zu msg=%.40s fds=%s trigger=%s seals=%s write=%s env=%s fdsvar=%s "
                 "argc=%d mounts=%s\n",
                 vs_entrypoint(), len, msg, fds, strncmp(target, "/memfd:voidshim-message", 23) == 0 ? "memfd" : target,
                 seals == (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) ? "all" : "missing", w, env,
                 getenv("VOIDSHIM_FDS"), argc, mounts);
        free(msg);
        return report(out, line);
}

/* send: hands its "out" fd to "recv" twice, over socket "conns". */
static int send_main(int argc, char **argv)
{
        int conns = vs_fd("conns"), out = vs_fd("out");

        if (conns < 0 || out < 0)
                return 30;
        for (int i = 0; i < 2; i++)
                if (vs_send_fds(conns, &out, 1) < 0)
                        return 31;
        return 0;
}

/* recv: started by fds arriving on a socket; writes into the fd it received. */
static int recv_main(int argc, char **argv)
{
        char fds[256], line[512];
        int trig = vs_fd("trigger");

        if (trig < 0)
                return 40;
        list_fds(fds, sizeof(fds));
        snprintf(line, sizeof(line), "%s fds=%s fdsvar=%s\n", vs_entrypoint(), fds, getenv("VOIDSHIM_FDS"));
        return report(trig, line);
}

/* serve: started by a connection on a listener; greets it. */
static int serve_main(int argc, char **argv)
{
        int conn = vs_fd("trigger");

        if (conn < 0)
                return 50;
        return report(conn, "hello from serve\n");
}

/* ident: started by a connection; tells it the inodes of its namespaces (/proc/self/ns) and its fds. */
static int ident_main(int argc, char **argv)
{
        static const char *const ns[] = { "user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time" };
        char line[512] = "ident ns=", fds[256], path[64];
        int conn = vs_fd("trigger");

        if (conn < 0)
                return 60;
        for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                struct stat st;

                snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
                snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s:%lu", i ? "," : "", ns[i],
                         stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0UL);
        }
        list_fds(fds, sizeof(fds));
        snprintf(line + strlen(line), sizeof(line) - strlen(line), " fds=%s\n", fds);
        return report(conn, line);
}

/* fail: a startup entrypoint that fails, for the exit status. */
static int fail_main(int argc, char **argv)
{
        return 3;
}

VS_MAIN({ "feed", feed_main }, { "work", work_main }, { "send", send_main }, { "recv", recv_main },
        { "serve", serve_main }, { "ident", ident_main }, { "fail", fail_main })
