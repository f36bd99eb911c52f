/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The caretakers of one supervisor, `voidshim run` or `voidshim exec`: started
 * here, given to voids here, listed and revoked by name for `voidshim ctl`.
 * Every caretaker is our child with PR_SET_PDEATHSIG: if this process dies,
 * they die with it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "care/care.h"
#include "voidbuilder/cleanup.h"

/* Takes c (freed on failure). */
static int add(struct care_set *s, struct vb_caretaker *c, const char *name, const char *at, const char *host,
               const char *up)
{
        size_t n = s->n + 1;
        struct vb_caretaker **care = reallocarray(s->care, n, sizeof(*care));
        char **names = care ? reallocarray(s->name, n, sizeof(*names)) : NULL;
        char **ats = names ? reallocarray(s->at, n, sizeof(*ats)) : NULL;
        char **hosts = ats ? reallocarray(s->host, n, sizeof(*hosts)) : NULL;
        char **ups = hosts ? reallocarray(s->up, n, sizeof(*ups)) : NULL;

        if (care)
                s->care = care;
        if (names)
                s->name = names;
        if (ats)
                s->at = ats;
        if (hosts)
                s->host = hosts;
        if (ups)
                s->up = ups;
        if (!ups) {
                vb_caretaker_free(c);
                return -ENOMEM;
        }
        s->care[s->n] = c;
        s->name[s->n] = strdup(name);
        s->at[s->n] = at ? strdup(at) : NULL;
        s->host[s->n] = host ? strdup(host) : NULL;
        s->up[s->n] = up ? strdup(up) : NULL;
        s->n++;
        if (!s->name[s->n - 1] || (at && !s->at[s->n - 1]) || (host && !s->host[s->n - 1]) || (up && !s->up[s->n - 1]))
                return -ENOMEM; /* care_set_done() frees what was copied */
        return 0;
}

int care_set_adopt(struct care_set *s, struct vb_caretaker *c, const char *name)
{
        return add(s, c, name, NULL, NULL, NULL);
}

/* Empty the run directory fd (it holds only sockets) and remove it as name in rt. */
static void remove_run_dir(int rt, int fd, const char *name)
{
        DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
        struct dirent *de;

        while (d && (de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        (void)unlinkat(fd, de->d_name, 0);
        if (d)
                closedir(d);
        (void)unlinkat(rt, name, AT_REMOVEDIR);
}

/*
 * A run directory stays locked (flock) by its supervisor, and by its
 * caretakers, for as long as they live: one nobody holds was left by a
 * supervisor that was killed (SIGKILL), and goes.
 */
static void sweep_stale(int rt)
{
        DIR *d = fdopendir(fcntl(rt, F_DUPFD_CLOEXEC, 3));
        struct dirent *de;

        while (d && (de = readdir(d))) {
                _cleanup_close_ int fd = -1;

                if (strncmp(de->d_name, "run-", 4) != 0)
                        continue;
                fd = openat(rt, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
                        remove_run_dir(rt, fd, de->d_name);
        }
        if (d)
                closedir(d);
}

int care_set_run_dir(struct care_set *s, struct vb_error **err)
{
        _cleanup_close_ int rt = -1;
        char dir[PATH_MAX], name[64];
        int r, lock = -1;

        if (s->run_dir[0])
                return 0;
        r = ctl_runtime_dir(dir, sizeof(dir), true);
        if (r < 0)
                return vb_error_set(err, r, "use the runtime directory %s%s%s", dir, r == -EPERM ? ": " : "",
                                    r == -EPERM ? ctl_runtime_why() : "");
        /* Sweeping and making one's own directory, locked, is one step for every supervisor of ours. */
        rt = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rt < 0 || flock(rt, LOCK_EX) < 0)
                return vb_error_set(err, errno, "lock the runtime directory %s", dir);
        sweep_stale(rt);
        for (int i = 0; lock < 0 && i < 100; i++) {
                /* run-PID: taken only by a live supervisor of the same pid in another pid namespace. */
                snprintf(name, sizeof(name), i ? "run-%d.%d" : "run-%d", (int)getpid(), i);
                if (mkdirat(rt, name, 0700) < 0) {
                        if (errno == EEXIST)
                                continue;
                        return vb_error_set(err, errno, "make %s/%s", dir, name);
                }
                lock = openat(rt, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
                        r = vb_error_set(err, errno, "lock %s/%s", dir, name);
                        (void)unlinkat(rt, name, AT_REMOVEDIR);
                        if (lock >= 0)
                                close(lock);
                        return r;
                }
        }
        if (lock < 0)
                return vb_error_set(err, EEXIST, "make a run directory in %s", dir);
        if ((size_t)snprintf(s->run_dir, sizeof(s->run_dir), "%s/%s", dir, name) >= sizeof(s->run_dir)) {
                (void)unlinkat(rt, name, AT_REMOVEDIR);
                close(lock);
                s->run_dir[0] = '\0';
                return vb_error_set(err, ENAMETOOLONG, "runtime directory");
        }
        s->run_lock = lock;
        return 0;
}

int care_set_forward(struct care_set *s, const char *at, const char *upstream, struct vb_error **err)
{
        struct vb_caretaker *c = NULL;
        char host[PATH_MAX + 32];
        int r;

        /* Security: a forwarder connects from outside every void, so it must not lead to a control socket. */
        if (strncmp(upstream, "unix:", 5) == 0 && ctl_overlaps_runtime_dir(upstream + 5))
                return vb_error_set(err, EINVAL, "the upstream %s is one of voidshim's control sockets", upstream);
        r = care_set_run_dir(s, err);
        if (r < 0)
                return r;
        snprintf(host, sizeof(host), "%s/fwd%zu.sock", s->run_dir, s->n);
        r = vb_caretaker_forward(host, upstream, &c, err);
        if (r < 0)
                return r;
        r = add(s, c, at, at, host, upstream);
        return r < 0 ? vb_error_set(err, r, "keep the forwarder") : 0;
}

int care_set_dbus(struct care_set *s, const char *at, const char *bus, char *const *talk, struct vb_error **err)
{
        struct vb_caretaker *c = NULL;
        char host[PATH_MAX + 32];
        int r = care_set_run_dir(s, err);

        if (r < 0)
                return r;
        snprintf(host, sizeof(host), "%s/dbus.sock", s->run_dir);
        r = vb_caretaker_dbus(host, bus, talk, &c, err);
        if (r < 0)
                return r;
        r = add(s, c, "dbus", at, host, NULL);
        return r < 0 ? vb_error_set(err, r, "keep the D-Bus proxy") : 0;
}

int care_set_net(struct care_set *s, const struct vb_net_allow *allow, size_t n, struct vb_caretaker **out,
                 struct vb_error **err)
{
        struct vb_caretaker *c = NULL;
        int r = vb_caretaker_pasta(allow, n, &c, err);

        if (r < 0)
                return r;
        r = add(s, c, "net", NULL, NULL, NULL);
        if (r < 0)
                return vb_error_set(err, r, "keep the network caretaker");
        *out = c;
        return 0;
}

/* The void's /etc/hosts: localhost and the names its --net-allow entries gave (written in the run dir). */
static int give_hosts(const struct care_set *s, struct vb_plan *p, struct vb_error **err)
{
        char path[PATH_MAX + 16];
        _cleanup_fclose_ FILE *f = NULL;

        if (!s->run_dir[0])
                return vb_error_set(err, ENOENT, "no run directory for /etc/hosts");
        snprintf(path, sizeof(path), "%s/hosts", s->run_dir);
        /* Written once: `voidshim exec`'s voids share it (their names were resolved once, for all). */
        f = fopen(path, "wxe");
        if (!f && errno != EEXIST)
                return vb_error_set(err, errno, "write %s", path);
        if (f)
                fprintf(f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        for (size_t i = 0; f && i < p->care.n_hosts; i++)
                fprintf(f, "%s\n", p->care.hosts[i]);
        if (f && (fflush(f) != 0 || fchmod(fileno(f), 0644) < 0))
                return vb_error_set(err, errno, "write %s", path);
        return vb_plan_bind(p, path, "/etc/hosts", 0, "the void's /etc/hosts (--net-allow by name)") < 0
                       ? vb_error_set(err, ENOMEM, "bind /etc/hosts")
                       : 0;
}

int care_give(const struct care_set *s, struct vb_plan *p, const struct vb_caretaker *net, struct vb_error **err)
{
        int r;

        for (size_t i = 0; i < s->n; i++) {
                char origin[PATH_MAX + 32];

                if (!s->at[i])
                        continue;
                snprintf(origin, sizeof(origin), "the caretaker %s", s->name[i]);
                r = vb_plan_bind(p, s->host[i], s->at[i], VB_MOUNT_RW, origin);
                if (r >= 0 && strcmp(s->name[i], "dbus") == 0) {
                        char addr[PATH_MAX + 16];

                        snprintf(addr, sizeof(addr), "unix:path=%s", s->at[i]);
                        r = vb_plan_setenv(p, "DBUS_SESSION_BUS_ADDRESS", addr, origin);
                }
                if (r < 0)
                        return vb_error_set(err, r, "bind the caretaker socket %s", s->at[i]);
        }
        if (p->care.n_hosts && (r = give_hosts(s, p, err)) < 0)
                return r;
        /*
         * The void joins the network caretaker's network namespace.  An ordinary user may join it
         * only from inside the caretaker's user namespace (setns(2) wants CAP_SYS_ADMIN where one
         * stands too), so its void joins that one as well, and is the caller there as anywhere.
         * Root's void keeps a user namespace of its own, and with it an identity of its own.
         */
        if (net) {
                if (geteuid() != 0)
                        p->live.join_fd[VB_NS_USER] = vb_caretaker_ns_fd(net, VB_NS_USER);
                p->live.join_fd[VB_NS_NET] = vb_caretaker_ns_fd(net, VB_NS_NET);
        }
        return 0;
}

size_t care_set_revoke(struct care_set *s, const char *name)
{
        size_t n = 0;

        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->name[i], name) == 0) {
                        vb_caretaker_revoke(s->care[i]);
                        n++;
                }
        return n;
}

static void drop_at(struct care_set *s, size_t i)
{
        vb_caretaker_free(s->care[i]);
        free(s->name[i]), free(s->at[i]), free(s->host[i]), free(s->up[i]);
        s->n--;
        memmove(&s->care[i], &s->care[i + 1], (s->n - i) * sizeof(*s->care));
        memmove(&s->name[i], &s->name[i + 1], (s->n - i) * sizeof(*s->name));
        memmove(&s->at[i], &s->at[i + 1], (s->n - i) * sizeof(*s->at));
        memmove(&s->host[i], &s->host[i + 1], (s->n - i) * sizeof(*s->host));
        memmove(&s->up[i], &s->up[i + 1], (s->n - i) * sizeof(*s->up));
}

void care_set_drop(struct care_set *s, struct vb_caretaker *c)
{
        for (size_t i = 0; c && i < s->n; i++)
                if (s->care[i] == c) {
                        drop_at(s, i);
                        return;
                }
}

void care_reply(int fd, const char *fmt, ...)
{
        char buf[1024];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        /* MSG_NOSIGNAL: a client that hung up must not kill the supervisor with SIGPIPE. */
        if (n > 0)
                (void)!send(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1, MSG_NOSIGNAL);
}

void care_set_list(struct care_set *s, int fd)
{
        for (size_t i = 0; i < s->n; i++)
                care_reply(fd, "%s\t%s\n", s->name[i], vb_caretaker_describe(s->care[i]));
}

void care_set_done(struct care_set *s)
{
        while (s->n)
                drop_at(s, s->n - 1);
        free(s->care), free(s->name), free(s->at), free(s->host), free(s->up);
        for (size_t i = 0; i < s->n_links; i++)
                free(s->links[i].peer), free(s->links[i].path);
        free(s->links);
        if (s->run_dir[0]) {
                char hosts[PATH_MAX + 16];

                snprintf(hosts, sizeof(hosts), "%s/hosts", s->run_dir);
                (void)unlink(hosts);
                rmdir(s->run_dir);
                close(s->run_lock);
        }
        *s = (struct care_set){};
}
