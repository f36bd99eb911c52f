/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoidbuilder: what an OCI runtime asks of a void.
 * Part of <voidbuilder.h>, which includes it: include that.
 */
#ifndef VOIDBUILDER_CONTAINER_H
#define VOIDBUILDER_CONTAINER_H

#include <voidbuilder.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- containers: what an OCI runtime asks of a void (doc/oci.md) ------------- */

/*
 * The root directory given to vb_void_root() is a container image's (an OCI
 * bundle's root.path), used as runc uses it: its setuid files and device nodes
 * keep working (no nosuid, nodev), mount points missing in it are created in
 * it, and a read-only root (no VB_MOUNT_RW) turns read-only only once every
 * mount is made, and only the root mount itself (granted mounts keep their
 * own flags).  With such a root the void may also join a mount namespace
 * (vb_void_set_ns(v, VB_NS_MNT, VB_NS_JOIN, fd)): it then builds its root
 * inside that namespace instead of a fresh one.  Call it after vb_void_root();
 * -EINVAL without a root directory (the empty tmpfs or an overlay).
 */
VB_API int vb_void_image_root(struct vb_void *v) VB_NONNULL(1);
/*
 * The void builds no root at all: it keeps the root of the mount namespace it
 * joins, to run a second program in a running void (an OCI runtime's exec).
 * The mount namespace must be joined (VB_NS_JOIN) and no mount may be granted
 * (vb_void_spawn() refuses both with -EINVAL).
 */
VB_API int vb_void_enter(struct vb_void *v) VB_NONNULL(1);

/* One line of a uid_map or gid_map: count ids from inner (in the void) are outer..outer+count-1 outside. */
struct vb_id_map {
        uint32_t inner, outer, count;
};
/*
 * Map these id ranges in the void's fresh user namespace instead of the
 * caller's one id (vb_void_set_ids()).  The maps are written by the spawner,
 * which needs CAP_SETUID and CAP_SETGID over its own user namespace for any
 * map but its own one id; setgroups(2) stays allowed.  At most 340 ranges
 * each (the kernel's limit); -EINVAL for none, a zero count, or overlap.
 */
VB_API int vb_void_id_maps(struct vb_void *v, const struct vb_id_map *uids, size_t n_uids, const struct vb_id_map *gids,
                           size_t n_gids) VB_NONNULL(1, 2, 4);
/*
 * The program runs as uid and gid (ids of the void's user namespace) with
 * these supplementary groups (n_groups 0: none), switched to after the
 * void is built and before its capabilities are set.  Not the same as
 * vb_void_set_ids(), which chooses the one id a fresh user namespace maps:
 * these need the ids to exist in the namespace (shared, joined, or mapped
 * with vb_void_id_maps()).  groups is copied; -E2BIG above 65536 groups.
 */
VB_API int vb_void_user(struct vb_void *v, uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups) VB_NONNULL(1);
/* The umask the program starts with (default: the caller's). -EINVAL above 0777. */
VB_API int vb_void_umask(struct vb_void *v, mode_t mask) VB_NONNULL(1);

/* The five capability sets, bit n = CAP n. */
struct vb_cap_sets {
        uint64_t bounding, effective, permitted, inheritable, ambient;
};
/*
 * Give the program exactly these capability sets (instead of vb_void_keep_cap(),
 * which puts one capability in every set).  effective and ambient must be
 * subsets of permitted, ambient of inheritable too (-EINVAL).  A later
 * vb_void_keep_cap() adds its capability to every set.
 */
VB_API int vb_void_cap_sets(struct vb_void *v, const struct vb_cap_sets *sets) VB_NONNULL(1, 2);
/*
 * Leave no_new_privs unset (on = false), so that setuid programs and file
 * capabilities work in the void: an OCI config's "noNewPrivileges": false.
 * The seccomp filter then goes on while the void still holds CAP_SYS_ADMIN.
 */
VB_API int vb_void_no_new_privs(struct vb_void *v, bool on) VB_NONNULL(1);

/*
 * Mount a new file system of type fstype (sysfs, mqueue, tmpfs, devpts, proc,
 * cgroup2...) at dst, shown with source name `source` (NULL: the type).
 * options is the comma-separated list of file system options ("mode=755,
 * size=64k", "newinstance,ptmxmode=0666"; NULL: none), attrs MOUNT_ATTR_*
 * from <linux/mount.h> (RDONLY, NOSUID, NODEV, NOEXEC, the atime modes).
 * A proc gets the same read-only covers as vb_void_proc().  -EINVAL for an
 * empty type or an option longer than 255 bytes.
 */
VB_API int vb_void_mount(struct vb_void *v, const char *fstype, const char *source, const char *dst,
                         const char *options, unsigned attrs) VB_NONNULL(1, 2, 4);
/*
 * Hide path (in the void, after the mounts made before): a directory gets
 * an empty read-only tmpfs over it, anything else the host's /dev/null.  A
 * path that does not exist is left alone.
 */
VB_API int vb_void_mask(struct vb_void *v, const char *path) VB_NONNULL(1, 2);
/* Make path (in the void, after the mounts made before) read-only, recursively; a missing path is left alone. */
VB_API int vb_void_readonly(struct vb_void *v, const char *path) VB_NONNULL(1, 2);
/*
 * A device node at path in the void: type 'c', 'b' or 'p', with mode (the
 * permission bits), owner and group.  Where mknod(2) is not allowed (a fresh
 * user namespace), the host's node of the same path is bound instead, if it
 * is the same device.  -EINVAL for another type.
 */
VB_API int vb_void_device(struct vb_void *v, const char *path, char type, unsigned major, unsigned minor, mode_t mode,
                          uid_t uid, gid_t gid) VB_NONNULL(1, 2);
/*
 * Set a namespaced sysctl ("net.ipv4.ip_forward", "kernel.shmmax") in the
 * void's own namespaces before the program runs.  -EINVAL for a key that is
 * not of a namespace the void has fresh (net, ipc, uts), or one with "..".
 */
VB_API int vb_void_sysctl(struct vb_void *v, const char *key, const char *value) VB_NONNULL(1, 2, 3);
/* The program's /proc/self/oom_score_adj (-1000..1000; lowering it needs CAP_SYS_RESOURCE). */
VB_API int vb_void_oom_score_adj(struct vb_void *v, int adj) VB_NONNULL(1);
/*
 * Also start the void in the cgroup v1 directory dirfd (dup'ed): the spawner
 * writes the void's first process into its cgroup.procs before the void
 * makes its cgroup namespace.  Up to 16 directories (-E2BIG).
 */
VB_API int vb_void_cgroup_v1(struct vb_void *v, int dirfd) VB_NONNULL(1);

/*
 * Hold the void before its program: vb_void_spawn() returns once the void is
 * built (its namespaces, root, mounts, ids, user, capabilities), its program
 * found, and it waits.  The void runs the rest (its seccomp filter, its fds,
 * rlimits, exec) only once it reads a byte from gate_fd (dup'ed; a FIFO opened
 * O_RDWR, say); at end of file it exits with status 0.  A held void is
 * detached from its spawner once ready: it no longer dies with it, and its
 * first process is the spawner's own child even when it joins namespaces (no
 * intermediate process stays): an OCI runtime's "created" container.
 * A program that is not found fails the spawn (step "exec").
 */
VB_API int vb_void_hold(struct vb_void *v, int gate_fd) VB_NONNULL(1);
/* Free the handle of a running void without killing it (a held void left to run).  Accepts NULL; NULL. */
VB_API struct vb_proc *vb_proc_release(struct vb_proc *p);

#ifdef __cplusplus
}
#endif
#endif
