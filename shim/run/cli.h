/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing for `voidshim run`, kept apart from everything with side
 * effects so it can be unit-tested (minijail0_cli.c): vb_cli_parse() fills a
 * struct vb_opts and returns an error; it never prints and never exits.
 */
#ifndef SHIM_CLI_H
#define SHIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "voidbuilder.h"

enum vb_grant_kind {
        G_BIND,        /* a = src, b = dst, flags = VB_MOUNT_* */
        G_TMPFS,       /* a = dst, n = size */
        G_DIR,         /* a = dst */
        G_SYMLINK,     /* a = target, b = dst */
        G_PROC,        /* a = dst */
        G_DEV,         /* a = dst */
        G_LIBS,        /* a = host binary */
        G_FD,          /* i = host fd, n = target */
        G_SETENV,      /* a = name, b = value */
        G_LANDLOCK,    /* a = path, flags = VB_LANDLOCK_* */
        G_RLIMIT,      /* i = RLIMIT_*, n = soft, m = hard */
        G_TIME_OFFSET, /* i = clock id, n = seconds (int64) */
        G_CAP,         /* i = CAP_* */
};

struct vb_grant {
        enum vb_grant_kind kind;
        const char *a, *b; /* point into argv */
        unsigned flags;
        int i;
        uint64_t n, m;
};

enum vb_net_choice { NET_NONE, NET_LOOPBACK, NET_SHARED };

/* --proxy-connect PATH=UPSTREAM: a forwarder socket at PATH inside, to UPSTREAM (tcp:HOST:PORT, unix:/PATH). */
struct vb_proxy_opt {
        const char *path, *upstream; /* point into argv */
};
enum vb_seccomp_choice { SECCOMP_CHOICE_DEFAULT, SECCOMP_CHOICE_OFF, SECCOMP_CHOICE_FILE };

struct vb_opts {
        struct vb_grant *grants; /* in command-line order: later mounts go over earlier ones */
        size_t n_grants;
        enum vb_ns_mode ns[VB_NS_COUNT];
        const char *ns_path[VB_NS_COUNT]; /* for VB_NS_JOIN */
        enum vb_net_choice net;
        bool net_given; /* --net or --share net seen */
        const char *hostname, *chdir, *cgroup;
        enum vb_seccomp_choice seccomp;
        const char *seccomp_file;
        bool landlock, explain, exec_host, help, version, seccomp_print, proc_subset, no_stdio;
        bool verbose;       /* --explain -v: every seccomp rule too */
        uint64_t next_size; /* --size for the next --tmpfs */
        /* The environment model (doc/servers.md): --server NAME=MODE, and the caretakers. */
        enum vb_server_mode server[VB_SERVER_COUNT];
        bool server_set[VB_SERVER_COUNT];
        struct vb_proxy_opt *proxies; /* --proxy-connect */
        size_t n_proxies;
        struct vb_net_allow *net_allow; /* --net-allow: ports for the network caretaker */
        size_t n_net_allow;
        const char *dbus_path, *dbus_bus; /* --dbus-proxy PATH=ADDRESS */
        const char **dbus_talk;           /* --dbus-talk NAME, NULL-terminated */
        size_t n_dbus_talk;
        const char *name;  /* --name: the control socket for voidshim ctl */
        const char *inbox; /* --inbox DIR: where granted directories appear (voidshim ctl NAME grant) */
        uid_t uid;         /* --uid, --gid: the void's ids inside its user namespace */
        gid_t gid;
        bool uid_set, gid_set;
        char **argv; /* PROGRAM [ARGS...]: points into the caller's argv */
};

/*
 * Parse the arguments of `voidshim run` (argv[0] is "run").  On error returns
 * -EINVAL and stores a malloc'd one-line cause in *why ("unknown option
 * '--frob'"); o is left for vb_opts_done().
 */
int vb_cli_parse(int argc, char **argv, struct vb_opts *o, char **why);
void vb_opts_done(struct vb_opts *o);
/* The help text of `voidshim run`. */
const char *vb_cli_usage(void);

#endif
