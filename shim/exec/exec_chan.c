/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shim's side of the channels: framed messages on pipes (a u32 length,
 * then the bytes: a packet pipe would truncate silently; doc/spec-format.md,
 * "Messages"), sealed memfds to hand a
 * message in, fds received over SOCK_SEQPACKET, and listeners bound with the
 * shim's own authority.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "exec/exec.h"
#include "voidbuilder.h"
#include "voidbuilder/cleanup.h"

enum frame_result frame_read(int fd, struct frame_reader *r)
{
        for (;;) {
                uint8_t *dst = r->in_body ? r->buf + r->got : r->hdr + r->hdr_got;
                size_t want = r->in_body ? r->len - r->got : sizeof(r->hdr) - r->hdr_got;
                ssize_t n;

                if (r->in_body && r->got == r->len) {
                        r->in_body = false;
                        r->hdr_got = 0;
                        return FRAME_MESSAGE;
                }
                n = want ? read(fd, dst, want) : 0;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN ? FRAME_AGAIN : FRAME_ERROR;
                if (n == 0 && want)
                        return r->in_body || r->hdr_got ? FRAME_TRUNCATED : FRAME_EOF;
                if (r->in_body) {
                        r->got += (uint32_t)n;
                        continue;
                }
                r->hdr_got += (size_t)n;
                if (r->hdr_got < sizeof(r->hdr))
                        continue;
                memcpy(&r->len, r->hdr, sizeof(r->len));
                if (r->len > r->max)
                        return FRAME_OVERSIZE;
                if (!r->buf && !(r->buf = malloc(r->max ? r->max : 1)))
                        return FRAME_ERROR;
                r->got = 0;
                r->in_body = true;
        }
}

void frame_reader_done(struct frame_reader *r)
{
        free(r->buf);
        *r = (struct frame_reader){};
}

int exec_message_memfd(const void *data, size_t len)
{
        _cleanup_close_ int fd = memfd_create("voidshim-message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        size_t done = 0;

        if (fd < 0)
                return NEG_ERRNO();
        while (done < len) {
                ssize_t n = write(fd, (const char *)data + done, len - done);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return NEG_ERRNO();
                done += (size_t)n;
        }
        /* Sealed: the void can read the message but never change it, nor can anyone else holding it. */
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
                return NEG_ERRNO();
        if (lseek(fd, 0, SEEK_SET) < 0)
                return NEG_ERRNO();
        return TAKE_FD(fd);
}

int exec_recv_fds(int sock, int *fds, size_t max)
{
        bool eof;
        int n = vb_fd_recv(sock, fds, max, MSG_DONTWAIT, &eof);

        if (n == 0 && !eof)
                return -EBADMSG; /* a message with no fds: nothing to start a void with */
        return n;
}

static int listen_inet(const struct vb_spec_listener *l)
{
        struct sockaddr_storage ss = {};
        socklen_t sl;
        char host[64];
        uint16_t port;
        int fd, one = 1, type = l->kind == VB_LISTEN_UDP ? SOCK_DGRAM : SOCK_STREAM;

        if (vb_spec_split_addr(l->addr, host, sizeof(host), &port) < 0)
                return -EINVAL;
        if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
                ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
                ((struct sockaddr_in *)&ss)->sin_port = htons(port);
                sl = sizeof(struct sockaddr_in);
        } else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
                ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
                ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
                sl = sizeof(struct sockaddr_in6);
        } else {
                return -EINVAL;
        }
        fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NEG_ERRNO();
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, (struct sockaddr *)&ss, sl) < 0 || (type == SOCK_STREAM && listen(fd, l->backlog) < 0)) {
                int r = NEG_ERRNO();

                close(fd);
                return r;
        }
        return fd;
}

static int listen_unix(const struct vb_spec_listener *l)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct stat st;
        int fd;

        if (strlen(l->addr) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, l->addr);
        /* A stale socket from an earlier run is replaced; anything else at that path is left alone. */
        if (lstat(l->addr, &st) == 0 && S_ISSOCK(st.st_mode))
                (void)unlink(l->addr);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NEG_ERRNO();
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, l->backlog) < 0) {
                int r = NEG_ERRNO();

                close(fd);
                return r;
        }
        return fd;
}

int exec_listen(const struct vb_spec_listener *l)
{
        return l->kind == VB_LISTEN_UNIX ? listen_unix(l) : listen_inet(l);
}
