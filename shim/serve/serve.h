/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `voidshim serve`: a per-user server that keeps warm voids (the library's
 * vb_warm) for the plans `voidshim run` asks for, and the client side that
 * `voidshim run` uses when a server runs (doc/voidshim-serve.md).
 *
 * The protocol, on a SOCK_SEQPACKET socket DIR/.serve.sock (DIR as for the
 * control sockets, ctl_runtime_dir()):
 *   client -> server  one request: struct serve_req, then run's argv as
 *                     NUL-terminated strings, then the plan the client made
 *                     of them as JSON (the server serves only when its own
 *                     parse gives the same plan); SCM_RIGHTS: the fds the
 *                     plan names (fd_of[] says which of the client's each is)
 *   server -> client  SERVE_EXITED (the void's wait status) once it has
 *                     ended, or SERVE_FALLBACK at once: the client then runs
 *                     the plan itself, as without a server; or,
 *                     for a plan it has no voids for yet, SERVE_RETRY: it
 *                     builds them (holding none of the client's fds, which
 *                     its helper process would inherit), and the client
 *                     sends the same request once more
 * A connection carries one run.  Once the server has read a request it may
 * run it: a connection that ends without a reply then (the server killed) is
 * an error, never a reason to run the plan cold, which could run it twice;
 * only a reset before the request was read (ECONNRESET) is.
 * The client never forwards signals: killed,
 * it drops the connection, and the server kills the void, as a cold run's
 * death kills its void (PR_SET_PDEATHSIG).
 */
#ifndef SHIM_SERVE_H
#define SHIM_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "run/cli.h"

#define SERVE_MAGIC     0x76737276u /* "vsrv" */
#define SERVE_VERSION   2
#define SERVE_MAX_FDS   32            /* a warm void's request carries at most this many (vb_warm_spawn) */
#define SERVE_MAX_ARGS  (60 * 1024)   /* bytes of arguments: one message, under a socket buffer */
#define SERVE_SOCK_NAME ".serve.sock" /* a leading dot: never the name of a run's control socket */

enum serve_kind {
        SERVE_RUN = 1,    /* client -> server: run this */
        SERVE_STOP,       /* client -> server: stop (voidshim serve --stop) */
        SERVE_STATUS,     /* client -> server: say what you hold (voidshim serve --status) */
        SERVE_EXITED = 5, /* server -> client: value = the void's wait status (no word before it) */
        SERVE_FALLBACK,   /* server -> client: value = why (enum serve_why); run it yourself */
        SERVE_RETRY       /* server -> client: send the request again (its voids were being built) */
};

/* Why the server did not run a request (the client runs it itself; shown by --status). */
enum serve_why {
        WHY_NONE,
        WHY_PROTOCOL, /* a malformed request */
        WHY_PEER,     /* the client is not in the server's namespaces, limits, credentials... */
        WHY_PLAN,     /* a plan the server does not serve (serve_plan_why()) */
        WHY_BUILD,    /* its voids could not be built ahead of time */
        WHY_SPAWN,    /* the warm void could not start the program */
        WHY_STOPPING, /* the server is stopping */
        WHY_COUNT
};

struct serve_req {
        uint32_t magic, version, kind;
        uint32_t argc;     /* run's argv, argv[0] ("run") included */
        uint32_t plan_len; /* the client's plan as JSON (vb_plan_to_json()) after argv: bytes, NUL included */
        uint32_t n_fds;    /* fds attached */
        int32_t fd_of[SERVE_MAX_FDS]; /* the client's number of each fd attached */
};

struct serve_reply {
        uint32_t magic, kind;
        int32_t value;
};

/* The server's socket path in the user's runtime directory (made, private, when create).  0 or -errno. */
int serve_sock_path(char *buf, size_t len, bool create);

/*
 * Why the server would not run plan p as a warm void (static text), or NULL:
 * it serves a plan whose void depends on nothing but the plan and the fds
 * handed in (no caretakers or control socket, no joined namespace, no file
 * read at apply time but bind sources it watches, no relative host path,
 * no --keep-env, no cgroup, auth not denied).  Client and server ask alike.
 */
const char *serve_plan_why(const struct vb_plan *p);

/*
 * The client fds plan p hands in: its stdio (those open) and the host fd of
 * each FD grant, each once, into fds (at most max).  The count, or -E2BIG,
 * or -EBADF for an FD grant's fd that is not open (the cold path reports it).
 */
int serve_plan_fds(const struct vb_plan *p, int *fds, size_t max);

/*
 * run's argv packed for a request (NUL-terminated strings, *len bytes),
 * taken before vb_cli_parse() edits argv; NULL on OOM or when it is too
 * long for one request (the run then goes cold).  malloc'd.
 */
char *serve_pack_args(int argc, char **argv, size_t *len);
/*
 * `voidshim run` through the server: 1 with the exit code in *code when the
 * server ran it (*ran: the program ran and ended) or failed once the program
 * may have run (the message is printed, *code is 111), 0 when it did not (no
 * server, another user's, a plan or options it does not serve: --explain,
 * --info-fd, --json-status-fd; or it declined): run the plan cold.  Silent
 * but for a real failure.  VOIDSHIM_SERVE=0 never asks; VOIDSHIM_SERVE=auto
 * starts a server in the background when none runs (this run goes cold).
 */
int serve_try(const char *args, size_t len, int argc, const struct run_opts *o, int *code, bool *ran);

/* A connection to a server of our own uid, or -errno (-ENOENT/-ECONNREFUSED: none runs, -EPERM: not ours). */
int serve_connect(void);
/*
 * Send a request of kind with the packed args, the plan's JSON (NULL: none)
 * and fds (the client's numbers, sent as they are).  0 or -errno.
 */
int serve_send_req(int fd, enum serve_kind kind, const char *args, size_t len, uint32_t argc, const char *plan,
                   const int *fds, size_t n_fds);
/* Receive one reply: 1, 0 at end of stream, -errno (-ECONNRESET: the request was never read; -EPROTO). */
int serve_recv_reply(int fd, struct serve_reply *rep);

#endif
