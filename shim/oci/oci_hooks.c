/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtime-spec's hooks (run by the runtime, with the state on stdin) and the console socket. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "oci/oci.h"
#include "voidbuilder/cleanup.h"

/* Child: the namespaces of pid, its user namespace first (if it is not ours).  _exit()s on failure. */
static void join_namespaces(pid_t pid)
{
        static const char *const names[] = { "user", "ipc", "uts", "net", "pid", "cgroup", "mnt" };
        struct stat mine, theirs;
        char path[64];

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                int fd;

                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, names[i]);
                if (stat(path, &theirs) < 0)
                        _exit(126);
                snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
                if (stat(path, &mine) == 0 && mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev)
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, names[i]);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, 0) < 0) {
                        fprintf(stderr, "voidshim: hook: joining the container's %s namespace: %s\n", names[i],
                                strerror(errno));
                        _exit(126);
                }
                close(fd);
        }
}

static _Noreturn void hook_child(const struct vb_oci_hook *h, int in, int exe, pid_t join)
{
        char *const none[] = { NULL };
        char *const self[] = { h->path, NULL };

        if (dup2(in, 0) < 0)
                _exit(126);
        if (join > 0)
                join_namespaces(join);
        if (exe >= 0) /* opened in the runtime's namespaces (createContainer) */
                syscall(SYS_execveat, exe, "", h->args ? h->args : self, h->env ? h->env : none, AT_EMPTY_PATH);
        else
                execve(h->path, h->args ? h->args : self, h->env ? h->env : none);
        fprintf(stderr, "voidshim: hook %s: %s\n", h->path, strerror(errno));
        _exit(127);
}

/* Give the state to stdin, then wait (at most timeout seconds, 0: no limit).  0, or -errno with *why. */
static int hook_wait(const struct vb_oci_hook *h, pid_t pid, int out, const char *json, char **why)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
        int status = 0, n;

        /* A hook that does not read its stdin must not kill us with SIGPIPE. */
        sigaction(SIGPIPE, &ign, &old);
        (void)!write(out, json, strlen(json));
        close(out);
        sigaction(SIGPIPE, &old, NULL);
        n = pidfd < 0 ? 1 : poll(&pfd, 1, h->timeout > 0 ? h->timeout * 1000 : -1);
        if (n == 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                return asprintf(why, "%s timed out after %d s", h->path, h->timeout) < 0 ? -ENOMEM : -ETIMEDOUT;
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (asprintf(why, "%s %s %d", h->path, WIFEXITED(status) ? "exited with status" : "was killed by signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status)) < 0)
                *why = NULL;
        return -EIO;
}

int oci_hooks_run(const struct vb_oci *c, enum vb_oci_hook_kind k, const char *state_json, pid_t join_pid, char **why)
{
        /* runtime-spec: a failing poststart or poststop hook is a warning, and the remaining hooks still run. */
        bool keep_going = k == VB_OCI_POSTSTART || k == VB_OCI_POSTSTOP;
        int first = 0;

        *why = NULL;
        for (size_t i = 0; i < c->n_hooks[k]; i++) {
                const struct vb_oci_hook *h = &c->hooks[k][i];
                _cleanup_close_ int exe = -1;
                int p[2];
                pid_t pid;

                if (k == VB_OCI_CREATE_CONTAINER && (exe = open(h->path, O_PATH | O_CLOEXEC)) < 0)
                        return asprintf(why, "%s: %s", h->path, strerror(errno)) < 0 ? -ENOMEM : -ENOENT;
                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                pid = fork();
                if (pid < 0) {
                        close(p[0]);
                        close(p[1]);
                        return -errno;
                }
                if (pid == 0)
                        hook_child(h, p[0], exe, join_pid);
                close(p[0]);
                _cleanup_free_ char *later = NULL; /* the first failure is the one reported */
                int r = hook_wait(h, pid, p[1], state_json, first < 0 ? &later : why);

                if (r < 0 && !keep_going)
                        return r;
                if (r < 0 && first == 0)
                        first = r;
        }
        return first;
}

int oci_console(const char *socket_path, const struct vb_oci_process *p, int *slave, char **name, char **why)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        struct winsize ws = { .ws_row = (unsigned short)p->console_height, .ws_col = (unsigned short)p->console_width };
        _cleanup_close_ int master = -1, sock = -1;
        char pts[64];

        *why = NULL;
        if (strlen(socket_path) >= sizeof(addr.sun_path))
                return asprintf(why, "--console-socket %s: the path is too long", socket_path) < 0 ? -ENOMEM : -EINVAL;
        strcpy(addr.sun_path, socket_path);
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, pts, sizeof(pts)) != 0)
                return asprintf(why, "making a pty: %s", strerror(errno)) < 0 ? -ENOMEM : -errno;
        *slave = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (*slave < 0)
                return asprintf(why, "opening %s: %s", pts, strerror(errno)) < 0 ? -ENOMEM : -errno;
        if (ws.ws_row && ws.ws_col)
                (void)ioctl(*slave, TIOCSWINSZ, &ws);
        *name = strdup(pts);
        if (!*name)
                return -ENOMEM;
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return asprintf(why, "--console-socket %s: %s", socket_path, strerror(errno)) < 0 ? -ENOMEM : -errno;
        /* The master goes to whoever listens (conmon, containerd's shim); we keep only the slave. */
        if (vb_fd_sendmsg(sock, pts, strlen(pts), &master, 1) < 0)
                return asprintf(why, "sending the pty to %s: %s", socket_path, strerror(errno)) < 0 ? -ENOMEM : -EIO;
        return 0;
}
