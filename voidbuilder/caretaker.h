/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the caretaker handle, and the pieces the forwarder and the exec'd caretakers share. */
#ifndef VB_CARETAKER_H
#define VB_CARETAKER_H

#include <sys/socket.h>
#include <sys/types.h>

#include "voidbuilder.h"

enum vb_caretaker_kind { VB_CARE_FORWARD, VB_CARE_PASTA, VB_CARE_DBUS, VB_CARE_PTY };

struct vb_caretaker {
        enum vb_caretaker_kind kind;
        pid_t pid; /* the caretaker's process, -1 once revoked */
        int pidfd;
        int ctl_fd;   /* our end of the control pipe: closing it is the dead-man switch */
        pid_t holder; /* network caretaker: the child holding the namespaces, or -1 */
        int holder_pidfd;
        int ns_fd[VB_NS_COUNT];
        char *sock_path; /* the socket the caretaker listens on (unlinked on free), or NULL */
        char *what;      /* "forwarder /run/x.sock -> tcp:127.0.0.1:80" */
        char line[512];  /* vb_caretaker_describe() */
};

/* An upstream endpoint, parsed: "tcp:HOST:PORT" or "unix:/PATH". */
struct vb_upstream {
        struct sockaddr_storage addr;
        socklen_t len;
};
int vb_upstream_parse(const char *text, struct vb_upstream *out);

/*
 * In a new caretaker child: die with the parent (pdeath_parent is the parent's
 * pid before fork), and close every fd but the n in keep.  Returns 0 or -errno.
 */
int vb_caretaker_child_setup(pid_t pdeath_parent, const int *keep, size_t n);

/* The forwarder's loop (child side): never returns. */
_Noreturn void vb_forward_main(int listen_fd, int ctl_fd, const struct vb_upstream *up);

#endif
