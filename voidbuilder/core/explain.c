/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vb_void_explain(): everything a void will hold, written down for a person. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/identity.h"
#include "core/seccomp.h"
#include "core/spawn.h"
#include "core/void.h"

/* Who the void is on the host (doc/servers.md, "auth"). */
static void explain_identity(FILE *f, const struct vb_void *v)
{
        struct vb_id_range r;

        if (v->ns_mode[VB_NS_USER] != VB_NS_FRESH) {
                fprintf(f, "  identity: the %s user namespace's (no ids of the void's own)\n",
                        v->ns_mode[VB_NS_USER] == VB_NS_SHARED ? "caller's" : "joined");
                return;
        }
        if (vb_spawn_identity(v) == VB_IDENTITY_HOST) {
                fprintf(f,
                        "  uid %u and gid %u inside are uid %u and gid %u outside (no other id); setgroups denied%s\n",
                        (unsigned)v->uid, (unsigned)v->gid, (unsigned)geteuid(), (unsigned)getegid(),
                        geteuid() == 0 ? "\n  identity: HOST ROOT, kept on request (--identity host): whatever the "
                                         "void reaches, it reaches as root"
                                       : "");
                return;
        }
        if (vb_id_range_read(NULL, NULL, &r) < 0) {
                fprintf(f, "  identity: a uid of its own, but NO RANGE is reserved for voidshim in /etc/subuid and "
                           "/etc/subgid: it will not start (tools/reserve-ids.sh reserves one)\n");
                return;
        }
        fprintf(f,
                "  uid %u and gid %u inside are a host uid and gid of the void's own, taken when it starts from "
                "voidshim's range %u-%u (/etc/subuid, /etc/subgid) and held by no other running void; no other "
                "id, no supplementary groups\n",
                (unsigned)v->uid, (unsigned)v->gid, (unsigned)r.uid, (unsigned)(r.uid + r.count - 1));
        fprintf(f,
                "  binds are idmapped: what the caller (uid %u) owns there is the void's, what the void makes is "
                "the caller's; device binds, and read-only binds of file systems that cannot be idmapped, are "
                "plain\n",
                (unsigned)geteuid());
}

static void explain_ns(FILE *f, const struct vb_void *v)
{
        static const char *const what[VB_NS_COUNT] = {
                [VB_NS_USER] = "ids and capabilities",
                [VB_NS_MNT] = "mount table",
                [VB_NS_PID] = "process ids",
                [VB_NS_NET] = "network stack",
                [VB_NS_IPC] = "SysV/POSIX IPC objects",
                [VB_NS_UTS] = "hostname",
                [VB_NS_CGROUP] = "cgroup view",
                [VB_NS_TIME] = "monotonic/boot clocks",
        };

        fprintf(f, "namespaces:\n");
        for (int i = 0; i < VB_NS_COUNT; i++) {
                const char *mode = v->ns_mode[i] == VB_NS_FRESH    ? "fresh (new and empty)"
                                   : v->ns_mode[i] == VB_NS_SHARED ? "SHARED with the caller"
                                                                   : "joined from an fd";
                fprintf(f, "  %-7s %-24s %s\n", vb_ns_name((enum vb_ns)i), mode, what[i]);
        }
        explain_identity(f, v);
        if (v->time_offsets)
                fprintf(f, "  clock offsets: monotonic %+lld s, boottime %+lld s\n", (long long)v->off_monotonic,
                        (long long)v->off_boottime);
}

static void explain_mount(FILE *f, const struct vb_mount *m)
{
        switch (m->kind) {
        case VB_MNT_BIND:
                fprintf(f, "  %s <- host %s (bind, %s%s%s%s)", m->dst, m->src,
                        (m->flags & VB_MOUNT_RW) ? "read-write" : "read-only", ", nosuid",
                        (m->flags & VB_MOUNT_DEV) ? "" : ", nodev", (m->flags & VB_MOUNT_NOEXEC) ? ", noexec" : "");
                if (m->flags & VB_MOUNT_OPTIONAL)
                        fprintf(f, " if it exists");
                break;
        case VB_MNT_TMPFS:
                fprintf(f, "  %s: empty tmpfs, %llu KiB, writable, nosuid, nodev%s", m->dst,
                        (unsigned long long)(m->size >> 10), (m->flags & VB_MOUNT_EXEC) ? "" : ", noexec");
                break;
        case VB_MNT_PROC:
                fprintf(f, "  %s: fresh procfs showing only the void's processes%s (nosuid, nodev, noexec)", m->dst,
                        (m->flags & VB_PROC_SUBSET_PID) ? ", subset=pid" : "");
                break;
        case VB_MNT_DEVPTS:
                fprintf(f, "  %s: new devpts instance (no host terminals)", m->dst);
                break;
        case VB_MNT_INBOX:
                fprintf(f,
                        "  %s: inbox, empty at start, read-only: directories granted while the void runs appear "
                        "here and revoked ones disappear (a slave of the supervisor's shared inbox)",
                        m->dst);
                break;
        case VB_MNT_DIR:
                fprintf(f, "  %s: empty directory (mode %04o)", m->dst, (unsigned)m->mode);
                break;
        case VB_MNT_SYMLINK:
                fprintf(f, "  %s -> %s (symlink)", m->dst, m->src);
                break;
        default:
                fprintf(f, "  %s: ?", m->dst);
                break;
        }
        fprintf(f, "%s%s%s\n", m->why ? " [" : "", m->why ? m->why : "", m->why ? "]" : "");
}

static void explain_fds(FILE *f, const struct vb_void *v)
{
        fprintf(f, "file descriptors:\n");
        for (int std = 0; std <= 2; std++) {
                bool kept = false;

                for (size_t i = 0; i < v->n_fds; i++)
                        kept |= v->fds[i].target == std;
                if (!kept)
                        fprintf(f, "  %d: /dev/null\n", std);
        }
        for (size_t i = 0; i < v->n_fds; i++)
                fprintf(f, "  %d: handed in by the caller%s\n", v->fds[i].target,
                        v->tty_target >= 0 && v->fds[i].target <= 2
                                ? (v->fds[i].target == v->tty_target ? " (the terminal, and the controlling one)"
                                                                     : " (the terminal)")
                                : "");
        fprintf(f, "  every other fd is closed before exec\n");
}

static void explain_caps(FILE *f, const struct vb_void *v)
{
        fprintf(f, "capabilities: ");
        if (!v->keep_caps)
                fprintf(f, "none (all sets cleared, bounding set too)\n");
        for (int c = 0; c < 64; c++)
                if (v->keep_caps & (1ULL << c)) {
                        _cleanup_(cap_free) char *name = cap_to_name(c);

                        fprintf(f, "%s ", name ? name : "?");
                }
        if (v->keep_caps)
                fprintf(f, "(KEPT in every set, ambient too)\n");
        fprintf(f, "no_new_privs: set (setuid bits and file capabilities grant nothing)\n");
}

static void explain_seccomp(FILE *f, const struct vb_void *v)
{
        _cleanup_free_ char *d = NULL;

        if (v->seccomp_mode == VB_SECCOMP_OFF) {
                fprintf(f, "seccomp: OFF (every system call allowed)\n");
                return;
        }
        if (v->seccomp_mode == VB_SECCOMP_DEFAULT) {
                fprintf(f, "seccomp: the default policy (voidshim run --seccomp-print shows it):\n");
                d = vb_seccomp_describe(vb_seccomp_default_policy(), "default.policy");
        } else {
                fprintf(f, "seccomp: policy %s:\n", v->seccomp_name);
                d = vb_seccomp_describe(v->seccomp_text, v->seccomp_name);
        }
        if (d)
                fprintf(f, "%s", d);
}

static void explain_limits(FILE *f, const struct vb_limits *l)
{
        if (!l->pids && !l->memory && !l->cpu) {
                fprintf(f, "limits: none but the caller's own (and any --rlimit)\n");
                return;
        }
        fprintf(f, "limits (on all of the void's processes together):\n");
        if (l->pids)
                fprintf(f, "  pids: at most %llu processes and threads (fork fails with EAGAIN beyond)\n",
                        (unsigned long long)l->pids);
        if (l->memory)
                fprintf(f,
                        "  memory: %llu KiB, anonymous, page cache, tmpfs and memfd alike, no swap beyond "
                        "(the kernel kills in the void past it)\n",
                        (unsigned long long)(l->memory >> 10));
        if (l->cpu)
                fprintf(f, "  cpu: %u%% of one CPU\n", (unsigned)l->cpu);
}

static void explain_rest(FILE *f, const struct vb_void *v)
{
        static const char *const access[] = { "",     "read",      "write",      "read,write",
                                              "exec", "read,exec", "write,exec", "read,write,exec" };

        fprintf(f, "network: %s\n",
                v->ns_mode[VB_NS_NET] == VB_NS_SHARED ? "the caller's (SHARED)"
                : v->ns_mode[VB_NS_NET] == VB_NS_JOIN ? "a joined network namespace"
                : v->loopback                         ? "loopback only (lo up), no route out"
                                                      : "none: no interface is up, not even lo");
        fprintf(f, "hostname: %s\n",
                v->ns_mode[VB_NS_UTS] == VB_NS_SHARED ? "the caller's (SHARED)"
                : v->hostname                         ? v->hostname
                                                      : "void");
        fprintf(f, "environment:%s\n", v->n_env ? "" : " empty");
        for (size_t i = 0; i < v->n_env; i++)
                fprintf(f, "  %s\n", v->env[i]);
        fprintf(f, "working directory: %s\n", v->cwd ? v->cwd : "/");
        for (size_t i = 0; i < v->n_rlimits; i++)
                fprintf(f, "rlimit %d: soft %llu, hard %llu\n", v->rlimits[i].resource,
                        (unsigned long long)v->rlimits[i].lim.rlim_cur, (unsigned long long)v->rlimits[i].lim.rlim_max);
        fprintf(f, "landlock: %s\n", v->landlock ? "on; only these paths are reachable:" : "off");
        for (size_t i = 0; v->landlock && i < v->n_landlock; i++)
                fprintf(f, "  %s (%s)\n", v->landlock_rules[i].path, access[v->landlock_rules[i].access & 7]);
        fprintf(f, "cgroup: %s\n",
                v->limits.pids || v->limits.memory || v->limits.cpu
                        ? "one of the void's own, made when it starts and removed when it ends (below the given "
                          "cgroup for cgroup v2 controllers, with --cgroup)"
                : v->cgroup_fd >= 0 ? "started in the given cgroup (CLONE_INTO_CGROUP)"
                                    : "the caller's");
        explain_limits(f, &v->limits);
}

VB_API char *vb_void_explain(const struct vb_void *v)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        explain_ns(f, v);
        fprintf(f, "root: empty tmpfs, read-only once built; old root detached\nmounts:%s\n",
                v->n_mounts ? "" : " none");
        for (size_t i = 0; i < v->n_mounts; i++)
                explain_mount(f, &v->mounts[i]);
        explain_fds(f, v);
        explain_caps(f, v);
        explain_seccomp(f, v);
        explain_rest(f, v);
        fprintf(f, "program: %s", v->exec_path ? v->exec_path : "(none)");
        if (v->exec_fd >= 0)
                fprintf(f, " (opened on the host, run by fd)");
        for (size_t i = 1; v->argv && v->argv[i]; i++)
                fprintf(f, " %s", v->argv[i]);
        fprintf(f, "\n");
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
