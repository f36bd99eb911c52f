/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe: network, other processes and kernel interfaces (see probe.c). */
#include "probe.h"

/* ---- network ---------------------------------------------------------- */

int cmd_ifaces(char **argv)
{
        struct if_nameindex *ifs;
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (s < 0)
                return fail();
        ifs = if_nameindex();
        if (!ifs)
                return fail();
        fputs("ok", stdout);
        for (struct if_nameindex *i = ifs; i->if_index; i++) {
                struct ifreq ifr = {0};
                snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
                if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                        printf(" %s:E%d", i->if_name, errno);
                else
                        printf(" %s:%s", i->if_name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
        }
        putchar('\n');
        if_freenameindex(ifs);
        close(s);
        return 0;
}

/* Non-blocking connect with a 2 s limit: ok, or ECONNREFUSED/ENETUNREACH/ETIMEDOUT/... */
int cmd_connect(char **argv)
{
        struct sockaddr_storage ss = {0};
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        socklen_t len, elen = sizeof(int);
        struct pollfd pfd;
        long port;
        int s, e = 0, r;

        if (!parse_long(argv[1], 0, 65535, &port))
                return usage();
        if (inet_pton(AF_INET, argv[0], &sin->sin_addr) == 1) {
                sin->sin_family = AF_INET;
                sin->sin_port = htons((uint16_t)port);
                len = sizeof(*sin);
        } else if (inet_pton(AF_INET6, argv[0], &sin6->sin6_addr) == 1) {
                sin6->sin6_family = AF_INET6;
                sin6->sin6_port = htons((uint16_t)port);
                len = sizeof(*sin6);
        } else {
                return usage();
        }
        s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s < 0)
                return fail();
        if (connect(s, (struct sockaddr *)&ss, len) == 0)
                return ok();
        if (errno != EINPROGRESS)
                return fail();
        pfd = (struct pollfd){.fd = s, .events = POLLOUT};
        do
                r = poll(&pfd, 1, 2000);
        while (r < 0 && errno == EINTR);
        if (r < 0)
                return fail();
        if (r == 0)
                return fail_errno(ETIMEDOUT);
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
                return fail();
        return e ? fail_errno(e) : ok();
}

int cmd_listen(char **argv)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        int one = 1, s;
        long port;

        if (!parse_long(argv[0], 0, 65535, &port))
                return usage();
        sa.sin_port = htons((uint16_t)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return fail();
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0)
                return fail();
        return ok();
}

/* Families by name, each with a type and protocol its kernel module accepts. */
static const struct {
        const char *name;
        int family, type, protocol;
} fams[] = {
        {"unix", AF_UNIX, SOCK_STREAM, 0},
        {"inet", AF_INET, SOCK_STREAM, 0},
        {"inet6", AF_INET6, SOCK_STREAM, 0},
        {"netlink", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE},
        {"netlink-audit", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT},
        {"netlink-uevent", AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT},
        {"packet", AF_PACKET, SOCK_RAW, 0}, /* protocol set below: htons() is not constant */
        {"vsock", AF_VSOCK, SOCK_STREAM, 0},
        {"alg", AF_ALG, SOCK_SEQPACKET, 0},
        {"key", AF_KEY, SOCK_RAW, 2 /* PF_KEY_V2 */},
        {"can", AF_CAN, SOCK_RAW, 1 /* CAN_RAW */},
        {"bluetooth", AF_BLUETOOTH, SOCK_RAW, 0},
        {"xdp", AF_XDP, SOCK_RAW, 0},
};

/*
 * socket FAMILY: a socket of a family named above, or of family number N
 * (type SOCK_DGRAM, protocol 0): ok or the errno.
 */
int cmd_socket(char **argv)
{
        long n;

        for (size_t i = 0; i < ELEMENTSOF(fams); i++) {
                if (strcmp(argv[0], fams[i].name) != 0)
                        continue;
                int proto = fams[i].family == AF_PACKET ? htons(ETH_P_ALL) : fams[i].protocol;
                return result(socket(fams[i].family, fams[i].type | SOCK_CLOEXEC, proto));
        }
        if (parse_long(argv[0], 0, 1 << 30, &n))
                return result(socket((int)n, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        return usage();
}

/* socketpair FAMILY (a name above, stream type): ok or the errno. */
int cmd_socketpair(char **argv)
{
        int sv[2];

        for (size_t i = 0; i < ELEMENTSOF(fams); i++)
                if (strcmp(argv[0], fams[i].name) == 0)
                        return result(socketpair(fams[i].family, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
        return usage();
}

/*
 * syscall NR [ARG...]: the raw system call NR with up to six numeric
 * arguments (decimal or 0x hex; missing ones are 0): "ok RESULT" or the errno.
 * For calls no libc wraps, and numbers newer than the policy.
 */
int cmd_syscall(char **argv)
{
        unsigned long a[7] = {0};
        long r;

        for (int i = 0; i < 7 && argv[i]; i++) {
                char *end = NULL;

                errno = 0;
                a[i] = strtoul(argv[i], &end, 0);
                if (errno || end == argv[i] || *end)
                        return usage();
        }
        r = syscall((long)a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        if (r < 0)
                return fail();
        printf("ok %ld\n", r);
        return 0;
}

/* io_uring_setup(2) of a one-entry ring: ok (the ring fd closed again) or the errno. */
int cmd_io_uring(char **argv)
{
        unsigned char params[120] = {0}; /* struct io_uring_params, zeroed */
        long fd = syscall(SYS_io_uring_setup, 1, params);

        if (fd < 0)
                return fail();
        close((int)fd);
        return ok();
}

/* Listen on 127.0.0.1 at an ephemeral port, print "ok PORT", then wait to be killed. */
int cmd_serve(char **argv)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t len = sizeof(sa);
        int s;

        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return fail();
        if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0 ||
            getsockname(s, (struct sockaddr *)&sa, &len) < 0)
                return fail();
        printf("ok %d\n", ntohs(sa.sin_port));
        fflush(stdout);
        for (;;)
                pause();
}

/*
 * Try to add a default IPv4 route out of link IFNAME (RTM_NEWROUTE over rtnetlink): "ok", or
 * the kernel's errno (EPERM without CAP_NET_ADMIN over the network namespace).
 */
int cmd_addroute(char **argv)
{
        struct {
                struct nlmsghdr nh;
                struct rtmsg rt;
                struct rtattr oif_attr;
                unsigned oif;
        } req = {0};
        struct {
                struct nlmsghdr nh;
                struct nlmsgerr err;
        } ack = {0};
        unsigned idx = if_nametoindex(argv[0]);
        int s;

        if (!idx)
                return fail();
        req.nh.nlmsg_len = sizeof(req);
        req.nh.nlmsg_type = RTM_NEWROUTE;
        req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
        req.rt.rtm_family = AF_INET;
        req.rt.rtm_table = RT_TABLE_MAIN;
        req.rt.rtm_protocol = RTPROT_STATIC;
        req.rt.rtm_scope = RT_SCOPE_LINK;
        req.rt.rtm_type = RTN_UNICAST;
        req.oif_attr.rta_len = RTA_LENGTH(sizeof(unsigned));
        req.oif_attr.rta_type = RTA_OIF;
        req.oif = idx;
        s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (s < 0)
                return fail();
        if (send(s, &req, sizeof(req), 0) < 0 || recv(s, &ack, sizeof(ack), 0) < 0)
                return fail();
        if (ack.nh.nlmsg_type != NLMSG_ERROR)
                return fail_errno(EPROTO);
        return ack.err.error ? fail_errno(-ack.err.error) : ok();
}

/* Listen on 127.0.0.1, connect to that listener, accept: ok, or the first errno. */
int cmd_selfconnect(char **argv)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t len = sizeof(sa);
        int l, c, a;

        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (l < 0)
                return fail();
        if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
            getsockname(l, (struct sockaddr *)&sa, &len) < 0)
                return fail();
        c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return fail();
        a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (a < 0)
                return fail();
        if (write(c, "x", 1) != 1)
                return fail();
        return ok();
}

/* ---- other processes and kernel interfaces ---------------------------- */

int cmd_ptrace(char **argv)
{
        long pid;

        if (!parse_long(argv[0], 1, 1L << 30, &pid))
                return usage();
        if (ptrace(PTRACE_ATTACH, (pid_t)pid, NULL, NULL) < 0)
                return fail();
        waitpid((pid_t)pid, NULL, __WALL);
        ptrace(PTRACE_DETACH, (pid_t)pid, NULL, NULL);
        return ok();
}

int cmd_signal(char **argv)
{
        long pid, sig;

        if (!parse_long(argv[0], -(1L << 30), 1L << 30, &pid) || !parse_long(argv[1], 0, 64, &sig))
                return usage();
        return result(kill((pid_t)pid, (int)sig));
}

int cmd_keyctl(char **argv)
{
        /* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3), without creating it. */
        return result(syscall(SYS_keyctl, 0, -3, 0));
}

int cmd_unshare(char **argv)
{
        static const struct {
                const char *name;
                int flag;
        } nss[] = {
                {"user", CLONE_NEWUSER}, {"net", CLONE_NEWNET},       {"mnt", CLONE_NEWNS},
                {"pid", CLONE_NEWPID},   {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
                {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
        };

        for (size_t i = 0; i < ELEMENTSOF(nss); i++)
                if (strcmp(argv[0], nss[i].name) == 0)
                        return result(unshare(nss[i].flag));
        return usage();
}

int cmd_bpf(char **argv)
{
        long cmd = 5, r;

        /* Default BPF_PROG_LOAD (5) with a NULL attr of size 0: only the permission check matters.
         * An unknown CMD (e.g. 1000) gets EINVAL from the kernel whatever the privileges. */
        if (argv[0] && !parse_long(argv[0], 0, 1L << 30, &cmd))
                return usage();
        r = syscall(SYS_bpf, (int)cmd, NULL, 0);

        if (r >= 0)
                close((int)r);
        return result(r);
}

int cmd_setns(char **argv)
{
        int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return fail();
        return result(setns(fd, 0));
}

int cmd_ioctl_tiocsti(char **argv)
{
        char c = 'x';

        return result(ioctl(0, TIOCSTI, &c));
}

/* getpid(2) by raw syscall, so that a seccomp errno rule on it can be seen: "ok PID" or the errno. */
int cmd_getpid(char **argv)
{
        long r = syscall(SYS_getpid);

        if (r < 0)
                return fail();
        printf("ok %ld\n", r);
        return 0;
}

/* clone3(2) with no flags (a plain fork): ok once the child is reaped, or the errno. */
int cmd_clone3(char **argv)
{
        struct {
                uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
        } args = {.exit_signal = SIGCHLD};
        long pid;

        fflush(stdout);
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return fail();
        if (pid == 0)
                _exit(0);
        waitpid((pid_t)pid, NULL, 0);
        return ok();
}

/* clone(2) with CLONE_NEW<NS> (a fork into a new namespace): ok once the child is reaped, or the errno. */
int cmd_clone(char **argv)
{
        static const struct {
                const char *name;
                long flag;
        } nss[] = {
                {"user", CLONE_NEWUSER}, {"net", CLONE_NEWNET}, {"mnt", CLONE_NEWNS}, {"pid", CLONE_NEWPID},
                {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS}, {"cgroup", CLONE_NEWCGROUP},
        };

        for (size_t i = 0; i < ELEMENTSOF(nss); i++) {
                long pid;

                if (strcmp(argv[0], nss[i].name) != 0)
                        continue;
                fflush(stdout);
                /* x86-64 order: flags, stack, parent_tid, child_tid, tls; NULL stack = fork-like. */
                pid = syscall(SYS_clone, nss[i].flag | SIGCHLD, NULL, NULL, NULL, 0);
                if (pid < 0)
                        return fail();
                if (pid == 0)
                        _exit(0);
                waitpid((pid_t)pid, NULL, 0);
                return ok();
        }
        return usage();
}

/* personality(VALUE) (VALUE in C notation, e.g. 0x0040000): "ok PREVIOUS" or the errno. */
int cmd_personality(char **argv)
{
        char *end = NULL;
        unsigned long v;
        long r;

        errno = 0;
        v = strtoul(argv[0], &end, 0);
        if (errno || end == argv[0] || *end)
                return usage();
        r = syscall(SYS_personality, v);
        if (r < 0 && r > -4096L && errno)
                return fail();
        printf("ok %#lx\n", (unsigned long)r);
        return 0;
}

/*
 * A system call through another ABI, which a filter written for x86-64 numbers must not let
 * through: `int80 NR` (i386, e.g. 20 = getpid, 288 = keyctl) and `x32 NR` (x86-64 numbers with
 * __X32_SYSCALL_BIT, e.g. 39 = getpid, 250 = keyctl).  Prints "ok RESULT" or the errno; the
 * default filter kills the process with SIGSYS instead.
 */
int cmd_int80(char **argv)
{
#if defined(__x86_64__)
        long nr, r;

        if (!parse_long(argv[0], 0, 1000, &nr))
                return usage();
        /* keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) when NR is keyctl. */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(0L), "c"(-3L), "d"(0L) : "memory");
        if (r < 0 && r > -4096)
                return fail_errno((int)-r);
        printf("ok %ld\n", r);
        return 0;
#else
        return fail_errno(ENOSYS);
#endif
}

int cmd_x32(char **argv)
{
#if defined(__x86_64__)
        long nr, r;

        if (!parse_long(argv[0], 0, 1000, &nr))
                return usage();
        r = syscall(0x40000000L | nr, 0L, -3L, 0L);
        if (r < 0)
                return fail();
        printf("ok %ld\n", r);
        return 0;
#else
        return fail_errno(ENOSYS);
#endif
}

/*
 * Serve a unix stream socket at PATH: each connection gets "hello PID\n" (our pid as the void sees
 * it), forever.  Prints "ok" once listening.
 */
int cmd_userve(char **argv)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        char line[64];
        int s, c;

        if (strlen(argv[0]) >= sizeof(sun.sun_path))
                return usage();
        strcpy(sun.sun_path, argv[0]);
        unlink(argv[0]);
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s, 64) < 0)
                return fail();
        puts("ok");
        fflush(stdout);
        snprintf(line, sizeof(line), "hello %d\n", (int)getpid());
        for (;;) {
                c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0)
                        continue;
                (void)!write(c, line, strlen(line));
                close(c);
        }
}

/* Connect to the unix socket at PATH and print "ok LINE" with what it says first, or the errno. */
int cmd_uconnect(char **argv)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        char buf[128];
        ssize_t n;
        int s;

        if (strlen(argv[0]) >= sizeof(sun.sun_path))
                return usage();
        strcpy(sun.sun_path, argv[0]);
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
                return fail();
        n = read(s, buf, sizeof(buf) - 1);
        if (n < 0)
                return fail();
        if (n == 0)
                return fail_errno(ECONNRESET);
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        printf("ok %s\n", buf);
        return 0;
}

/*
 * Leave N orphans that have exited: a child forks N children that exit at once and exits itself
 * (we reap only that child, so the N are reparented to pid 1).  After 300 ms, print "ok Z" with
 * the number of zombies in /proc: 0 when pid 1 reaps orphans.
 */
int cmd_zombies(char **argv)
{
        long n, zombies = 0;
        pid_t pid;
        DIR *d;
        struct dirent *e;

        if (!parse_long(argv[0], 1, 1000, &n))
                return usage();
        pid = fork();
        if (pid < 0)
                return fail();
        if (pid == 0) {
                for (long i = 0; i < n; i++)
                        if (fork() == 0)
                                _exit(0);
                _exit(0);
        }
        waitpid(pid, NULL, 0);
        usleep(300 * 1000);
        d = opendir("/proc");
        if (!d)
                return fail();
        while ((e = readdir(d))) {
                char path[300], buf[512], *p;
                FILE *f;

                if (e->d_name[0] < '0' || e->d_name[0] > '9')
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;
                if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ' && p[2] == 'Z')
                        zombies++;
                fclose(f);
        }
        closedir(d);
        printf("ok %ld\n", zombies);
        return 0;
}
