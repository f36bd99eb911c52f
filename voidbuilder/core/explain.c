/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vb_void_explain(): everything a void will hold, written down for a person. */
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#define VB_CLEANUP_CAP
#include "core/cleanup.h"
#include "core/container.h"
#include "core/container_explain.h"
#include "core/identity.h"
#include "core/landlock.h"
#include "core/seccomp.h"
#include "core/server.h"
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
                        vb_spawn_host_root()
                                ? "\n  identity: HOST ROOT, kept on request (--identity host): whatever the "
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
        if (!(v->ctr && v->ctr->n_uid_map)) /* a container's id maps: its own section */
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
        case VB_MNT_SYSFS:
                fprintf(f, "  %s: fresh sysfs of the void's own network namespace (read-only, nosuid, nodev, noexec)",
                        m->dst);
                break;
        case VB_MNT_DIR:
                fprintf(f, "  %s: empty directory (mode %04o)", m->dst, (unsigned)m->mode);
                break;
        case VB_MNT_SYMLINK:
                fprintf(f, "  %s -> %s (symlink)", m->dst, m->src);
                break;
        case VB_MNT_FILE:
                fprintf(f, "  %s: a file of %zu bytes written by the caller (mode %04o)", m->dst, strlen(m->src),
                        (unsigned)m->mode);
                break;
        default:
                if (!vb_ctr_explain_mount(f, m))
                        fprintf(f, "  %s: ?", m->dst);
                break;
        }
        fprintf(f, "%s%s%s", m->why ? " [" : "", m->why ? m->why : "", m->why ? "]" : "");
        fprintf(f, "%s%s%s\n", m->label ? " [" : "", m->label ? m->label : "", m->label ? "]" : "");
}

/* A memfd (its link reads "/memfd:NAME"): Landlock cannot name it, and the kernel lets it be opened again. */
static bool is_memfd(int fd)
{
        char link[64], target[16];
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof(target));
        return n >= 7 && memcmp(target, "/memfd:", 7) == 0;
}

static const char *open_mode(const struct vb_fd_rule *r)
{
        if (r->append)
                return (r->open & VB_LANDLOCK_READ) ? "read-write, append-only" : "append-only";
        return r->open == VB_LANDLOCK_READ ? "read-only" : r->open == VB_LANDLOCK_WRITE ? "write-only" : "read-write";
}

/* What the fd is and what a void can make of it beyond using it (doc/fds.md). */
static void explain_fd(FILE *f, const struct vb_void *v, const struct vb_keep_fd *k)
{
        const bool ll = v->landlock;
        struct vb_fd_rule r;

        if (vb_landlock_fd_rule(k->fd, &r) < 0) {
                fprintf(f, "\n");
                return;
        }
        fprintf(f, ": %s", vb_fd_kind_name(r.kind));
        if (!ll && v->landlock_fallback && vb_void_fallback_refusal(v, k->fd)) {
                fprintf(f, "; REFUSED, the void will not start: it is %s\n", vb_void_fallback_refusal(v, k->fd));
                return;
        }
        switch (r.kind) {
        case VB_FD_DIR:
                fprintf(f, ll ? "; Landlock: read beneath it, nothing above (no way out through \"..\")\n"
                              : "; NOT CONFINED: openat(fd, \"..\") reaches its parents\n");
                return;
        case VB_FD_FILE:
        case VB_FD_FIFO:
        case VB_FD_DEVICE:
                fprintf(f, ", %s", open_mode(&r));
                if (r.kind == VB_FD_FILE && is_memfd(k->fd))
                        fprintf(f, ", a memfd: the kernel lets it be opened again with any mode (Landlock cannot "
                                   "name it): seal it\n");
                else if (ll)
                        fprintf(f, "; opened again through /proc: %s\n",
                                r.rights == 0 ? "never"
                                : (r.open & VB_LANDLOCK_READ) && !(r.rights & ~(uint64_t)LANDLOCK_ACCESS_FS_READ_FILE)
                                        ? "for reading only"
                                : !(r.open & VB_LANDLOCK_READ) ? "for writing only"
                                                               : "for reading and writing");
                else
                        fprintf(f, "; NOT CONFINED: with /proc it can be opened again with any right of the "
                                   "void's uid\n");
                return;
        case VB_FD_PIPE:
                fprintf(f, ": either end of this same pipe may be opened again (pipefs), nothing else\n");
                return;
        case VB_FD_SOCKET:
                fprintf(f, " (cannot be opened again)\n");
                return;
        case VB_FD_TTY:
                fprintf(f, "%s\n",
                        v->tty_target >= 0 && k->target <= 2
                                ? (k->target == v->tty_target ? ", the void's own, and its controlling one"
                                                              : ", the void's own")
                        : v->term_confined ? ", confined: every ioctl that changes a terminal is refused "
                                             "(EPERM); reading, writing and looking work"
                                           : ", NOT CONFINED: its settings can be changed");
                return;
        case VB_FD_OTHER:
        case VB_FD_PATH:
        default:
                fprintf(f, "\n");
                return;
        }
}

/* Host paths the void must never see (vb_void_hide()), and where a bind would have shown them. */
static void explain_hidden(FILE *f, const struct vb_void *v)
{
        char **covers = NULL;
        size_t n = 0;

        for (size_t i = 0; i < v->n_hide; i++)
                fprintf(f,
                        "  never shown: the host's %s (an empty read-only tmpfs covers it wherever a bind "
                        "would show it)\n",
                        v->hide[i]);
        if (vb_void_covers(v, &covers, &n) < 0)
                return;
        for (size_t i = 0; i < n; i++)
                fprintf(f, "  %s: covered (an empty read-only tmpfs: a bind above shows a hidden host path)\n",
                        covers[i]);
        vb_strv_free(covers);
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
        for (size_t i = 0; i < v->n_fds; i++) {
                fprintf(f, "  %d: handed in by the caller", v->fds[i].target);
                explain_fd(f, v, &v->fds[i]);
        }
        fprintf(f, "  every other fd is closed before exec\n");
}

static void explain_caps(FILE *f, const struct vb_void *v)
{
        if (v->ctr) { /* the five sets, and no_new_privs as asked */
                vb_ctr_explain_caps(f, v);
                return;
        }
        fprintf(f, "capabilities: ");
        if (!v->keep_caps)
                fprintf(f, "none (all sets cleared, bounding set too)\n");
        for (int c = 0; c < 64; c++)
                if (v->keep_caps & (1ULL << c)) {
                        _cleanup_cap_text_ char *name = cap_to_name(c);

                        fprintf(f, "%s ", name ? name : "?");
                }
        if (v->keep_caps)
                fprintf(f, "(KEPT in every set, ambient too)\n");
        fprintf(f, "no_new_privs: set (setuid bits and file capabilities grant nothing)\n");
}

/* The void's policy text and its name; NULL when seccomp is off. */
static const char *seccomp_text(const struct vb_void *v, const char **name)
{
        if (v->seccomp_mode == VB_SECCOMP_OFF)
                return NULL;
        *name = v->seccomp_mode == VB_SECCOMP_DEFAULT ? "default.policy" : v->seccomp_name;
        return v->seccomp_mode == VB_SECCOMP_DEFAULT ? vb_seccomp_default_policy() : v->seccomp_text;
}

/* A summary by group; vb_void_explain_seccomp_rules() has every rule. */
static void explain_seccomp(FILE *f, const struct vb_void *v)
{
        const char *name = NULL, *text = seccomp_text(v, &name);
        _cleanup_free_ char *d = NULL;

        if (!text) {
                fprintf(f, "seccomp: OFF (every system call allowed)\n");
                return;
        }
        if (v->seccomp_mode == VB_SECCOMP_DEFAULT)
                fprintf(f, "seccomp: the default policy, an allow list (voidshim run --seccomp-print shows it)");
        else
                fprintf(f, "seccomp: policy %s", name);
        fprintf(f, ", %s; by group (--explain -v: every rule):\n",
                vb_server_has_network(v) ? "with a network: its `if network` rules apply"
                                         : "without a network: its `if network` rules do not apply");
        d = vb_seccomp_summary(text, name);
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

/* RLIMIT_NOFILE -> "nofile", as --rlimit and a spec's "rlimits" name it. */
const char *vb_rlimit_name(int resource)
{
        static const struct {
                int res;
                const char *name;
        } names[] = {
                { RLIMIT_AS, "as" },
                { RLIMIT_CORE, "core" },
                { RLIMIT_CPU, "cpu" },
                { RLIMIT_DATA, "data" },
                { RLIMIT_FSIZE, "fsize" },
                { RLIMIT_MEMLOCK, "memlock" },
                { RLIMIT_NOFILE, "nofile" },
                { RLIMIT_NPROC, "nproc" },
                { RLIMIT_STACK, "stack" },
                { RLIMIT_LOCKS, "locks" },
                { RLIMIT_MSGQUEUE, "msgqueue" },
                { RLIMIT_NICE, "nice" },
                { RLIMIT_RTPRIO, "rtprio" },
                { RLIMIT_RTTIME, "rttime" },
                { RLIMIT_RSS, "rss" },
                { RLIMIT_SIGPENDING, "sigpending" },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].res == resource)
                        return names[i].name;
        return NULL;
}

/* A limit's value in words: "unlimited", or the number. */
static void limit_value(FILE *f, rlim_t v)
{
        if (v == RLIM_INFINITY)
                fputs("unlimited", f);
        else
                fprintf(f, "%llu", (unsigned long long)v);
}

VB_API char *vb_void_explain_seccomp_rules(const struct vb_void *v)
{
        const char *name = NULL, *text = seccomp_text(v, &name);

        return text ? vb_seccomp_describe(text, name) : strdup("");
}

static void explain_landlock(FILE *f, const struct vb_void *v)
{
        static const char *const access[] = { "",     "read",      "write",      "read,write",
                                              "exec", "read,exec", "write,exec", "read,write,exec" };
        int abi = vb_landlock_abi();

        if (!v->landlock && v->landlock_fallback) {
                fprintf(f,
                        "landlock: this kernel has none; instead no directory is handed in and, since the "
                        "void %s /proc, %s (doc/fds.md); the mounts alone hold the paths, and abstract unix "
                        "sockets and signals are not scoped\n",
                        vb_void_reaches_proc(v) ? "reaches" : "has no",
                        vb_void_reaches_proc(v) ? "no file either" : "files may be");
                return;
        }
        if (!v->landlock) {
                fprintf(f, "landlock: OFF, which gives up: confining an fd handed in to its object (a directory "
                           "fd reaches its parents through \"..\"; with /proc a file can be opened again with "
                           "any right of the void's uid), and scoping (abstract unix sockets and signals reach "
                           "outside the void where the network or pid namespace is shared)\n");
                return;
        }
        fprintf(f, "landlock: on; only these paths are reachable, each as shown:\n");
        for (size_t i = 0; i < v->n_landlock; i++)
                fprintf(f, "  %s (%s)\n", v->landlock_rules[i].path, access[v->landlock_rules[i].access & 7]);
        fprintf(f, "  and each fd handed in reaches its own object only (see file descriptors)\n");
        if (abi >= 6)
                fprintf(f, "  scoped: no abstract unix socket and no process outside the void can be reached, "
                           "even in a shared network or pid namespace\n");
        else
                fprintf(f,
                        "  not scoped: this kernel's Landlock (ABI %d) has no scopes (ABI 6): abstract unix "
                        "sockets and signals reach outside where those namespaces are shared\n",
                        abi);
}

static void explain_rest(FILE *f, const struct vb_void *v)
{
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
        for (size_t i = 0; i < v->n_rlimits; i++) {
                const char *name = vb_rlimit_name(v->rlimits[i].resource);

                if (name)
                        fprintf(f, "rlimit %s: soft ", name);
                else
                        fprintf(f, "rlimit %d: soft ", v->rlimits[i].resource);
                limit_value(f, v->rlimits[i].lim.rlim_cur);
                fputs(", hard ", f);
                limit_value(f, v->rlimits[i].lim.rlim_max);
                fputc('\n', f);
        }
        explain_landlock(f, v);
        if (v->observe) {
                fprintf(f, "observed: these system calls stop for the caller's observer, which lets each run:");
                for (size_t i = 0; v->observe[i]; i++)
                        fprintf(f, " %s", v->observe[i]);
                fprintf(f, "\n");
        }
        fprintf(f, "cgroup: %s\n",
                v->limits.pids || v->limits.memory || v->limits.cpu
                        ? "one of the void's own, made when it starts and removed when it ends (below the given "
                          "cgroup for cgroup v2 controllers, with --cgroup)"
                : v->cgroup_fd >= 0 ? "started in the given cgroup (CLONE_INTO_CGROUP)"
                                    : "the caller's");
        explain_limits(f, &v->limits);
}

static void explain_root(FILE *f, const struct vb_void *v)
{
        const struct vb_root *r = &v->root;

        if (v->ctr && v->ctr->enter)
                fprintf(f, "root: the root of the joined mount namespace (a running void's): nothing mounted\n");
        else if (r->kind == VB_ROOT_DIR && (r->flags & VB_ROOT_IMAGE))
                fprintf(f,
                        "root: host %s (bind, a container image's: setuid and device nodes kept, %s); old root detached\n",
                        r->dir, (r->flags & VB_MOUNT_RW) ? "read-write" : "read-only once built");
        else if (r->kind == VB_ROOT_DIR)
                fprintf(f, "root: host %s (bind, %s, nosuid, nodev); old root detached\n", r->dir,
                        (r->flags & VB_MOUNT_RW) ? "read-write" : "read-only");
        else if (r->kind == VB_ROOT_OVERLAY && r->upper)
                fprintf(f,
                        "root: overlay of host %s (never written) under host %s/upper, which keeps every change; "
                        "nosuid, nodev; old root detached\n",
                        r->dir, r->upper);
        else if (r->kind == VB_ROOT_OVERLAY)
                fprintf(f,
                        "root: overlay of host %s (never written) under a %llu MiB tmpfs that goes with the void; "
                        "nosuid, nodev; old root detached\n",
                        r->dir, (unsigned long long)(r->size >> 20));
        else
                fprintf(f, "root: empty tmpfs, read-only once built; old root detached\n");
        if (v->init)
                fprintf(f, "pid 1: voidshim's reaper: forwards signals to the program, reaps orphans%s\n",
                        (v->init_flags & VB_INIT_HOLD)
                                ? ", and holds the void open, forking on request the processes that start in it "
                                  "(as confined as the first, in its Landlock domain)"
                                : "");
}

VB_API char *vb_void_explain(const struct vb_void *v)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        if (!f)
                return NULL;
        explain_ns(f, v);
        explain_root(f, v);
        fprintf(f, "mounts:%s\n", v->n_mounts ? "" : " none");
        for (size_t i = 0; i < v->n_mounts; i++)
                explain_mount(f, &v->mounts[i]);
        explain_hidden(f, v);
        explain_fds(f, v);
        explain_caps(f, v);
        explain_seccomp(f, v);
        explain_rest(f, v);
        vb_ctr_explain(f, v);
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
