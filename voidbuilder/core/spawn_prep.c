/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parent's steps around the clone: the void's host identity and its
 * cgroups before it, the id maps and the move into v1 cgroups after it, and
 * giving both back once the void is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "core/cgroup.h"
#include "core/cleanup.h"
#include "core/identity.h"
#include "core/mount.h"
#include "core/spawn.h"
#include "helpers/inbox.h"

/* Root of another user namespace (unshare -Ur, a container) is some host uid already, and cannot map the reserved ids. */
bool vb_spawn_host_root(void)
{
        _cleanup_close_ int fd = -1;
        unsigned long inner = 1, outer = 1, count = 0;
        char buf[128];
        ssize_t n;

        if (geteuid() != 0)
                return false;
        /* open and read, no stdio: the warm zygote asks too, and allocates nothing (helpers/helper.h). */
        fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (n <= 0)
                return false;
        buf[n] = '\0';
        if (sscanf(buf, "%lu %lu %lu", &inner, &outer, &count) != 3)
                return false;
        return inner == 0 && outer == 0 && count == 4294967295UL;
}

enum vb_identity vb_spawn_identity(const struct vb_void *v)
{
        if (v->identity != VB_IDENTITY_AUTO)
                return v->identity;
        /* A container's ids are its config's: its uid/gid mappings (written by the spawner), or the caller's. */
        if (v->ctr)
                return VB_IDENTITY_HOST;
        return v->ns_mode[VB_NS_USER] == VB_NS_FRESH && vb_spawn_host_root() ? VB_IDENTITY_RESERVED : VB_IDENTITY_HOST;
}

static bool has_limits(const struct vb_void *v)
{
        return v->limits.pids || v->limits.memory || v->limits.cpu;
}

static int read_range(struct vb_id_range *range, struct vb_error **err)
{
        int r = vb_id_range_read(NULL, NULL, range);

        if (r == -ENOENT)
                return vb_error_set(err, ENOENT,
                                    "a void started by root runs as a uid of its own, and none is reserved: "
                                    "add a range for the user %s to %s and %s (make install does; "
                                    "doc/servers.md), or keep root's identity (--identity host)",
                                    VB_ID_USER, VB_ID_SUBUID, VB_ID_SUBGID);
        if (r < 0)
                return vb_error_set(err, -r, "reading the range reserved for %s in %s and %s", VB_ID_USER, VB_ID_SUBUID,
                                    VB_ID_SUBGID);
        return 0;
}

int vb_spawn_check_identity(const struct vb_void *v, struct vb_id_range *range, struct vb_error **err)
{
        *range = (struct vb_id_range){};
        return vb_spawn_identity(v) == VB_IDENTITY_RESERVED ? read_range(range, err) : 0;
}

/* A uid of its own: from the range read before (known: a helper reads nothing that allocates), or now. */
static int take_lease(struct vb_spawn_prep *prep, const struct vb_id_range *known, struct vb_error **err)
{
        struct vb_id_range range;
        int r = known && known->count ? 0 : read_range(&range, err);

        if (r < 0)
                return r;
        if (known && known->count)
                range = *known;
        r = vb_id_lease_take(&range, NULL, &prep->lease);
        if (r == -EUSERS)
                return vb_error_set(err, EUSERS, "every uid reserved for voidshim (%u to %u) is in use",
                                    (unsigned)range.uid, (unsigned)(range.uid + range.count - 1));
        if (r < 0)
                return vb_error_set(err, -r, "taking a uid of its own for the void (locks in %s)", VB_ID_LOCKDIR);
        prep->reserved = true;
        prep->host_uid = prep->lease.uid;
        prep->host_gid = prep->lease.gid;
        return 0;
}

/* A bind that cannot be made: told as the child tells its own mount failures (step "mount"). */
static int mount_failed(struct vb_error **err, int r, const struct vb_mount *m, const char *why)
{
        r = vb_error_set(err, -r, "setting up the void: mount %s from %s%s%s", m->dst, m->src, why ? ": " : "",
                         why ? why : "");
        if (err && *err && !(*err)->step)
                (*err)->step = strdup("mount");
        return r;
}

/* Will any mount be idmapped (a bind other than of devices, the inbox's grants, a root of the caller's)? */
static bool wants_idmap(const struct vb_void *v)
{
        if (v->root.kind != VB_ROOT_TMPFS)
                return true;
        for (size_t i = 0; i < v->n_mounts; i++)
                if ((v->mounts[i].kind == VB_MNT_BIND && !(v->mounts[i].flags & VB_MOUNT_DEV)) ||
                    (v->mounts[i].kind == VB_MNT_INBOX && v->mounts[i].src_fd >= 0))
                        return true;
        return false;
}

/*
 * A void of its own identity cannot open the caller's bind sources itself, and
 * only the caller may idmap them: each becomes a tree here, which the child
 * attaches.  The inbox's holder is told to idmap its grants the same way.
 * quiet: in a helper (the warm zygote), which may not allocate (helper.h), no log.
 */
static int prepare_mounts(struct vb_void *v, struct vb_spawn_prep *prep, bool quiet, struct vb_error **err)
{
        const char *why;
        bool plain;
        int r;

        if (wants_idmap(v)) {
                r = vb_id_idmap_userns(geteuid(), prep->host_uid, getegid(), prep->host_gid, &prep->idmap_fd);
                if (r < 0)
                        return vb_error_set(err, -r, "making the user namespace of the void's idmapped binds");
        }
        r = vb_root_prepare(&v->root, prep->idmap_fd, &why);
        if (r < 0)
                return mount_failed(err, r, &(struct vb_mount){ .dst = "/", .src = v->root.dir }, why);
        for (size_t i = 0; i < v->n_mounts; i++) {
                struct vb_mount *m = &v->mounts[i];

                if (m->kind == VB_MNT_INBOX && m->src_fd >= 0) {
                        r = vb_inbox_request_idmap(m->src_fd, prep->idmap_fd);
                        if (r < 0)
                                return vb_error_set(err, -r, "showing the inbox's grants to the void as its own");
                        continue;
                }
                if (m->kind != VB_MNT_BIND)
                        continue;
                r = vb_mount_prepare_bind(m, prep->idmap_fd, &why, &plain);
                if (r < 0)
                        return mount_failed(err, r, m, why);
                if (plain && !quiet)
                        vb_void_logf(v,
                                     "bind %s at %s: not idmapped (its file system cannot be): the void reads "
                                     "it by its files' \"other\" permissions",
                                     m->src, m->dst);
        }
        return 0;
}

/*
 * The anonymous pipes handed in, and the void's terminal, become its uid's: reopening one through
 * /proc/self/fd (echo >/dev/stderr) checks the inode's owner, which was the caller.  A pipe is an
 * object of this hand-over alone (runc and crun hand their stdio pipes over the same way); a file
 * or another terminal is the caller's and stays so, and is used through its fd.
 */
static int give_pipes(struct vb_void *v, const struct vb_spawn_prep *prep, struct vb_error **err)
{
        for (size_t i = 0; i < v->n_fds; i++) {
                struct statfs sfs;
                bool tty = v->fds[i].target == v->tty_target;

                if (!tty && (fstatfs(v->fds[i].fd, &sfs) < 0 || sfs.f_type != PIPEFS_MAGIC))
                        continue;
                if (fchown(v->fds[i].fd, prep->host_uid, prep->host_gid) < 0)
                        return vb_error_set(err, errno, "giving the void its %s (fd %d)", tty ? "terminal" : "pipe",
                                            v->fds[i].target);
        }
        return 0;
}

int vb_spawn_prepare(struct vb_void *v, struct vb_spawn_prep *prep, struct vb_child_ctx *ctx, pid_t owner,
                     struct vb_error **err)
{
        int r = 0;

        *prep = (struct vb_spawn_prep){
                .has_ids = v->ns_mode[VB_NS_USER] == VB_NS_FRESH,
                .host_uid = geteuid(),
                .host_gid = getegid(),
                .lease = { .fd = -1 },
                .pidns_fresh = v->ns_mode[VB_NS_PID] == VB_NS_FRESH,
                .idmap_fd = -1,
        };
        if (vb_spawn_identity(v) == VB_IDENTITY_RESERVED) {
                r = take_lease(prep, ctx->range, err);
                if (r >= 0)
                        r = prepare_mounts(v, prep, ctx->warm_fd >= 0, err);
                /* Not a warm void's: its template's pipes serve every void of the pool, no one uid. */
                if (r >= 0 && ctx->warm_fd < 0)
                        r = give_pipes(v, prep, err);
        }
        if (r >= 0 && has_limits(v))
                r = vb_cg_create(&v->limits, v->cgroup_fd, owner, &prep->cg, err);
        if (r < 0) {
                vb_spawn_prepared(v, prep);
                vb_spawn_prep_release(prep);
                return r;
        }
        if (prep->cg)
                vb_void_logf(v, "limits: %s", vb_cg_describe(prep->cg));
        ctx->become = prep->reserved;
        ctx->sync = prep->reserved || vb_cg_needs_place(prep->cg);
        ctx->cgroup_fd = prep->cg && vb_cg_v2_fd(prep->cg) >= 0 ? vb_cg_v2_fd(prep->cg) : v->cgroup_fd;
        return 0;
}

void vb_spawn_prepared(struct vb_void *v, struct vb_spawn_prep *prep)
{
        vb_mount_unprepare(v->mounts, v->n_mounts);
        vb_root_unprepare(&v->root);
        vb_closep(&prep->idmap_fd);
        prep->idmap_fd = -1;
}

void vb_spawn_prep_release(struct vb_spawn_prep *prep)
{
        vb_closep(&prep->idmap_fd);
        prep->idmap_fd = -1;
        /* Only a void in a pid namespace of its own is sure to have no process left once its init is reaped. */
        vb_id_lease_drop(&prep->lease, !prep->pidns_fresh);
        vb_cg_remove(prep->cg);
        prep->cg = NULL;
}

int vb_spawn_settle(struct vb_void *v, const struct vb_child_ctx *ctx, const struct vb_spawn_prep *prep, pid_t pid,
                    int report_fd, int go_fd, struct vb_error **err)
{
        struct vb_report rep;
        int r;

        if (!ctx->sync)
                return 0;
        /* Before it may fork or run anything of its own: the void's first process joins its v1 cgroups. */
        if (vb_cg_needs_place(prep->cg) && (r = vb_cg_place(prep->cg, pid, err)) < 0)
                return r;
        if (ctx->announce) {
                r = vb_spawn_read_report(report_fd, &rep);
                if (r == 1 && (rep.step != VB_STEP_ID_MAPS || rep.errnum != 0))
                        return vb_spawn_report_error(v->exec_path, &rep, err);
                if (r <= 0)
                        return vb_error_set(err, r < 0 ? -r : ECHILD, "waiting for the void's user namespace");
        }
        if (ctx->become) {
                r = vb_id_write_maps(pid, v->uid, prep->host_uid, v->gid, prep->host_gid);
                if (r < 0)
                        return vb_error_set(err, -r, "mapping the void's ids to uid %u and gid %u outside%s",
                                            (unsigned)prep->host_uid, (unsigned)prep->host_gid,
                                            r == -EINVAL || r == -EPERM
                                                    ? " (are they mapped in voidshim's own user namespace?)"
                                                    : "");
        }
        if (write(go_fd, "g", 1) != 1)
                return vb_error_set(err, errno, "letting the void go on");
        return 0;
}
