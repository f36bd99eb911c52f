/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostile: stands in for one part of an example application (tests/integration/test-gzip.sh,
 * test-tls.sh) under that part's own spec, and tries to get out.  Every attempt prints one line,
 * "NAME: RESULT", where RESULT is "ok ..." when the attempt succeeded and an errno symbol
 * ("EPERM") when it failed, so a test can assert that no line says ok.
 *
 *   hostile [--report FD-NAME] [--answer FD-NAME] [--http] [--key PATH] [--port N]
 *           [--pid N] [--write PATH]
 *
 *   --report NAME  write the report to the spec fd NAME (default: stdout)
 *   --answer NAME  read one line on fd NAME, then answer "ok 0 0" (the vgzip worker's protocol,
 *                  so the opener keeps the report as the "compressed" output)
 *   --http         prefix the report with an HTTP/1.0 200 header (the report fd is a connection)
 *   --key PATH     also try to open this host path (a private key)
 *   --port N       also try to connect to 127.0.0.1:N (a server on the host's loopback)
 *   --pid N        also try to signal and ptrace host pid N
 *   --write PATH   also try to create PATH (up to 4 times)
 *   --report N     (a number) write the report to fd N
 *
 * Static, libc and <voidshim/app.h> only: it must run in an empty root.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

#include "voidshim/app.h"

static FILE *rep;

static void result(const char *what, int rc, int err, const char *detail)
{
        if (rc >= 0)
                fprintf(rep, "%s: ok %s\n", what, detail ? detail : "");
        else
                fprintf(rep, "%s: %s\n", what, strerrorname_np(err) ? strerrorname_np(err) : "E?");
}

static void try_open(const char *what, const char *path, int flags)
{
        int fd = open(path, flags | O_CLOEXEC, 0644);

        result(what, fd, errno, path);
        if (fd >= 0)
                close(fd);
}

/* "ls /": succeeds only if the root holds something of the host's (etc, home, root, usr...). */
static void try_list_root(void)
{
        static const char *const host[] = { "etc", "home", "root", "usr", "var", "boot", "proc", "sys", NULL };
        char seen[512] = "";
        DIR *d = opendir("/");
        struct dirent *de;
        int hits = 0;

        if (!d) {
                result("list /", -1, errno, NULL);
                return;
        }
        while ((de = readdir(d))) {
                for (int i = 0; host[i]; i++)
                        if (strcmp(de->d_name, host[i]) == 0)
                                hits++;
                if (de->d_name[0] != '.')
                        snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), " %s", de->d_name);
        }
        closedir(d);
        fprintf(rep, "list /: %s (holds:%s)\n", hits ? "ok host directories visible" : "no host directory", seen);
}

static void try_connect(int port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

        if (fd < 0) {
                result("connect 127.0.0.1", -1, errno, NULL);
                return;
        }
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
        result("connect 127.0.0.1", r, errno, NULL);
        close(fd);
}

/* Other voids' processes: any pid but our own that answers kill(pid, 0) (EPERM means it exists). */
static void try_pids(void)
{
        char found[256] = "";
        int n = 0;

        if (kill(getpid(), 0) < 0) { /* kill itself is refused (seccomp): nothing can be seen */
                result("see other pids", -1, errno, NULL);
                return;
        }
        for (pid_t p = 1; p < 4096; p++) {
                if (p == getpid())
                        continue;
                if (kill(p, 0) == 0 || errno == EPERM) {
                        n++;
                        snprintf(found + strlen(found), sizeof(found) - strlen(found), " %d", (int)p);
                }
        }
        if (n)
                fprintf(rep, "see other pids: ok%s\n", found);
        else
                fprintf(rep, "see other pids: ESRCH (only itself, pid %d)\n", (int)getpid());
}

static void try_pid(int pid)
{
        char what[64];
        long r;

        snprintf(what, sizeof(what), "kill -0 host pid %d", pid);
        result(what, kill(pid, 0), errno, NULL);
        snprintf(what, sizeof(what), "ptrace host pid %d", pid);
        r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
        result(what, (int)r, errno, NULL);
        if (r == 0)
                ptrace(PTRACE_DETACH, pid, NULL, NULL);
}

int main(int argc, char **argv)
{
        const char *report = NULL, *answer = NULL, *key = NULL, *wpath[4] = { NULL };
        int n_w = 0;
        int port = 0, pid = 0, http = 0, fd = 1;

        for (int i = 1; i < argc; i++) {
                const char *v = i + 1 < argc ? argv[i + 1] : "";

                if (strcmp(argv[i], "--report") == 0)
                        report = v, i++;
                else if (strcmp(argv[i], "--answer") == 0)
                        answer = v, i++;
                else if (strcmp(argv[i], "--key") == 0)
                        key = v, i++;
                else if (strcmp(argv[i], "--write") == 0 && n_w < 4)
                        wpath[n_w++] = v, i++;
                else if (strcmp(argv[i], "--port") == 0)
                        port = atoi(v), i++;
                else if (strcmp(argv[i], "--pid") == 0)
                        pid = atoi(v), i++;
                else if (strcmp(argv[i], "--http") == 0)
                        http = 1;
        }
        if (report && report[0] >= '0' && report[0] <= '9')
                fd = atoi(report);
        else if (report && (fd = vs_fd(report)) < 0)
                return 3;
        rep = fdopen(fd, "w");
        if (!rep)
                return 3;
        if (answer) {
                char c;
                int a = vs_fd(answer);

                while (a >= 0 && read(a, &c, 1) == 1 && c != '\n')
                        ;
                if (a >= 0)
                        (void)!write(a, "ok 0 0\n", 7);
        }
        if (http)
                fputs("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n", rep);
        fprintf(rep, "hostile in entrypoint %s, pid %d\n", vs_entrypoint() ? vs_entrypoint() : "?", (int)getpid());
        try_open("open /etc/passwd", "/etc/passwd", O_RDONLY);
        try_open("open /etc/shadow", "/etc/shadow", O_RDONLY);
        if (key)
                try_open("open the key", key, O_RDONLY);
        try_list_root();
        try_open("write /tmp/hostile", "/tmp/hostile", O_WRONLY | O_CREAT);
        for (int i = 0; i < n_w; i++) {
                char what[300];

                snprintf(what, sizeof(what), "write %s", wpath[i]);
                try_open(what, wpath[i], O_WRONLY | O_CREAT);
        }
        if (port)
                try_connect(port);
        try_pids();
        if (pid)
                try_pid(pid);
        result("ptrace pid 1", (int)ptrace(PTRACE_ATTACH, 1, NULL, NULL), errno, NULL);
        fflush(rep);
        return 0;
}
