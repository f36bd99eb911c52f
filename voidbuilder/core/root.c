/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the void's "/" is made of: the empty tmpfs (mount.c), a host directory
 * bound read-only (or writable), or an overlay of a host directory under a
 * tmpfs or a host upper directory.  The setters run in the caller; the
 * vb_root_*() functions in the child, before the root is staged.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/mount.h"
#include "core/void.h"

#define OVERLAY_TMPFS_SIZE (1ULL << 30)

static int set_root(struct vb_void *v, enum vb_root_kind kind, const char *dir, const char *upper, unsigned flags,
                    uint64_t size)
{
        _cleanup_free_ char *d = NULL, *u = NULL;

        if (dir[0] != '/' || (upper && upper[0] != '/'))
                return -EINVAL;
        d = strdup(dir);
        u = upper ? strdup(upper) : NULL;
        if (!d || (upper && !u))
                return -ENOMEM;
        free(v->root.dir);
        free(v->root.upper);
        v->root = (struct vb_root){
                .kind = kind, .dir = TAKE_PTR(d), .upper = TAKE_PTR(u), .flags = flags, .size = size, .dir_fd = -1
        };
        return 0;
}

VB_API int vb_void_root(struct vb_void *v, const char *dir, unsigned flags)
{
        if (flags & ~VB_MOUNT_RW)
                return -EINVAL;
        return set_root(v, VB_ROOT_DIR, dir, NULL, flags, 0);
}

VB_API int vb_void_root_overlay(struct vb_void *v, const char *lower, const char *upper, uint64_t size_bytes)
{
        return set_root(v, VB_ROOT_OVERLAY, lower, upper, VB_MOUNT_RW, size_bytes ? size_bytes : OVERLAY_TMPFS_SIZE);
}

VB_API int vb_void_sys(struct vb_void *v, const char *dst)
{
        return vb_void_add_mount(v, VB_MNT_SYSFS, NULL, dst, 0, 0, 0, NULL);
}

/* ---- the child's side ---- */

int vb_root_open(struct vb_root *r)
{
        struct stat st;

        if (r->kind == VB_ROOT_TMPFS)
                return 0;
        /* Opened before the root is staged over /tmp or /mnt, which may hold it. */
        r->dir_fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->dir_fd < 0)
                return NEG_ERRNO();
        if (fstat(r->dir_fd, &st) < 0)
                return NEG_ERRNO();
        return 0;
}

static int bind_root(const struct vb_root *r)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        int tree = open_tree(r->dir_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);

        if (tree < 0)
                return NEG_ERRNO();
        if (!(r->flags & VB_MOUNT_RW))
                attr.attr_set |= MOUNT_ATTR_RDONLY;
        /* Recursive: no submount of the tree stays writable or setuid-capable. */
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
                int e = NEG_ERRNO();

                close(tree);
                return e;
        }
        return tree;
}

/* A host upper directory: upper/ and work/ in it, made when missing (overlayfs needs both on one fs). */
static int host_upper(const char *dir, char *upper, char *work, size_t len)
{
        _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return NEG_ERRNO();
        if ((mkdirat(fd, "upper", 0755) < 0 && errno != EEXIST) || (mkdirat(fd, "work", 0700) < 0 && errno != EEXIST))
                return NEG_ERRNO();
        snprintf(upper, len, "/proc/self/fd/%d/upper", fd);
        snprintf(work, len, "/proc/self/fd/%d/work", fd);
        return TAKE_FD(fd);
}

/* A tmpfs upper: a detached tmpfs with upper/ and work/, reached through its fd. */
static int tmpfs_upper(uint64_t size, char *upper, char *work, size_t len)
{
        _cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -1;
        char sz[32];

        if (fs < 0)
                return NEG_ERRNO();
        snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
        if (fsconfig(fs, FSCONFIG_SET_STRING, "size", sz, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (mnt < 0)
                return NEG_ERRNO();
        if (mkdirat(mnt, "upper", 0755) < 0 || mkdirat(mnt, "work", 0700) < 0)
                return NEG_ERRNO();
        snprintf(upper, len, "/proc/self/fd/%d/upper", mnt);
        snprintf(work, len, "/proc/self/fd/%d/work", mnt);
        return TAKE_FD(mnt);
}

static int overlay_root(const struct vb_root *r, const char **why)
{
        char lower[64], upper[64], work[64];
        _cleanup_close_ int up = -1, fs = -1;
        int m;

        *why = r->upper ? "preparing the upper directory" : "making the tmpfs upper";
        up = r->upper ? host_upper(r->upper, upper, work, sizeof(upper)) : tmpfs_upper(r->size, upper, work, 64);
        if (up < 0)
                return up;
        snprintf(lower, sizeof(lower), "/proc/self/fd/%d", r->dir_fd);
        *why = "mounting the overlay";
        fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return NEG_ERRNO();
        /* userxattr: the only kind of xattr an unprivileged overlay may keep its state in. */
        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        return m < 0 ? NEG_ERRNO() : m;
}

int vb_root_mount(const struct vb_root *r, const char **why)
{
        *why = NULL;
        switch (r->kind) {
        case VB_ROOT_DIR:
                *why = "binding the root directory";
                return bind_root(r);
        case VB_ROOT_OVERLAY:
                return overlay_root(r, why);
        case VB_ROOT_TMPFS:
        default:
                return -EINVAL;
        }
}
