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
        v->root = (struct vb_root){ .kind = kind,
                                    .dir = TAKE_PTR(d),
                                    .upper = TAKE_PTR(u),
                                    .flags = flags,
                                    .size = size,
                                    .dir_fd = -1,
                                    .upper_fd = -1 };
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

/* ---- the parent's side, for a void of its own uid ---- */

int vb_root_prepare(struct vb_root *r, int idmap_userns, const char **why)
{
        uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        _cleanup_close_ int dir = -1, up = -1;
        bool plain;

        *why = NULL;
        if (r->kind == VB_ROOT_TMPFS)
                return 0;
        *why = "opening the root directory";
        dir = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return NEG_ERRNO();
        if (r->kind == VB_ROOT_DIR && !(r->flags & VB_MOUNT_RW))
                attrs |= MOUNT_ATTR_RDONLY;
        /*
         * The tree must be the void's own: a writable root, an overlay's lower layer (what is copied
         * up keeps its owner) and its host upper are refused on a file system without idmapped mounts.
         */
        r->dir_fd = vb_mount_clone_idmapped(dir, idmap_userns, attrs,
                                            r->kind == VB_ROOT_OVERLAY || (r->flags & VB_MOUNT_RW), &plain, why);
        if (r->dir_fd < 0)
                return r->dir_fd;
        if (r->kind == VB_ROOT_OVERLAY && r->upper) {
                *why = "opening the upper directory";
                up = open(r->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (up < 0)
                        return NEG_ERRNO();
                r->upper_fd = vb_mount_clone_idmapped(up, idmap_userns, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true,
                                                      &plain, why);
                if (r->upper_fd < 0)
                        return r->upper_fd;
        }
        r->prepared = true;
        *why = NULL;
        return 0;
}

void vb_root_unprepare(struct vb_root *r)
{
        if (r->dir_fd >= 0)
                vb_closep(&r->dir_fd);
        if (r->upper_fd >= 0)
                vb_closep(&r->upper_fd);
        r->dir_fd = r->upper_fd = -1;
        r->prepared = false;
}

/* ---- the child's side ---- */

int vb_root_open(struct vb_root *r)
{
        struct stat st;

        if (r->kind == VB_ROOT_TMPFS || r->prepared)
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
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, .propagation = MS_PRIVATE };
        int tree;

        /* Made by the parent, idmapped and its flags set (vb_root_prepare()): it is the root as it is. */
        if (r->prepared) {
                tree = fcntl(r->dir_fd, F_DUPFD_CLOEXEC, 3);
                return tree < 0 ? NEG_ERRNO() : tree;
        }
        tree = open_tree(r->dir_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);

        if (tree < 0)
                return NEG_ERRNO();
        /*
         * Cloned before vb_mount_new_root() makes "/" private: a clone of a
         * shared mount is its peer, and every mount made on the root would
         * propagate back to the caller's namespace (a rootful OCI container
         * without a user namespace, on a host whose "/" is shared).
         */
        if (r->flags & VB_ROOT_IMAGE) /* vb_void_image_root(): as the image is; read-only at the pivot */
                attr.attr_set = 0;
        if (!(r->flags & (VB_MOUNT_RW | VB_ROOT_IMAGE)))
                attr.attr_set |= MOUNT_ATTR_RDONLY;
        /* Recursive: no submount of the tree stays writable or setuid-capable. */
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
                int e = NEG_ERRNO();

                close(tree);
                return e;
        }
        return tree;
}

/*
 * A host upper directory: upper/ and work/ in it, made when missing (overlayfs needs both on one fs).
 * prepared_fd >= 0: the directory as the parent idmapped it (vb_root_prepare()).
 */
static int host_upper(const char *dir, int prepared_fd, char *upper, char *work, size_t len)
{
        _cleanup_close_ int fd =
                prepared_fd >= 0 ? fcntl(prepared_fd, F_DUPFD_CLOEXEC, 3) : open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

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

/*
 * The parent's idmapped trees (vb_root_prepare()) come from a mount namespace of the host's user
 * namespace, and overlayfs takes a layer only from a mount namespace its mounter is capable in: they
 * are attached in ours first, in a small tmpfs of our own stacked on "/" (which no path resolves
 * through, as the void's root is staged: mount.c), after every mount is made private.  They are
 * reached through their fds; the old root, and they with it, are detached at pivot_root.
 */
static int attach_layers(const struct vb_root *r)
{
        _cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), scratch = -1;

        if (fs < 0)
                return NEG_ERRNO();
        if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return NEG_ERRNO();
        scratch = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (scratch < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mkdirat(scratch, "lower", 0700) < 0 || (r->upper && mkdirat(scratch, "upper", 0700) < 0) ||
            move_mount(scratch, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        if (move_mount(r->dir_fd, "", scratch, "lower", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        if (r->upper && move_mount(r->upper_fd, "", scratch, "upper", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return NEG_ERRNO();
        return 0;
}

static int make_overlay(const struct vb_root *r, const char **why)
{
        char lower[64], upper[64], work[64];
        _cleanup_close_ int up = -1, fs = -1;
        int m;

        *why = r->upper ? "preparing the upper directory" : "making the tmpfs upper";
        up = r->upper ? host_upper(r->upper, r->prepared ? r->upper_fd : -1, upper, work, sizeof(upper))
                      : tmpfs_upper(r->size, upper, work, 64);
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

static int overlay_root(const struct vb_root *r, const char **why)
{
        int m, e;

        if (!r->prepared)
                return make_overlay(r, why);
        *why = "attaching the idmapped layers";
        m = attach_layers(r);
        if (m >= 0)
                m = make_overlay(r, why);
        /*
         * The overlay holds private clones of its layers: the scratch tmpfs goes now, with the layers
         * attached in it.  Left stacked on "/", it would stay above the void's root after pivot_root
         * (which detaches only the topmost mount there), and a newcomer entering the namespace
         * (vb_void_join()) would be taken down to the host's tree below it.
         */
        e = errno;
        if (umount2("/", MNT_DETACH) < 0 && m >= 0) {
                e = errno;
                close(m);
                *why = "detaching the idmapped layers";
                return -e;
        }
        errno = e;
        return m;
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
