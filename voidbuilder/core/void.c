/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The builder: a struct vb_void and the setters that make it less of a void. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/container.h"
#include "core/observe.h"
#include "core/seccomp.h"
#include "core/void.h"

static const char *const ns_names[VB_NS_COUNT] = {
        [VB_NS_USER] = "user", [VB_NS_MNT] = "mnt", [VB_NS_PID] = "pid",       [VB_NS_NET] = "net",
        [VB_NS_IPC] = "ipc",   [VB_NS_UTS] = "uts", [VB_NS_CGROUP] = "cgroup", [VB_NS_TIME] = "time",
};

VB_API const char *vb_ns_name(enum vb_ns ns)
{
        return (unsigned)ns < VB_NS_COUNT ? ns_names[ns] : NULL;
}

VB_API int vb_ns_from_name(const char *name)
{
        if (!name)
                return -EINVAL;
        if (strcmp(name, "mount") == 0)
                return VB_NS_MNT;
        for (int i = 0; i < VB_NS_COUNT; i++)
                if (strcmp(name, ns_names[i]) == 0)
                        return i;
        return -EINVAL;
}

VB_API struct vb_void *vb_void_new(void)
{
        struct vb_void *v = calloc(1, sizeof(*v));

        if (!v)
                return NULL;
        for (int i = 0; i < VB_NS_COUNT; i++)
                v->ns_fd[i] = -1;
        v->cgroup_fd = -1;
        v->owner_userns_fd = -1;
        v->park_net_fd = -1;
        v->exec_fd = -1;
        v->tty_target = -1;
        v->root.dir_fd = -1;
        v->root.upper_fd = -1;
        v->observe_sock = -1;
        v->env = calloc(1, sizeof(char *));
        if (!v->env) {
                free(v);
                return NULL;
        }
        return v;
}

/* Closes every fd the void holds: vb_void_held_fds() lists the same ones. */
VB_API struct vb_void *vb_void_free(struct vb_void *v)
{
        if (!v)
                return NULL;
        for (int i = 0; i < VB_NS_COUNT; i++)
                vb_closep(&v->ns_fd[i]);
        for (size_t i = 0; i < v->n_mounts; i++) {
                if (v->mounts[i].kind == VB_MNT_INBOX)
                        vb_closep(&v->mounts[i].src_fd);
                free(v->mounts[i].src);
                free(v->mounts[i].dst);
                free(v->mounts[i].label);
                free(v->mounts[i].fstype);
                free(v->mounts[i].data);
        }
        free(v->mounts);
        for (size_t i = 0; i < v->n_fds; i++)
                vb_closep(&v->fds[i].fd);
        free(v->fds);
        vb_strv_free(v->env);
        free(v->cwd);
        free(v->hostname);
        free(v->seccomp_text);
        free(v->seccomp_name);
        vb_seccomp_fprog_done(&v->fprog);
        for (size_t i = 0; i < v->n_landlock; i++)
                free((char *)v->landlock_rules[i].path);
        vb_strv_free(v->hide);
        vb_strv_free(v->covers);
        vb_closep(&v->cgroup_fd);
        vb_closep(&v->owner_userns_fd);
        vb_closep(&v->park_net_fd);
        free(v->exec_path);
        free(v->exec_host_path);
        vb_closep(&v->exec_fd);
        vb_strv_free(v->argv);
        free(v->root.dir);
        free(v->root.upper);
        free(v->label);
        vb_void_observe_done(v);
        vb_ctr_free(v->ctr);
        free(v);
        return NULL;
}

static void hold(int fd, int *out, size_t max, size_t *n)
{
        if (fd < 0)
                return;
        if (*n < max)
                out[*n] = fd;
        (*n)++;
}

/* Every fd v holds: the ones vb_void_free() closes. */
size_t vb_void_held_fds(const struct vb_void *v, int *out, size_t max)
{
        const int single[] = { v->cgroup_fd, v->owner_userns_fd, v->park_net_fd, v->exec_fd, v->observe_sock };
        size_t n = 0;

        for (int i = 0; i < VB_NS_COUNT; i++)
                hold(v->ns_fd[i], out, max, &n);
        for (size_t i = 0; i < v->n_mounts; i++)
                if (v->mounts[i].kind == VB_MNT_INBOX)
                        hold(v->mounts[i].src_fd, out, max, &n);
        for (size_t i = 0; i < v->n_fds; i++)
                hold(v->fds[i].fd, out, max, &n);
        for (size_t i = 0; i < ELEMENTSOF(single); i++)
                hold(single[i], out, max, &n);
        return n;
}

void vb_void_logf(const struct vb_void *v, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (!v->log)
                return;
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r >= 0)
                v->log(v->log_data, msg);
}

VB_API void vb_void_set_log(struct vb_void *v, vb_log_fn fn, void *userdata)
{
        v->log = fn;
        v->log_data = userdata;
}

VB_API int vb_void_set_ns(struct vb_void *v, enum vb_ns ns, enum vb_ns_mode mode, int fd)
{
        int dup_fd = -1;

        if ((unsigned)ns >= VB_NS_COUNT || (unsigned)mode > VB_NS_JOIN)
                return -EINVAL;
        /*
         * The void builds its own root; a shared mount ns would expose the caller's.  A joined one
         * is for a root directory or vb_void_enter() only (vb_spawn_validate() checks).
         */
        if (ns == VB_NS_MNT && mode == VB_NS_SHARED)
                return -EINVAL;
        /* Chosen ids are written into a user ns of the void's own: a shared or joined one has its ids. */
        if (ns == VB_NS_USER && mode != VB_NS_FRESH && v->ids_set)
                return -EINVAL;
        if (mode == VB_NS_JOIN) {
                dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                if (dup_fd < 0)
                        return NEG_ERRNO();
        }
        vb_closep(&v->ns_fd[ns]);
        v->ns_fd[ns] = dup_fd;
        v->ns_mode[ns] = mode;
        return 0;
}

VB_API int vb_void_set_ids(struct vb_void *v, uid_t uid, gid_t gid)
{
        /* (uid_t)-1 means "no change" to every set*id call: it can never be an id of its own. */
        if (uid == (uid_t)-1 || gid == (gid_t)-1 || v->ns_mode[VB_NS_USER] != VB_NS_FRESH)
                return -EINVAL;
        v->uid = uid;
        v->gid = gid;
        v->ids_set = true;
        return 0;
}

static const char *const identity_names[] = {
        [VB_IDENTITY_AUTO] = "auto",
        [VB_IDENTITY_HOST] = "host",
        [VB_IDENTITY_RESERVED] = "reserved",
};

VB_API const char *vb_identity_name(enum vb_identity id)
{
        return (unsigned)id < ELEMENTSOF(identity_names) ? identity_names[id] : NULL;
}

VB_API int vb_identity_from_name(const char *name)
{
        for (size_t i = 0; name && i < ELEMENTSOF(identity_names); i++)
                if (strcmp(name, identity_names[i]) == 0)
                        return (int)i;
        return -EINVAL;
}

VB_API int vb_void_identity(struct vb_void *v, enum vb_identity id)
{
        if ((unsigned)id >= ELEMENTSOF(identity_names))
                return -EINVAL;
        v->identity = id;
        return 0;
}

VB_API int vb_void_limits(struct vb_void *v, const struct vb_limits *l)
{
        if ((l->pids && l->pids > VB_LIMIT_PIDS_MAX) || (l->memory && l->memory < VB_LIMIT_MEMORY_MIN) ||
            l->cpu > VB_LIMIT_CPU_MAX)
                return -EINVAL;
        v->limits = *l;
        return 0;
}

/* Collapse "//" and "." and refuse ".." so that a destination can never climb out of the root. */
int vb_path_normalize(const char *path, char **out)
{
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;

        if (!path || path[0] != '/')
                return -EINVAL;
        buf = malloc(strlen(path) + 2);
        if (!buf)
                return -ENOMEM;
        for (const char *p = path; *p;) {
                const char *e;
                size_t len;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                len = (size_t)(e - p);
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                if (!(len == 1 && p[0] == '.')) {
                        buf[n++] = '/';
                        memcpy(buf + n, p, len);
                        n += len;
                }
                p = e;
        }
        if (n == 0)
                buf[n++] = '/';
        buf[n] = '\0';
        *out = TAKE_PTR(buf);
        return 0;
}

int vb_void_add_mount(struct vb_void *v, enum vb_mount_kind kind, const char *src, const char *dst, unsigned flags,
                      uint64_t size, mode_t mode, const char *why)
{
        _cleanup_free_ char *ndst = NULL, *nsrc = NULL, *label = NULL;
        struct vb_mount *m;
        int r;

        r = vb_path_normalize(dst, &ndst);
        if (r < 0)
                return r;
        if (strcmp(ndst, "/") == 0) /* the root is always the void's own tmpfs */
                return -EINVAL;
        if (src) {
                nsrc = strdup(src);
                if (!nsrc)
                        return -ENOMEM;
        }
        if (v->label && !(label = strdup(v->label)))
                return -ENOMEM;
        m = reallocarray(v->mounts, v->n_mounts + 1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        v->mounts = m;
        v->mounts[v->n_mounts++] = (struct vb_mount){
                .kind = kind,
                .src = TAKE_PTR(nsrc),
                .dst = TAKE_PTR(ndst),
                .flags = flags,
                .size = size,
                .mode = mode,
                .why = why,
                .label = TAKE_PTR(label),
                .src_fd = -1,
        };
        return 0;
}

VB_API int vb_void_label(struct vb_void *v, const char *label)
{
        char *copy = NULL;

        if (label && !(copy = strdup(label)))
                return -ENOMEM;
        free(v->label);
        v->label = copy;
        return 0;
}

#define MAX_FILE_BYTES (64u << 10) /* the root tmpfs is 1 MiB: a file here is a small text */

VB_API int vb_void_file(struct vb_void *v, const char *dst, const char *contents, mode_t mode)
{
        if (strlen(contents) > MAX_FILE_BYTES || (mode & ~07777u))
                return -EINVAL;
        return vb_void_add_mount(v, VB_MNT_FILE, contents, dst, 0, 0, mode, NULL);
}

VB_API int vb_void_bind(struct vb_void *v, const char *src, const char *dst, unsigned flags)
{
        if (src[0] != '/' || (flags & ~(VB_MOUNT_RW | VB_MOUNT_NOEXEC | VB_MOUNT_DEV | VB_MOUNT_OPTIONAL)))
                return -EINVAL;
        return vb_void_add_mount(v, VB_MNT_BIND, src, dst, flags, 0, 0, NULL);
}

VB_API int vb_void_bind_checked(struct vb_void *v, const char *src, const char *dst, unsigned flags, dev_t dev,
                                ino_t ino)
{
        int r = vb_void_bind(v, src, dst, flags);

        if (r < 0)
                return r;
        v->mounts[v->n_mounts - 1].checked = true;
        v->mounts[v->n_mounts - 1].dev = dev;
        v->mounts[v->n_mounts - 1].ino = ino;
        return 0;
}

VB_API int vb_void_tmpfs(struct vb_void *v, const char *dst, uint64_t size_bytes, unsigned flags)
{
        if (flags & ~VB_MOUNT_EXEC)
                return -EINVAL;
        return vb_void_add_mount(v, VB_MNT_TMPFS, NULL, dst, flags | VB_MOUNT_RW, size_bytes ? size_bytes : 64ULL << 20,
                                 01777, NULL);
}

VB_API int vb_void_dir(struct vb_void *v, const char *dst, mode_t mode)
{
        return vb_void_add_mount(v, VB_MNT_DIR, NULL, dst, 0, 0, mode & 07777, NULL);
}

VB_API int vb_void_symlink(struct vb_void *v, const char *target, const char *dst)
{
        if (!*target)
                return -EINVAL;
        return vb_void_add_mount(v, VB_MNT_SYMLINK, target, dst, 0, 0, 0, NULL);
}

VB_API int vb_void_proc(struct vb_void *v, const char *dst, unsigned flags)
{
        if (flags & ~VB_PROC_SUBSET_PID)
                return -EINVAL;
        return vb_void_add_mount(v, VB_MNT_PROC, NULL, dst, flags, 0, 0, NULL);
}
