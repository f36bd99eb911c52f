/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `voidshim serve` serves, asked alike by the client and the server; where its socket is. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "care/care.h"
#include "serve/serve.h"

int serve_sock_path(char *buf, size_t len, bool create)
{
        char dir[PATH_MAX];
        int r = ctl_runtime_dir(dir, sizeof(dir), create);

        if (r < 0)
                return r;
        if ((size_t)snprintf(buf, len, "%s/%s", dir, SERVE_SOCK_NAME) >= len)
                return -ENAMETOOLONG;
        return 0;
}

static bool relative(const char *path)
{
        return !path || path[0] != '/';
}

const char *serve_plan_why(const struct vb_plan *p)
{
        if (vb_plan_needs_care(p))
                return "caretakers or a control socket";
        for (int ns = 0; ns < VB_NS_COUNT; ns++)
                if (p->ns[ns] == VB_NS_JOIN || p->live.join_fd[ns] >= 0)
                        return "a joined namespace";
        if (p->live.terminal_fd >= 0 || p->live.inbox)
                return "caretakers or a control socket";
        /* auth denied sheds the caller's supplementary groups before the spawn (cmd_run.c). */
        if (p->server_set[VB_SERVER_AUTH] && p->server[VB_SERVER_AUTH] == VB_SERVER_DENIED)
                return "auth denied";
        if (p->seccomp == VB_PLAN_SECCOMP_FILE)
                return "a seccomp policy read from a file";
        if (p->cgroup)
                return "a cgroup";
        /* An overlay's upper directory takes one mount at a time; a session's or --init's pid 1 is not served. */
        if (p->overlay)
                return "an overlay root";
        if (p->init || p->init_hold)
                return "an init of voidshim's as pid 1";
        if (p->root && relative(p->root))
                return "a relative host path";
        if (p->program_host && relative(p->program))
                return "a relative host path";
        for (size_t i = 0; i < p->n_grants; i++) {
                const struct vb_plan_grant *g = &p->grants[i];

                if ((g->kind == VB_PLAN_BIND || g->kind == VB_PLAN_LIBS) && relative(g->src))
                        return "a relative host path";
                /* The value is the client's environment's: the plan holds it, but so would another client's. */
                if (g->kind == VB_PLAN_SETENV && g->origin && strncmp(g->origin, "--keep-env", 10) == 0)
                        return "--keep-env";
                if (g->kind == VB_PLAN_BIND && g->checked)
                        return "a checked bind";
        }
        return NULL;
}

/* Add fd to the set fds[0..*n) unless it is there. */
static int add_fd(int *fds, size_t *n, size_t max, int fd)
{
        for (size_t i = 0; i < *n; i++)
                if (fds[i] == fd)
                        return 0;
        if (*n == max)
                return -E2BIG;
        fds[(*n)++] = fd;
        return 0;
}

int serve_plan_fds(const struct vb_plan *p, int *fds, size_t max)
{
        size_t n = 0;
        int r = 0;

        for (int fd = 0; r >= 0 && fd <= 2; fd++)
                if (p->stdio[fd] && fcntl(fd, F_GETFD) >= 0)
                        r = add_fd(fds, &n, max, fd);
        for (size_t i = 0; r >= 0 && i < p->n_grants; i++) {
                const struct vb_plan_grant *g = &p->grants[i];

                if (g->kind != VB_PLAN_FD)
                        continue;
                if (g->fd < 0 || fcntl(g->fd, F_GETFD) < 0)
                        return -EBADF;
                r = add_fd(fds, &n, max, g->fd);
        }
        return r < 0 ? r : (int)n;
}
