/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/ns.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const uint64_t ns_flags[VB_NS_COUNT] = {
        [VB_NS_USER] = CLONE_NEWUSER,     [VB_NS_MNT] = CLONE_NEWNS,    [VB_NS_PID] = CLONE_NEWPID,
        [VB_NS_NET] = CLONE_NEWNET,       [VB_NS_IPC] = CLONE_NEWIPC,   [VB_NS_UTS] = CLONE_NEWUTS,
        [VB_NS_CGROUP] = CLONE_NEWCGROUP, [VB_NS_TIME] = CLONE_NEWTIME,
};

uint64_t vb_ns_flag(enum vb_ns ns)
{
        return (unsigned)ns < VB_NS_COUNT ? ns_flags[ns] : 0;
}

uint64_t vb_ns_flags(const struct vb_void *v, enum vb_ns_mode mode)
{
        uint64_t f = 0;

        for (int i = 0; i < VB_NS_COUNT; i++)
                if (v->ns_mode[i] == mode)
                        f |= ns_flags[i];
        return f;
}

static int write_file(const char *path, const char *buf)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        size_t len = strlen(buf);

        if (fd < 0)
                return NEG_ERRNO();
        if (write(fd, buf, len) != (ssize_t)len)
                return NEG_ERRNO();
        return 0;
}

int vb_ns_map_ids(uid_t inner_uid, gid_t inner_gid, uid_t outer_uid, gid_t outer_gid)
{
        char line[64];
        int r;

        /*
         * One id each, the void's own inside over the caller outside: files the void
         * creates in a writable bind belong to the caller, and no other id exists in
         * the namespace to change to.  "deny" first, as an unprivileged process may not
         * write gid_map before giving up setgroups(2).
         */
        r = write_file("/proc/self/setgroups", "deny");
        if (r < 0 && r != -ENOENT)
                return r;
        snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)inner_uid, (unsigned)outer_uid);
        r = write_file("/proc/self/uid_map", line);
        if (r < 0)
                return r;
        snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)inner_gid, (unsigned)outer_gid);
        return write_file("/proc/self/gid_map", line);
}

int vb_ns_write_id_maps(uid_t outer_uid, gid_t outer_gid)
{
        return vb_ns_map_ids(0, 0, outer_uid, outer_gid);
}

int vb_ns_join(const struct vb_void *v, enum vb_ns *failed)
{
        /* The user ns first: it grants the capabilities needed to join the others it owns. */
        static const enum vb_ns order[] = { VB_NS_USER,   VB_NS_NET, VB_NS_IPC,  VB_NS_UTS,
                                            VB_NS_CGROUP, VB_NS_PID, VB_NS_TIME, VB_NS_MNT };

        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                enum vb_ns ns = order[i];

                if (v->ns_mode[ns] != VB_NS_JOIN)
                        continue;
                if (setns(v->ns_fd[ns], (int)ns_flags[ns]) < 0) {
                        *failed = ns;
                        return NEG_ERRNO();
                }
        }
        return 0;
}

int vb_ns_write_time_offsets(int64_t monotonic, int64_t boottime)
{
        char buf[96];

        snprintf(buf, sizeof(buf), "monotonic %lld 0\nboottime %lld 0\n", (long long)monotonic, (long long)boottime);
        return write_file("/proc/self/timens_offsets", buf);
}

const char *vb_ns_refusal_hint(int errnum)
{
        switch (errnum) {
        case EPERM:
        case EACCES:
                return "the kernel refused to create a user namespace: check the sysctls "
                       "user.max_user_namespaces (must be > 0) and kernel.unprivileged_userns_clone "
                       "(Debian, must be 1), and any AppArmor/SELinux userns restriction "
                       "(kernel.apparmor_restrict_unprivileged_userns)";
        case ENOSPC:
                return "a namespace limit was reached: check the sysctls user.max_*_namespaces "
                       "(e.g. user.max_user_namespaces, user.max_net_namespaces)";
        case EINVAL:
                return "this kernel does not support one of the requested namespaces "
                       "(time namespaces need Linux 5.6, clone3 5.3, CLONE_INTO_CGROUP 5.7)";
        case EUSERS:
                return "too many nested user namespaces (the limit is 32 levels)";
        default:
                return NULL;
        }
}
