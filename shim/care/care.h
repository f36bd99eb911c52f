/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The supervisor side of `voidshim run`: caretakers (forwarders, pasta,
 * xdg-dbus-proxy) started before the void, a control socket for
 * `voidshim ctl NAME`, and the loop that serves it while the void runs.
 */
#ifndef SHIM_CARE_H
#define SHIM_CARE_H

#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "voidbuilder.h"
#include "voidbuilder/plan.h"

/* ---- a set of caretakers, for `voidshim run` and `voidshim exec` alike (care_set.c) ---- */

/* A link into our void (`voidshim ctl PEER connect US PATH`): PEER's supervisor holds its forwarder. */
struct care_link {
        char *peer; /* the named void that was handed the socket */
        char *path; /* the socket's path in our void */
};

struct care_set {
        struct vb_caretaker **care;
        char **name; /* what `voidshim ctl NAME revoke` takes: "net", "dbus", or the void's socket path */
        char **at;   /* forwarder, D-Bus proxy: the socket's path in the void; NULL for the network */
        char **host; /* ... and on the host, in run_dir */
        char **up;   /* forwarder: its upstream ("unix:/proc/PID/root/PATH" for a link); NULL otherwise */
        size_t n;
        char run_dir[PATH_MAX];  /* private directory of the forwarder sockets, or "" */
        int run_lock;            /* with run_dir: its fd, flock'ed while we (and our caretakers) live */
        struct care_link *links; /* the links into our void, named "PEER/BASENAME" */
        size_t n_links;
};

/* Take caretaker c (freed on failure) under name, with no endpoint for care_give() to bind. */
int care_set_adopt(struct care_set *s, struct vb_caretaker *c, const char *name);
/*
 * Make the run's private directory in ctl_runtime_dir() (once), locked for
 * as long as we live; first remove those that no live supervisor locks
 * (left by one that was SIGKILLed).
 */
int care_set_run_dir(struct care_set *s, struct vb_error **err);
/* Start a forwarder to upstream whose socket the voids get at path at (named at). */
int care_set_forward(struct care_set *s, const char *at, const char *upstream, struct vb_error **err);
/* Start xdg-dbus-proxy to bus, letting the void talk to talk (NULL-terminated), at path at (named "dbus"). */
int care_set_dbus(struct care_set *s, const char *at, const char *bus, char *const *talk, struct vb_error **err);
/* Start a network caretaker letting allow through; *out stays owned by s (named "net"). */
int care_set_net(struct care_set *s, const struct vb_net_allow *allow, size_t n, struct vb_caretaker **out,
                 struct vb_error **err);
/*
 * Add to plan p the endpoints of the set's forwarders and D-Bus proxy (binds,
 * and DBUS_SESSION_BUS_ADDRESS), and, when net is non-NULL, the network
 * caretaker's user and network namespaces for the void to join (p->live).
 */
int care_give(const struct care_set *s, struct vb_plan *p, const struct vb_caretaker *net, struct vb_error **err);
/* Revoke every caretaker named name; returns how many there were. */
size_t care_set_revoke(struct care_set *s, const char *name);
/* Forget caretaker c (revoking and reaping it). */
void care_set_drop(struct care_set *s, struct vb_caretaker *c);
/* One "NAME\tDESCRIPTION" line per caretaker to the client fd. */
void care_set_list(struct care_set *s, int fd);
/* Revoke and free every caretaker, remove the run directory. */
void care_set_done(struct care_set *s);
/* ctl allow|deny TEXT on the network caretaker named "net" (care_live.c). */
void care_net_change(struct care_set *s, int fd, const char *text, bool allow);
/* ctl A connect B PATH, as A's supervisor gets it: "PID /PATH" (care_live.c). */
void care_connect(struct care_set *s, struct vb_inbox *inbox, int fd, char *args);
/*
 * The other side of a link (care_live.c).  `voidshim ctl A connect B PATH`
 * tells B's supervisor "linked A PATH" once A holds the link; B lists it as
 * "A/BASENAME" and may cut it: B's supervisor asks A's, over A's control
 * socket (the same peer checks: same uid, same mount and user namespace),
 * "unlink PID PATH", PID being B's init.  A cuts only a forwarder of its own
 * to that very socket ("haslink PID PATH" asks whether it still holds one).
 *
 * care_serve_links() answers "connect", "unlink", "haslink" (as A) and, with
 * self > 0 (the pid of our void's init), "linked" (as B): true when req was
 * one of them.
 */
bool care_serve_links(struct care_set *s, struct vb_inbox *inbox, pid_t self, int fd, char *req);
/* Is name a link's name, "PEER/BASENAME"? */
bool care_link_is_name(const char *name);
/* revoke PEER/BASENAME, as B's supervisor gets it. */
void care_link_revoke(struct care_set *s, pid_t self, int fd, const char *name);
/* One line per link into our void that its peer still holds (the others are forgotten). */
void care_links_list(struct care_set *s, pid_t self, int fd);

/* ---- the powerbox's requests, the same in every supervisor (care_inbox.c) ---- */

/* The inbox's lines of `list` (nothing when inbox is NULL). */
void care_inbox_list(struct vb_inbox *inbox, int fd);
/* "grant PATH ro|rw": PATH opened here, as the owner (the peer was checked), and handed to the holder. */
void care_inbox_grant(struct vb_inbox *inbox, int fd, char *args);
/*
 * "revoke NAME" (caretakers true: a caretaker, a link "PEER/BASENAME" into our void
 * (self: our init's pid), or a grant) or "ungrant NAME" (a grant only), answered on fd.
 * Returns how many caretakers were revoked.
 */
size_t care_revoke(struct care_set *s, struct vb_inbox *inbox, pid_t self, int fd, const char *name, bool caretakers);
/* Answer a control client (never raises SIGPIPE). */
void care_reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- `voidshim run` (care_run.c) ---- */

struct care_sup;

/*
 * Start the caretakers plan p asks for (vb_plan_needs_care()), open the
 * control socket when p->care.name is set, and add what the void must be
 * given to p: forwarder sockets, the network caretaker's namespaces, the
 * terminal caretaker's pty, the inbox (p->live).  On failure *err says why;
 * *out is NULL and nothing is left running.
 */
int care_prepare(struct vb_plan *p, struct care_sup **out, struct vb_error **err);
/* The void is built (it holds its own copies): drop ours of what care_prepare() handed to the plan. */
void care_applied(struct care_sup *s, struct vb_plan *p);
/* Serve the control socket and signals until the void's init ends; store its wait status. */
int care_supervise(struct care_sup *s, struct vb_proc *p, int *status);

/*
 * What a supervisor of a longer life (voidshim session) adds to the loop:
 * requests the run does not know, and fds of its own to watch.
 */
struct care_hooks {
        void *data;
        /* A request the run does not know: true when handled; *keep: the hook keeps client fd. */
        bool (*serve)(void *data, struct vb_proc *p, int fd, const char *req, bool *keep);
        /* Fill up to max pollfds to watch; returns how many. */
        size_t (*pollfds)(void *data, struct pollfd *pfd, size_t max);
        /* Their events, in the same order. */
        void (*events)(void *data, struct vb_proc *p, const struct pollfd *pfd, size_t n);
        /* SIGINT, SIGTERM, SIGHUP: true when handled (otherwise the void is killed). */
        bool (*signal)(void *data, struct vb_proc *p, int sig);
};
/* Use hooks h (borrowed) in care_supervise(). */
void care_set_hooks(struct care_sup *s, const struct care_hooks *h);
/* The control socket's path (empty without --name), and the caretakers, for a session's list. */
const char *care_ctl_path(const struct care_sup *s);
struct care_set *care_caretakers(struct care_sup *s);
/*
 * Revoke every caretaker, remove the sockets and the run directory; accepts NULL.
 * A terminal caretaker is first given a moment to copy the void's last output:
 * free the void (its copies of the pty) before this.
 */
void care_free(struct care_sup *s);

/* ---- the control channel (ctl_sock.c) ---- */

/*
 * The per-user directory of control sockets, mode 0700, made if missing
 * (create): $VOIDSHIM_RUNTIME_DIR, else $XDG_RUNTIME_DIR/voidshim, else
 * /run/user/UID/voidshim, else /tmp/voidshim-UID.  One that is there but is
 * not a directory of ours closed to others is refused (-EPERM, with the
 * reason in ctl_runtime_why()) and never used; without create a missing one
 * is fine (0).
 */
int ctl_runtime_dir(char *buf, size_t len, bool create);
/* The one-line reason the last ctl_runtime_dir() refused its directory. */
const char *ctl_runtime_why(void);
/*
 * Does path (resolved) contain the directory of control sockets, or lie in
 * it?  Then no void may be granted it, nor a forwarder to it.
 */
bool ctl_overlaps_runtime_dir(const char *path);
/* Keep the directory of control sockets out of plan p's void, whatever it binds (vb_plan_hide()). */
int ctl_hide_runtime_dir(struct vb_plan *p);
/* A run's name: 1 to 64 of [A-Za-z0-9_.-], not starting with '.' (so never "..", never a path). */
bool ctl_name_ok(const char *name);
/* Listen on DIR/NAME.sock (0600); -EADDRINUSE when a live run already has NAME. */
int ctl_listen(const char *name, char *path, size_t len);
/* Connect to NAME's socket as a client. */
int ctl_connect(const char *name);
/*
 * Accept one client and read one request line into req.  Refused (-EPERM,
 * after telling it why): another uid (SO_PEERCRED), or a peer in another
 * mount or user namespace than ours, i.e. inside a void (SO_PEERPIDFD).
 */
int ctl_accept(int listen_fd, char *req, size_t len);

int cmd_ctl(int argc, char **argv);

#endif
