/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The child's container steps (container.h): file systems, masks, read-only
 * paths and device nodes among the mounts, then sysctls and oom_score_adj
 * before pivot_root, the program's user, and a held void's program lookup.
 * None of these allocate.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/container.h"
#include "core/mount.h"

/* fsconfig() every option of "a=1,b,c=x": a value makes a string, none a flag. */
static int configure(int fs, const char *data)
{
        char opt[256];

        for (const char *p = data; p && *p;) {
                const char *e = strchrnul(p, ',');
                size_t len = (size_t)(e - p);
                char *eq;

                p = *e ? e + 1 : e;
                if (len == 0)
                        continue;
                if (len >= sizeof(opt))
                        return -EINVAL;
                memcpy(opt, e - len, len);
                opt[len] = '\0';
                eq = strchr(opt, '=');
                if (eq)
                        *eq = '\0';
                if ((eq ? fsconfig(fs, FSCONFIG_SET_STRING, opt, eq + 1, 0)
                        : fsconfig(fs, FSCONFIG_SET_FLAG, opt, NULL, 0)) < 0)
                        return NEG_ERRNO();
        }
        return 0;
}

/* sysfs needs the network namespace's owner: where it is not ours, the host's /sys, bound read-only. */
static int sysfs_fallback(int rootfd, const struct vb_mount *m)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                               MOUNT_ATTR_NOEXEC };
        _cleanup_close_ int tree = open_tree(AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

        if (tree < 0)
                return NEG_ERRNO();
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return NEG_ERRNO();
        return vb_mount_attach(tree, rootfd, m->dst, true);
}

static int mount_fs(int rootfd, const struct vb_mount *m, const char **why)
{
        _cleanup_close_ int fs = fsopen(m->fstype, FSOPEN_CLOEXEC);
        _cleanup_close_ int mnt = -1;
        int r;

        *why = "creating the file system";
        if (fs < 0)
                return NEG_ERRNO();
        if (fsconfig(fs, FSCONFIG_SET_STRING, "source", m->src, 0) < 0)
                return NEG_ERRNO();
        *why = "its options";
        r = configure(fs, m->data);
        if (r < 0)
                return r;
        *why = "creating the file system";
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
                r = NEG_ERRNO();
                if (r == -EPERM && strcmp(m->fstype, "sysfs") == 0) {
                        *why = "binding the host's /sys (a new sysfs needs a network namespace of its own)";
                        return sysfs_fallback(rootfd, m);
                }
                return r;
        }
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, m->attrs);
        if (mnt < 0)
                return NEG_ERRNO();
        *why = "attaching";
        r = vb_mount_attach(mnt, rootfd, m->dst, true);
        if (r < 0 || strcmp(m->fstype, "proc") != 0)
                return r;
        *why = "covering host-wide files";
        return vb_mount_proc_covers(mnt);
}

static int mask(int rootfd, const struct vb_mount *m, const char **why)
{
        struct mount_attr ro = { .attr_set =
                                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
        const char *const opts[][2] = { { "size", "0" }, { "mode", "0555" } };
        _cleanup_close_ int target = vb_mount_open_in_root(rootfd, m->dst, O_PATH | O_NOFOLLOW);
        _cleanup_close_ int tree = -1;
        struct stat st;

        if (target == -ENOENT)
                return 0;
        if (target < 0 || fstat(target, &st) < 0)
                return target < 0 ? target : NEG_ERRNO();
        *why = "covering it";
        if (S_ISDIR(st.st_mode)) {
                tree = vb_mount_new_fs("tmpfs", opts, ELEMENTSOF(opts), MOUNT_ATTR_RDONLY);
                if (tree < 0)
                        return tree;
        } else { /* the old root is still reachable while the mounts are made */
                tree = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
                        return NEG_ERRNO();
        }
        if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

static int readonly(int rootfd, const struct vb_mount *m, const char **why)
{
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int target = vb_mount_open_in_root(rootfd, m->dst, O_PATH | O_NOFOLLOW);
        _cleanup_close_ int tree = -1;

        if (target == -ENOENT)
                return 0;
        if (target < 0)
                return target;
        /* A bind of the path onto itself, so that only it (and what is below) turns read-only. */
        *why = "binding it onto itself";
        tree = open_tree(target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
        if (tree < 0)
                return NEG_ERRNO();
        *why = "making it read-only";
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
                return NEG_ERRNO();
        if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

/* No mknod(2) in a user namespace: bind the host's node of the same path, if it is that device. */
static int device_bind(int rootfd, const struct vb_mount *m, const char **why)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };
        _cleanup_close_ int src = open(m->dst, O_PATH | O_CLOEXEC);
        _cleanup_close_ int tree = -1;
        struct stat st;

        *why = "mknod is not allowed here, and the host has no such node to bind";
        if (src < 0 || fstat(src, &st) < 0 || (st.st_mode & S_IFMT) != (m->mode & S_IFMT) || st.st_rdev != m->rdev)
                return -EPERM;
        *why = "binding the host's node";
        tree = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return NEG_ERRNO();
        return vb_mount_attach(tree, rootfd, m->dst, false);
}

static int device(int rootfd, const struct vb_mount *m, const char **why)
{
        _cleanup_close_ int parent = -1;
        const char *name;
        int r;

        *why = "making its directory";
        parent = vb_mount_open_parent(rootfd, m->dst, &name);
        if (parent < 0)
                return parent;
        *why = "mknod";
        r = mknodat(parent, name, m->mode, m->rdev) < 0 ? NEG_ERRNO() : 0;
        if (r == -EEXIST && unlinkat(parent, name, 0) == 0) /* a node the root brought: ours replaces it */
                r = mknodat(parent, name, m->mode, m->rdev) < 0 ? NEG_ERRNO() : 0;
        if (r == -EPERM && !S_ISFIFO(m->mode))
                return device_bind(rootfd, m, why);
        if (r < 0)
                return r;
        /* mknod's mode went through the umask; owner and mode as asked. */
        *why = "setting its owner and mode";
        if (fchownat(parent, name, m->uid, m->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(parent, name, m->mode & 07777, 0) < 0)
                return NEG_ERRNO();
        return 0;
}

int vb_ctr_mount_apply(int rootfd, const struct vb_mount *m, const char **why)
{
        switch (m->kind) {
        case VB_MNT_FS:
                return mount_fs(rootfd, m, why);
        case VB_MNT_MASK:
                return mask(rootfd, m, why);
        case VB_MNT_RDONLY:
                return readonly(rootfd, m, why);
        case VB_MNT_DEVICE:
                return device(rootfd, m, why);
        default:
                return -EINVAL;
        }
}

static int write_text(const char *path, const char *text)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        size_t len = strlen(text);

        if (fd < 0)
                return NEG_ERRNO();
        if (write(fd, text, len) != (ssize_t)len)
                return NEG_ERRNO();
        return 0;
}

int vb_ctr_before_pivot(const struct vb_void *v, const char **what)
{
        const struct vb_container *c = v->ctr;
        static char path[PATH_MAX], num[16];
        int r;

        /*
         * The host's /proc, still reachable: a sysctl file is resolved for the namespaces of
         * whoever opens it, which are the void's now.  The void's own /proc covers /proc/sys.
         */
        for (size_t i = 0; i < c->n_sysctls; i++) {
                snprintf(path, sizeof(path), "/proc/sys/%s", c->sysctls[i].path);
                *what = path;
                r = write_text(path, c->sysctls[i].value);
                if (r < 0)
                        return r;
        }
        if (c->oom_set) {
                snprintf(num, sizeof(num), "%d", c->oom_score_adj);
                *what = "/proc/self/oom_score_adj";
                return write_text(*what, num);
        }
        return 0;
}

int vb_ctr_switch_user(const struct vb_void *v)
{
        const struct vb_container *c = v->ctr;

        if (c->umask_set)
                umask(c->umask);
        if (!c->user_set)
                return 0;
        /* Keep the permitted set across the change of uid: vb_caps_set() chooses what stays. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return NEG_ERRNO();
        /* No groups asked for: drop the caller's, where the namespace allows setgroups(2) at all. */
        if (setgroups(c->n_groups, c->groups) < 0 && (c->n_groups || errno != EPERM))
                return NEG_ERRNO();
        if (setresgid(c->gid, c->gid, c->gid) < 0 || setresuid(c->uid, c->uid, c->uid) < 0)
                return NEG_ERRNO();
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return NEG_ERRNO();
        return 0;
}

static bool runnable(const char *path)
{
        struct stat st;

        return access(path, X_OK) == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int vb_ctr_find_program(const struct vb_void *v)
{
        static char buf[PATH_MAX];
        const char *path = "/usr/local/bin:/usr/bin:/bin";
        int r = -ENOENT;

        if (v->exec_fd >= 0)
                return 0;
        if (strchr(v->exec_path, '/'))
                return runnable(v->exec_path) ? 0 : errno == 0 ? -EACCES : NEG_ERRNO();
        for (char *const *e = v->env; *e; e++)
                if (strncmp(*e, "PATH=", 5) == 0)
                        path = *e + 5;
        for (const char *p = path; *p;) {
                const char *e = strchrnul(p, ':');
                int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, v->exec_path);

                errno = 0;
                if (n > 0 && (size_t)n < sizeof(buf)) {
                        if (runnable(buf))
                                return 0;
                        if (errno == EACCES)
                                r = -EACCES;
                }
                p = *e ? e + 1 : e;
        }
        return r;
}
