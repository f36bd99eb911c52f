/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `voidshim run` options: a table of names, argument counts and handlers. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "profile/profile.h"
#include "run/cli.h"
#include "voidbuilder.h"
#include "voidbuilder/cleanup.h"

typedef int (*opt_fn)(struct run_opts *o, char **args, char **why);

struct option_def {
        const char *name;
        int nargs; /* 0, 1, 2, or OPT_DEST */
        opt_fn fn;
};

/* An optional destination (--proc [DEST]): see take_dest(). */
#define OPT_DEST (-1)

static int why_set(char **why, const char *fmt, ...) VB_PRINTF(2, 3);
static int why_set(char **why, const char *fmt, ...)
{
        va_list ap;

        free(*why);
        *why = NULL;
        va_start(ap, fmt);
        if (vasprintf(why, fmt, ap) < 0)
                *why = NULL;
        va_end(ap);
        return -EINVAL;
}

/*
 * Add a grant to the plan, named after the option as typed ("--ro-bind /a /b"),
 * so that an error in it names what the user wrote.
 */
static int add_grant(struct run_opts *o, struct vb_plan_grant g, const char *opt, char **a, int nargs)
{
        _cleanup_free_ char *origin = NULL;
        int r;

        if (asprintf(&origin, "%s%s%s%s%s", opt, nargs > 0 ? " " : "", nargs > 0 ? a[0] : "", nargs > 1 ? " " : "",
                     nargs > 1 ? a[1] : "") < 0)
                return -ENOMEM;
        g.origin = origin;
        r = vb_plan_add(o->plan, &g);
        return r < 0 ? r : 0;
}

static int parse_int(const char *s, int min, int *out)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || !*s || *end || v < min || v > INT_MAX)
                return -EINVAL;
        *out = (int)v;
        return 0;
}

#define BIND_FN(fname, opt, fl)                                                                                     \
        static int fname(struct run_opts *o, char **a, char **why)                                                  \
        {                                                                                                           \
                return add_grant(                                                                                   \
                        o, (struct vb_plan_grant){ .kind = VB_PLAN_BIND, .src = a[0], .dst = a[1], .flags = (fl) }, \
                        opt, a, 2);                                                                                 \
        }
BIND_FN(opt_ro_bind, "--ro-bind", 0)
BIND_FN(opt_bind, "--bind", VB_MOUNT_RW)
BIND_FN(opt_ro_bind_try, "--ro-bind-try", VB_MOUNT_OPTIONAL)
BIND_FN(opt_bind_try, "--bind-try", VB_MOUNT_RW | VB_MOUNT_OPTIONAL)
BIND_FN(opt_dev_bind, "--dev-bind", VB_MOUNT_RW | VB_MOUNT_DEV)

static int opt_size(struct run_opts *o, char **a, char **why)
{
        if (vb_parse_size(a[0], &o->next_size) < 0 || o->next_size == 0)
                return why_set(why, "--size: '%s' is not a size in bytes (suffixes k, m, g)", a[0]);
        return 0;
}

static int opt_tmpfs(struct run_opts *o, char **a, char **why)
{
        uint64_t size = o->next_size;

        o->next_size = 0;
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_TMPFS, .dst = a[0], .size = size }, "--tmpfs", a,
                         1);
}

static int opt_dir(struct run_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_DIR, .dst = a[0] }, "--dir", a, 1);
}

static int opt_symlink(struct run_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_SYMLINK, .src = a[0], .dst = a[1] }, "--symlink", a,
                         2);
}

/*
 * --proc [DEST], --proc-subset [DEST], --dev [DEST]: DEST is optional (default /proc, /dev), so that both
 * voidshim's `--proc` and bwrap's `--proc /proc` work; a[0] is NULL when none was given (see take_dest()).
 */
static int opt_proc(struct run_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_PROC, .dst = a[0] ? a[0] : "/proc" }, "--proc", a,
                         a[0] ? 1 : 0);
}

static int opt_proc_subset(struct run_opts *o, char **a, char **why)
{
        return add_grant(o,
                         (struct vb_plan_grant){
                                 .kind = VB_PLAN_PROC, .dst = a[0] ? a[0] : "/proc", .flags = VB_PROC_SUBSET_PID },
                         "--proc-subset", a, a[0] ? 1 : 0);
}

static int opt_dev(struct run_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_DEV, .dst = a[0] ? a[0] : "/dev" }, "--dev", a,
                         a[0] ? 1 : 0);
}

/* --profile NAME: a spec fragment's grants (profile/profile.c finds it), in this place among the grants. */
static int opt_profile(struct run_opts *o, char **a, char **why)
{
        _cleanup_free_ char *base = NULL, *cause = NULL;
        struct vb_spec_profile *prof = NULL, **n;
        int r;

        r = shim_profile_load(a[0], &prof, &cause);
        if (r < 0)
                return r == -ENOMEM ? r : why_set(why, "--profile %s: %s", a[0], cause ? cause : strerror(-r));
        n = reallocarray(o->profiles, o->n_profiles + 1, sizeof(*n));
        if (!n) {
                vb_spec_profile_free(prof);
                return -ENOMEM;
        }
        o->profiles = n;
        o->profiles[o->n_profiles++] = prof;
        if (asprintf(&base, "--profile %s", a[0]) < 0)
                return -ENOMEM;
        return vb_plan_add_profile(o->plan, prof, base);
}

/*
 * --info-fd FD, --json-status-fd FD: where a program that drives voidshim learns the void's pid and
 * status (bwrap's options, its keys).  FD must be open for writing; it is made close-on-exec, so that
 * neither the void nor a caretaker holds it.
 */
static int status_fd(const char *opt, const char *s, int *out, char **why)
{
        int fd, fl;

        if (parse_int(s, 0, &fd) < 0)
                return why_set(why, "%s %s: not a file descriptor number", opt, s);
        if (fd <= 2)
                return why_set(why, "%s %s: is the program's stdin, stdout or stderr", opt, s);
        fl = fcntl(fd, F_GETFL);
        if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
                return why_set(why, "%s %s: %s", opt, s, fl < 0 ? strerror(errno) : "not open for writing");
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        *out = fd;
        return 0;
}

static int opt_info_fd(struct run_opts *o, char **a, char **why)
{
        return status_fd("--info-fd", a[0], &o->info_fd, why);
}

static int opt_json_status_fd(struct run_opts *o, char **a, char **why)
{
        return status_fd("--json-status-fd", a[0], &o->status_fd, why);
}

static int opt_passwd(struct run_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_PASSWD, .dst = a[0] ? a[0] : "/etc" }, "--passwd",
                         a, a[0] ? 1 : 0);
}

static int opt_libs(struct run_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_LIBS, .src = a[0] }, "--libs", a, 1);
}

static int opt_root(struct run_opts *o, char **a, char **why)
{
        if (o->plan->root)
                return why_set(why, "--root/--overlay given twice: a void has one root");
        if (a[0][0] != '/')
                return why_set(why, "--root: '%s' is not an absolute path", a[0]);
        return vb_plan_set_str(&o->plan->root, a[0]);
}

static int opt_overlay(struct run_opts *o, char **a, char **why)
{
        int r = opt_root(o, a, why);

        o->plan->overlay = r >= 0;
        return r;
}

static int opt_overlay_persist(struct run_opts *o, char **a, char **why)
{
        if (a[0][0] != '/')
                return why_set(why, "--overlay-persist: '%s' is not an absolute path", a[0]);
        return vb_plan_set_str(&o->plan->overlay_upper, a[0]);
}

static int opt_root_rw(struct run_opts *o, char **a, char **why)
{
        o->plan->root_rw = true;
        return 0;
}

static int opt_init(struct run_opts *o, char **a, char **why)
{
        o->plan->init = true;
        return 0;
}

static int opt_chown_noop(struct run_opts *o, char **a, char **why)
{
        o->plan->chown_noop = true;
        return 0;
}

static int opt_sys(struct run_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_SYS, .dst = "/sys" }, "--sys", a, 0);
}

static int opt_net(struct run_opts *o, char **a, char **why)
{
        if (strcmp(a[0], "none") == 0)
                o->net = NET_NONE;
        else if (strcmp(a[0], "loopback") == 0)
                o->net = NET_LOOPBACK;
        else if (strcmp(a[0], "shared") == 0)
                o->net = NET_SHARED;
        else
                return why_set(why, "--net: '%s' is not one of none, loopback, shared", a[0]);
        o->net_given = true;
        return 0;
}

static int opt_share(struct run_opts *o, char **a, char **why)
{
        int ns = vb_ns_from_name(a[0]);

        if (ns < 0)
                return why_set(why, "--share: unknown namespace '%s' (user, pid, net, ipc, uts, cgroup, time)", a[0]);
        if (ns == VB_NS_MNT)
                return why_set(why, "--share mnt: a void always builds its own root; bind what it needs instead");
        if (ns == VB_NS_NET && o->net_given && o->net != NET_SHARED)
                return why_set(why, "--share net contradicts --net=%s", o->net == NET_NONE ? "none" : "loopback");
        o->plan->ns[ns] = VB_NS_SHARED;
        if (ns == VB_NS_NET)
                o->net = NET_SHARED, o->net_given = true;
        return 0;
}

static int opt_join(struct run_opts *o, char **a, char **why)
{
        const char *eq = strchr(a[0], '=');
        char name[16];
        int ns;

        if (!eq || eq == a[0] || (size_t)(eq - a[0]) >= sizeof(name) || !eq[1])
                return why_set(why, "--join: expected NS=PATH (e.g. net=/proc/1234/ns/net), got '%s'", a[0]);
        memcpy(name, a[0], (size_t)(eq - a[0]));
        name[eq - a[0]] = '\0';
        ns = vb_ns_from_name(name);
        if (ns < 0 || ns == VB_NS_MNT)
                return why_set(why, "--join: cannot join namespace '%s'", name);
        o->plan->ns[ns] = VB_NS_JOIN;
        return vb_plan_set_str(&o->plan->ns_path[ns], eq + 1);
}

static int opt_fd(struct run_opts *o, char **a, char **why)
{
        char buf[32], *colon;
        int host, target;

        if (strlen(a[0]) >= sizeof(buf))
                return why_set(why, "--fd: '%s' is not N or N:TARGET", a[0]);
        strcpy(buf, a[0]);
        colon = strchr(buf, ':');
        if (colon)
                *colon = '\0';
        if (parse_int(buf, 0, &host) < 0 || parse_int(colon ? colon + 1 : buf, 0, &target) < 0)
                return why_set(why, "--fd: '%s' is not N or N:TARGET", a[0]);
        if (target > VB_FD_TARGET_MAX)
                return why_set(why, "--fd: '%s': the target must be %d at most", a[0], VB_FD_TARGET_MAX);
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_FD, .fd = host, .target = target }, "--fd", a, 1);
}

static int opt_setenv(struct run_opts *o, char **a, char **why)
{
        if (!*a[0] || strchr(a[0], '='))
                return why_set(why, "--setenv: '%s' is not a variable name", a[0]);
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_SETENV, .src = a[0], .dst = a[1] }, "--setenv", a,
                         1);
}

static int opt_keep_env(struct run_opts *o, char **a, char **why)
{
        const char *value = getenv(a[0]);

        if (!value)
                return 0; /* not set on the host: nothing to hand in */
        if (!*a[0] || strchr(a[0], '='))
                return why_set(why, "--keep-env: '%s' is not a variable name", a[0]);
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_SETENV, .src = a[0], .dst = (char *)value },
                         "--keep-env", a, 1);
}

static int opt_chdir(struct run_opts *o, char **a, char **why)
{
        return vb_plan_set_str(&o->plan->chdir, a[0]);
}

static int opt_hostname(struct run_opts *o, char **a, char **why)
{
        if (!*a[0] || strlen(a[0]) > 64)
                return why_set(why, "--hostname: must be 1 to 64 bytes");
        return vb_plan_set_str(&o->plan->hostname, a[0]);
}

static int opt_seccomp(struct run_opts *o, char **a, char **why)
{
        if (strcmp(a[0], "default") == 0)
                o->plan->seccomp = VB_PLAN_SECCOMP_DEFAULT;
        else if (strcmp(a[0], "off") == 0)
                o->plan->seccomp = VB_PLAN_SECCOMP_OFF;
        else {
                o->plan->seccomp = VB_PLAN_SECCOMP_FILE;
                return vb_plan_set_str(&o->plan->seccomp_file, a[0]);
        }
        return 0;
}

static int opt_landlock(struct run_opts *o, char **a, char **why)
{
        o->plan->landlock = VB_PLAN_LANDLOCK_STRICT;
        return 0;
}

static int opt_no_landlock(struct run_opts *o, char **a, char **why)
{
        o->plan->landlock = VB_PLAN_LANDLOCK_OFF;
        return 0;
}

static int opt_landlock_allow(struct run_opts *o, char **a, char **why)
{
        char *colon = strrchr(a[0], ':');
        unsigned access = 0;
        int r;

        if (!colon || a[0][0] != '/' || !colon[1])
                return why_set(why, "--landlock-allow: expected PATH:ACCESS with ACCESS of r, w, x, got '%s'", a[0]);
        for (const char *p = colon + 1; *p; p++) {
                if (*p == 'r')
                        access |= VB_LANDLOCK_READ;
                else if (*p == 'w')
                        access |= VB_LANDLOCK_WRITE;
                else if (*p == 'x')
                        access |= VB_LANDLOCK_EXEC;
                else
                        return why_set(why, "--landlock-allow: unknown access '%c' in '%s' (r, w, x)", *p, a[0]);
        }
        o->plan->landlock = VB_PLAN_LANDLOCK_STRICT;
        r = add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_LANDLOCK, .access = access }, "--landlock-allow", a,
                      1);
        *colon = '\0'; /* the rule's path ends here (the origin keeps the whole word) */
        return r < 0 ? r : vb_plan_set_str(&o->plan->grants[o->plan->n_grants - 1].dst, a[0]);
}

static int opt_rlimit(struct run_opts *o, char **a, char **why)
{
        static const struct {
                const char *name;
                int res;
        } names[] = {
                { "as", RLIMIT_AS },         { "core", RLIMIT_CORE },   { "cpu", RLIMIT_CPU },
                { "data", RLIMIT_DATA },     { "fsize", RLIMIT_FSIZE }, { "memlock", RLIMIT_MEMLOCK },
                { "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC }, { "stack", RLIMIT_STACK },
        };
        char name[16], *eq = strchr(a[0], '='), *colon;
        uint64_t soft, hard;

        if (!eq || (size_t)(eq - a[0]) >= sizeof(name))
                return why_set(why, "--rlimit: expected NAME=SOFT[:HARD], got '%s'", a[0]);
        memcpy(name, a[0], (size_t)(eq - a[0]));
        name[eq - a[0]] = '\0';
        colon = strchr(eq + 1, ':');
        if (colon)
                *colon = '\0';
        if (vb_parse_size(eq + 1, &soft) < 0 || (colon ? vb_parse_size(colon + 1, &hard) : (hard = soft, 0)) < 0 ||
            soft > hard) {
                if (colon)
                        *colon = ':';
                return why_set(why, "--rlimit: bad limits in '%s' (SOFT <= HARD, numbers)", a[0]);
        }
        if (colon)
                *colon = ':';
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(names[i].name, name) == 0)
                        return add_grant(
                                o,
                                (struct vb_plan_grant){
                                        .kind = VB_PLAN_RLIMIT, .resource = names[i].res, .soft = soft, .hard = hard },
                                "--rlimit", a, 1);
        return why_set(why, "--rlimit: unknown limit '%s' (as core cpu data fsize memlock nofile nproc stack)", name);
}

static int opt_time_offset(struct run_opts *o, char **a, char **why)
{
        char *eq = strchr(a[0], '='), *end;
        long long secs;
        int clock;

        if (eq && strncmp(a[0], "boottime=", 9) == 0)
                clock = CLOCK_BOOTTIME;
        else if (eq && strncmp(a[0], "monotonic=", 10) == 0)
                clock = CLOCK_MONOTONIC;
        else
                return why_set(why, "--time-offset: expected boottime=SECONDS or monotonic=SECONDS, got '%s'", a[0]);
        errno = 0;
        secs = strtoll(eq + 1, &end, 10);
        if (errno || !eq[1] || *end)
                return why_set(why, "--time-offset: '%s' is not a number of seconds", eq + 1);
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_TIME_OFFSET, .resource = clock, .seconds = secs },
                         "--time-offset", a, 1);
}

static int opt_cap_add(struct run_opts *o, char **a, char **why)
{
        cap_value_t cap;

        if (cap_from_name(a[0], &cap) < 0)
                return why_set(why, "--cap-add: unknown capability '%s'", a[0]);
        return add_grant(o, (struct vb_plan_grant){ .kind = VB_PLAN_CAP, .resource = cap }, "--cap-add", a, 1);
}

/* --uid N, --gid N: any id but (uid_t)-1, which every set*id call reads as "no change". */
static int parse_id(const char *opt, const char *s, unsigned *out, char **why)
{
        char *end;
        unsigned long v;

        errno = 0;
        v = *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : ULONG_MAX;
        if (errno || v >= UINT32_MAX || *end)
                return why_set(why, "%s: '%s' is not an id (0 to 4294967294)", opt, s);
        *out = (unsigned)v;
        return 0;
}

static int opt_uid(struct run_opts *o, char **a, char **why)
{
        unsigned id = 0;

        if (parse_id("--uid", a[0], &id, why) < 0)
                return -EINVAL;
        o->plan->uid = (uid_t)id;
        o->plan->ids_set = true;
        return 0;
}

static int opt_gid(struct run_opts *o, char **a, char **why)
{
        unsigned id = 0;

        if (parse_id("--gid", a[0], &id, why) < 0)
                return -EINVAL;
        o->plan->gid = (gid_t)id;
        o->plan->ids_set = true;
        return 0;
}

static int opt_cgroup(struct run_opts *o, char **a, char **why)
{
        return vb_plan_set_str(&o->plan->cgroup, a[0]);
}

/* --limit pids=N,memory=SIZE,cpu=P%: any of them, comma-separated; given again, a limit is replaced. */
static int opt_limit(struct run_opts *o, char **a, char **why)
{
        _cleanup_free_ char *copy = strdup(a[0]);
        char *save = NULL;
        bool any = false;
        int r;

        if (!copy)
                return -ENOMEM;
        for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(item, '=');
                const char *reason = NULL;

                if (!eq || eq == item)
                        return why_set(why, "--limit: expected NAME=VALUE (pids=64, memory=64m, cpu=50%%), got '%s'",
                                       item);
                *eq = '\0';
                r = vb_limit_parse(&o->plan->limits, item, eq + 1, &reason);
                if (r == -ENOENT)
                        return why_set(why, "--limit: '%s' %s", item, reason);
                if (r < 0)
                        return why_set(why, "--limit %s: '%s' %s", item, eq + 1, reason);
                any = true;
        }
        return any ? 0 : why_set(why, "--limit: expected NAME=VALUE (pids=64, memory=64m, cpu=50%%), got '%s'", a[0]);
}

static int opt_identity(struct run_opts *o, char **a, char **why)
{
        int id = vb_identity_from_name(a[0]);

        if (id < 0)
                return why_set(why, "--identity: '%s' is not one of auto, host, reserved", a[0]);
        o->plan->identity = (enum vb_identity)id;
        return 0;
}

static int opt_host_root(struct run_opts *o, char **a, char **why)
{
        o->plan->identity = VB_IDENTITY_HOST;
        return 0;
}

/* --server NAME=MODE: a mode Linux cannot give is refused here, with the reason (exit 100). */
static int opt_server(struct run_opts *o, char **a, char **why)
{
        const char *eq = strchr(a[0], '='), *refusal = NULL;
        char name[16];
        int s, m;

        if (!eq || eq == a[0] || (size_t)(eq - a[0]) >= sizeof(name))
                return why_set(why, "--server: expected NAME=MODE (e.g. net=denied), got '%s'", a[0]);
        memcpy(name, a[0], (size_t)(eq - a[0]));
        name[eq - a[0]] = '\0';
        s = vb_server_from_name(name);
        if (s < 0)
                return why_set(why, "--server: unknown server '%s' (fs exec proc auth net unix term dev ipc uts time)",
                               name);
        m = vb_server_mode_from_name(eq + 1);
        if (m < 0)
                return why_set(why, "--server %s: unknown mode '%s' (fresh shared denied proxied)", name, eq + 1);
        if (o->plan->server_set[s] && o->plan->server[s] != (enum vb_server_mode)m)
                return why_set(why, "--server %s given twice with different modes", name);
        if (vb_plan_set_server(o->plan, (enum vb_server)s, (enum vb_server_mode)m, &refusal) < 0)
                return why_set(why, "--server %s=%s: %s", name, eq + 1, refusal);
        return 0;
}

static int opt_proxy_connect(struct run_opts *o, char **a, char **why)
{
        struct vb_plan_care *c = &o->plan->care;
        struct vb_plan_forward *n;
        char *eq = strchr(a[0], '=');

        if (!eq || a[0][0] != '/' || (strncmp(eq + 1, "tcp:", 4) != 0 && strncmp(eq + 1, "unix:/", 6) != 0))
                return why_set(why, "--proxy-connect: expected PATH=tcp:HOST:PORT or PATH=unix:/SOCKET, got '%s'",
                               a[0]);
        n = reallocarray(c->fwd, c->n_fwd + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        c->fwd = n;
        n[c->n_fwd] = (struct vb_plan_forward){};
        *eq = '\0'; /* argv is ours to edit: the path now ends here */
        if (vb_plan_set_str(&n[c->n_fwd].at, a[0]) < 0 || vb_plan_set_str(&n[c->n_fwd].upstream, eq + 1) < 0) {
                free(n[c->n_fwd].at);
                return -ENOMEM;
        }
        c->n_fwd++;
        return 0;
}

/* Append a copy of s to the NULL-terminated vector *v of *n strings. */
static int strv_push(char ***v, size_t *n, const char *s)
{
        char **grown = reallocarray(*v, *n + 2, sizeof(char *)), *copy;

        if (!grown)
                return -ENOMEM;
        *v = grown;
        copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        grown[*n] = copy;
        grown[++*n] = NULL;
        return 0;
}

/* --net-allow [tcp:|udp:][HOST:]PORT: a host-loopback port (no HOST, 127.0.0.1, localhost) or a port of one
 * remote host (numeric IPv4, or IPv6 in []) for the network caretaker. */
static int opt_net_allow(struct run_opts *o, char **a, char **why)
{
        struct vb_plan_care *c = &o->plan->care;
        struct vb_net_allow *n, allow[16];
        const char *reason = NULL;
        char name[256], line[512];
        size_t n_text = c->n_allow;
        int got = vb_net_allow_resolve(a[0], allow, ELEMENTSOF(allow), name, sizeof(name), &reason);

        if (got < 0)
                return why_set(why, "--net-allow %s: %s", a[0], reason ? reason : strerror(-got));
        n = reallocarray(c->allow, c->n_allow + (size_t)got, sizeof(*n));
        if (!n)
                return -ENOMEM;
        c->allow = n;
        for (int i = 0; i < got; i++) {
                char addr[64] = "";

                if (strv_push(&c->allow_text, &n_text, a[0]) < 0)
                        return -ENOMEM;
                c->allow[c->n_allow++] = allow[i];
                /*
                 * The name, for the void's /etc/hosts: programs connect by name with no resolver.  A name
                 * of the host's loopback (family 0) is reached at 127.0.0.1 in the void too.
                 */
                if (!name[0] || (allow[i].family ? !inet_ntop(allow[i].family, allow[i].addr, addr, sizeof(addr))
                                                 : !strcpy(addr, "127.0.0.1")))
                        continue;
                snprintf(line, sizeof(line), "%s %s", addr, name);
                if (strv_push(&c->hosts, &c->n_hosts, line) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int opt_dbus_proxy(struct run_opts *o, char **a, char **why)
{
        char *eq = strchr(a[0], '=');

        if (!eq || a[0][0] != '/' || !eq[1])
                return why_set(why, "--dbus-proxy: expected PATH=BUS-ADDRESS (unix:path=/run/...), got '%s'", a[0]);
        *eq = '\0';
        if (vb_plan_set_str(&o->plan->care.dbus_at, a[0]) < 0)
                return -ENOMEM;
        return vb_plan_set_str(&o->plan->care.dbus_bus, eq + 1);
}

static int opt_dbus_talk(struct run_opts *o, char **a, char **why)
{
        return strv_push(&o->plan->care.dbus_talk, &o->plan->care.n_dbus_talk, a[0]);
}

static int opt_name(struct run_opts *o, char **a, char **why)
{
        size_t len = strlen(a[0]);

        if (len == 0 || len > 64 ||
            strspn(a[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len || a[0][0] == '.')
                return why_set(why, "--name: '%s' must be 1 to 64 of [A-Za-z0-9_.-], not starting with '.'", a[0]);
        return vb_plan_set_str(&o->plan->care.name, a[0]);
}

static int opt_inbox(struct run_opts *o, char **a, char **why)
{
        if (a[0][0] != '/' || strcmp(a[0], "/") == 0)
                return why_set(why, "--inbox: '%s' must be an absolute path other than /", a[0]);
        return vb_plan_set_str(&o->plan->care.inbox, a[0]);
}

static int opt_argv0(struct run_opts *o, char **a, char **why)
{
        return vb_plan_set_str(&o->argv0, a[0]);
}

static int opt_exec_host(struct run_opts *o, char **a, char **why)
{
        o->plan->program_host = true;
        return 0;
}

#define FLAG_FN(fname, field)                                      \
        static int fname(struct run_opts *o, char **a, char **why) \
        {                                                          \
                o->field = true;                                   \
                return 0;                                          \
        }
FLAG_FN(opt_explain, explain)
FLAG_FN(opt_json, json)
FLAG_FN(opt_verbose, verbose)
FLAG_FN(opt_help, help)
FLAG_FN(opt_version, version)
FLAG_FN(opt_seccomp_print, seccomp_print)
FLAG_FN(opt_no_stdio, no_stdio)

static const struct option_def options[] = {
        { "--ro-bind", 2, opt_ro_bind },
        { "--bind", 2, opt_bind },
        { "--ro-bind-try", 2, opt_ro_bind_try },
        { "--bind-try", 2, opt_bind_try },
        { "--dev-bind", 2, opt_dev_bind },
        { "--size", 1, opt_size },
        { "--tmpfs", 1, opt_tmpfs },
        { "--dir", 1, opt_dir },
        { "--symlink", 2, opt_symlink },
        { "--proc", OPT_DEST, opt_proc },
        { "--proc-subset", OPT_DEST, opt_proc_subset },
        { "--dev", OPT_DEST, opt_dev },
        { "--passwd", OPT_DEST, opt_passwd },
        { "--profile", 1, opt_profile },
        { "--info-fd", 1, opt_info_fd },
        { "--json-status-fd", 1, opt_json_status_fd },
        { "--libs", 1, opt_libs },
        { "--root", 1, opt_root },
        { "--root-rw", 0, opt_root_rw },
        { "--overlay", 1, opt_overlay },
        { "--overlay-persist", 1, opt_overlay_persist },
        { "--sys", 0, opt_sys },
        { "--init", 0, opt_init },
        { "--chown-noop", 0, opt_chown_noop },
        { "--net", 1, opt_net },
        { "--share", 1, opt_share },
        { "--join", 1, opt_join },
        { "--fd", 1, opt_fd },
        { "--setenv", 2, opt_setenv },
        { "--keep-env", 1, opt_keep_env },
        { "--chdir", 1, opt_chdir },
        { "--hostname", 1, opt_hostname },
        { "--seccomp", 1, opt_seccomp },
        { "--seccomp-print", 0, opt_seccomp_print },
        { "--landlock", 0, opt_landlock },
        { "--no-landlock", 0, opt_no_landlock },
        { "--landlock-allow", 1, opt_landlock_allow },
        { "--rlimit", 1, opt_rlimit },
        { "--time-offset", 1, opt_time_offset },
        { "--cap-add", 1, opt_cap_add },
        { "--uid", 1, opt_uid },
        { "--gid", 1, opt_gid },
        { "--cgroup", 1, opt_cgroup },
        { "--limit", 1, opt_limit },
        { "--identity", 1, opt_identity },
        { "--host-root", 0, opt_host_root },
        { "--exec-host", 0, opt_exec_host },
        { "--argv0", 1, opt_argv0 },
        { "--no-stdio", 0, opt_no_stdio },
        { "--server", 1, opt_server },
        { "--proxy-connect", 1, opt_proxy_connect },
        { "--net-allow", 1, opt_net_allow },
        { "--dbus-proxy", 1, opt_dbus_proxy },
        { "--dbus-talk", 1, opt_dbus_talk },
        { "--name", 1, opt_name },
        { "--inbox", 1, opt_inbox },
        { "--explain", 0, opt_explain },
        { "--json", 0, opt_json },
        { "-v", 0, opt_verbose },
        { "--verbose", 0, opt_verbose },
        { "--help", 0, opt_help },
        { "-h", 0, opt_help },
        { "--version", 0, opt_version },
};

static const struct option_def *find_option(const char *arg, const char **inline_value)
{
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

        for (size_t i = 0; i < ELEMENTSOF(options); i++)
                if (strlen(options[i].name) == len && strncmp(options[i].name, arg, len) == 0) {
                        *inline_value = eq ? eq + 1 : NULL;
                        return &options[i];
                }
        return NULL;
}

/* What the options say together: the network choice, stdio, and the plan's own consistency. */
static int finish(struct run_opts *o, char **argv, char **why)
{
        struct vb_plan *p = o->plan;
        _cleanup_free_ char *conflict = NULL;
        int r;

        if (o->next_size)
                return why_set(why, "--size applies to the next --tmpfs, and none followed");
        if (o->net == NET_SHARED)
                p->ns[VB_NS_NET] = VB_NS_SHARED;
        else if (p->ns[VB_NS_NET] == VB_NS_SHARED)
                return why_set(why, "--share net contradicts --net=%s", o->net == NET_NONE ? "none" : "loopback");
        if (p->server_set[VB_SERVER_NET] && o->net_given && o->net != NET_NONE)
                return why_set(why, "--server net contradicts --net: give one of them");
        p->loopback = o->net == NET_LOOPBACK;
        if (p->care.n_allow && !p->server_set[VB_SERVER_NET]) /* --net-allow alone asks for the caretaker */
                (void)vb_plan_set_server(p, VB_SERVER_NET, VB_SERVER_PROXIED, NULL);
        for (int fd = 0; fd <= 2; fd++) /* stdin, stdout, stderr: the program's line to its caller */
                p->stdio[fd] = !o->no_stdio && argv;
        r = argv ? vb_plan_set_program(p, argv[0], p->program_host, argv) : 0;
        /* --exec-host ./prog: a host path, taken from our working directory (the library wants it absolute). */
        if (r >= 0 && argv && p->program_host && argv[0][0] != '/') {
                _cleanup_free_ char *cwd = getcwd(NULL, 0), *abs = NULL;

                if (!cwd)
                        return why_set(why, "--exec-host %s: the working directory: %s", argv[0], strerror(errno));
                if (asprintf(&abs, "%s/%s", cwd, argv[0] + (strncmp(argv[0], "./", 2) == 0 ? 2 : 0)) < 0)
                        return -ENOMEM;
                r = vb_plan_set_str(&p->program, abs);
        }
        if (r >= 0 && o->argv0 && p->argv)
                r = vb_plan_set_str(&p->argv[0], o->argv0);
        if (r < 0)
                return r;
        r = vb_plan_check(p, &conflict);
        if (r < 0 && conflict)
                return why_set(why, "%s", conflict);
        return r;
}

/*
 * Does the word after an OPT_DEST option (argv[i + 1]) name its DEST?  bwrap always takes one (`--proc
 * /proc`), voidshim never needed one (`--proc /bin/ls` runs /bin/ls).  It is DEST when it is an absolute path
 * followed by "--" or by an option of run: a PROGRAM given without "--" rarely is (`--proc /bin/ls --help`
 * is read as DEST /bin/ls; `--proc -- /bin/ls --help` is not).
 */
static bool take_dest(int argc, char **argv, int i)
{
        const char *inline_value;

        return i + 2 < argc && argv[i + 1][0] == '/' &&
               (strcmp(argv[i + 2], "--") == 0 || find_option(argv[i + 2], &inline_value) != NULL);
}

/* The arguments of option d at argv[i]: inline ("--x=V"), an optional DEST, or the next d->nargs words. */
static int take_args(int argc, char **argv, int i, const struct option_def *d, const char *inline_value, char **args,
                     int *used, char **why)
{
        *used = 0;
        args[0] = args[1] = NULL;
        if (inline_value && d->nargs != 1 && d->nargs != OPT_DEST)
                return why_set(why, "%s takes %d arguments, not '=VALUE'", d->name, d->nargs);
        if (inline_value) {
                args[0] = (char *)inline_value;
                return 0;
        }
        if (d->nargs == OPT_DEST) {
                if (take_dest(argc, argv, i))
                        args[0] = argv[i + 1], *used = 1;
                return 0;
        }
        if (argc - i - 1 < d->nargs)
                return why_set(why, "%s needs %d argument%s", d->name, d->nargs, d->nargs > 1 ? "s" : "");
        for (int k = 0; k < d->nargs; k++) {
                args[k] = argv[i + 1 + k];
                if (strcmp(args[k], "--") == 0) /* "--ro-bind /etc -- prog" lacks DST */
                        return why_set(why, "%s needs %d argument%s", d->name, d->nargs, d->nargs > 1 ? "s" : "");
        }
        *used = d->nargs;
        return 0;
}

int vb_cli_parse(int argc, char **argv, struct run_opts *o, char **why)
{
        return vb_cli_parse_opts(argc, argv, false, o, why);
}

int vb_cli_parse_opts(int argc, char **argv, bool program_optional, struct run_opts *o, char **why)
{
        int i = 1, r;

        *o = (struct run_opts){ .plan = vb_plan_new(), .info_fd = -1, .status_fd = -1 };
        *why = NULL;
        if (!o->plan)
                return -ENOMEM;
        while (i < argc) {
                const char *inline_value = NULL;
                const struct option_def *d;
                char *args[2];
                int used;

                if (strcmp(argv[i], "--") == 0) {
                        i++;
                        break;
                }
                if (argv[i][0] != '-')
                        break; /* PROGRAM without "--" */
                d = find_option(argv[i], &inline_value);
                if (!d)
                        return why_set(why, "unknown option '%s' (see voidshim run --help)", argv[i]);
                r = take_args(argc, argv, i, d, inline_value, args, &used, why);
                if (r < 0)
                        return r;
                r = d->fn(o, args, why);
                if (r < 0)
                        return *why ? r : why_set(why, "%s: %s", d->name, strerror(-r));
                i += 1 + used;
        }
        if (o->help || o->version || o->seccomp_print)
                return 0;
        if (i >= argc && !program_optional)
                return why_set(why, "no program given (voidshim run [GRANT...] -- PROGRAM [ARGS...])");
        if (o->verbose && !o->explain)
                return why_set(why, "--verbose applies to --explain, which is not given");
        if (i >= argc) { /* a session's pid 1 alone */
                o->plan->init = o->plan->init_hold = true;
                return finish(o, NULL, why);
        }
        return finish(o, argv + i, why);
}

void run_opts_done(struct run_opts *o)
{
        vb_plan_free(o->plan);
        free(o->argv0);
        for (size_t i = 0; i < o->n_profiles; i++)
                vb_spec_profile_free(o->profiles[i]);
        free(o->profiles);
        *o = (struct run_opts){};
}
