/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim oci: an OCI runtime with runc's command line (doc/oci.md,
 * voidshim-oci(1)).  A bundle's config.json becomes a plan
 * (vb_plan_from_oci()) and then a held void (vb_void_hold()): `create` builds
 * it and leaves it waiting at its gate, a FIFO in the state directory;
 * `start` opens the gate.  Every failure exits 1, as runc's do, with one line
 * on stderr and, with --log, a JSON line {"level":"error","msg":...} there.
 */
#ifndef SHIM_OCI_H
#define SHIM_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "voidbuilder/oci.h"

/* runc's one exit code for every failure. */
#define OCI_EXIT_FAIL 1

/* The global options, before the command. */
struct oci_global {
        const char *root; /* the state directory's parent, --root */
        const char *log;  /* --log FILE, or NULL */
        bool log_json;    /* --log-format json */
        bool debug;
};

extern struct oci_global oci_opt;

/* Report "unable to WHAT: CAUSE" on stderr and in the log; returns OCI_EXIT_FAIL. */
int oci_fail(const char *what, const char *fmt, ...) VB_PRINTF(2, 3);
/* The same with a vb_error's message (or strerror(-r)). */
int oci_fail_err(const char *what, const struct vb_error *err, int r);
/* A warning: only in the log (and on stderr with --debug). */
void oci_warn(const char *fmt, ...) VB_PRINTF(1, 2);

/* ---- the state directory: ROOT/ID/{state.json, config.json, exec.fifo} ---- */

/* runc's rule for ids: letters, digits, "_+-.", not "." or "..", at most 1024 bytes. */
bool oci_id_ok(const char *id);
/* ROOT/ID/NAME (NAME NULL: ROOT/ID) into buf; false when it does not fit. */
bool oci_state_path(char *buf, size_t len, const char *id, const char *name);

/* A container looked up by id, with its state and what it is now. */
struct oci_ctr {
        char *id;
        int lock_fd; /* flock()ed ROOT/ID */
        struct vb_oci_state st;
        enum vb_oci_status status;
        pid_t pid; /* st.pid while it lives, 0 once stopped */
};

/* Find and lock container id; -ENOENT (with a message) when there is none. */
int oci_ctr_open(const char *id, struct oci_ctr *c, char **why);
void oci_ctr_close(struct oci_ctr *c);
/* Look at the init again: created, running, paused or stopped. */
void oci_ctr_refresh(struct oci_ctr *c);
/*
 * /proc/PID/stat read into buf (len bytes), from the state letter on (what follows
 * "PID (COMM) "); NULL when there is no such process.
 */
const char *oci_proc_stat(pid_t pid, char *buf, size_t len);
/* Field 22 of /proc/PID/stat (its start time in clock ticks), 0 when the process is gone or a zombie. */
uint64_t oci_pid_start_time(pid_t pid);
/* Remove ROOT/ID and everything in it. */
int oci_state_remove(const char *id);

/* ---- cgroups (oci_cgroup.c) ---- */

struct oci_cgroups {
        char **dirs;    /* NULL-terminated: every directory the container is in (one per hierarchy) */
        char **made;    /* NULL-terminated: those this runtime created, parents before children */
        int v1_fds[16]; /* the v1 directories, open, for vb_void_cgroup_v1() */
        size_t n_v1;
        char *v2; /* the v2 directory, for CLONE_INTO_CGROUP (a cgroup2-only host), or NULL */
};

/*
 * The container's cgroups: none when config c asks for no cgroupsPath and no
 * resources; otherwise one directory per mounted hierarchy, made where
 * missing, with linux.resources applied.  -errno with *why (malloc'd).
 */
int oci_cgroup_setup(const struct vb_oci *c, const char *id, struct oci_cgroups *out, char **why);
void oci_cgroups_done(struct oci_cgroups *cg);
/* Remove the directories this runtime made (deepest first); those in use are retried a while. */
int oci_cgroup_remove(char *const *made);
/* Freeze or thaw (pause/resume) the container's freezer cgroup.  -ENOENT when it has none. */
int oci_cgroup_freeze(char *const *dirs, bool freeze);
/* Is the container's freezer frozen? */
bool oci_cgroup_frozen(char *const *dirs);
/* Send sig to every process in the container's cgroups (kill --all); 0 if none could be read. */
int oci_cgroup_kill_all(char *const *dirs, int sig);
/* Open the v1 directories of dirs (for an exec to start in), into fds[]. */
size_t oci_cgroup_open_v1(char *const *dirs, int *fds, size_t max);

/* ---- hooks, console (oci_hooks.c) ---- */

/*
 * Run the hooks of kind k with the state on their stdin.  join_pid > 0: in
 * that process's namespaces (createContainer: the path opened here first;
 * startContainer: the path resolved there).  -errno with *why.
 */
int oci_hooks_run(const struct vb_oci *c, enum vb_oci_hook_kind k, const char *state_json, pid_t join_pid, char **why);
/*
 * A pty for the container: its master goes to the AF_UNIX socket at path
 * (SCM_RIGHTS), its slave stays here (*slave, and its path in *name).
 */
int oci_console(const char *socket_path, const struct vb_oci_process *p, int *slave, char **name, char **why);
/* Write pid to path atomically (a temporary file renamed), as runc does. */
int oci_write_pid_file(const char *path, pid_t pid);

/* ---- the commands ---- */
int oci_cmd_create(int argc, char **argv);
int oci_cmd_start(int argc, char **argv);
int oci_cmd_state(int argc, char **argv);
int oci_cmd_kill(int argc, char **argv);
int oci_cmd_delete(int argc, char **argv);
int oci_cmd_pause(int argc, char **argv);
int oci_cmd_resume(int argc, char **argv);
int oci_cmd_exec(int argc, char **argv);
int oci_cmd_features(int argc, char **argv);
int oci_cmd_list(int argc, char **argv);
/* `run ID` (create + start + wait): runc's one-shot form. */
int oci_cmd_run(int argc, char **argv);

/* voidshim explain --oci BUNDLE [--json] (shim/explain/). */
int oci_explain(const char *bundle, bool json);

/* The entry points: `voidshim oci ...` and the runc-like name (argv[0] "voidshim-runc"). */
int cmd_oci(int argc, char **argv);
/* argv[0]'s name runs the OCI runtime directly (make install's voidshim-runc). */
#define OCI_RUNC_NAME "voidshim-runc"

#endif
