/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `voidshim run` options: a table of names, argument counts and handlers. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <time.h>

#include "run/cli.h"
#include "voidbuilder.h"
#include "voidbuilder/cleanup.h"

typedef int (*opt_fn)(struct vb_opts *o, char **args, char **why);

struct option_def {
        const char *name;
        int nargs;
        opt_fn fn;
};

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

static int add_grant(struct vb_opts *o, struct vb_grant g)
{
        struct vb_grant *n = reallocarray(o->grants, o->n_grants + 1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        o->grants = n;
        o->grants[o->n_grants++] = g;
        return 0;
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

#define BIND_FN(fname, fl)                                                                                     \
        static int fname(struct vb_opts *o, char **a, char **why)                                              \
        {                                                                                                      \
                return add_grant(o, (struct vb_grant){ .kind = G_BIND, .a = a[0], .b = a[1], .flags = (fl) }); \
        }
BIND_FN(opt_ro_bind, 0)
BIND_FN(opt_bind, VB_MOUNT_RW)
BIND_FN(opt_ro_bind_try, VB_MOUNT_OPTIONAL)
BIND_FN(opt_bind_try, VB_MOUNT_RW | VB_MOUNT_OPTIONAL)
BIND_FN(opt_dev_bind, VB_MOUNT_RW | VB_MOUNT_DEV)

static int opt_size(struct vb_opts *o, char **a, char **why)
{
        if (vb_parse_size(a[0], &o->next_size) < 0 || o->next_size == 0)
                return why_set(why, "--size: '%s' is not a size in bytes (suffixes k, m, g)", a[0]);
        return 0;
}

static int opt_tmpfs(struct vb_opts *o, char **a, char **why)
{
        uint64_t size = o->next_size;

        o->next_size = 0;
        return add_grant(o, (struct vb_grant){ .kind = G_TMPFS, .a = a[0], .n = size });
}

static int opt_dir(struct vb_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_grant){ .kind = G_DIR, .a = a[0] });
}

static int opt_symlink(struct vb_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_grant){ .kind = G_SYMLINK, .a = a[0], .b = a[1] });
}

static int opt_proc(struct vb_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_grant){ .kind = G_PROC, .a = "/proc" });
}

static int opt_proc_subset(struct vb_opts *o, char **a, char **why)
{
        o->proc_subset = true;
        return add_grant(o, (struct vb_grant){ .kind = G_PROC, .a = "/proc" });
}

static int opt_dev(struct vb_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_grant){ .kind = G_DEV, .a = "/dev" });
}

static int opt_libs(struct vb_opts *o, char **a, char **why)
{
        return add_grant(o, (struct vb_grant){ .kind = G_LIBS, .a = a[0] });
}

static int opt_net(struct vb_opts *o, char **a, char **why)
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

static int opt_share(struct vb_opts *o, char **a, char **why)
{
        int ns = vb_ns_from_name(a[0]);

        if (ns < 0)
                return why_set(why, "--share: unknown namespace '%s' (user, pid, net, ipc, uts, cgroup, time)", a[0]);
        if (ns == VB_NS_MNT)
                return why_set(why, "--share mnt: a void always builds its own root; bind what it needs instead");
        if (ns == VB_NS_NET && o->net_given && o->net != NET_SHARED)
                return why_set(why, "--share net contradicts --net=%s", o->net == NET_NONE ? "none" : "loopback");
        o->ns[ns] = VB_NS_SHARED;
        if (ns == VB_NS_NET)
                o->net = NET_SHARED, o->net_given = true;
        return 0;
}

static int opt_join(struct vb_opts *o, char **a, char **why)
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
        o->ns[ns] = VB_NS_JOIN;
        o->ns_path[ns] = eq + 1;
        return 0;
}

static int opt_fd(struct vb_opts *o, char **a, char **why)
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
        return add_grant(o, (struct vb_grant){ .kind = G_FD, .i = host, .n = (uint64_t)target });
}

static int opt_setenv(struct vb_opts *o, char **a, char **why)
{
        if (!*a[0] || strchr(a[0], '='))
                return why_set(why, "--setenv: '%s' is not a variable name", a[0]);
        return add_grant(o, (struct vb_grant){ .kind = G_SETENV, .a = a[0], .b = a[1] });
}

static int opt_keep_env(struct vb_opts *o, char **a, char **why)
{
        const char *value = getenv(a[0]);

        if (!value)
                return 0; /* not set on the host: nothing to hand in */
        return opt_setenv(o, (char *[]){ a[0], (char *)value }, why);
}

static int opt_chdir(struct vb_opts *o, char **a, char **why)
{
        o->chdir = a[0];
        return 0;
}

static int opt_hostname(struct vb_opts *o, char **a, char **why)
{
        if (!*a[0] || strlen(a[0]) > 64)
                return why_set(why, "--hostname: must be 1 to 64 bytes");
        o->hostname = a[0];
        return 0;
}

static int opt_seccomp(struct vb_opts *o, char **a, char **why)
{
        if (strcmp(a[0], "default") == 0)
                o->seccomp = SECCOMP_CHOICE_DEFAULT;
        else if (strcmp(a[0], "off") == 0)
                o->seccomp = SECCOMP_CHOICE_OFF;
        else {
                o->seccomp = SECCOMP_CHOICE_FILE;
                o->seccomp_file = a[0];
        }
        return 0;
}

static int opt_landlock(struct vb_opts *o, char **a, char **why)
{
        o->landlock = true;
        return 0;
}

static int opt_landlock_allow(struct vb_opts *o, char **a, char **why)
{
        char *colon = strrchr(a[0], ':');
        unsigned access = 0;

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
        *colon = '\0'; /* argv is ours to edit: the path now ends here */
        o->landlock = true;
        return add_grant(o, (struct vb_grant){ .kind = G_LANDLOCK, .a = a[0], .flags = access });
}

static int opt_rlimit(struct vb_opts *o, char **a, char **why)
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
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(names[i].name, name) == 0)
                        return add_grant(
                                o, (struct vb_grant){ .kind = G_RLIMIT, .i = names[i].res, .n = soft, .m = hard });
        return why_set(why, "--rlimit: unknown limit '%s' (as core cpu data fsize memlock nofile nproc stack)", name);
}

static int opt_time_offset(struct vb_opts *o, char **a, char **why)
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
        return add_grant(o, (struct vb_grant){ .kind = G_TIME_OFFSET, .i = clock, .n = (uint64_t)secs });
}

static int opt_cap_add(struct vb_opts *o, char **a, char **why)
{
        cap_value_t cap;

        if (cap_from_name(a[0], &cap) < 0)
                return why_set(why, "--cap-add: unknown capability '%s'", a[0]);
        return add_grant(o, (struct vb_grant){ .kind = G_CAP, .i = cap });
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

static int opt_uid(struct vb_opts *o, char **a, char **why)
{
        unsigned id = 0;

        if (parse_id("--uid", a[0], &id, why) < 0)
                return -EINVAL;
        o->uid = (uid_t)id;
        o->uid_set = true;
        return 0;
}

static int opt_gid(struct vb_opts *o, char **a, char **why)
{
        unsigned id = 0;

        if (parse_id("--gid", a[0], &id, why) < 0)
                return -EINVAL;
        o->gid = (gid_t)id;
        o->gid_set = true;
        return 0;
}

static int opt_cgroup(struct vb_opts *o, char **a, char **why)
{
        o->cgroup = a[0];
        return 0;
}

/* --server NAME=MODE: a mode Linux cannot give is refused here, with the reason (exit 100). */
static int opt_server(struct vb_opts *o, char **a, char **why)
{
        const char *eq = strchr(a[0], '='), *refusal;
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
        refusal = vb_server_refusal((enum vb_server)s, (enum vb_server_mode)m);
        if (refusal)
                return why_set(why, "--server %s=%s: %s", name, eq + 1, refusal);
        if (o->server_set[s] && o->server[s] != (enum vb_server_mode)m)
                return why_set(why, "--server %s given twice with different modes", name);
        o->server[s] = (enum vb_server_mode)m;
        o->server_set[s] = true;
        return 0;
}

static int opt_proxy_connect(struct vb_opts *o, char **a, char **why)
{
        struct vb_proxy_opt *n;
        char *eq = strchr(a[0], '=');

        if (!eq || a[0][0] != '/' || (strncmp(eq + 1, "tcp:", 4) != 0 && strncmp(eq + 1, "unix:/", 6) != 0))
                return why_set(why, "--proxy-connect: expected PATH=tcp:HOST:PORT or PATH=unix:/SOCKET, got '%s'",
                               a[0]);
        n = reallocarray(o->proxies, o->n_proxies + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        o->proxies = n;
        *eq = '\0'; /* argv is ours to edit: the path now ends here */
        o->proxies[o->n_proxies++] = (struct vb_proxy_opt){ .path = a[0], .upstream = eq + 1 };
        return 0;
}

/* --net-allow [tcp:|udp:][HOST:]PORT: a host-loopback port (no HOST, 127.0.0.1, localhost) or a port of one
 * remote host (numeric IPv4, or IPv6 in []) for the network caretaker. */
static int opt_net_allow(struct vb_opts *o, char **a, char **why)
{
        struct vb_net_allow *n, allow;
        const char *reason;

        if (vb_net_allow_parse(a[0], &allow, &reason) < 0)
                return why_set(why, "--net-allow %s: %s", a[0], reason);
        n = reallocarray(o->net_allow, o->n_net_allow + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        o->net_allow = n;
        o->net_allow[o->n_net_allow++] = allow;
        return 0;
}

static int opt_dbus_proxy(struct vb_opts *o, char **a, char **why)
{
        char *eq = strchr(a[0], '=');

        if (!eq || a[0][0] != '/' || !eq[1])
                return why_set(why, "--dbus-proxy: expected PATH=BUS-ADDRESS (unix:path=/run/...), got '%s'", a[0]);
        *eq = '\0';
        o->dbus_path = a[0];
        o->dbus_bus = eq + 1;
        return 0;
}

static int opt_dbus_talk(struct vb_opts *o, char **a, char **why)
{
        const char **n = reallocarray(o->dbus_talk, o->n_dbus_talk + 2, sizeof(*n));

        if (!n)
                return -ENOMEM;
        o->dbus_talk = n;
        o->dbus_talk[o->n_dbus_talk++] = a[0];
        o->dbus_talk[o->n_dbus_talk] = NULL;
        return 0;
}

static int opt_name(struct vb_opts *o, char **a, char **why)
{
        size_t len = strlen(a[0]);

        if (len == 0 || len > 64 ||
            strspn(a[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != len || a[0][0] == '.')
                return why_set(why, "--name: '%s' must be 1 to 64 of [A-Za-z0-9_.-], not starting with '.'", a[0]);
        o->name = a[0];
        return 0;
}

static int opt_inbox(struct vb_opts *o, char **a, char **why)
{
        if (a[0][0] != '/' || strcmp(a[0], "/") == 0)
                return why_set(why, "--inbox: '%s' must be an absolute path other than /", a[0]);
        o->inbox = a[0];
        return 0;
}

#define FLAG_FN(fname, field)                                     \
        static int fname(struct vb_opts *o, char **a, char **why) \
        {                                                         \
                o->field = true;                                  \
                return 0;                                         \
        }
FLAG_FN(opt_explain, explain)
FLAG_FN(opt_verbose, verbose)
FLAG_FN(opt_exec_host, exec_host)
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
        { "--proc", 0, opt_proc },
        { "--proc-subset", 0, opt_proc_subset },
        { "--dev", 0, opt_dev },
        { "--libs", 1, opt_libs },
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
        { "--landlock-allow", 1, opt_landlock_allow },
        { "--rlimit", 1, opt_rlimit },
        { "--time-offset", 1, opt_time_offset },
        { "--cap-add", 1, opt_cap_add },
        { "--uid", 1, opt_uid },
        { "--gid", 1, opt_gid },
        { "--cgroup", 1, opt_cgroup },
        { "--exec-host", 0, opt_exec_host },
        { "--no-stdio", 0, opt_no_stdio },
        { "--server", 1, opt_server },
        { "--proxy-connect", 1, opt_proxy_connect },
        { "--net-allow", 1, opt_net_allow },
        { "--dbus-proxy", 1, opt_dbus_proxy },
        { "--dbus-talk", 1, opt_dbus_talk },
        { "--name", 1, opt_name },
        { "--inbox", 1, opt_inbox },
        { "--explain", 0, opt_explain },
        { "--verbose", 0, opt_verbose },
        { "-v", 0, opt_verbose },
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

/* The namespace behind each server that is one, to catch --share/--join next to --server. */
static const int server_ns[VB_SERVER_COUNT] = {
        [VB_SERVER_FS] = -1,           [VB_SERVER_EXEC] = -1,         [VB_SERVER_PROC] = VB_NS_PID,
        [VB_SERVER_AUTH] = VB_NS_USER, [VB_SERVER_NET] = VB_NS_NET,   [VB_SERVER_UNIX] = -1,
        [VB_SERVER_TERM] = -1,         [VB_SERVER_DEV] = -1,          [VB_SERVER_IPC] = VB_NS_IPC,
        [VB_SERVER_UTS] = VB_NS_UTS,   [VB_SERVER_TIME] = VB_NS_TIME,
};

/* --uid and --gid are written into a user namespace of the void's own. */
static int check_ids(const struct vb_opts *o, char **why)
{
        const char *opt = o->uid_set ? "--uid" : "--gid";

        if (!o->uid_set && !o->gid_set)
                return 0;
        if (o->ns[VB_NS_USER] != VB_NS_FRESH)
                return why_set(why, "%s needs a user namespace of the void's own, not --share/--join user", opt);
        if (o->server_set[VB_SERVER_AUTH] && o->server[VB_SERVER_AUTH] != VB_SERVER_FRESH)
                return why_set(why, "%s contradicts --server auth=%s%s", opt,
                               vb_server_mode_name(o->server[VB_SERVER_AUTH]),
                               o->server[VB_SERVER_AUTH] == VB_SERVER_DENIED ? " (its ids are 65534)" : "");
        if (o->server_set[VB_SERVER_NET] && o->server[VB_SERVER_NET] == VB_SERVER_PROXIED)
                return why_set(why,
                               "%s: with net=proxied the void joins the network caretaker's user namespace, "
                               "where the ids are 0",
                               opt);
        return 0;
}

/* What --server must agree with: the older options that say the same thing, and the caretakers. */
static int check_servers(struct vb_opts *o, char **why)
{
        bool net_proxied;

        if (o->n_net_allow && !o->server_set[VB_SERVER_NET]) { /* --net-allow alone asks for the caretaker */
                o->server[VB_SERVER_NET] = VB_SERVER_PROXIED;
                o->server_set[VB_SERVER_NET] = true;
        }
        net_proxied = o->server_set[VB_SERVER_NET] && o->server[VB_SERVER_NET] == VB_SERVER_PROXIED;
        for (int s = 0; s < VB_SERVER_COUNT; s++)
                if (o->server_set[s] && server_ns[s] >= 0 && o->ns[server_ns[s]] != VB_NS_FRESH)
                        return why_set(why, "--server %s contradicts --share/--join %s: give one of them",
                                       vb_server_name((enum vb_server)s), vb_ns_name((enum vb_ns)server_ns[s]));
        if (o->server_set[VB_SERVER_NET] && o->net != NET_NONE)
                return why_set(why, "--server net contradicts --net: give one of them");
        if (net_proxied && o->server_set[VB_SERVER_AUTH])
                return why_set(why, "--server auth contradicts net=proxied: the void joins the network caretaker's "
                                    "user namespace");
        if (net_proxied && !o->n_net_allow)
                return why_set(why,
                               "--server net=proxied needs --net-allow [HOST:]PORT (nothing allowed is net=denied)");
        if (o->n_net_allow && !net_proxied)
                return why_set(why, "--net-allow needs --server net=proxied, not net=%s",
                               vb_server_mode_name(o->server[VB_SERVER_NET]));
        if ((o->n_proxies || o->dbus_path) && o->server_set[VB_SERVER_UNIX] &&
            o->server[VB_SERVER_UNIX] == VB_SERVER_DENIED)
                return why_set(why, "--proxy-connect and --dbus-proxy hand in unix sockets, which unix=denied refuses");
        if (o->server_set[VB_SERVER_UNIX] && o->server[VB_SERVER_UNIX] == VB_SERVER_PROXIED && !o->n_proxies &&
            !o->dbus_path)
                return why_set(why, "--server unix=proxied needs --proxy-connect or --dbus-proxy");
        if (o->n_dbus_talk && !o->dbus_path)
                return why_set(why, "--dbus-talk needs --dbus-proxy");
        if (o->inbox && o->server_set[VB_SERVER_FS] && o->server[VB_SERVER_FS] == VB_SERVER_DENIED)
                return why_set(why, "--inbox contradicts --server fs=denied: no path in it could be opened");
        if (o->inbox && !o->name)
                return why_set(why, "--inbox needs --name NAME: grants come through voidshim ctl NAME grant PATH");
        return check_ids(o, why);
}

int vb_cli_parse(int argc, char **argv, struct vb_opts *o, char **why)
{
        int i = 1, r;

        *o = (struct vb_opts){};
        *why = NULL;
        while (i < argc) {
                const char *inline_value = NULL;
                const struct option_def *d;
                char *args[2];

                if (strcmp(argv[i], "--") == 0) {
                        i++;
                        break;
                }
                if (argv[i][0] != '-')
                        break; /* PROGRAM without "--" */
                d = find_option(argv[i], &inline_value);
                if (!d)
                        return why_set(why, "unknown option '%s' (see voidshim run --help)", argv[i]);
                if (inline_value && d->nargs != 1)
                        return why_set(why, "%s takes %d arguments, not '=VALUE'", d->name, d->nargs);
                if (inline_value)
                        args[0] = (char *)inline_value;
                else {
                        if (argc - i - 1 < d->nargs)
                                return why_set(why, "%s needs %d argument%s", d->name, d->nargs,
                                               d->nargs > 1 ? "s" : "");
                        for (int k = 0; k < d->nargs; k++) {
                                args[k] = argv[i + 1 + k];
                                if (strcmp(args[k], "--") == 0) /* "--ro-bind /etc -- prog" lacks DST */
                                        return why_set(why, "%s needs %d argument%s", d->name, d->nargs,
                                                       d->nargs > 1 ? "s" : "");
                        }
                }
                r = d->fn(o, args, why);
                if (r < 0)
                        return *why ? r : why_set(why, "%s: %s", d->name, strerror(-r));
                i += 1 + (inline_value ? 0 : d->nargs);
        }
        if (i < argc)
                o->argv = argv + i;
        if (!o->argv && !o->help && !o->version && !o->seccomp_print)
                return why_set(why, "no program given (voidshim run [GRANT...] -- PROGRAM [ARGS...])");
        if (o->next_size)
                return why_set(why, "--size applies to the next --tmpfs, and none followed");
        if (o->verbose && !o->explain)
                return why_set(why, "--verbose applies to --explain, which is not given");
        if (check_servers(o, why) < 0)
                return -EINVAL;
        if (o->net == NET_SHARED)
                o->ns[VB_NS_NET] = VB_NS_SHARED;
        else if (o->ns[VB_NS_NET] == VB_NS_SHARED)
                return why_set(why, "--share net contradicts --net=%s", o->net == NET_NONE ? "none" : "loopback");
        return 0;
}

void vb_opts_done(struct vb_opts *o)
{
        free(o->grants);
        free(o->proxies);
        free(o->net_allow);
        free(o->dbus_talk);
        *o = (struct vb_opts){};
}
