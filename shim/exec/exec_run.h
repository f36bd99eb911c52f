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

/* Warm voids of a triggered entrypoint (exec_warm.c): built ahead of time, each used by one firing. */
struct exec_warm {
        struct vb_warm *w; /* NULL: none yet (made at the next firing), or cold (why) */
        const char *why;   /* the entrypoint starts cold voids: why (static text), or NULL */
        unsigned long n_warm, n_cold;
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
        struct exec_warm *warm; /* per entry */
        unsigned warm_depth;    /* --warm N: voids kept ready per triggered entrypoint (0: none) */
};

/*
 * What one void is being given: its "replace" files, until it has been
 * started (then its struct running holds them), and the fds the shim opened
 * for it, kept open until then (a reopen rule names /proc/self/fd/N of ours).
 */
struct pending {
        struct exec_replace *repl;
        size_t n;
        int *held;
        size_t n_held;
};

void pending_close_held(struct pending *pend);
/* Close and forget (or remove) every "replace" file; frees repl. */
void pending_discard(struct exec_replace *repl, size_t n);

/* Which of an entrypoint's args exec_hand_in() adds. */
enum exec_part {
        PART_ALL,
        PART_FIXED,  /* the channels and listeners: the same fds for every firing */
        PART_FIRING, /* the trigger and the files opened for this firing */
};

/*
 * Add to plan v the fds of entrypoint e's args (part of them): the trigger's
 * (trig), the channels', and the files (opened now, kept in pend).  0 or
 * -errno with err.
 */
int exec_hand_in(const struct runner *r, struct vb_plan *v, const struct vb_spec_entry *e, const int *trig,
                 size_t n_trig, struct pending *pend, enum exec_part part, struct vb_error **err);

/*
 * Give triggered entrypoint idx warm voids (r->warm_depth of them), unless
 * they could differ from the cold voids it would start (the reason stays in
 * r->warm[idx].why); the first failure to build them makes it cold, silently
 * (each cold firing then says what fails).
 */
void exec_warm_start(struct runner *r, size_t idx);
/*
 * Start this firing's void of entrypoint idx in a warm void: the trigger and
 * the files opened for it (kept in pend) go in the request.  0 with *out,
 * -EAGAIN when the entrypoint has none (pend is left empty: start it cold),
 * or -errno with err as a cold start reports it (*files: the shim's part failed).
 */
int exec_warm_spawn(struct runner *r, size_t idx, const int *trig, size_t n_trig, struct pending *pend,
                    struct vb_proc **out, bool *files, struct vb_error **err);
/* End entrypoint idx's warm voids (they hold its channel ends); the next firing makes new ones. */
void exec_warm_stop(struct runner *r, size_t idx);
/* `voidshim ctl NAME list`: a line per triggered entrypoint, how its voids start. */
void exec_warm_list(struct runner *r, int fd);

/*
 * Check the command line (words: after "--", NULL-terminated) and resolve
 * what it grants, then create every channel and listener; depth warm voids
 * per triggered entrypoint (0: none).  0 or an exit status (a message was
 * printed).
 */
int runner_init(struct runner *r, const struct vb_spec *s, char **words, int n_words, unsigned depth);
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
