/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by `voidshim check`, `exec` and `explain`: loading a spec and turning entrypoints into voids. */
#ifndef SHIM_EXEC_H
#define SHIM_EXEC_H

#include <stdint.h>

#include "spec.h"
#include "voidbuilder.h"

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
 * A void for entrypoint e, with everything the spec grants except the fds
 * of its args (the caller hands those in with vb_void_keep_fd() at a->fd).
 * Sets VOIDSHIM_ENTRYPOINT and VOIDSHIM_FDS.  trailing is the trailing
 * command-line words (NULL-terminated, may be NULL).
 */
int exec_build_void(const struct vb_spec *s, const struct vb_spec_entry *e, char *const *trailing,
                    struct vb_void **out, struct vb_error **err);

/* "name=3,other=4,trigger=5,trigger.1=6" for e; malloc'd, NULL on OOM. */
char *exec_fds_string(const struct vb_spec_entry *e);

/* open(2) flags for a file arg's mode. */
int exec_open_flags(enum vb_spec_fmode mode);

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
