/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * voidshim session: persistent voids (schroot's sessions).  `begin` starts a
 * supervisor that outlives the command and holds the void (voidshim's reaper
 * as pid 1, or the tree's own init with --boot); `run` starts a process
 * inside it through the supervisor (forked by the reaper: vb_void_newcomer();
 * with --boot, vb_void_join()); `end` stops it all.
 * The supervisor is a `voidshim run --name NAME` with a longer life: the same
 * control socket, caretakers and `voidshim ctl NAME`, plus the requests below
 * (additive to the ctl protocol):
 *
 *   kind         "session PID BOOT ROOT" then "ok"
 *   join         "ready"; then one message: data "CWD\0ARG0\0ARG1\0...", fds 0 1 2;
 *                then "started PID", or "failed: ERRNO STEP: MESSAGE" / "error: MESSAGE";
 *                then, from the client, "signal N" lines; to it, at the end, "exit CODE"
 *   end          the void's init is asked to stop (SIGTERM to the reaper, the init's
 *                shutdown signal with --boot), SIGKILLed after a grace period; "ok" once
 *                nothing of the session is left
 */
#ifndef SHIM_SESSION_H
#define SHIM_SESSION_H

#include <stdbool.h>

#include "care/care.h"

/* The grace period between asking an init to stop and SIGKILL. */
#define SESSION_END_GRACE_SECONDS 20

/* What `session end` sends a booted init (its documented shutdown signal), by the init's name. */
int session_shutdown_signal(const struct vb_plan *p);

/*
 * Start the supervisor of session name for plan p (which it takes) and
 * return once the void runs or failed: 0, or the exit code after printing
 * the one error line.  boot: p's program is the tree's init.
 */
int session_start(const char *name, struct vb_plan *p, bool boot);

/* Ask the control socket of name one request; the answer's lines (malloc'd) in *out.  -errno. */
int session_ask(const char *name, const char *req, char **out, int timeout_ms);

int cmd_session(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_boot(int argc, char **argv);
/* The grants a booted tree starts with (--proc --dev --sys --tmpfs /run ..., CAP_SYS_BOOT): how many, in *out. */
size_t boot_defaults(const char *const **out);
/* session run NAME [--chdir DIR] -- CMD [ARGS...] */
int session_run(int argc, char **argv);

#endif
