/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mount steps run by the child inside its new mount namespace.
 * All use the new mount API (fsopen/fsmount/open_tree/move_mount/mount_setattr):
 * no temporary directory is ever created on the host, and every bind is made
 * from an fd resolved once, so a path cannot be swapped between check and use.
 * None of these allocate.
 */
#ifndef VB_MOUNT_H
#define VB_MOUNT_H

#include "core/void.h"

/* Make every mount private (recursively) and create the void's root tmpfs, detached, or take the
 * detached mount `made` (from vb_root_mount()) instead when it is >= 0.  Stores its fd. */
int vb_mount_new_root(int made, int *rootfd);
/* Stack the new root on "/" of this (private) namespace, where it covers no path, for pivot_root(). */
int vb_mount_stage(int rootfd);
/*
 * Open the source of every bind (following symlinks on the host), check it
 * against the (dev, ino) the caller checked, and clone the tree of a source
 * that is "/" before the root is staged, so that no clone carries the staged
 * root (m->cloned; the others are cloned when mounted, in order).  The fd
 * replaces src_fd.  A missing optional source is marked skipped.
 * On error *failed is the mount.
 */
int vb_mount_open_sources(struct vb_mount *mounts, size_t n, const struct vb_mount **failed);
/*
 * Parent, before the clone, for a void with an identity of its own: open a
 * bind's source as the caller, clone it (recursively), idmap it with the user
 * namespace idmap_userns (>= 0; device binds excepted) and set its flags, so
 * that the child only attaches it.  A read-only bind whose file system cannot
 * be idmapped stays plain (*plain set); a writable one fails.  Sets m->src_fd
 * to the tree and m->prepared; an optional source that is missing is marked
 * skipped.  -errno with a static *why.
 */
int vb_mount_prepare_bind(struct vb_mount *m, int idmap_userns, const char **why, bool *plain);
/*
 * The clone (recursive) of the tree at src, idmapped with idmap_userns when >= 0 (where a submount's file
 * system refuses, its top alone; where the top's refuses, plain, *plain set, unless must_idmap: then
 * -errno), with attrs (MOUNT_ATTR_*) set recursively.  Its fd, or -errno with a static *why.
 */
int vb_mount_clone_idmapped(int src, int idmap_userns, uint64_t attrs, bool must_idmap, bool *plain, const char **why);
/*
 * Parent, for a void of its own uid: the root directory (and an overlay's host upper directory) as
 * idmapped trees, so that the tree is the void's own (root.c).  r->prepared set; -errno with *why.
 */
int vb_root_prepare(struct vb_root *r, int idmap_userns, const char **why);
/* Parent, after the clone: close what vb_root_prepare() made.  Idempotent. */
void vb_root_unprepare(struct vb_root *r);
/* Parent, after the clone: close the trees vb_mount_prepare_bind() made. */
void vb_mount_unprepare(struct vb_mount *mounts, size_t n);
/* Carry out one planned mount relative to the new root; failure detail goes to why. */
int vb_mount_apply(int rootfd, const struct vb_mount *m, const char **why);
/* Cover the directory at path in the root (if there is one) with an empty read-only tmpfs. */
int vb_mount_cover(int rootfd, const char *path);
/*
 * A detached mount of the POSIX message queue file system of our ipc
 * namespace (attached nowhere): what Landlock needs to name it, since
 * mq_open() opens its files through an internal mount that no rule reaches.
 * Returns the fd, or -errno (-EPERM without CAP_SYS_ADMIN over the ipc ns).
 */
int vb_mount_mqueue(void);
/* Make the root read-only (unless keep_flags: a root of the caller's choosing), pivot into it and
 * detach the old root entirely. */
int vb_mount_pivot(int rootfd, bool keep_flags);

/* ---- a root other than the empty tmpfs (root.c) ---- */

/* Open the root's host directory, before anything is staged.  0 for the tmpfs root. */
int vb_root_open(struct vb_root *r);
/* Make the root as a detached mount (bind or overlay) and return its fd; failure detail in why. */
int vb_root_mount(const struct vb_root *r, const char **why);
/* Create a directory and its parents inside the root (resolving symlinks inside the root only). */
int vb_mount_mkdir_p(int rootfd, const char *path, mode_t mode);

/* ---- pieces the container mounts (container_mount.c) build on ---- */

/* openat2() of path under rootfd, symlinks resolved inside it, no magic links.  fd or -errno. */
int vb_mount_open_in_root(int rootfd, const char *path, int flags);
/* The parent directory of path in the root (made if missing), O_PATH; *name is the last component. */
int vb_mount_open_parent(int rootfd, const char *path, const char **name);
/* The file or directory to mount on at path (made empty if missing), O_PATH. */
int vb_mount_make_target(int rootfd, const char *path, bool dir);
/* Move the detached mount mntfd onto path in the root (made if missing). */
int vb_mount_attach(int mntfd, int rootfd, const char *dst, bool dir);
/* A detached new file system of type with n string options, mounted with attrs.  fd or -errno. */
int vb_mount_new_fs(const char *type, const char *const opts[][2], size_t n, unsigned attrs);
/* Cover a fresh procfs's host-wide files: read-only /proc/sys and friends, /proc/kcore hidden... */
int vb_mount_proc_covers(int procfd);

/* ---- the inbox (inbox.c runs these in its holder, mount_inbox() in the void's child) ---- */

#define VB_INBOX_NAME_MAX 64
/* A grant's name: one path component of [A-Za-z0-9_.-+@,], not starting with '.', 1..64 bytes. */
bool vb_mount_inbox_name_ok(const char *name);
/*
 * Holder: make every mount a slave (nothing propagates back to the caller's
 * tree), then a small tmpfs stacked on "/", made shared.  Stores its fd.
 */
int vb_mount_inbox_create(int *inbox_fd);
/*
 * Holder: bind src_fd's tree at inbox/name, recursively nosuid, nodev, read-only unless rw, idmapped with
 * idmap_userns when >= 0 (as vb_mount_prepare_bind()).  -EEXIST if taken.
 */
int vb_mount_inbox_grant(int inbox_fd, int src_fd, const char *name, bool rw, int idmap_userns);
/* Holder: detach inbox/name (the unmount propagates to the voids' slaves) and remove the mount point. */
int vb_mount_inbox_ungrant(int inbox_fd, const char *name);
/* Holder: a detached recursive clone of the inbox, a peer of it, for one void.  Returns the fd. */
int vb_mount_inbox_clone(int inbox_fd);

#endif
