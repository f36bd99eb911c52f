/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoidspec: application specs: the JSON that says what every part of an application may
 * touch (doc/spec-format.md).  This module only parses and validates: it makes
 * no system calls.  The one question it must ask the host, "does
 * this path exist?", goes through a caller-supplied callback, so the unit tests
 * answer it themselves.
 *
 * Diagnostics are collected, never printed: every problem found becomes one
 * "FILE:LINE:COL: message" line in a struct vb_spec_diags, sorted by position.
 */
#ifndef VOIDBUILDER_SPEC_H
#define VOIDBUILDER_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../voidbuilder.h"

#define VB_SPEC_VERSION             1
#define VB_SPEC_MAX_MESSAGE_DEFAULT (64u * 1024u) /* bytes per pipe message */
#define VB_SPEC_MAX_MESSAGE_LIMIT   (16u * 1024u * 1024u)
#define VB_SPEC_MAX_SOCKET_FDS      16 /* fds carried by one socket message */
#define VB_SPEC_FIRST_FD            3  /* args become fds 3, 4, ... in declaration order */

/* ---- the environment's servers (doc/servers.md) ------------------------ */

/*
 * The servers and their modes are the library's own (enum vb_server, enum
 * vb_server_mode in voidbuilder.h): a spec's "environment" names them the
 * same way `voidshim run --server NAME=MODE` does.  Proxied is offered for
 * net and unix (struct vb_spec_care).
 */

/*
 * The caretakers of a proxied server, from the environment's object form
 * ({"mode": "proxied", ...}; doc/spec-format.md).  The shim starts them:
 * one network caretaker per void, one forwarder per "connect" and one D-Bus
 * proxy for the whole application.
 */
struct vb_spec_forward {
        char *at;       /* the socket's path inside every void */
        char *upstream; /* "tcp:HOST:PORT", or "unix:" + a resolved host path */
        char *where;    /* JSON pointer, for diagnostics */
};

struct vb_spec_dbus {
        char *at;    /* the proxy's socket inside every void (DBUS_SESSION_BUS_ADDRESS points there) */
        char *bus;   /* the bus address the proxy connects to */
        char **talk; /* names the void may talk to (NULL-terminated, may be empty) */
        char *where;
};

struct vb_spec_care {
        struct vb_net_allow *allow; /* net proxied: what pasta lets through, each from vb_net_allow_parse() */
        char **allow_text;          /* ... and each as written, for voidshim explain */
        size_t n_allow;
        struct vb_spec_forward *fwd; /* unix proxied: socket forwarders */
        size_t n_fwd;
        struct vb_spec_dbus *dbus; /* unix proxied: the D-Bus proxy, or NULL */
        /*
         * Entries of allow that name a host ("tcp:deb.debian.org:80"): the parser only checks their
         * form, and leaves their allow[] zero; vb_plan_spec_resolve() resolves them (once, when the
         * application starts), after which n_named is 0, each address is an entry of its own (its text
         * repeated, as `voidshim run --net-allow` lists it) and hosts names them for the voids' /etc/hosts.
         */
        size_t n_named;
        char **hosts; /* "ADDRESS NAME" lines, NULL-terminated (NULL: none) */
        size_t n_hosts;
};

/* ---- channels ---------------------------------------------------------- */

struct vb_spec_pipe {
        char *name;
        uint32_t max_message; /* bytes; a longer message is an error, never truncated */
};

struct vb_spec_socket {
        char *name;
        unsigned fds; /* fds per message (1..VB_SPEC_MAX_SOCKET_FDS) */
};

enum vb_spec_listen_kind { VB_LISTEN_TCP, VB_LISTEN_UDP, VB_LISTEN_UNIX };

struct vb_spec_listener {
        char *name;
        enum vb_spec_listen_kind kind;
        char *addr;  /* tcp/udp: "HOST:PORT" ("[V6]:PORT"); unix: resolved host path */
        int backlog; /* tcp/unix */
};

/* ---- entrypoints ------------------------------------------------------- */

enum vb_spec_trigger_kind { VB_TRIG_STARTUP, VB_TRIG_PIPE, VB_TRIG_SOCKET, VB_TRIG_LISTENER };

struct vb_spec_trigger {
        enum vb_spec_trigger_kind kind;
        char *ref; /* the pipe, socket or listener's name */
};

enum vb_spec_arg_kind {
        VB_ARG_FILE,     /* a host file the shim opens */
        VB_ARG_PIPE,     /* one end of a named pipe */
        VB_ARG_SOCKET,   /* one end of a named socket */
        VB_ARG_LISTENER, /* a listening socket the shim bound */
        VB_ARG_TRIGGER,  /* the message (sealed memfd) or received fds */
        VB_ARG_CMDLINE,  /* a path from the command line, opened by the shim */
        VB_ARG_TRAILING, /* the remaining command-line words, as argv */
};

enum vb_spec_fmode {
        VB_FMODE_R,
        VB_FMODE_W,
        VB_FMODE_RW,
        VB_FMODE_APPEND,
        VB_FMODE_CREATE,
        VB_FMODE_REPLACE, /* a new file, renamed over the path only when the void exits 0 */
};
enum vb_spec_end { VB_END_RX, VB_END_TX };

struct vb_spec_arg {
        enum vb_spec_arg_kind kind;
        char *name; /* the name in VOIDSHIM_FDS (NULL for trailing) */
        char *path; /* file: resolved host path */
        char *ref;  /* pipe, socket, listener: its name */
        enum vb_spec_end end;
        enum vb_spec_fmode mode; /* file, cmdline */
        unsigned index;          /* cmdline: which word after "--" */
        bool each;               /* cmdline "trailing": one fd per path among the trailing words */
        int fd;                  /* first fd inside the void; -1 for trailing */
        unsigned n_fds;          /* fds it takes (a socket trigger may carry several; 0 when "each") */
        char *where;             /* JSON pointer, for diagnostics */
};

enum vb_spec_mount_kind {
        VB_SMNT_BIND,
        VB_SMNT_TMPFS,
        VB_SMNT_DIR,
        VB_SMNT_SYMLINK,
        VB_SMNT_CMDLINE, /* bind what the command line names, at the same path (resolved by the shim) */
};

#define VB_SPEC_CMDLINE_TRAILING (-1) /* vb_spec_mount.cmdline: every path among the trailing words */

struct vb_spec_mount {
        enum vb_spec_mount_kind kind;
        char *src;      /* bind: resolved host path; symlink: link target */
        char *dst;      /* inside the void */
        unsigned flags; /* VB_MOUNT_* */
        uint64_t size;  /* tmpfs; 0 = default */
        int cmdline;    /* VB_SMNT_CMDLINE: word index after "--", or VB_SPEC_CMDLINE_TRAILING */
        bool parent;    /* VB_SMNT_CMDLINE: bind each path's directory rather than the path */
        char *where;
        char *profile; /* the profile this mount comes from (its name), or NULL: the spec's own */
};

struct vb_spec_env {
        char *name, *value;
        char *profile; /* the profile it comes from, or NULL */
};
struct vb_spec_rlimit {
        int resource;
        uint64_t soft, hard;
};
struct vb_spec_landlock {
        char *path;
        unsigned access;
};

enum { VB_SPEC_PROC_NONE, VB_SPEC_PROC_FULL, VB_SPEC_PROC_SUBSET };
enum vb_spec_seccomp { VB_SPEC_SECCOMP_DEFAULT, VB_SPEC_SECCOMP_OFF, VB_SPEC_SECCOMP_FILE };

/* Everything `voidshim run` can grant, per void.  Absent keys grant nothing. */
struct vb_spec_void {
        struct vb_spec_mount *mounts;
        size_t n_mounts;
        int proc; /* VB_SPEC_PROC_* */
        bool dev, loopback, std[3];
        bool landlock;     /* "landlock": true or rules: only the mounts and rules are reachable */
        bool landlock_off; /* "landlock": false: not even the shim's default write restriction */
        bool chdir_caller; /* "chdir": "caller": start in the caller's working directory */
        char **libs;       /* NULL-terminated; resolved host paths */
        char *hostname, *chdir, *cgroup, *seccomp_file;
        enum vb_spec_seccomp seccomp;
        struct vb_spec_env *env;
        size_t n_env;
        struct vb_spec_rlimit *rlimits;
        size_t n_rlimits;
        bool has_boottime, has_monotonic;
        int64_t boottime, monotonic;
        int *caps;
        size_t n_caps;
        struct vb_spec_landlock *landlock_rules;
        size_t n_landlock;
        /* "root", "overlay", "overlay-persist" (resolved host paths, or NULL), "root-writable". */
        char *root, *overlay, *overlay_upper;
        bool root_rw;
        bool sys, init, chown_noop; /* "sys", "init" (voidshim's reaper as pid 1), "chown-noop" */
        bool ids_set;               /* "uid", "gid" (0 when only the other is given) */
        unsigned uid, gid;
        bool passwd;          /* "passwd": true: /etc/passwd and /etc/group naming the void's ids */
        char **profiles;      /* "profiles": the names, NULL-terminated, as written (vb_spec_resolve_profiles()) */
        char **profile_files; /* once resolved: the file each came from, in the same order */
        char *proc_profile, *dev_profile, *passwd_profile; /* the profile that gave each, or NULL */
        struct vb_limits limits;                           /* "limits" (vb_void_limits()); 0: not limited */
        enum vb_identity identity;                         /* "identity"; VB_IDENTITY_AUTO when absent */
        char *inbox; /* "inbox": where the application's powerbox appears in the void, or NULL */
};

struct vb_spec_entry {
        char *name;
        char *where;   /* "/entrypoints/NAME" */
        char *program; /* resolved host path */
        char **argv;   /* extra static argv words (NULL-terminated) */
        struct vb_spec_trigger trigger;
        struct vb_spec_arg *args;
        size_t n_args;
        struct vb_spec_void v;
};

struct vb_spec_posidx;

struct vb_spec {
        char *file;    /* as given: used in diagnostics */
        char *basedir; /* relative host paths are taken from here (absolute and physical from the shim) */
        enum vb_server_mode env[VB_SERVER_COUNT]; /* fresh when absent */
        bool env_set[VB_SERVER_COUNT];            /* given in "environment" */
        struct vb_spec_care care;                 /* the caretakers of the proxied servers */
        struct vb_spec_pipe *pipes;
        size_t n_pipes;
        struct vb_spec_socket *sockets;
        size_t n_sockets;
        struct vb_spec_listener *listeners;
        size_t n_listeners;
        struct vb_spec_entry *entries;
        size_t n_entries;
        struct vb_spec_posidx *idx;
        bool parse_errors; /* set when parsing reported anything */
        char *name;        /* "name": the application's control name (voidshim ctl NAME), or NULL */
};

/* ---- diagnostics ------------------------------------------------------- */

struct vb_spec_diag {
        unsigned line, col;
        char *text; /* "FILE:LINE:COL: message" */
};

struct vb_spec_diags {
        struct vb_spec_diag *items;
        size_t n;
        bool oom; /* a message could not be recorded */
};

/* Sort by position (stable), then free everything. */
void vb_spec_diags_sort(struct vb_spec_diags *d) VB_NONNULL(1);
void vb_spec_diags_done(struct vb_spec_diags *d);

/* ---- entry points ------------------------------------------------------ */

/*
 * Parse spec text (len bytes, need not be NUL-terminated).  file names the
 * spec in diagnostics; basedir anchors relative host paths (file's directory
 * as written when NULL).  basedir should be absolute and physical (the
 * realpath(3) of the spec's directory): a host path is then absolute whatever
 * the caller's working directory, and its leading "../" are folded into
 * basedir ("../www" from /srv/app/specs is /srv/app/www).
 * Syntax errors, wrong types, unknown keys and bad values go to d, and the
 * spec is still returned as far as it could be read (check s->parse_errors /
 * d->n).  Returns 0 and *out on success (even with diagnostics), -EINVAL when
 * the text is not JSON at all or not a spec object (then *out is NULL and d
 * says why), -ENOMEM.
 */
int vb_spec_parse(const char *text, size_t len, const char *file, const char *basedir, struct vb_spec **out,
                  struct vb_spec_diags *d) VB_NONNULL(1, 3, 5, 6) VB_WUR;

/* How validation asks the host about a path: access(2) semantics, 0 or -errno. */
typedef int (*vb_spec_access_fn)(void *userdata, const char *path, int mode);

/*
 * Cross-check a parsed spec: channel readers and writers, triggers that can
 * never fire, fd-name clashes, grants that contradict a denied server, and
 * (through access, when non-NULL) host paths that do not exist.  Returns the
 * number of diagnostics added (>= 0) or -ENOMEM.
 */
int vb_spec_validate(const struct vb_spec *s, vb_spec_access_fn access, void *userdata, struct vb_spec_diags *d)
        VB_NONNULL(1, 4);

struct vb_spec *vb_spec_free(struct vb_spec *s);

/* ---- profiles: spec fragments, grants by name ------------------------------ */

/*
 * A profile (doc/spec-format.md, "Profiles"): a JSON object with a void's
 * grant keys ("mounts", "libs", "proc", "dev", "env", "rlimits", "passwd"),
 * "description", and "profiles" it builds on.  `voidshim run --profile NAME`
 * and a spec's "void": {"profiles": [NAME]} grant the same.
 */
struct vb_spec_profile {
        char *name;            /* as asked for */
        char *file;            /* where it was read from */
        char *description;     /* or NULL */
        char **included;       /* the profiles it builds on, by name (NULL-terminated, or NULL) */
        struct vb_spec_void v; /* its grants, with those of the profiles it builds on in front */
};

/*
 * How profiles are found (the shim searches its profile directories).  On
 * success 0 with *text (malloc'd, *len bytes), *file (the path read, malloc'd)
 * and *basedir (its directory, absolute and physical, malloc'd: a profile's
 * relative host paths are taken from there); -ENOENT when there is no profile
 * of that name, another -errno when it cannot be read.
 */
typedef int (*vb_spec_profile_fn)(void *userdata, const char *name, char **text, size_t *len, char **file,
                                  char **basedir);

/*
 * Load profile name through fn, with the profiles it builds on, each put in
 * front of its own grants (a cycle, or more than 8 levels, is an error).
 * Problems in the files become diagnostics in d at their line and column.
 * Returns 0 and *out (free with vb_spec_profile_free()); -ENOENT when fn finds
 * no such profile (nothing added to d); -EINVAL when a file has errors (d says
 * which); -ENOMEM; or fn's -errno.
 */
int vb_spec_load_profile(const char *name, vb_spec_profile_fn fn, void *userdata, struct vb_spec_profile **out,
                         struct vb_spec_diags *d) VB_NONNULL(1, 2, 4, 5);
struct vb_spec_profile *vb_spec_profile_free(struct vb_spec_profile *p);

/*
 * Put the grants of src (a profile's) in front of dst's own: its mounts,
 * libs, env and rlimits first, "proc" when dst has none, "dev" and "passwd"
 * or'ed.  The copied mounts carry the profile's name (vb_spec_mount.profile)
 * and, when where is non-NULL, that JSON pointer for diagnostics.  0 or -ENOMEM.
 */
int vb_spec_void_prepend(struct vb_spec_void *dst, const struct vb_spec_void *src, const char *name, const char *where)
        VB_NONNULL(1, 2, 3);

/*
 * Resolve the "profiles" of every entrypoint of s through fn: the grants of
 * each (and of the profiles it builds on) go in front of the entrypoint's
 * own, the first named first, and v.profile_files says where each was found.
 * A profile that cannot be found or has errors becomes a diagnostic, at the
 * "profiles" entry that names it or in the profile's own file.  Call it after
 * vb_spec_parse() and before vb_spec_validate(), which then checks the
 * profiles' grants with the spec's own.  Returns the number of diagnostics
 * added, or -ENOMEM.
 */
int vb_spec_resolve_profiles(struct vb_spec *s, vb_spec_profile_fn fn, void *userdata, struct vb_spec_diags *d)
        VB_NONNULL(1, 2, 4);

/* Lookups by name; NULL when absent. */
const struct vb_spec_entry *vb_spec_find_entry(const struct vb_spec *s, const char *name) VB_NONNULL(1, 2);
const struct vb_spec_pipe *vb_spec_find_pipe(const struct vb_spec *s, const char *name) VB_NONNULL(1, 2);
const struct vb_spec_socket *vb_spec_find_socket(const struct vb_spec *s, const char *name) VB_NONNULL(1, 2);
const struct vb_spec_listener *vb_spec_find_listener(const struct vb_spec *s, const char *name) VB_NONNULL(1, 2);

/*
 * Split "HOST:PORT" / "[V6]:PORT" into host (copied into buf) and port.
 * Returns 0, or -EINVAL.  Pure: no name resolution.
 */
int vb_spec_split_addr(const char *addr, char *host, size_t host_len, uint16_t *port) VB_NONNULL(1, 2, 4);

/*
 * Which of the trailing command-line words name paths, by the POSIX utility
 * conventions: before a "--" word, a word that starts with '-' is an option;
 * "--" itself, "-" alone (stdin or stdout) and empty words are not paths.
 * Writes the indices of the path words to idx (room for n) and returns how
 * many there are.  Pure.
 */
size_t vb_spec_path_words(char *const *words, size_t n, size_t *idx) VB_NONNULL(3);

#endif
