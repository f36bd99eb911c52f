/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * srv_probe: a static program that uses one server and says what happened,
 * for the environment-model tests (test-denied.sh, test-caretaker.sh,
 * test-story-*.sh).  Each command prints "ok[ DETAIL]" or the errno's symbol
 * ("EACCES"), one line per attempt, and exits 0 or 1.  It also serves: echo
 * servers on TCP and unix sockets run on the host side of the tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/reboot.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
        switch (e) {
#define E(x)    \
        case x: \
                return #x;
                E(EACCES)
                E(EPERM) E(ENOENT) E(ENOTTY) E(ENOSYS) E(ECONNREFUSED) E(ECONNRESET) E(EPIPE) E(ENETUNREACH)
                        E(EAFNOSUPPORT) E(EINVAL) E(ETIMEDOUT) E(EBADF) E(ENXIO) E(EIO) E(ENOTCONN) E(EADDRNOTAVAIL)
                                E(EROFS)
#undef E
                                        default : return "EOTHER";
        }
}

static int fail(int e)
{
        printf("%s\n", errname(e));
        fflush(stdout);
        return 1;
}

static int ok(const char *detail)
{
        printf(detail ? "ok %s\n" : "ok\n", detail);
        fflush(stdout);
        return 0;
}

static int cmd_ipc(const char *what)
{
        int r;

        if (strcmp(what, "shm") == 0)
                r = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
        else if (strcmp(what, "msg") == 0)
                r = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
        else if (strcmp(what, "sem") == 0)
                r = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
        else if (strcmp(what, "mq") == 0) {
                mqd_t q = mq_open("/srvprobe", O_CREAT | O_RDWR, 0600, NULL);

                if (q != (mqd_t)-1)
                        mq_unlink("/srvprobe");
                r = q == (mqd_t)-1 ? -1 : 0;
        } else
                return 2;
        return r < 0 ? fail(errno) : ok(NULL);
}

/* Is fd a terminal?  The answer of the term server: TCGETS. */
static int cmd_tty(const char *arg)
{
        struct termios t;
        int fd = arg[0] == '/' ? open(arg, O_RDWR | O_NOCTTY | O_CLOEXEC) : atoi(arg);

        if (fd < 0)
                return fail(errno);
        return ioctl(fd, TCGETS, &t) < 0 ? fail(errno) : ok(NULL);
}

/* posix_openpt + the first pty ioctl. */
static int cmd_openpt(void)
{
        int fd = posix_openpt(O_RDWR | O_NOCTTY), n;

        if (fd < 0)
                return fail(errno);
        return ioctl(fd, TIOCGPTN, &n) < 0 ? fail(errno) : ok(NULL);
}

static int cmd_sethostname(void)
{
        return sethostname("x", 1) < 0 ? fail(errno) : ok(NULL);
}

static int unix_connect(const char *path)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -errno;
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
                int e = errno;

                close(fd);
                return -e;
        }
        return fd;
}

/*
 * Connect to a numeric IPv4 or IPv6 HOST, or to a name's first IPv4 address (the libc's resolver:
 * /etc/hosts in a void).  -ENOENT when the name has none.
 */
static int tcp_connect(const char *host, const char *port)
{
        struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port)) };
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
        int v6 = inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1;
        int fd;

        if (!v6 && inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
                struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = NULL;

                if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
                        return -ENOENT;
                sin.sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
                freeaddrinfo(res);
        }
        fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, v6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin, v6 ? sizeof(sin6) : sizeof(sin)) < 0) {
                int e = errno;

                close(fd);
                return -e;
        }
        return fd;
}

/* usend HOST PORT: one UDP datagram to a numeric IPv4 or IPv6 HOST: "ok" or sendto's errno. */
static int cmd_usend(const char *host, const char *port)
{
        struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(port)) };
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
        int v6 = inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1;
        int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return fail(errno);
        inet_pton(AF_INET, host, &sin.sin_addr);
        if (sendto(fd, "x", 1, 0, v6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin,
                   v6 ? sizeof(sin6) : sizeof(sin)) < 0)
                return fail(errno);
        return ok(NULL);
}

/* Send msg (with fd 0 attached when pass_fd), half-close, read the reply: "ok REPLY", "EOF" or an errno. */
static int exchange(int fd, const char *msg, int pass_fd)
{
        char buf[256], ctl[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = (void *)msg, .iov_len = strlen(msg) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        struct pollfd p = { .fd = fd, .events = POLLIN };
        size_t got = 0;
        ssize_t n;

        if (pass_fd) {
                struct cmsghdr *c;

                mh.msg_control = ctl;
                mh.msg_controllen = sizeof(ctl);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &(int){ 0 }, sizeof(int));
        }
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return fail(errno);
        shutdown(fd, SHUT_WR);
        while (got < sizeof(buf) - 1 && poll(&p, 1, 3000) > 0 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
                got += (size_t)n;
        if (got == 0) {
                printf("EOF\n");
                fflush(stdout);
                return 1;
        }
        buf[got] = '\0';
        return ok(buf);
}

static void nap(int ms)
{
        nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L }, NULL);
}

/* loop unix PATH N MS | loop tcp HOST PORT N MS: one exchange per attempt, then "alive". */
static int cmd_loop(int argc, char **argv)
{
        int tcp = strcmp(argv[2], "tcp") == 0, n, ms;

        if (argc < (tcp ? 7 : 6))
                return 2;
        n = atoi(argv[tcp ? 5 : 4]);
        ms = atoi(argv[tcp ? 6 : 5]);
        for (int i = 0; i < n; i++) {
                int fd = tcp ? tcp_connect(argv[3], argv[4]) : unix_connect(argv[3]);

                if (fd < 0)
                        fail(-fd);
                else {
                        exchange(fd, "ping", 0);
                        close(fd);
                }
                nap(ms);
        }
        printf("alive\n");
        return 0;
}

/* hold PATH N MS: one connection kept open; a byte and its echo every MS; the first failure is printed. */
static int cmd_hold(char **argv)
{
        int fd = unix_connect(argv[2]), n = atoi(argv[3]), ms = atoi(argv[4]);
        char c;

        if (fd < 0)
                return fail(-fd);
        ok("connected");
        for (int i = 0; i < n; i++) {
                ssize_t r = send(fd, "x", 1, MSG_NOSIGNAL);

                if (r == 1)
                        r = read(fd, &c, 1);
                if (r <= 0) {
                        if (r == 0)
                                printf("EOF\n");
                        else
                                fail(errno);
                        fflush(stdout);
                        break;
                }
                nap(ms);
        }
        printf("alive\n");
        return 0;
}

/* ---- servers for the host side ---- */

/* Write to c until the peer goes: the upstream that floods a reader who never reads. */
static void flood(int c)
{
        static char buf[65536];

        memset(buf, 'f', sizeof(buf));
        while (send(c, buf, sizeof(buf), MSG_NOSIGNAL) > 0)
                ;
        close(c);
}

/* Echo one connection: whatever arrives goes back; a received fd adds " +fd" to the answer.
 * A connection whose first bytes are "FLOOD" is flooded instead. */
static void echo_conn(int c)
{
        char buf[4096], ctl[CMSG_SPACE(sizeof(int) * 8)];
        int fds = 0, first = 1;

        for (;;) {
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
                struct msghdr mh = {
                        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
                };
                ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);

                if (n <= 0)
                        break;
                if (first && n >= 5 && memcmp(buf, "FLOOD", 5) == 0) {
                        flood(c);
                        return;
                }
                first = 0;
                for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
                        if (h->cmsg_type == SCM_RIGHTS)
                                fds++;
                if (send(c, buf, (size_t)n, MSG_NOSIGNAL) < 0)
                        break;
        }
        if (fds)
                (void)!write(c, " +fd", 4);
        close(c);
}

static int serve(int s, const char *detail)
{
        signal(SIGCHLD, SIG_IGN);
        if (listen(s, 16) < 0)
                return fail(errno);
        ok(detail);
        for (;;) {
                int c = accept(s, NULL, NULL);

                if (c < 0)
                        continue;
                if (fork() == 0) {
                        echo_conn(c);
                        _exit(0);
                }
                close(c);
        }
}

/* tserve: echo on 127.0.0.1; tserve any: on every address of the host, IPv6 and IPv4 (else IPv4 only). */
static int cmd_tserve(int any)
{
        struct sockaddr_in sin = { .sin_family = AF_INET,
                                   .sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK) };
        struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
        socklen_t len = sizeof(sin6);
        char port[16];
        int s = any ? socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1, off = 0;

        if (s >= 0 && (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
                       bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)) {
                close(s);
                s = -1;
        }
        if (s < 0) {
                s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                len = sizeof(sin);
                if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
                        return fail(errno);
        }
        if (getsockname(s, (struct sockaddr *)&sin6, &len) < 0)
                return fail(errno);
        /* sin_port and sin6_port sit at the same offset. */
        snprintf(port, sizeof(port), "%u", ntohs(sin6.sin6_port));
        return serve(s, port);
}

/*
 * stall PATH: one connection asks the upstream to flood it and is never read; once the
 * flood has filled every buffer on its way, a second connection's exchange must still be
 * answered ("ok MSG"): a forwarder that blocks on the first stalls the second (EOF after 3 s).
 */
static int cmd_stall(const char *path)
{
        int a = unix_connect(path), b;

        if (a < 0)
                return fail(-a);
        if (send(a, "FLOOD", 5, MSG_NOSIGNAL) != 5)
                return fail(errno);
        nap(1500);
        b = unix_connect(path);
        if (b < 0)
                return fail(-b);
        return exchange(b, "second", 0);
}

static int cmd_userve(const char *path)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
        unlink(path);
        if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
                return fail(errno);
        return serve(s, path);
}

int main(int argc, char **argv)
{
        const char *c = argc > 1 ? argv[1] : "";

        if (strcmp(c, "ipc") == 0 && argc == 3)
                return cmd_ipc(argv[2]);
        if (strcmp(c, "tty") == 0 && argc == 3)
                return cmd_tty(argv[2]);
        if (strcmp(c, "openpt") == 0)
                return cmd_openpt();
        if (strcmp(c, "sethostname") == 0)
                return cmd_sethostname();
        if (strcmp(c, "uconnect") == 0 && argc >= 4) {
                int fd = unix_connect(argv[2]);

                return fd < 0 ? fail(-fd) : exchange(fd, argv[3], argc > 4 && strcmp(argv[4], "+fd") == 0);
        }
        if (strcmp(c, "tconnect") == 0 && argc == 5) {
                int fd = tcp_connect(argv[2], argv[3]);

                return fd < 0 ? fail(-fd) : exchange(fd, argv[4], 0);
        }
        if (strcmp(c, "loop") == 0 && argc >= 6)
                return cmd_loop(argc, argv);
        if (strcmp(c, "hold") == 0 && argc == 5)
                return cmd_hold(argv);
        if (strcmp(c, "exec") == 0 && argc >= 3) {
                execv(argv[2], argv + 2);
                return fail(errno);
        }
        if (strcmp(c, "poweroff") == 0) /* in a pid namespace: the kernel ends its init (SIGINT), nothing else */
                return reboot(RB_POWER_OFF) < 0 ? fail(errno) : ok(NULL);
        if (strcmp(c, "tserve") == 0)
                return cmd_tserve(argc > 2 && strcmp(argv[2], "any") == 0);
        if (strcmp(c, "usend") == 0 && argc == 4)
                return cmd_usend(argv[2], argv[3]);
        if (strcmp(c, "stall") == 0 && argc == 3)
                return cmd_stall(argv[2]);
        if (strcmp(c, "userve") == 0 && argc == 3)
                return cmd_userve(argv[2]);
        puts("usage: srv_probe ipc shm|msg|sem|mq | tty FD|PATH | openpt | sethostname | uconnect PATH MSG [+fd] |"
             " tconnect HOST PORT MSG | loop unix PATH N MS | loop tcp HOST PORT N MS | hold PATH N MS |"
             " exec PATH [ARGS] | poweroff | tserve [any] | userve PATH | stall PATH |"
             " usend HOST PORT");
        return 2;
}
