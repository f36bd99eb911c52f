/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: a host identity of its own for each void a privileged caller
 * starts (doc/servers.md, "auth": the default identity).
 *
 * The ids come from the range reserved for voidshim in /etc/subuid and
 * /etc/subgid (the entry of the user "voidshim", as podman's --userns=auto
 * takes the entry of "containers"); each void takes one uid and the gid of
 * the same index.  A lease on an id is an exclusive flock(2) on
 * VB_ID_LOCKDIR/<uid> (as systemd-nspawn -U locks /run/systemd/nspawn-uid/<base>),
 * held by the supervisor until the void's last process is gone: two running
 * voids never share an id.  A lease whose holder died (SIGKILL) leaves its
 * file behind, "dirty"; the id is reused, and the file removed, only once no
 * process runs as that uid any more.
 */
#ifndef VB_IDENTITY_H
#define VB_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define VB_ID_USER    "voidshim"
#define VB_ID_SUBUID  "/etc/subuid"
#define VB_ID_SUBGID  "/etc/subgid"
#define VB_ID_LOCKDIR "/run/voidshim/ids"

/* The reserved range: uid + i goes with gid + i, for i < count. */
struct vb_id_range {
        uid_t uid;
        gid_t gid;
        uint32_t count;
};

/* One id taken from the range, until vb_id_lease_drop(). */
struct vb_id_lease {
        int fd; /* the lock file, flock(LOCK_EX) held; -1: no lease */
        uid_t uid;
        gid_t gid;
        char path[64]; /* the lock file */
};

/*
 * The first entry for `user` in the text of a subordinate id file
 * (subuid(5): NAME:START:COUNT lines; an entry may name the user by its uid,
 * given as user_id, or (uid_t)-1 for none).  0 with *start and *count, -ENOENT
 * when there is none, -EINVAL when it is malformed, empty, or reaches past
 * 2^32 - 2 or down to 0.  Pure.
 */
int vb_id_subid_parse(const char *text, const char *user, uid_t user_id, uint32_t *start, uint32_t *count);

/*
 * The range reserved for voidshim, from the files subuid and subgid (NULL:
 * /etc/subuid, /etc/subgid): both must have an entry for VB_ID_USER; the
 * count is the smaller of the two.  0, -ENOENT when either has none (or the
 * file is missing), -EINVAL when an entry is malformed, -errno from reading.
 */
int vb_id_range_read(const char *subuid, const char *subgid, struct vb_id_range *out);

/*
 * Take an id of r that no running void holds, locking it in lockdir (made,
 * root-only, if missing; refused with -EPERM when it is not ours alone).
 * Starts at a random index so that an id just given back is not taken again
 * at once.  -EUSERS when every id is held.  *out is set on success only.
 */
int vb_id_lease_take(const struct vb_id_range *r, const char *lockdir, struct vb_id_lease *out);

/*
 * Give the id back once the void's processes are gone: the lock file goes,
 * then the lock.  With maybe_running (the void shared a pid namespace, so a
 * process of it may outlive its init), the file is left dirty instead if a
 * process still runs as the uid.  Idempotent; accepts a lease without fd.
 */
void vb_id_lease_drop(struct vb_id_lease *l, bool maybe_running);

/* Does any process on the host (as /proc shows it) run with uid or gid among its ids? */
bool vb_id_in_use(uid_t uid, gid_t gid);

/*
 * Write the maps of process pid's (fresh) user namespace: inner_uid over
 * outer_uid, inner_gid over outer_gid, one id each; setgroups is left allowed,
 * so that the process can drop the supplementary groups it was born with.
 * Needs CAP_SETUID and CAP_SETGID over the namespace's parent.  0, -errno.
 */
int vb_id_write_maps(pid_t pid, uid_t inner_uid, uid_t outer_uid, gid_t inner_gid, gid_t outer_gid);

/*
 * A user namespace fd whose maps take inner_uid to outer_uid and inner_gid to
 * outer_gid (one id each), for MOUNT_ATTR_IDMAP: a file the caller owns on
 * disk (inner) is the void's (outer) through the mount, and what the void
 * creates is the caller's on disk.  Needs CAP_SETUID and CAP_SETGID.  The fd
 * (O_CLOEXEC) in *out, or -errno.
 */
int vb_id_idmap_userns(uid_t inner_uid, uid_t outer_uid, gid_t inner_gid, gid_t outer_gid, int *out);

#endif
