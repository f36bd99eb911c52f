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

#include "void.h"

/* Make every mount private (recursively), create the void's root tmpfs and attach it
 * at a staging point inside this (private) namespace.  Stores an O_PATH fd to the new root. */
int vb_mount_new_root(int *rootfd);
/*
 * Open the source of every bind (O_PATH, following symlinks on the host) before
 * the root is staged: staging covers a host directory (/tmp) that may hold sources.
 * A missing optional source is marked skipped.  On error *failed is the mount.
 */
int vb_mount_open_sources(struct vb_mount *mounts, size_t n, const struct vb_mount **failed);
/* Carry out one planned mount relative to the new root; failure detail goes to why. */
int vb_mount_apply(int rootfd, const struct vb_mount *m, const char **why);
/* Make the root read-only, pivot into it and detach the old root entirely. */
int vb_mount_pivot(int rootfd);
/* Create a directory and its parents inside the root (resolving symlinks inside the root only). */
int vb_mount_mkdir_p(int rootfd, const char *path, mode_t mode);

#endif
