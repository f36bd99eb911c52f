/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvoidshim-app: helpers for programs that `voidshim exec` runs.
 *
 * The shim starts each entrypoint of a spec in its own void and hands in the
 * spec's args as fds 3, 4, ... in declaration order.  It says which is which
 * in the environment:
 *
 *     VOIDSHIM_ENTRYPOINT=render
 *     VOIDSHIM_FDS=trigger=3,fonts=4,out=5
 *
 * A whole program, one binary with two entrypoints:
 *
 *     #include <voidshim/app.h>
 *
 *     static int accept_main(int argc, char **argv)
 *     {
 *             int jobs = vs_fd("jobs");             // the "tx" end of pipe "jobs"
 *             return vs_write_message(jobs, "hi", 2) < 0;
 *     }
 *
 *     static int render_main(int argc, char **argv)
 *     {
 *             size_t len;
 *             char *msg = vs_trigger_message(&len);  // the message that started this void
 *             ...
 *     }
 *
 *     VS_MAIN({ "accept", accept_main }, { "render", render_main })
 *
 * Pipes carry framed messages: a u32 length in native byte order, then that
 * many bytes (doc/spec-format.md, "Messages").  Use vs_write_message() and
 * vs_read_message() on them rather than raw read()/write().
 *
 * Every function returns >= 0 on success and -errno on failure; none exits.
 * Link with -lvoidshim-app (build/libvoidshim-app.a).
 */
#ifndef VOIDSHIM_APP_H
#define VOIDSHIM_APP_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One entrypoint: its name in the spec and the function that runs it (a main()). */
struct vs_entrypoint {
        const char *name;
        int (*main)(int argc, char **argv);
};

/* A NULL-terminated table of entrypoints, as a compound literal. */
#define VS_ENTRYPOINTS(...) ((const struct vs_entrypoint[]){ __VA_ARGS__, { NULL, NULL } })

/* Define main() to dispatch on VOIDSHIM_ENTRYPOINT. */
#define VS_MAIN(...)                                                     \
        int main(int argc, char **argv)                                  \
        {                                                                \
                return vs_main(argc, argv, VS_ENTRYPOINTS(__VA_ARGS__)); \
        }

/*
 * Run the entrypoint VOIDSHIM_ENTRYPOINT names (when unset: argv[0]'s base
 * name) from table and return its status.  An unknown or missing entrypoint
 * prints one line on stderr naming the known ones and returns 127.
 */
int vs_main(int argc, char **argv, const struct vs_entrypoint *table) __attribute__((nonnull(3)));

/* The entrypoint this void runs (VOIDSHIM_ENTRYPOINT), or NULL outside the shim. */
const char *vs_entrypoint(void);

/*
 * The fd the spec's arg `name` became (from VOIDSHIM_FDS).  A socket
 * trigger with several fds per message lists them as NAME, NAME.1, NAME.2...
 * -ENOENT when there is no such arg (or no VOIDSHIM_FDS), -EINVAL for a
 * malformed variable.
 */
int vs_fd(const char *name) __attribute__((nonnull(1)));

/*
 * Read the message that triggered this void (the sealed memfd at fd
 * "trigger") into a malloc'd, NUL-terminated buffer; its length goes to *len
 * when len is not NULL.  NULL with errno set on failure (ENOENT: no trigger).
 */
char *vs_trigger_message(size_t *len);

/*
 * Framed messages on a pipe.  vs_write_message() writes the length and the
 * bytes (all of them, retrying short writes): 0 or -errno (-EMSGSIZE over
 * 4 GiB).  vs_read_message() reads one message into buf: its length, or
 * -ENODATA at a clean end of file, -EPROTO when the writer stopped mid-message,
 * -EMSGSIZE when the message is longer than max (it is read and dropped, so
 * the next call reads the next message; nothing is ever truncated silently).
 */
int vs_write_message(int fd, const void *buf, size_t len) __attribute__((nonnull(2)));
/* Write all len bytes, retrying short writes and EINTR.  0 or -errno. */
int vs_write_all(int fd, const void *buf, size_t len) __attribute__((nonnull(2)));
ssize_t vs_read_message(int fd, void *buf, size_t max) __attribute__((nonnull(2)));

/*
 * Send n fds (1 to 16) in one message over a socket end (SCM_RIGHTS, with one
 * byte of data): 0 or -errno.  Receive one message's fds, O_CLOEXEC: the count
 * (> 0), 0 at end of file, -EBADMSG for a message without fds or with more
 * than max (those are closed).
 */
int vs_send_fds(int sock, const int *fds, size_t n) __attribute__((nonnull(2)));
int vs_recv_fds(int sock, int *fds, size_t max) __attribute__((nonnull(2)));

#ifdef __cplusplus
}
#endif
#endif
