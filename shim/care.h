/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The supervisor side of `voidshim run`: caretakers (forwarders, pasta,
 * xdg-dbus-proxy) started before the void, a control socket for
 * `voidshim ctl NAME`, and the loop that serves it while the void runs.
 */
#ifndef SHIM_CARE_H
#define SHIM_CARE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "voidbuilder.h"

struct care_sup;

/* Does this command line need a supervisor (a caretaker or --name)? */
bool care_needed(const struct vb_opts *o);
/*
 * Start the caretakers of o and give v their endpoints (binds of forwarder
 * sockets, the network caretaker's namespaces), and open the control socket
 * when o->name is set.  On failure *err says why; *out is NULL.
 */
int care_prepare(const struct vb_opts *o, struct vb_void *v, struct care_sup **out, struct vb_error **err);
/*
 * Give v the inbox (--inbox) that care_prepare() started, at o->inbox; with s NULL
 * (--explain) only the plan.  After every other mount, so that none covers it.
 */
int care_attach_inbox(struct care_sup *s, const struct vb_opts *o, struct vb_void *v, struct vb_error **err);
/* Serve the control socket and signals until the void's init ends; store its wait status. */
int care_supervise(struct care_sup *s, struct vb_proc *p, int *status);
/* Revoke every caretaker, remove the sockets and the run directory; accepts NULL. */
void care_free(struct care_sup *s);

/* ---- the control channel (ctl_sock.c) ---- */

/*
 * The per-user directory of control sockets, mode 0700, made if missing:
 * $VOIDSHIM_RUNTIME_DIR, else $XDG_RUNTIME_DIR/voidshim, else
 * /run/user/UID/voidshim, else /tmp/voidshim-UID.  With create, a directory
 * that is not ours or is open to others is refused (-EPERM).
 */
int ctl_runtime_dir(char *buf, size_t len, bool create);
/* Listen on DIR/NAME.sock (0600); -EADDRINUSE when a live run already has NAME. */
int ctl_listen(const char *name, char *path, size_t len);
/* Connect to NAME's socket as a client. */
int ctl_connect(const char *name);
/* Accept one client, refuse any but our own uid (SO_PEERCRED), read one request line into req. */
int ctl_accept(int listen_fd, char *req, size_t len);

int cmd_ctl(int argc, char **argv);

#endif
