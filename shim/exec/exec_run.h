/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state of `voidshim exec`: channels, listeners, running voids, and which entrypoints can still start. */
#ifndef SHIM_EXEC_RUN_H
#define SHIM_EXEC_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "care/care.h"
#include "exec/exec.h"

enum { EV_SIGNAL = 1, EV_VOID, EV_TRIGGER, EV_CTL };

struct chan {
        int rx, tx; /* the shim's copies; -1 once no entrypoint that can still start needs them */
};

struct running {
        struct vb_proc *p; /* NULL: a free slot */
        size_t entry;
        unsigned long firing;      /* 0 for startup, else the trigger's count */
        struct exec_replace *repl; /* "replace" files waiting for this void's exit status */
        size_t n_repl;
        struct vb_caretaker *net; /* its network caretaker (net proxied), owned by the runner's care set */
};

/* The caretakers of the proxied servers (exec_care.c) and the control socket of --name. */
struct exec_care {
        struct care_set set; /* a forwarder per "connect", the D-Bus proxy, a network caretaker per void */
        bool net_revoked;    /* `ctl NAME revoke net`: later voids get a network that lets nothing through */
        int ctl_fd;          /* the control socket, or -1 */
        char ctl_path[PATH_MAX];
        const char *name;       /* the control name (--name, else the spec's "name"), or NULL */
        struct vb_inbox *inbox; /* the application's powerbox, when an entrypoint has an "inbox"; or NULL */
};

struct runner {
        const struct vb_spec *s;
        struct exec_cmdline cl;     /* the command line after "--" */
        struct exec_grants *grants; /* per entry: the binds its "bind-cmdline" mounts expand to */
        struct chan *pipes, *socks;
        int *lsn;
        struct frame_reader *frames; /* per entry, for pipe triggers */
        bool *alive;                 /* the entrypoint can still start */
        unsigned long *firings;
        struct running *run;
        size_t n_run, n_running;
        int epfd, sig_rfd, sig_wfd;
        int status; /* the exit status so far: the first failed startup void's */
        int *ended; /* per entry: a startup void's wait status, -1 while it runs (or never ran) */
        struct exec_care care;
};

/*
 * Check the command line (words: after "--", NULL-terminated) and resolve
 * what it grants, then create every channel and listener; 0 or an exit
 * status (a message was printed).
 */
int runner_init(struct runner *r, const struct vb_spec *s, char **words, int n_words);
/* Start the startup voids; 0 or an exit status. */
int runner_start(struct runner *r);
/* A trigger of entrypoint idx is ready: start a void per message / fds / connection.  0 or an exit status. */
int runner_fire(struct runner *r, size_t idx);
/* The void in slot idx ended: reap it, put its "replace" files in place or drop them, and report.  Returns 0. */
int runner_reap(struct runner *r, size_t idx);
/*
 * Every startup void has ended: say what the status alone would not, and
 * return the exit status (doc/spec-format.md, "Running").
 */
int runner_finish(struct runner *r);
/* Watch fd in the epoll set. */
int runner_watch(struct runner *r, int fd, unsigned kind, size_t idx);
/*
 * Start the caretakers every void shares (forwarders, D-Bus proxy), the
 * powerbox's holder when an entrypoint has an "inbox", the run directory of
 * the voids' /etc/hosts when the allowlist names hosts, and, with name, open
 * the control socket `voidshim ctl NAME` talks to.  0 or an exit
 * status (a message was printed).
 */
int exec_care_init(struct runner *r, const char *name);
/*
 * Give the plan of one spawn its caretakers: the shared sockets, and a
 * network caretaker of its own when net is proxied (*net, NULL otherwise;
 * the caller keeps it with the running void, or drops it with
 * care_set_drop() when the void does not start).  0 or -errno with err.
 */
int exec_care_void(struct runner *r, struct vb_plan *p, struct vb_caretaker **net, struct vb_error **err);
/*
 * A client on the control socket: answer list, revoke CARETAKER, grant PATH ro|rw, ungrant GRANT,
 * connect PID PATH, stop.  0, or the exit status after stop.
 */
int exec_care_serve(struct runner *r);
void exec_care_done(struct runner *r);

/* Kill (SIGKILL) and reap every void still running, close everything. */
void runner_done(struct runner *r);

#endif
