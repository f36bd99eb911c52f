/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is a client the same kind of process as the server?  A cold void inherits
 * what its `voidshim run` is: credentials and groups, capability sets,
 * no_new_privs, a seccomp filter, namespaces, root directory, cgroup,
 * resource limits, umask, CPU affinity, niceness, personality.  A served void
 * inherits the server's instead.  So the server serves a client only when all
 * of these are the same as its own, read from /proc/PID of the client: a
 * client under a seccomp filter, in another namespace, with a lower limit or
 * a smaller bounding set is not let out of it by the server; it runs its
 * plan itself.  (Landlock domains cannot be read from /proc: see
 * doc/voidshim-serve.md, "Security".)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/serve_server.h"
#include "voidbuilder/cleanup.h"

static const char *const status_keys[] = {
        "Umask:",
        "Uid:",
        "Gid:",
        "Groups:",
        "CapInh:",
        "CapPrm:",
        "CapEff:",
        "CapBnd:",
        "CapAmb:",
        "NoNewPrivs:",
        "Seccomp:",
        "Seccomp_filters:",
        "Cpus_allowed_list:",
        "Mems_allowed_list:",
};
static const char *const ns_names[] = { "user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time" };

/*
 * Read dir/name into buf (at most len - 1 bytes; NUL-terminated); 0 or
 * -errno.  One read(): procfs renders these small files whole at the first,
 * and a file longer than buf differs from the server's anyway.
 */
static int read_at(int dir, const char *name, char *buf, size_t len)
{
        _cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return NEG_ERRNO();
        n = read(fd, buf, len - 1);
        if (n < 0)
                return NEG_ERRNO();
        buf[n] = '\0';
        return 0;
}

/* The lines of status that matter, in status_keys order, into out. */
static void pick_status(const char *status, char *out, size_t len)
{
        size_t used = 0;

        out[0] = '\0';
        for (size_t k = 0; k < ELEMENTSOF(status_keys); k++) {
                const char *line = strstr(status, status_keys[k]);
                size_t n;

                if (!line || (line != status && line[-1] != '\n'))
                        continue;
                n = strcspn(line, "\n");
                if (used + n + 2 > len)
                        break;
                memcpy(out + used, line, n);
                used += n;
                out[used++] = '\n';
                out[used] = '\0';
        }
}

/* The nice value: field 19 of stat, after the command name in parentheses. */
static long stat_nice(const char *stat)
{
        const char *p = strrchr(stat, ')');
        long v = 0;

        for (int field = 3; p && field <= 19; field++) {
                p = strchr(p + 1, ' ');
                if (p && field == 19)
                        v = strtol(p + 1, NULL, 10);
        }
        return v;
}

int serve_attrs_read(pid_t pid, struct serve_attrs *a)
{
        char path[64], buf[4096];
        _cleanup_close_ int dir = -1;
        struct stat st;
        int r;

        *a = (struct serve_attrs){};
        if (pid > 0)
                snprintf(path, sizeof(path), "/proc/%d", (int)pid);
        else
                snprintf(path, sizeof(path), "/proc/self");
        dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return NEG_ERRNO();
        if ((r = read_at(dir, "status", buf, sizeof(buf))) < 0)
                return r;
        pick_status(buf, a->status, sizeof(a->status));
        if ((r = read_at(dir, "limits", a->limits, sizeof(a->limits))) < 0 ||
            (r = read_at(dir, "cgroup", a->cgroup, sizeof(a->cgroup))) < 0 ||
            (r = read_at(dir, "oom_score_adj", a->oom, sizeof(a->oom))) < 0 ||
            (r = read_at(dir, "personality", a->personality, sizeof(a->personality))) < 0 ||
            (r = read_at(dir, "stat", buf, sizeof(buf))) < 0)
                return r;
        a->nice = stat_nice(buf);
        for (size_t i = 0; i < ELEMENTSOF(ns_names); i++) {
                snprintf(path, sizeof(path), "ns/%s", ns_names[i]);
                if (fstatat(dir, path, &st, 0) < 0)
                        return NEG_ERRNO();
                a->ns[i] = (uint64_t)st.st_ino;
        }
        if (fstatat(dir, "root", &st, 0) < 0)
                return NEG_ERRNO();
        a->root_dev = (uint64_t)st.st_dev;
        a->root_ino = (uint64_t)st.st_ino;
        return 0;
}

const char *serve_attrs_differ(const struct serve_attrs *a, const struct serve_attrs *b)
{
        if (strcmp(a->status, b->status) != 0)
                return "credentials, capabilities, no_new_privs, seccomp, umask or affinity";
        if (strcmp(a->limits, b->limits) != 0)
                return "resource limits";
        if (strcmp(a->cgroup, b->cgroup) != 0)
                return "cgroup";
        if (memcmp(a->ns, b->ns, sizeof(a->ns)) != 0)
                return "namespaces";
        if (a->root_dev != b->root_dev || a->root_ino != b->root_ino)
                return "root directory";
        if (strcmp(a->oom, b->oom) != 0 || strcmp(a->personality, b->personality) != 0 || a->nice != b->nice)
                return "oom_score_adj, personality or nice value";
        return NULL;
}
