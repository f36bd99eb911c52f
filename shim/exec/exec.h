/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by `voidshim check`, `exec` and `explain`: loading a spec and turning entrypoints into voids. */
#ifndef SHIM_EXEC_H
#define SHIM_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "voidbuilder.h"
#include "voidbuilder/plan.h"
#include "voidbuilder/spec.h"

/* The spec commands (dispatched from shim/main.c). */
int cmd_check(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_explain(int argc, char **argv);

/*
 * Read, parse and validate the spec at path.  Prints every diagnostic
 * ("FILE:LINE:COL: message") on stderr.  Returns 0 and *out, or the exit
 * status to use: 100 for a bad spec, 111 when it cannot be read.
 */
int shim_spec_load(const char *path, struct vb_spec **out);

/*
 * Resolve the host names of the spec's net allowlist, once (vb_plan_spec_resolve()):
 * exec, explain and a session do, check does not.  0, or the exit status after
 * printing the one line: 100 for a name without an address or a resolver that
 * fails (as `voidshim run --net-allow` says it), 111 for ENOMEM.
 */
int shim_spec_resolve(struct vb_spec *s);

/* ---- the command line and what it grants (exec_grant.c) ------------------ */

/* The words after "--" on the `voidshim exec` command line. */
struct exec_cmdline {
        char **words; /* not owned */
        size_t n_words;
        char **trailing; /* the words after those the "cmdline" args take (NULL-terminated, not owned) */
        size_t n_trailing;
        size_t *paths; /* indices into trailing of the words that name paths (vb_spec_path_words()) */
        size_t n_paths;
        char *cwd; /* the caller's working directory (getcwd(3): physical) */
};

/* One bind a "bind-cmdline" mount expands to: the host path, at the same path in the void. */
struct exec_grant {
        size_t mount; /* index in the entrypoint's "mounts" of the mount it comes from */
        char *path;   /* in the void: the word made absolute, as the program will look for it */
        char *src;    /* on the host: the same, physical (no symlinks) when it was checked */
        dev_t dev;    /* ... and what it was */
        ino_t ino;
        unsigned flags; /* VB_MOUNT_* */
};

struct exec_grants {
        struct exec_grant *g; /* by mount, then parents before children */
        size_t n;
};

/*
 * Fill cl from the words after "--"; first_trailing is the number of words
 * the "cmdline" args take.  Returns 0 or -errno (-ENOMEM, getcwd(3)'s errors).
 */
int exec_cmdline_init(struct exec_cmdline *cl, char **words, size_t n_words, size_t first_trailing);
void exec_cmdline_done(struct exec_cmdline *cl);

/*
 * Resolve the "bind-cmdline" mounts of e against the command line: each
 * named path (or its directory, with "parent"), made absolute against
 * cl->cwd and normalized without following symlinks, must exist and be a
 * directory or a regular file, and must not be "/".  Sorted parents first
 * and without duplicates in *out.  Returns 0, or -errno with *what (malloc'd,
 * "grant the directory of WORD") and *cause (static text, or NULL for
 * strerror) saying why; -ENOMEM alone is a system failure.
 */
int exec_grants_resolve(const struct vb_spec_entry *e, const struct exec_cmdline *cl, struct exec_grants *out,
                        char **what, const char **cause);
void exec_grants_done(struct exec_grants *g);

/*
 * Check, just before a void is started with them, that the grants' sources
 * are still what exec_grants_resolve() checked: the same physical paths
 * (still without symlinks), the same files.  0, or -errno with *path the
 * grant that changed (-ESTALE when it is another file now).
 */
int exec_grants_verify(const struct exec_grants *g, const char **path);

/* word made absolute against cwd, with "." ".." and "//" folded lexically; malloc'd, NULL on OOM. */
char *exec_abs_path(const char *cwd, const char *word);

/*
 * The plan of entrypoint e on one start: everything the spec grants and the
 * binds the command line gives it (cl, g: both NULL for `voidshim explain`:
 * no words, no command-line grants, no "chdir": "caller").  The fds of its
 * args are the caller's to add (vb_plan_fd() at a->fd).
 */
int exec_plan(const struct vb_spec *s, const struct vb_spec_entry *e, const struct exec_cmdline *cl,
              const struct exec_grants *g, struct vb_plan **out, struct vb_error **err);

/*
 * What the void may do when it opens a file handed in with this mode again
 * through /proc/self/fd: the mode's own access, or nothing (append, replace).
 */
unsigned exec_reopen_access(enum vb_spec_fmode mode);

/* open(2) flags for a file arg's mode (not VB_FMODE_REPLACE: see exec_replace_open()). */
int exec_open_flags(enum vb_spec_fmode mode);

/* ---- "mode": "replace" (exec_replace.c) ------------------------------------ */

/* A new file that takes the place of path only if the void that writes it succeeds. */
struct exec_replace {
        int fd;        /* the new file, write-only */
        int dirfd;     /* the target's directory (O_PATH) */
        char *name;    /* the target's name in dirfd */
        char *tmpname; /* NULL when fd is unnamed (O_TMPFILE); else its name in dirfd */
        char *path;    /* as given, for messages */
        mode_t mode;   /* the mode it gets: the target's, or 0666 & ~umask for a new file */
        bool chown;    /* give it the target's owner (best effort) */
        uid_t uid;
        gid_t gid;
};

/*
 * Create the new file in path's directory: unnamed (O_TMPFILE) where the
 * file system can, else as ".NAME.XXXXXXXX.voidshim" (O_EXCL, 0600).  path
 * must not name something other than a regular file (-EISDIR, -EINVAL).
 * Returns 0 and fills *out, or -errno.
 */
int exec_replace_open(const char *path, struct exec_replace *out);
/* Give the file its mode (and owner), fsync it, and rename it over the target.  Always closes.  0 or -errno. */
int exec_replace_commit(struct exec_replace *r);
/* Close and forget (or remove, when named) the new file; the target is untouched. */
void exec_replace_discard(struct exec_replace *r);

/* ---- channels (exec_chan.c) --------------------------------------------- */

/* A length-prefixed message reader over a pipe: u32 length (native order), then that many bytes. */
struct frame_reader {
        uint8_t hdr[4];
        size_t hdr_got;
        uint8_t *buf;
        uint32_t len, got, max;
        bool in_body;
};

enum frame_result { FRAME_AGAIN, FRAME_MESSAGE, FRAME_EOF, FRAME_OVERSIZE, FRAME_TRUNCATED, FRAME_ERROR };

/*
 * Read from the non-blocking fd until one message is complete (FRAME_MESSAGE:
 * r->buf holds r->len bytes until the next call), no more data (FRAME_AGAIN),
 * end of file (FRAME_EOF, or FRAME_TRUNCATED inside a message), a length over
 * r->max (FRAME_OVERSIZE, r->len holds it) or a read error (FRAME_ERROR).
 */
enum frame_result frame_read(int fd, struct frame_reader *r);
void frame_reader_done(struct frame_reader *r);

/* A sealed, read-only memfd holding data (returned fd, or -errno). */
int exec_message_memfd(const void *data, size_t len);

/*
 * Receive one message of fds from a SOCK_SEQPACKET socket, non-blocking.
 * Returns the number of fds stored in fds (O_CLOEXEC), 0 at end of file,
 * -EAGAIN when nothing is waiting, -EBADMSG when the message carried no fds
 * or was cut short (its fds are closed), or -errno.
 */
int exec_recv_fds(int sock, int *fds, size_t max);

/* Bind and (for stream sockets) listen on l; returns the fd or -errno. */
int exec_listen(const struct vb_spec_listener *l);

#endif
