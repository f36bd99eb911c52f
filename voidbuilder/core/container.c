/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an OCI runtime asks of a void: the setters, and the spawner's part (id maps, cgroup v1). */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/container.h"
#include "core/void.h"

struct vb_container *vb_ctr_get(struct vb_void *v)
{
        if (v->ctr)
                return v->ctr;
        v->ctr = calloc(1, sizeof(*v->ctr));
        if (!v->ctr)
                return NULL;
        v->ctr->gate_fd = -1;
        return v->ctr;
}

void vb_ctr_free(struct vb_container *c)
{
        if (!c)
                return;
        free(c->uid_map);
        free(c->gid_map);
        free(c->groups);
        for (size_t i = 0; i < c->n_sysctls; i++) {
                free(c->sysctls[i].path);
                free(c->sysctls[i].value);
        }
        for (size_t i = 0; i < c->n_cgroup_v1; i++)
                vb_closep(&c->cgroup_v1[i]);
        vb_closep(&c->gate_fd);
        free(c);
}

VB_API int vb_void_image_root(struct vb_void *v)
{
        if (v->root.kind != VB_ROOT_DIR)
                return -EINVAL;
        v->root.flags |= VB_ROOT_IMAGE;
        return 0;
}

VB_API int vb_void_enter(struct vb_void *v)
{
        struct vb_container *c = vb_ctr_get(v);

        if (!c)
                return -ENOMEM;
        c->enter = true;
        return 0;
}

/* Ranges of one map must not overlap inside or outside (the kernel refuses the write). */
static bool ranges_ok(const struct vb_id_map *r, size_t n)
{
        if (n == 0 || n > VB_MAX_ID_RANGES)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (r[i].count == 0 || r[i].inner + (uint64_t)r[i].count > 1ULL << 32 ||
                    r[i].outer + (uint64_t)r[i].count > 1ULL << 32)
                        return false;
                for (size_t j = 0; j < i; j++)
                        if ((r[i].inner < r[j].inner + r[j].count && r[j].inner < r[i].inner + r[i].count) ||
                            (r[i].outer < r[j].outer + r[j].count && r[j].outer < r[i].outer + r[i].count))
                                return false;
        }
        return true;
}

VB_API int vb_void_id_maps(struct vb_void *v, const struct vb_id_map *uids, size_t n_uids, const struct vb_id_map *gids,
                           size_t n_gids)
{
        struct vb_container *c;
        struct vb_id_map *u, *g;

        if (!ranges_ok(uids, n_uids) || !ranges_ok(gids, n_gids))
                return -EINVAL;
        c = vb_ctr_get(v);
        u = malloc(n_uids * sizeof(*u));
        g = malloc(n_gids * sizeof(*g));
        if (!c || !u || !g) {
                free(u);
                free(g);
                return -ENOMEM;
        }
        memcpy(u, uids, n_uids * sizeof(*u));
        memcpy(g, gids, n_gids * sizeof(*g));
        free(c->uid_map);
        free(c->gid_map);
        c->uid_map = u, c->n_uid_map = n_uids;
        c->gid_map = g, c->n_gid_map = n_gids;
        return 0;
}

VB_API int vb_void_user(struct vb_void *v, uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups)
{
        struct vb_container *c;
        gid_t *copy = NULL;

        if (uid == (uid_t)-1 || gid == (gid_t)-1 || (n_groups && !groups))
                return -EINVAL;
        if (n_groups > 65536)
                return -E2BIG;
        c = vb_ctr_get(v);
        if (!c)
                return -ENOMEM;
        if (n_groups) {
                copy = malloc(n_groups * sizeof(*copy));
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, groups, n_groups * sizeof(*copy));
        }
        free(c->groups);
        c->groups = copy;
        c->n_groups = n_groups;
        c->uid = uid;
        c->gid = gid;
        c->user_set = true;
        return 0;
}

VB_API int vb_void_umask(struct vb_void *v, mode_t mask)
{
        struct vb_container *c;

        if (mask & ~0777)
                return -EINVAL;
        c = vb_ctr_get(v);
        if (!c)
                return -ENOMEM;
        c->umask = mask;
        c->umask_set = true;
        return 0;
}

VB_API int vb_void_cap_sets(struct vb_void *v, const struct vb_cap_sets *sets)
{
        struct vb_container *c;
        uint64_t known = 0;

        for (int cap = 0; cap < 64; cap++)
                if (CAP_IS_SUPPORTED(cap))
                        known |= 1ULL << cap;
        if ((sets->bounding | sets->effective | sets->permitted | sets->inheritable | sets->ambient) & ~known)
                return -EINVAL;
        if ((sets->effective & ~sets->permitted) || (sets->ambient & ~(sets->permitted & sets->inheritable)))
                return -EINVAL;
        c = vb_ctr_get(v);
        if (!c)
                return -ENOMEM;
        c->caps = *sets;
        c->caps_set = true;
        return 0;
}

struct vb_cap_sets vb_ctr_cap_sets(const struct vb_void *v)
{
        struct vb_cap_sets s = { v->keep_caps, v->keep_caps, v->keep_caps, v->keep_caps, v->keep_caps };

        if (v->ctr && v->ctr->caps_set) {
                s = v->ctr->caps;
                /* vb_void_keep_cap() after the sets: its capability in every set, as it promises. */
                s.bounding |= v->keep_caps, s.effective |= v->keep_caps, s.permitted |= v->keep_caps;
                s.inheritable |= v->keep_caps, s.ambient |= v->keep_caps;
        }
        return s;
}

VB_API int vb_void_no_new_privs(struct vb_void *v, bool on)
{
        struct vb_container *c = vb_ctr_get(v);

        if (!c)
                return -ENOMEM;
        c->new_privs = !on;
        return 0;
}

/* A mount of this module: the generic entry, then its own fields. */
static struct vb_mount *add(struct vb_void *v, enum vb_mount_kind kind, const char *src, const char *dst, mode_t mode,
                            int *r)
{
        *r = vb_void_add_mount(v, kind, src, dst, 0, 0, mode, NULL);
        return *r < 0 ? NULL : &v->mounts[v->n_mounts - 1];
}

/* Each option of a comma-separated list must fit fsconfig()'s 256-byte key and value. */
static bool options_ok(const char *options)
{
        for (const char *p = options; p && *p;) {
                const char *e = strchrnul(p, ',');

                if (e - p > 255)
                        return false;
                p = *e ? e + 1 : e;
        }
        return true;
}

VB_API int vb_void_mount(struct vb_void *v, const char *fstype, const char *source, const char *dst,
                         const char *options, unsigned attrs)
{
        const unsigned known = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                               MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME;
        struct vb_mount *m;
        int r;

        if (!*fstype || (attrs & ~known) || !options_ok(options) || (source && !*source))
                return -EINVAL;
        m = add(v, VB_MNT_FS, source ? source : fstype, dst, 0, &r);
        if (!m)
                return r;
        m->attrs = attrs;
        m->fstype = strdup(fstype);
        m->data = options && *options ? strdup(options) : NULL;
        if (!m->fstype || (options && *options && !m->data))
                return -ENOMEM; /* the entry stays, half made: vb_void_free() frees it */
        return 0;
}

VB_API int vb_void_mask(struct vb_void *v, const char *path)
{
        int r;

        return add(v, VB_MNT_MASK, NULL, path, 0, &r) ? 0 : r;
}

VB_API int vb_void_readonly(struct vb_void *v, const char *path)
{
        int r;

        return add(v, VB_MNT_RDONLY, NULL, path, 0, &r) ? 0 : r;
}

VB_API int vb_void_device(struct vb_void *v, const char *path, char type, unsigned major, unsigned minor, mode_t mode,
                          uid_t uid, gid_t gid)
{
        mode_t fmt = type == 'c' ? S_IFCHR : type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : 0;
        struct vb_mount *m;
        int r;

        if (!fmt || (mode & ~07777))
                return -EINVAL;
        m = add(v, VB_MNT_DEVICE, NULL, path, fmt | mode, &r);
        if (!m)
                return r;
        m->rdev = fmt == S_IFIFO ? 0 : makedev(major, minor);
        m->uid = uid;
        m->gid = gid;
        return 0;
}

/* Which namespace a sysctl belongs to (runc's and the kernel's list), or -1. */
static int sysctl_ns(const char *key)
{
        static const char *const ipc[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"
        };

        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                if (strcmp(key, ipc[i]) == 0)
                        return VB_NS_IPC;
        if (strncmp(key, "fs.mqueue.", 10) == 0)
                return VB_NS_IPC;
        if (strncmp(key, "net.", 4) == 0)
                return VB_NS_NET;
        if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
                return VB_NS_UTS;
        return -1;
}

VB_API int vb_void_sysctl(struct vb_void *v, const char *key, const char *value)
{
        struct vb_container *c;
        char *path;
        int ns = sysctl_ns(key);

        if (ns < 0 || v->ns_mode[ns] == VB_NS_SHARED || strstr(key, "..") || strchr(key, '/') ||
            key[strlen(key) - 1] == '.')
                return -EINVAL;
        c = vb_ctr_get(v);
        if (!c)
                return -ENOMEM;
        if (c->n_sysctls >= VB_MAX_SYSCTLS)
                return -E2BIG;
        path = strdup(key);
        if (!path)
                return -ENOMEM;
        for (char *p = path; *p; p++)
                if (*p == '.')
                        *p = '/';
        c->sysctls[c->n_sysctls].value = strdup(value);
        if (!c->sysctls[c->n_sysctls].value) {
                free(path);
                return -ENOMEM;
        }
        c->sysctls[c->n_sysctls++].path = path;
        return 0;
}

VB_API int vb_void_oom_score_adj(struct vb_void *v, int adj)
{
        struct vb_container *c;

        if (adj < -1000 || adj > 1000)
                return -EINVAL;
        c = vb_ctr_get(v);
        if (!c)
                return -ENOMEM;
        c->oom_score_adj = adj;
        c->oom_set = true;
        return 0;
}

VB_API int vb_void_cgroup_v1(struct vb_void *v, int dirfd)
{
        struct vb_container *c = vb_ctr_get(v);
        int fd;

        if (!c)
                return -ENOMEM;
        if (c->n_cgroup_v1 >= VB_MAX_CGROUP_V1)
                return -E2BIG;
        fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return NEG_ERRNO();
        c->cgroup_v1[c->n_cgroup_v1++] = fd;
        return 0;
}

VB_API int vb_void_hold(struct vb_void *v, int gate_fd)
{
        struct vb_container *c = vb_ctr_get(v);
        int fd;

        if (!c)
                return -ENOMEM;
        fd = fcntl(gate_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return NEG_ERRNO();
        vb_closep(&c->gate_fd);
        c->gate_fd = fd;
        return 0;
}

bool vb_ctr_needs_sync(const struct vb_void *v)
{
        return v->ctr && (v->ctr->n_uid_map || v->ctr->n_cgroup_v1);
}

static int write_map(pid_t pid, const char *file, const struct vb_id_map *r, size_t n)
{
        char path[64], *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        _cleanup_close_ int fd = -1;
        ssize_t w;

        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%u %u %u\n", r[i].inner, r[i].outer, r[i].count);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        /* One write: the kernel takes a map only whole. */
        w = fd < 0 ? -1 : write(fd, buf, len);
        free(buf);
        if (w < 0)
                return NEG_ERRNO();
        return (size_t)w == len ? 0 : -EIO;
}

static int write_setgroups_deny(pid_t pid)
{
        char path[64];
        _cleanup_close_ int fd = -1;

        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "deny", 4) != 4)
                return NEG_ERRNO();
        return 0;
}

int vb_ctr_sync_parent(const struct vb_void *v, pid_t pid, struct vb_error **err)
{
        const struct vb_container *c = v->ctr;
        char num[24];
        int r;

        if (c->n_uid_map) {
                r = write_map(pid, "uid_map", c->uid_map, c->n_uid_map);
                if (r < 0)
                        return vb_error_set(err, -r, "writing the void's uid_map");
                r = write_map(pid, "gid_map", c->gid_map, c->n_gid_map);
                /* Without CAP_SETGID (an unprivileged spawner mapping its own gid) setgroups goes first. */
                if (r == -EPERM && (r = write_setgroups_deny(pid)) >= 0)
                        r = write_map(pid, "gid_map", c->gid_map, c->n_gid_map);
                if (r < 0)
                        return vb_error_set(err, -r, "writing the void's gid_map");
        }
        snprintf(num, sizeof(num), "%d", (int)pid);
        for (size_t i = 0; i < c->n_cgroup_v1; i++) {
                _cleanup_close_ int fd = openat(c->cgroup_v1[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);

                if (fd < 0 || write(fd, num, strlen(num)) < 0)
                        return vb_error_set(err, errno, "moving the void into its cgroup");
        }
        return 0;
}
