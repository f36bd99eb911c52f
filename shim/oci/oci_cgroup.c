/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A container's cgroups (cgroupfs): one directory per mounted hierarchy, at
 * linux.cgroupsPath (absolute: from each hierarchy's root; relative: below
 * this runtime's own cgroup), with linux.resources written into it.  On a
 * hybrid host (cgroup v1 controllers beside a cgroup2 tree) the v1
 * hierarchies are used; on a cgroup2-only host the one tree.
 *
 * The limits code of the library (voidshim run --limit) is where cgroup v2
 * limits of a void belong: once it exists, oci_cgroup_setup()'s v2 branch
 * (apply_v2) should hand pids, memory and cpu to it rather than write the
 * files itself.  Until then this file writes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "oci/oci.h"
#include "voidbuilder/cleanup.h"

struct hier {
        char mount[512]; /* where it is mounted */
        char root[512];  /* the cgroup at that mount point */
        char ctrls[256]; /* its controllers, "cpu,cpuacct", "name=systemd", "" for cgroup2 */
        bool v2;
};

/* The cgroup hierarchies mounted here (at most max). */
static size_t hierarchies(struct hier *h, size_t max)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0, n = 0;

        while (f && n < max && getline(&line, &cap, f) > 0) {
                char root[512], mnt[512], type[32], opts[256];
                const char *sep = strstr(line, " - ");

                if (!sep || sscanf(line, "%*s %*s %*s %511s %511s", root, mnt) != 2 ||
                    sscanf(sep + 3, "%31s %*s %255s", type, opts) != 2)
                        continue;
                if (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0)
                        continue;
                h[n] = (struct hier){ .v2 = strcmp(type, "cgroup2") == 0 };
                snprintf(h[n].mount, sizeof(h[n].mount), "%s", mnt);
                snprintf(h[n].root, sizeof(h[n].root), "%s", root);
                /* Super options: "rw,cpu" -> "cpu"; the controllers are what is not a mount flag. */
                for (char *save = NULL, *o = strtok_r(opts, ",", &save); o && !h[n].v2; o = strtok_r(NULL, ",", &save))
                        if (strcmp(o, "rw") != 0 && strcmp(o, "ro") != 0 && strncmp(o, "release_agent", 13) != 0 &&
                            strcmp(o, "clone_children") != 0 && strcmp(o, "noprefix") != 0 && strcmp(o, "xattr") != 0)
                                snprintf(h[n].ctrls + strlen(h[n].ctrls), sizeof(h[n].ctrls) - strlen(h[n].ctrls),
                                         "%s%s", h[n].ctrls[0] ? "," : "", o);
                n++;
        }
        return n;
}

/* This process's cgroup in hierarchy h (from /proc/self/cgroup), relative to the mount's root. */
static bool own_cgroup(const struct hier *h, char *out, size_t len)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        while (f && getline(&line, &cap, f) > 0) {
                char *ctrls = strchr(line, ':'), *path = ctrls ? strchr(ctrls + 1, ':') : NULL;
                size_t rl = strlen(h->root);

                if (!path)
                        continue;
                *path++ = '\0';
                path[strcspn(path, "\n")] = '\0';
                if (h->v2 ? ctrls[1] != '\0' : strcmp(ctrls + 1, h->ctrls) != 0)
                        continue;
                if (strcmp(h->root, "/") != 0 && strncmp(path, h->root, rl) == 0)
                        path += rl;
                snprintf(out, len, "%s", path);
                return true;
        }
        return false;
}

static bool has_ctrl(const struct hier *h, const char *ctrl)
{
        size_t len = strlen(ctrl);

        for (const char *p = h->ctrls; (p = strstr(p, ctrl)); p += len)
                if ((p == h->ctrls || p[-1] == ',') && (p[len] == ',' || !p[len]))
                        return true;
        return false;
}

static int write_file(const char *dir, const char *file, const char *value)
{
        char path[4200];
        _cleanup_close_ int fd = -1;
        size_t len = strlen(value);

        snprintf(path, sizeof(path), "%s/%s", dir, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, value, len) != (ssize_t)len)
                return -errno;
        return 0;
}

static int read_file(const char *dir, const char *file, char *buf, size_t len)
{
        char path[4200];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "%s/%s", dir, file);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd < 0 ? -1 : read(fd, buf, len - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

static int strv_push(char ***v, const char *s)
{
        size_t n = 0;
        char **nv;

        while (*v && (*v)[n])
                n++;
        nv = reallocarray(*v, n + 2, sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[n + 1] = NULL;
        return (nv[n] = strdup(s)) ? 0 : -ENOMEM;
}

/* mkdir -p, remembering what was made; a new cpuset gets its parent's cpus and mems (it cannot run without). */
static int make_dirs(const char *base, const char *rel, bool cpuset, char ***made)
{
        char path[4096];
        int r;

        snprintf(path, sizeof(path), "%s", base);
        for (const char *p = rel; *p;) {
                const char *e = strchrnul(p, '/');
                char parent[4096], val[256];

                if (e > p) {
                        snprintf(parent, sizeof(parent), "%s", path);
                        snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%.*s", (int)(e - p), p);
                        if (mkdir(path, 0755) == 0) {
                                if ((r = strv_push(made, path)) < 0)
                                        return r;
                                if (cpuset && (read_file(parent, "cpuset.cpus", val, sizeof(val)) < 0 ||
                                               write_file(path, "cpuset.cpus", val) < 0 ||
                                               read_file(parent, "cpuset.mems", val, sizeof(val)) < 0 ||
                                               write_file(path, "cpuset.mems", val) < 0))
                                        return -errno;
                        } else if (errno != EEXIST) {
                                return -errno;
                        }
                }
                p = *e ? e + 1 : e;
        }
        return 0;
}

/* One number written; *why names the file on failure. */
static int put(const char *dir, const char *file, long long v, char **why)
{
        char val[64];
        int r;

        snprintf(val, sizeof(val), "%lld", v);
        r = write_file(dir, file, val);
        if (r < 0 && asprintf(why, "%s/%s: writing %s: %s", dir, file, val, strerror(-r)) < 0)
                *why = NULL;
        return r;
}

static int put_str(const char *dir, const char *file, const char *val, char **why)
{
        int r = write_file(dir, file, val);

        if (r < 0 && asprintf(why, "%s/%s: writing %s: %s", dir, file, val, strerror(-r)) < 0)
                *why = NULL;
        return r;
}

/* runc's devices every container may use, after the config's rules. */
static const char *const default_devices[] = {
        "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",   "c 1:8 rwm",
        "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm",
};

static int apply_devices(const char *dir, const struct vb_oci_resources *res, char **why)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < res->n_devices; i++) {
                const struct vb_oci_dev_rule *d = &res->devices[i];
                char rule[96], maj[24] = "*", min[24] = "*";

                if (d->major >= 0)
                        snprintf(maj, sizeof(maj), "%lld", (long long)d->major);
                if (d->minor >= 0)
                        snprintf(min, sizeof(min), "%lld", (long long)d->minor);
                snprintf(rule, sizeof(rule), "%c %s:%s %s", d->type, maj, min, d->access);
                if (d->type == 'a')
                        snprintf(rule, sizeof(rule), "a");
                r = put_str(dir, d->allow ? "devices.allow" : "devices.deny", rule, why);
        }
        for (size_t i = 0; r >= 0 && res->n_devices && i < ELEMENTSOF(default_devices); i++)
                r = put_str(dir, "devices.allow", default_devices[i], why);
        return r;
}

static int apply_v1(const struct hier *h, const char *dir, const struct vb_oci_resources *res, char **why)
{
        int r = 0;

        if (has_ctrl(h, "pids") && res->pids_set)
                r = res->pids_limit > 0 ? put(dir, "pids.max", res->pids_limit, why)
                                        : put_str(dir, "pids.max", "max", why);
        if (r >= 0 && has_ctrl(h, "memory")) {
                if (r >= 0 && res->mem_limit_set)
                        r = put(dir, "memory.limit_in_bytes", res->mem_limit, why);
                if (r >= 0 && res->mem_reservation_set)
                        r = put(dir, "memory.soft_limit_in_bytes", res->mem_reservation, why);
                if (r >= 0 && res->mem_swap_set)
                        r = put(dir, "memory.memsw.limit_in_bytes", res->mem_swap, why);
                if (r >= 0 && res->mem_swappiness_set)
                        r = put(dir, "memory.swappiness", (long long)res->mem_swappiness, why);
        }
        if (r >= 0 && has_ctrl(h, "cpu")) {
                if (r >= 0 && res->shares_set)
                        r = put(dir, "cpu.shares", (long long)res->shares, why);
                if (r >= 0 && res->period_set)
                        r = put(dir, "cpu.cfs_period_us", (long long)res->period, why);
                if (r >= 0 && res->quota_set)
                        r = put(dir, "cpu.cfs_quota_us", res->quota, why);
                if (r >= 0 && res->rt_period_set)
                        r = put(dir, "cpu.rt_period_us", (long long)res->rt_period, why);
                if (r >= 0 && res->rt_runtime_set)
                        r = put(dir, "cpu.rt_runtime_us", res->rt_runtime, why);
        }
        if (r >= 0 && has_ctrl(h, "cpuset") && res->cpus)
                r = put_str(dir, "cpuset.cpus", res->cpus, why);
        if (r >= 0 && has_ctrl(h, "cpuset") && res->mems)
                r = put_str(dir, "cpuset.mems", res->mems, why);
        if (r >= 0 && has_ctrl(h, "devices"))
                r = apply_devices(dir, res, why);
        return r;
}

/* cgroup2: the controllers each level needs, then the limits (see the comment at the top). */
static int apply_v2(const struct hier *h, const char *dir, const struct vb_oci_resources *res, char **why)
{
        char parent[4096], val[64];
        int r = 0;

        /* Enable from the mount down to the parent of dir: a controller's files appear only so. */
        snprintf(parent, sizeof(parent), "%.511s", h->mount);
        for (const char *p = dir + strlen(h->mount); p && *p;) {
                const char *e = strchr(p + 1, '/');

                (void)write_file(parent, "cgroup.subtree_control", "+pids +memory +cpu +cpuset");
                if (!e)
                        break;
                snprintf(parent + strlen(parent), sizeof(parent) - strlen(parent), "%.*s", (int)(e - p), p);
                p = e;
        }
        if (res->pids_set)
                r = res->pids_limit > 0 ? put(dir, "pids.max", res->pids_limit, why)
                                        : put_str(dir, "pids.max", "max", why);
        if (r >= 0 && res->mem_limit_set)
                r = res->mem_limit > 0 ? put(dir, "memory.max", res->mem_limit, why)
                                       : put_str(dir, "memory.max", "max", why);
        if (r >= 0 && res->mem_reservation_set && res->mem_reservation > 0)
                r = put(dir, "memory.low", res->mem_reservation, why);
        if (r >= 0 && res->shares_set && res->shares >= 2) /* runc's conversion of shares to a weight */
                r = put(dir, "cpu.weight", (long long)(1 + ((res->shares - 2) * 9999) / 262142), why);
        if (r >= 0 && (res->quota_set || res->period_set)) {
                snprintf(val, sizeof(val), "%s%lld %llu", "", (long long)res->quota,
                         (unsigned long long)(res->period_set ? res->period : 100000));
                r = put_str(dir, "cpu.max", res->quota_set && res->quota > 0 ? val : "max", why);
        }
        if (r >= 0 && res->cpus)
                r = put_str(dir, "cpuset.cpus", res->cpus, why);
        if (r >= 0 && res->mems)
                r = put_str(dir, "cpuset.mems", res->mems, why);
        return r;
}

/* Any limit at all (devices aside)? */
static bool limits(const struct vb_oci_resources *r)
{
        return r->pids_set || r->mem_limit_set || r->mem_reservation_set || r->mem_swap_set || r->shares_set ||
               r->quota_set || r->period_set || r->rt_runtime_set || r->rt_period_set || r->cpus || r->mems;
}

/*
 * Without a cgroupsPath (the engine did not ask where), a v1 hierarchy is joined only for what it
 * limits, and the freezer for pause: a cpu group of its own would make the container one
 * scheduling entity against every task of the runtime's group, for nothing asked.
 */
static bool needed(const struct hier *h, const struct vb_oci_resources *r)
{
        return h->v2 || has_ctrl(h, "freezer") || (has_ctrl(h, "pids") && r->pids_set) ||
               (has_ctrl(h, "memory") &&
                (r->mem_limit_set || r->mem_reservation_set || r->mem_swap_set || r->mem_swappiness_set)) ||
               (has_ctrl(h, "cpu") &&
                (r->shares_set || r->quota_set || r->period_set || r->rt_runtime_set || r->rt_period_set)) ||
               (has_ctrl(h, "cpuset") && (r->cpus || r->mems)) || (has_ctrl(h, "devices") && r->n_devices);
}

static int setup_one(const struct hier *h, const char *rel, bool absolute, const struct vb_oci *c,
                     struct oci_cgroups *out, char **why)
{
        char base[2048], own[512] = "", dir[4096];
        int r;

        if (!absolute && !own_cgroup(h, own, sizeof(own)))
                snprintf(own, sizeof(own), "/");
        snprintf(base, sizeof(base), "%.511s%.511s", h->mount, strcmp(own, "/") == 0 ? "" : own);
        r = make_dirs(base, rel, has_ctrl(h, "cpuset"), &out->made);
        snprintf(dir, sizeof(dir), "%s/%s", base, rel);
        if (r < 0)
                return asprintf(why, "%s: %s", dir, strerror(-r)) < 0 ? -ENOMEM : r;
        if ((r = strv_push(&out->dirs, dir)) < 0)
                return r;
        if (c->resources_set && (r = h->v2 ? apply_v2(h, dir, &c->res, why) : apply_v1(h, dir, &c->res, why)) < 0)
                return r;
        if (h->v2)
                return (out->v2 = strdup(dir)) ? 0 : -ENOMEM;
        if (out->n_v1 >= ELEMENTSOF(out->v1_fds))
                return 0;
        out->v1_fds[out->n_v1] = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return out->v1_fds[out->n_v1] < 0 ? -errno : (out->n_v1++, 0);
}

int oci_cgroup_setup(const struct vb_oci *c, const char *id, struct oci_cgroups *out, char **why)
{
        struct hier h[24];
        size_t n = hierarchies(h, ELEMENTSOF(h));
        _cleanup_free_ char *deflt = NULL;
        const char *path = c->cgroups_path;
        bool any_v1 = false;
        int r = 0;

        *out = (struct oci_cgroups){};
        *why = NULL;
        if ((!path || !*path) && !c->resources_set)
                return 0; /* nothing asked: the container stays in this runtime's cgroups */
        if (path && strchr(path, ':'))
                return asprintf(why, "cgroupsPath \"%s\": systemd's slice:prefix:name form is not supported", path) < 0
                               ? -ENOMEM
                               : -EINVAL;
        if ((!path || !*path) && asprintf(&deflt, "voidshim/%s", id) >= 0)
                path = deflt;
        if (!path || strstr(path, ".."))
                return asprintf(why, "cgroupsPath \"%s\" must not hold \"..\"", path ? path : "") < 0 ? -ENOMEM
                                                                                                      : -EINVAL;
        for (size_t i = 0; i < n; i++)
                any_v1 |= !h[i].v2;
        for (size_t i = 0; r >= 0 && i < n; i++)
                /* A hybrid host's cgroup2 tree holds no controller the config asks for. */
                if (h[i].v2 != any_v1 && (c->cgroups_path || needed(&h[i], &c->res)))
                        r = setup_one(&h[i], path + strspn(path, "/"), path[0] == '/', c, out, why);
        if (r < 0 && (r == -EACCES || r == -EPERM || r == -EROFS) && !limits(&c->res)) {
                /* Unprivileged, with nothing to limit: run in the caller's cgroups, as runc does. */
                oci_warn("container %s: no cgroups of its own (%s)", id, *why ? *why : strerror(-r));
                free(*why);
                *why = NULL;
                (void)oci_cgroup_remove(out->made);
                oci_cgroups_done(out);
                return 0;
        }
        if (r < 0)
                (void)oci_cgroup_remove(out->made);
        return r;
}

void oci_cgroups_done(struct oci_cgroups *cg)
{
        vb_strv_free(cg->dirs);
        vb_strv_free(cg->made);
        for (size_t i = 0; i < cg->n_v1; i++)
                vb_closep(&cg->v1_fds[i]);
        free(cg->v2);
        *cg = (struct oci_cgroups){};
}

int oci_cgroup_remove(char *const *made)
{
        struct timespec tick = { 0, 10 * 1000 * 1000 };
        size_t n = 0;
        int r = 0;

        while (made && made[n])
                n++;
        /* Deepest first; a cgroup whose last process is still being torn down is busy a moment. */
        for (size_t i = n; i-- > 0;) {
                int tries = 0;

                while (rmdir(made[i]) < 0 && errno == EBUSY && tries++ < 100)
                        nanosleep(&tick, NULL);
                if (access(made[i], F_OK) == 0)
                        r = -EBUSY;
        }
        return r;
}

static const char *freezer_dir(char *const *dirs, bool *v2)
{
        struct statfs fs;

        for (size_t i = 0; dirs && dirs[i]; i++) {
                char probe[4200];

                snprintf(probe, sizeof(probe), "%s/freezer.state", dirs[i]);
                if (access(probe, F_OK) == 0) {
                        *v2 = false;
                        return dirs[i];
                }
                if (statfs(dirs[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
                        *v2 = true;
                        return dirs[i];
                }
        }
        return NULL;
}

bool oci_cgroup_frozen(char *const *dirs)
{
        bool v2 = false;
        const char *dir = freezer_dir(dirs, &v2);
        char buf[256];

        if (!dir)
                return false;
        if (!v2)
                return read_file(dir, "freezer.state", buf, sizeof(buf)) == 0 && strcmp(buf, "FROZEN") == 0;
        return read_file(dir, "cgroup.freeze", buf, sizeof(buf)) == 0 && strcmp(buf, "1") == 0;
}

int oci_cgroup_freeze(char *const *dirs, bool freeze)
{
        struct timespec tick = { 0, 2 * 1000 * 1000 };
        bool v2 = false;
        const char *dir = freezer_dir(dirs, &v2);
        char buf[64];
        int r;

        if (!dir)
                return -ENOENT;
        r = v2 ? write_file(dir, "cgroup.freeze", freeze ? "1" : "0")
               : write_file(dir, "freezer.state", freeze ? "FROZEN" : "THAWED");
        /* v1 goes through FREEZING: wait (at most 2 s) until it is there. */
        for (int i = 0; r >= 0 && !v2 && i < 1000; i++) {
                if (read_file(dir, "freezer.state", buf, sizeof(buf)) == 0 &&
                    strcmp(buf, freeze ? "FROZEN" : "THAWED") == 0)
                        return 0;
                nanosleep(&tick, NULL);
        }
        return r < 0 ? r : v2 ? 0 : -ETIMEDOUT;
}

int oci_cgroup_kill_all(char *const *dirs, int sig)
{
        _cleanup_fclose_ FILE *f = NULL;
        char path[4200];
        int pid, n = 0;

        if (!dirs || !dirs[0])
                return 0;
        snprintf(path, sizeof(path), "%s/cgroup.procs", dirs[0]);
        f = fopen(path, "re");
        while (f && fscanf(f, "%d", &pid) == 1)
                if (pid > 0 && kill(pid, sig) == 0)
                        n++;
        return n;
}

size_t oci_cgroup_open_v1(char *const *dirs, int *fds, size_t max)
{
        struct statfs fs;
        size_t n = 0;

        for (size_t i = 0; dirs && dirs[i] && n < max; i++)
                if (statfs(dirs[i], &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC &&
                    (fds[n] = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) >= 0)
                        n++;
        return n;
}
