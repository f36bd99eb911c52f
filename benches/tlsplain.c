/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tlsplain: the unshimmed baseline of benches/tls.py (issue 5, part 4).
 *
 *   tlsplain -p PORT -b TLS_SERVER -c CERT -k KEY -w DOCROOT [-t TIMEOUT]
 *
 * It runs examples/tls-server/tls-server, the same static binary that
 * specs/tls-server.json runs, the way the shim does but with no void: a
 * process per connection, as inetd would.  What the shim does per firing,
 * minus the isolation:
 *
 *   - one listener on 127.0.0.1:PORT (backlog 128, as in the spec), accepted
 *     one connection at a time by this single-threaded loop;
 *   - the signer started once with key=3, sign=4 (the "rx" end of a
 *     SOCK_SEQPACKET pair); every connection's process gets trigger=3 (the
 *     connection), cert=4 (opened anew per connection, as the shim opens a
 *     file arg per firing) and sign=5; VOIDSHIM_ENTRYPOINT and VOIDSHIM_FDS
 *     name them, argv is "conn --timeout T", and the spec's rlimits are set;
 *   - the program is run by fd (execveat), like the shim does.
 *
 * Left out, on purpose, because they are the void: no namespaces per
 * connection, no new root, no seccomp, no capability drop, no lifeline or
 * report pipe.  The one thing the binary needs from a void is its document
 * root at /srv; this process makes one mount namespace for itself at start
 * (a user namespace too when unprivileged), binds DOCROOT at /srv read-only
 * there, and every process it starts inherits it: a one-time cost, nothing
 * per connection.
 *
 * Prints "ok PORT" on stdout once listening; SIGTERM or SIGINT stops it (and
 * the signer); it then prints the number of connections on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static pid_t signer = -1;

static void die(const char *what)
{
        fprintf(stderr, "tlsplain: %s: %s\n", what, strerror(errno));
        exit(1);
}

static void on_stop(int sig)
{
        stop = 1;
}

/* Reap what ended; the signer ending early is fatal (the connections would hang). */
static void on_child(int sig)
{
        int saved = errno, status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                if (pid == signer && !stop) {
                        static const char msg[] = "tlsplain: the signer ended\n";

                        (void)!write(2, msg, sizeof(msg) - 1);
                        _exit(1);
                }
        errno = saved;
}

static void write_file(const char *path, const char *s)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
                die(path);
        close(fd);
}

/* One mount namespace for this process and all it starts, with DOCROOT read-only at /srv. */
static void docroot_at_srv(const char *www)
{
        if (geteuid() != 0) {
                char map[64];
                uid_t uid = geteuid();
                gid_t gid = getegid();

                if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                        die("unshare(user, mnt)");
                write_file("/proc/self/setgroups", "deny");
                snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
                write_file("/proc/self/uid_map", map);
                snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
                write_file("/proc/self/gid_map", map);
        } else if (unshare(CLONE_NEWNS) < 0) {
                die("unshare(mnt)");
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || mount(www, "/srv", NULL, MS_BIND, NULL) < 0 ||
            mount(NULL, "/srv", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
                die("binding the document root at /srv");
}

static int high_fd(int fd)
{
        int h = fcntl(fd, F_DUPFD_CLOEXEC, 20);

        if (h < 0)
                die("fcntl");
        close(fd);
        return h;
}

static void limit(int res, rlim_t v)
{
        struct rlimit rl = { v, v };

        (void)setrlimit(res, &rl);
}

/* In the child: fds[i] becomes 3+i, then exec the entrypoint by fd.  Never returns. */
static void run_entry(int bin, const char *entry, char *const argv[], const int *fds, int n, const char *fdnames,
                      int nofile)
{
        char e1[64], e2[128];
        char *envp[] = { "PATH=/usr/bin:/bin", e1, e2, NULL };
        int moved[4], null;

        signal(SIGCHLD, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        for (int i = 0; i < n; i++)
                moved[i] = fcntl(fds[i], F_DUPFD, 30); /* out of the way of 3.. */
        for (int i = 0; i < n; i++)
                if (moved[i] < 0 || dup2(moved[i], 3 + i) < 0)
                        _exit(111);
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
                _exit(111);
        for (int i = 0; i < n; i++)
                close(moved[i]);
        limit(RLIMIT_CORE, 0);
        limit(RLIMIT_NOFILE, (rlim_t)nofile);
        limit(RLIMIT_AS, 256UL << 20);
        if (strcmp(entry, "conn") == 0)
                limit(RLIMIT_CPU, 60);
        snprintf(e1, sizeof(e1), "VOIDSHIM_ENTRYPOINT=%s", entry);
        snprintf(e2, sizeof(e2), "VOIDSHIM_FDS=%s", fdnames);
        execveat(bin, "", argv, envp, AT_EMPTY_PATH);
        _exit(errno == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
        const char *binpath = NULL, *cert = NULL, *key = NULL, *www = NULL, *timeout = "10";
        char *conn_argv[] = { "conn", "--timeout", NULL, NULL };
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        struct sigaction act = { 0 };
        unsigned long conns = 0;
        int port = 8443, opt, one = 1, lsn, bin, sv[2];

        while ((opt = getopt(argc, argv, "p:b:c:k:w:t:")) != -1) {
                switch (opt) {
                case 'p': port = atoi(optarg); break;
                case 'b': binpath = optarg; break;
                case 'c': cert = optarg; break;
                case 'k': key = optarg; break;
                case 'w': www = optarg; break;
                case 't': timeout = optarg; break;
                default:
                        fprintf(stderr, "usage: tlsplain -p PORT -b TLS_SERVER -c CERT -k KEY -w DOCROOT [-t TIMEOUT]\n");
                        return 2;
                }
        }
        if (!binpath || !cert || !key || !www)
                return 2;
        conn_argv[2] = (char *)timeout;
        docroot_at_srv(www);
        bin = open(binpath, O_RDONLY | O_CLOEXEC);
        if (bin < 0)
                die(binpath);
        bin = high_fd(bin);
        lsn = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sa.sin_port = htons((uint16_t)port);
        if (lsn < 0 || setsockopt(lsn, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(lsn, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lsn, 128) < 0)
                die("listening");
        lsn = high_fd(lsn);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                die("socketpair");
        sv[0] = high_fd(sv[0]), sv[1] = high_fd(sv[1]);

        act.sa_handler = on_child;
        act.sa_flags = SA_RESTART | SA_NOCLDSTOP;
        sigaction(SIGCHLD, &act, NULL);
        act.sa_handler = on_stop;
        act.sa_flags = 0; /* interrupt accept() */
        sigaction(SIGTERM, &act, NULL);
        sigaction(SIGINT, &act, NULL);
        signal(SIGPIPE, SIG_IGN);

        signer = fork();
        if (signer < 0)
                die("fork");
        if (signer == 0) {
                char *const sargv[] = { "signer", NULL };
                int fds[2] = { open(key, O_RDONLY | O_CLOEXEC), sv[0] };

                if (fds[0] < 0)
                        _exit(111);
                run_entry(bin, "signer", sargv, fds, 2, "key=3,sign=4", 16);
        }
        close(sv[0]); /* the signer's end */
        printf("ok %d\n", port);
        fflush(stdout);

        while (!stop) {
                int c = accept4(lsn, NULL, NULL, SOCK_CLOEXEC), certfd;
                pid_t pid;

                if (c < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        die("accept");
                }
                certfd = open(cert, O_RDONLY | O_CLOEXEC);
                if (certfd < 0)
                        die(cert);
                pid = fork();
                if (pid == 0) {
                        int fds[3] = { c, certfd, sv[1] };

                        run_entry(bin, "conn", conn_argv, fds, 3, "trigger=3,cert=4,sign=5", 32);
                }
                if (pid < 0)
                        fprintf(stderr, "tlsplain: fork: %s\n", strerror(errno));
                else
                        conns++;
                close(c);
                close(certfd);
        }
        kill(signer, SIGTERM);
        fprintf(stderr, "tlsplain: %lu connections\n", conns);
        return 0;
}
