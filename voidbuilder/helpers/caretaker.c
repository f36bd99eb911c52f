/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Caretakers (doc/servers.md, "Caretakers"): processes of
 * the caller's that stand between a void and an object outside it.  Each is a
 * child of the calling thread with PR_SET_PDEATHSIG, so it cannot outlive its
 * supervisor, and is revoked by closing its control pipe and SIGKILL.  Every
 * one is started by vb_helper_start() and obeys its rule (helper.h): what it
 * needs is prepared here, before the clone, and it allocates nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/net.h"
#include "core/ns.h"
#include "helpers/caretaker.h"
#include "helpers/helper.h"

/* A port, 1 to 65535, in decimal digits and nothing else (no sign, no space, no overflow). */
static int parse_port(const char *s)
{
        unsigned long port;
        char *end;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        port = strtoul(s, &end, 10);
        if (errno || *end || port < 1 || port > 65535)
                return -EINVAL;
        return (int)port;
}

int vb_upstream_parse(const char *text, struct vb_upstream *out)
{
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
        struct addrinfo *res = NULL;
        char host[256];
        const char *hp, *colon;
        size_t hl;

        *out = (struct vb_upstream){};
        if (strncmp(text, "unix:", 5) == 0) {
                struct sockaddr_un *sun = (struct sockaddr_un *)&out->addr;

                if (text[5] != '/' || strlen(text + 5) >= sizeof(sun->sun_path))
                        return -EINVAL;
                sun->sun_family = AF_UNIX;
                strcpy(sun->sun_path, text + 5);
                out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(text + 5) + 1);
                return 0;
        }
        if (strncmp(text, "tcp:", 4) != 0)
                return -EINVAL;
        hp = text + 4;
        colon = strrchr(hp, ':');
        if (!colon || !colon[1] || colon == hp)
                return -EINVAL;
        hl = (size_t)(colon - hp);
        if (hp[0] == '[' && colon[-1] == ']')
                hp++, hl -= 2;
        if (hl == 0 || hl >= sizeof(host))
                return -EINVAL;
        memcpy(host, hp, hl);
        host[hl] = '\0';
        if (parse_port(colon + 1) < 0)
                return -EINVAL;
        if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res)
                return -EHOSTUNREACH;
        memcpy(&out->addr, res->ai_addr, res->ai_addrlen);
        out->len = res->ai_addrlen;
        freeaddrinfo(res);
        return 0;
}

static struct vb_caretaker *caretaker_new(enum vb_caretaker_kind kind)
{
        struct vb_caretaker *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        c->kind = kind;
        c->pid = c->holder = -1;
        c->pidfd = c->ctl_fd = c->holder_pidfd = -1;
        c->holder_go = c->holder_status = -1;
        for (int i = 0; i < VB_NS_COUNT; i++)
                c->ns_fd[i] = -1;
        return c;
}

static void kill_reap(pid_t *pid, int *pidfd)
{
        siginfo_t si;

        if (*pid <= 0) {
                vb_closep(pidfd);
                *pidfd = -1;
                return;
        }
        if (*pidfd >= 0) {
                (void)pidfd_send_signal(*pidfd, SIGKILL, NULL, 0);
                while (waitid(P_PIDFD, (id_t)*pidfd, &si, WEXITED) < 0 && errno == EINTR)
                        ;
        } else {
                kill(*pid, SIGKILL);
                while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        vb_closep(pidfd);
        *pidfd = -1;
        *pid = -1;
}

VB_API int vb_caretaker_revoke(struct vb_caretaker *c)
{
        vb_closep(&c->ctl_fd);
        c->ctl_fd = -1;
        kill_reap(&c->pid, &c->pidfd);
        return 0;
}

VB_API struct vb_caretaker *vb_caretaker_free(struct vb_caretaker *c)
{
        if (!c)
                return NULL;
        vb_caretaker_revoke(c);
        kill_reap(&c->holder, &c->holder_pidfd);
        vb_closep(&c->holder_go);
        vb_closep(&c->holder_status);
        free(c->allow);
        for (int i = 0; i < VB_NS_COUNT; i++)
                vb_closep(&c->ns_fd[i]);
        if (c->sock_path)
                unlink(c->sock_path);
        free(c->sock_path);
        free(c->what);
        free(c);
        return NULL;
}

VB_API pid_t vb_caretaker_pid(const struct vb_caretaker *c)
{
        return c->pid;
}

VB_API int vb_caretaker_ns_fd(const struct vb_caretaker *c, enum vb_ns ns)
{
        return (unsigned)ns < VB_NS_COUNT && c->ns_fd[ns] >= 0 ? c->ns_fd[ns] : -EBADF;
}

VB_API bool vb_caretaker_alive(struct vb_caretaker *c)
{
        struct pollfd p = { .fd = c->pidfd, .events = POLLIN };

        if (c->pid <= 0 || c->pidfd < 0)
                return false;
        /* A pidfd polls readable once the process has exited. */
        return poll(&p, 1, 0) == 0;
}

VB_API const char *vb_caretaker_describe(struct vb_caretaker *c)
{
        bool alive = vb_caretaker_alive(c);

        if (c->pid > 0)
                snprintf(c->line, sizeof(c->line), "%s, pid %d, %s", c->what, (int)c->pid, alive ? "live" : "dead");
        else
                snprintf(c->line, sizeof(c->line), "%s, revoked", c->what);
        return c->line;
}

/* Start a caretaker keeping only keep (helper.h): 1 in it, 0 in the caller with *pid and *pidfd set, or -errno. */
static int start(const int *keep, size_t n, pid_t *pid, int *pidfd)
{
        int fd = -1;
        pid_t p = vb_helper_start(keep, n, &fd);

        if (p < 0)
                return p;
        if (p == 0)
                return 1;
        *pid = p;
        *pidfd = fd;
        return 0;
}

static int listen_unix(const char *path)
{
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;

        if (path[0] != '/' || strlen(path) >= sizeof(sun.sun_path))
                return -EINVAL;
        strcpy(sun.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NEG_ERRNO();
        if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 64) < 0)
                return NEG_ERRNO();
        return TAKE_FD(fd);
}

VB_API int vb_caretaker_forward(const char *sock_path, const char *upstream, struct vb_caretaker **out,
                                struct vb_error **err)
{
        struct vb_caretaker *c = NULL;
        _cleanup_close_ int lfd = -1;
        struct vb_upstream up;
        int ctl[2], r;

        r = vb_upstream_parse(upstream, &up);
        if (r < 0)
                return vb_error_set(err, r, "upstream '%s' (expected tcp:HOST:PORT or unix:/PATH)", upstream);
        lfd = listen_unix(sock_path);
        if (lfd < 0)
                return vb_error_set(err, lfd, "listening on %s", sock_path);
        c = caretaker_new(VB_CARE_FORWARD);
        if (!c || asprintf(&c->what, "forwarder %s -> %s", sock_path, upstream) < 0 ||
            !(c->sock_path = strdup(sock_path))) {
                unlink(sock_path);
                vb_caretaker_free(c);
                return vb_error_set(err, ENOMEM, "forwarder");
        }
        if (pipe2(ctl, O_CLOEXEC) < 0) {
                r = vb_error_set(err, errno, "forwarder control pipe");
                vb_caretaker_free(c);
                return r;
        }
        c->ctl_fd = ctl[1];
        r = start((int[]){ lfd, ctl[0] }, 2, &c->pid, &c->pidfd);
        if (r == 1)
                vb_forward_main(lfd, ctl[0], &up);
        close(ctl[0]);
        if (r < 0) {
                vb_error_set(err, r, "starting the forwarder");
                vb_caretaker_free(c);
                return r;
        }
        *out = c;
        return 0;
}

/* ---- the network caretaker: a namespace holder and pasta ----------------------- */

/* What the holder reports once it configured the tap. */
struct holder_status {
        int r;
        char step[96];
};

/* The parent's ends of the pipes to the holder, while the tap is being configured. */
struct holder_link {
        int status_fd; /* the holder's ready byte, then its struct holder_status */
        int go_fd;     /* a byte once pasta runs; -1 without hosts */
};

static void holder_link_done(struct holder_link *l)
{
        vb_closep(&l->status_fd);
        vb_closep(&l->go_fd);
        l->status_fd = l->go_fd = -1;
}

/* What the holder works from: all of it prepared by the caller before the clone (helper.h). */
struct holder_args {
        int ready;  /* the ready byte, then the struct holder_status */
        int go;     /* a byte once pasta runs; -1 without hosts */
        int log_fd; /* nft's output (with hosts) */
        uid_t uid;  /* the caller's ids, mapped to 0 in the namespace */
        gid_t gid;
        const struct vb_tap_plan *plan; /* with hosts */
        const struct vb_net_allow *allow;
        size_t n;
};

/* The holder's life: make the namespaces, then (with hosts) configure pasta's tap when told, then wait. */
static _Noreturn void holder_main(const struct holder_args *a)
{
        struct holder_status st = {};
        const char *step = "";
        char byte;

        if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0 || vb_ns_write_id_maps(a->uid, a->gid) < 0 ||
            vb_net_loopback_up() < 0)
                _exit(VB_HELPER_EXIT_SETUP);
        (void)!write(a->ready, "r", 1);
        if (a->go >= 0) {
                if (read(a->go, &byte, 1) != 1) /* the parent gave up */
                        _exit(0);
                st.r = vb_tap_configure(a->plan, a->allow, a->n, a->log_fd, &step);
                snprintf(st.step, sizeof(st.step), "%s", step);
                (void)!write(a->ready, &st, sizeof(st));
                if (st.r >= 0) /* changes while the void runs: vb_caretaker_net_change() */
                        vb_tap_serve(a->go, a->ready, a->log_fd);
                close(a->go);
                close(a->log_fd);
        }
        close(a->ready);
        for (;;)
                pause();
}

/* The holder: a child in a fresh user+net namespace with lo up, doing nothing until killed. */
static int start_holder(struct vb_caretaker *c, const struct vb_net_allow *allow, size_t n, int log_fd,
                        const struct vb_tap_plan *plan, struct holder_link *link, struct vb_error **err)
{
        static const char *const names[] = { [VB_NS_USER] = "user", [VB_NS_NET] = "net" };
        struct holder_args a = { .uid = geteuid(), .gid = getegid(), .plan = plan, .allow = allow, .n = n };
        int ready[2], go[2] = { -1, -1 }, r;
        char byte = 0, path[64];

        if (pipe2(ready, O_CLOEXEC) < 0)
                return vb_error_set(err, errno, "network caretaker: pipe");
        if (plan && pipe2(go, O_CLOEXEC) < 0) {
                r = vb_error_set(err, errno, "network caretaker: pipe");
                close(ready[0]);
                close(ready[1]);
                return r;
        }
        a.ready = ready[1], a.go = go[0], a.log_fd = plan ? log_fd : -1;
        r = start((int[]){ a.ready, a.go, a.log_fd }, 3, &c->holder, &c->holder_pidfd);
        if (r == 1)
                holder_main(&a);
        close(ready[1]);
        vb_closep(&go[0]);
        *link = (struct holder_link){ .status_fd = ready[0], .go_fd = go[1] };
        if (r >= 0 && read(ready[0], &byte, 1) != 1)
                r = -ECHILD; /* it died: namespaces refused */
        if (r < 0)
                return vb_error_set(err, r, "network caretaker: making its user and network namespaces");
        for (int ns = VB_NS_USER; ns <= VB_NS_NET; ns += VB_NS_NET - VB_NS_USER) {
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)c->holder, names[ns]);
                c->ns_fd[ns] = open(path, O_RDONLY | O_CLOEXEC);
                if (c->ns_fd[ns] < 0)
                        return vb_error_set(err, errno, "network caretaker: opening %s", path);
        }
        return 0;
}

/* Is addr (4 bytes) one a caretaker can route to?  NULL, or why not. */
static const char *host4_refusal(const uint8_t *a)
{
        if (a[0] == 127)
                return "127.0.0.0/8 other than 127.0.0.1 is the void's own loopback";
        if (a[0] == 0 || a[0] >= 224)
                return "not a unicast address (0.0.0.0/8, multicast and 240.0.0.0/4 cannot be allowed)";
        if (a[0] == 169 && a[1] == 254 && a[2] == 91)
                return "169.254.91.0/24 is the network caretaker's own link";
        return NULL;
}

static const char *host6_refusal(const uint8_t *a)
{
        static const uint8_t loop[16] = { [15] = 1 }, any[16] = { 0 };
        static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

        if (memcmp(a, loop, 16) == 0)
                return "::1 is not forwarded: allow a port of 127.0.0.1";
        if (memcmp(a, any, 16) == 0 || a[0] == 0xff)
                return "not a unicast address (:: and multicast cannot be allowed)";
        if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
                return "a link-local address needs an interface, and the void's link is the caretaker's";
        if (memcmp(a, mapped, 12) == 0)
                return "an IPv4-mapped address: write the IPv4 address";
        if (a[0] == 0xfd && a[1] == 0xb0 && a[2] == 0x1d && a[3] == 0x5b)
                return "fdb0:1d5b::/32 is the network caretaker's own link";
        return NULL;
}

/* HOST of HOST:PORT (hl bytes at s) into out; 0 or -EINVAL with *why. */
static int parse_host(const char *s, size_t hl, struct vb_net_allow *out, const char **why)
{
        char host[INET6_ADDRSTRLEN + 2];

        if ((hl == 9 && strncmp(s, "127.0.0.1", 9) == 0) || (hl == 9 && strncmp(s, "localhost", 9) == 0))
                return 0; /* the host's loopback: family 0, spliced by pasta */
        if (hl == 0 || hl >= sizeof(host)) {
                *why = "not [tcp:|udp:][HOST:]PORT with HOST a numeric IPv4 address or an IPv6 one in []";
                return -EINVAL;
        }
        if (s[0] == '[' && s[hl - 1] == ']') {
                memcpy(host, s + 1, hl - 2);
                host[hl - 2] = '\0';
                out->family = AF_INET6;
        } else {
                memcpy(host, s, hl);
                host[hl] = '\0';
                out->family = AF_INET;
        }
        if (inet_pton(out->family, host, out->addr) != 1) {
                *why = out->family == AF_INET6 ? "not a numeric IPv6 address"
                                               : "not a numeric IPv4 address (names are not resolved; an IPv6 "
                                                 "address goes in [])";
                return -EINVAL;
        }
        *why = out->family == AF_INET ? host4_refusal(out->addr) : host6_refusal(out->addr);
        return *why ? -EINVAL : 0;
}

VB_API int vb_net_allow_parse(const char *text, struct vb_net_allow *out, const char **why)
{
        struct vb_net_allow a = {};
        const char *unused;
        const char *s = text, *colon;
        char *end;
        unsigned long port;
        int r;

        if (!why)
                why = &unused;
        if (strncmp(s, "udp:", 4) == 0)
                a.udp = true, s += 4;
        else if (strncmp(s, "tcp:", 4) == 0)
                s += 4;
        colon = strrchr(s, ':');
        if (colon) {
                r = parse_host(s, (size_t)(colon - s), &a, why);
                if (r < 0)
                        return r;
                s = colon + 1;
        }
        errno = 0;
        port = *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : 0;
        if (errno || port < 1 || port > 65535 || *end) {
                *why = "not [tcp:|udp:][HOST:]PORT (PORT 1-65535)";
                return -EINVAL;
        }
        a.port = (uint16_t)port;
        *out = a;
        return 0;
}

/* Is every allowed port listening in the holder's namespace?  (/proc/PID/net/{tcp,udp}: hex port, state.) */
static bool ports_ready(pid_t holder, const struct vb_net_allow *allow, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                char path[64], line[512];
                bool found = false;
                _cleanup_fclose_ FILE *f = NULL;

                if (allow[i].family != 0) /* a remote host: nothing listens for it */
                        continue;
                snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)holder, allow[i].udp ? "udp" : "tcp");
                f = fopen(path, "re");
                if (!f)
                        return false;
                while (!found && fgets(line, sizeof(line), f)) {
                        unsigned port, state;

                        if (sscanf(line, " %*u: %*x:%x %*x:%*x %x", &port, &state) == 2)
                                found = port == allow[i].port && state == (allow[i].udp ? 0x07u : 0x0Au);
                }
                if (!found)
                        return false;
        }
        return true;
}

static void port_list(char *buf, size_t len, const struct vb_net_allow *allow, size_t n, bool udp)
{
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++)
                if (allow[i].family == 0 && allow[i].udp == udp && used < len)
                        used += (size_t)snprintf(buf + used, len - used, "%s%u", used ? "," : "", allow[i].port);
        if (!buf[0])
                snprintf(buf, len, "none");
}

/* pasta's options for a configured tap (caretaker_tap.c): its name, both ends' addresses, its MAC. */
static int tap_args(char **argv, const struct vb_net_allow *allow, size_t n)
{
        bool v4 = false, v6 = false, lo = false;
        int a = 0;

        for (size_t i = 0; i < n; i++)
                v4 |= allow[i].family == AF_INET, v6 |= allow[i].family == AF_INET6, lo |= allow[i].family == 0;
        if (!v4 && !v6)
                return 0;
        argv[a++] = "-I", argv[a++] = VB_TAP_IFNAME, argv[a++] = "-M", argv[a++] = VB_TAP_MAC;
        /* Security: by default pasta maps its gateway address to the host's loopback, which would
         * be a way to every host-loopback port; the only loopback ports are the -T/-U ones. */
        argv[a++] = "--no-map-gw";
        if (v4 || lo)
                argv[a++] = "-a", argv[a++] = VB_TAP_ADDR4, argv[a++] = "-g", argv[a++] = VB_TAP_GW4;
        if (v6)
                argv[a++] = "-a", argv[a++] = VB_TAP_ADDR6, argv[a++] = "-g", argv[a++] = VB_TAP_GW6;
        if (!v6)
                argv[a++] = "-4";
        return a;
}

/* pasta's command line, built by the caller before the clone (helper.h). */
struct pasta_cmd {
        char user[64], net[64];
        char *tcp, *udp; /* the port lists, sized from the allowlist */
        char *argv[48];
};

static void pasta_cmd_done(struct pasta_cmd *p)
{
        free(p->tcp);
        free(p->udp);
        p->tcp = p->udp = NULL;
}

/* A port list's size: "65535," per entry, or "none". */
static size_t port_list_size(size_t n)
{
        return 6 * n + 8;
}

static int pasta_cmd(struct pasta_cmd *p, pid_t holder, const struct vb_net_allow *allow, size_t n)
{
        char **argv = p->argv;
        int a = 0;

        p->tcp = malloc(port_list_size(n));
        p->udp = malloc(port_list_size(n));
        if (!p->tcp || !p->udp)
                return -ENOMEM;
        snprintf(p->user, sizeof(p->user), "/proc/%d/ns/user", (int)holder);
        snprintf(p->net, sizeof(p->net), "/proc/%d/ns/net", (int)holder);
        port_list(p->tcp, port_list_size(n), allow, n, false);
        port_list(p->udp, port_list_size(n), allow, n, true);
        argv[a++] = "pasta";
        argv[a++] = "-f";
        argv[a++] = "-q";
        /* As root pasta drops to nobody, who may not open our namespaces: stay who we are. */
        if (geteuid() == 0)
                argv[a++] = "--runas", argv[a++] = "0:0";
        argv[a++] = "--userns", argv[a++] = p->user, argv[a++] = "--netns", argv[a++] = p->net;
        /* Nothing comes in; only the listed host-loopback ports are spliced out; no DHCP, NDP,
         * router advertisements or ICMP; no --config-net: the tap is configured (or left down,
         * without routes) by the holder, never by pasta. */
        argv[a++] = "-t", argv[a++] = "none", argv[a++] = "-u", argv[a++] = "none";
        argv[a++] = "-T", argv[a++] = p->tcp, argv[a++] = "-U", argv[a++] = p->udp;
        argv[a++] = "--no-dhcp", argv[a++] = "--no-ndp", argv[a++] = "--no-dhcpv6", argv[a++] = "--no-ra";
        argv[a++] = "--no-icmp";
        if (vb_tap_wanted(allow, n))
                a += tap_args(argv + a, allow, n);
        else
                argv[a++] = "-4";
        argv[a] = NULL;
        return 0;
}

/* In pasta's new process (signals at their defaults: pasta (2023-03) fails on an ignored SIGPIPE). */
static _Noreturn void exec_pasta(char *const argv[], int log_fd)
{
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        execvp("pasta", argv);
        _exit(errno == ENOENT ? 127 : 126);
}

/* pasta's (or nft's) own words when it failed: the first line of the log that is not syslog noise. */
static void pasta_why(int log_fd, char *buf, size_t len)
{
        char all[2048], *line, *save = NULL;
        ssize_t n = pread(log_fd, all, sizeof(all) - 1, 0);

        snprintf(buf, len, "no output");
        if (n <= 0)
                return;
        all[n] = '\0';
        for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (strncmp(line, "Failed to send", 14) != 0 && *line) {
                        snprintf(buf, len, "%s", line);
                        return;
                }
}

/* pasta exited before it was ready: say why. */
static int pasta_died(struct vb_caretaker *c, int log_fd, struct vb_error **err)
{
        siginfo_t si = {};
        char why[256];

        waitid(P_PIDFD, (id_t)c->pidfd, &si, WEXITED | WNOHANG);
        if (si.si_status == 127)
                return vb_error_set(err, ENOENT, "network caretaker: pasta is not installed (Debian package passt)");
        pasta_why(log_fd, why, sizeof(why));
        return vb_error_set(err, ECHILD, "network caretaker: pasta exited (%s)", why);
}

/* With hosts: let the holder configure pasta's tap, and wait for its word (or pasta's death). */
static int await_tap(struct vb_caretaker *c, struct holder_link *link, int log_fd, struct vb_error **err)
{
        struct holder_status st = {};
        struct pollfd p[2] = { { .fd = link->status_fd, .events = POLLIN }, { .fd = c->pidfd, .events = POLLIN } };
        char why[256];
        int r;

        if (write(link->go_fd, "g", 1) != 1)
                return vb_error_set(err, errno, "network caretaker: telling the holder to configure the tap");
        do
                r = poll(p, 2, 10 * 1000);
        while (r < 0 && errno == EINTR);
        if (r == 0)
                return vb_error_set(err, ETIMEDOUT, "network caretaker: the tap was not configured within 10 s");
        if (!(p[0].revents & POLLIN) && !vb_caretaker_alive(c))
                return pasta_died(c, log_fd, err);
        if (read(link->status_fd, &st, sizeof(st)) != (ssize_t)sizeof(st))
                return vb_error_set(err, ECHILD, "network caretaker: the namespace holder died");
        if (st.r == -ENOENT && strstr(st.step, "nft"))
                return vb_error_set(err, ENOENT, "network caretaker: nft is not installed (Debian package nftables)");
        if (st.r == -EPROTO) {
                pasta_why(log_fd, why, sizeof(why));
                return vb_error_set(err, EPROTO, "network caretaker: %s: %s", st.step, why);
        }
        if (st.r < 0)
                return vb_error_set(err, -st.r, "network caretaker: %s", st.step);
        return 0;
}

/* "tcp 192.0.2.7:80, udp [2001:db8::1]:53" for the allowed hosts, or "" */
static void host_list(char *buf, size_t len, const struct vb_net_allow *allow, size_t n)
{
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                char addr[INET6_ADDRSTRLEN];
                bool v6 = allow[i].family == AF_INET6;

                if (allow[i].family == 0 || used >= len ||
                    !inet_ntop(allow[i].family, allow[i].addr, addr, sizeof(addr)))
                        continue;
                used += (size_t)snprintf(buf + used, len - used, "%s%s %s%s%s:%u", used ? ", " : "; hosts ",
                                         allow[i].udp ? "udp" : "tcp", v6 ? "[" : "", addr, v6 ? "]" : "",
                                         allow[i].port);
        }
}

/* What the caretaker is, for vb_caretaker_describe(). */
int vb_caretaker_describe_net(struct vb_caretaker *c, const struct vb_net_allow *allow, size_t n)
{
        /* "; hosts " and per host "udp [" INET6_ADDRSTRLEN "]:65535, " */
        size_t hosts_size = 16 + n * (INET6_ADDRSTRLEN + 16);
        _cleanup_free_ char *tcp = malloc(port_list_size(n)), *udp = malloc(port_list_size(n)),
                            *hosts = malloc(hosts_size);
        char *what = NULL;

        if (!tcp || !udp || !hosts)
                return -ENOMEM;
        port_list(tcp, port_list_size(n), allow, n, false);
        port_list(udp, port_list_size(n), allow, n, true);
        host_list(hosts, hosts_size, allow, n);
        if (asprintf(&what, "network (pasta): host loopback tcp %s, udp %s%s", tcp, udp, hosts) < 0)
                return -ENOMEM;
        free(c->what);
        c->what = what;
        return 0;
}

/* Until pasta listens on every loopback port (5 s at most). */
static int await_ports(struct vb_caretaker *c, const struct vb_net_allow *allow, size_t n, int log_fd,
                       struct vb_error **err)
{
        for (int i = 0; !ports_ready(c->holder, allow, n); i++) {
                if (!vb_caretaker_alive(c))
                        return pasta_died(c, log_fd, err);
                if (i >= 250)
                        return vb_error_set(err, ETIMEDOUT, "network caretaker: pasta did not listen within 5 s");
                nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
        }
        return 0;
}

VB_API int vb_caretaker_pasta(const struct vb_net_allow *allow, size_t n, struct vb_caretaker **out,
                              struct vb_error **err)
{
        struct vb_caretaker *c = caretaker_new(VB_CARE_PASTA);
        struct holder_link link = { -1, -1 };
        struct pasta_cmd cmd = {};
        _cleanup_free_ struct vb_tap_plan *plan = NULL;
        _cleanup_close_ int log_fd = -1;
        int r;

        if (!c || vb_caretaker_describe_net(c, allow, n) < 0 || (n && !(c->allow = malloc(n * sizeof(*allow))))) {
                vb_caretaker_free(c);
                return vb_error_set(err, ENOMEM, "network caretaker");
        }
        /* With hosts, the tap's whole configuration is made here: the holder only applies it. */
        if (vb_tap_wanted(allow, n)) {
                plan = malloc(sizeof(*plan));
                r = plan ? vb_tap_plan(allow, n, plan) : -ENOMEM;
                if (r < 0) {
                        vb_caretaker_free(c);
                        return vb_error_set(err, r, "network caretaker: writing the nftables ruleset");
                }
        }
        /* One log for pasta and nft: their first line is the reason given when they fail. */
        log_fd = memfd_create("pasta-log", MFD_CLOEXEC);
        r = log_fd < 0 ? vb_error_set(err, errno, "network caretaker: log") : 0;
        if (r >= 0)
                r = start_holder(c, allow, n, log_fd, plan, &link, err);
        if (r >= 0 && (r = pasta_cmd(&cmd, c->holder, allow, n)) < 0)
                vb_error_set(err, r, "network caretaker");
        if (r >= 0) {
                r = start((int[]){ log_fd }, 1, &c->pid, &c->pidfd);
                if (r == 1)
                        exec_pasta(cmd.argv, log_fd);
                if (r < 0)
                        vb_error_set(err, r, "network caretaker: starting pasta");
        }
        pasta_cmd_done(&cmd);
        if (r >= 0 && link.go_fd >= 0)
                r = await_tap(c, &link, log_fd, err);
        if (r >= 0)
                r = await_ports(c, allow, n, log_fd, err);
        if (r >= 0 && link.go_fd >= 0) { /* the holder serves changes on these now */
                c->holder_go = TAKE_FD(link.go_fd);
                c->holder_status = TAKE_FD(link.status_fd);
        }
        if (n)
                memcpy(c->allow, allow, n * sizeof(*allow));
        c->n_allow = n;
        holder_link_done(&link);
        if (r < 0) {
                vb_caretaker_free(c);
                return r;
        }
        *out = c;
        return 0;
}

/* ---- the D-Bus caretaker: xdg-dbus-proxy --filter ------------------------------- */

/*
 * xdg-dbus-proxy's argv, built before the clone (helper.h): "--fd=N BUS SOCK
 * --filter", then one --talk=NAME per name, however many there are.  NULL
 * without memory.
 */
static char **dbus_argv(int sync_fd, const char *bus_address, const char *sock_path, char *const talk[])
{
        _cleanup_strv_free_ char **argv = NULL;
        size_t n = 0, a = 0;

        while (talk && talk[n])
                n++;
        argv = calloc(n + 6, sizeof(char *));
        if (!argv || !(argv[a++] = strdup("xdg-dbus-proxy")) || asprintf(&argv[a++], "--fd=%d", sync_fd) < 0 ||
            !(argv[a++] = strdup(bus_address)) || !(argv[a++] = strdup(sock_path)) || !(argv[a++] = strdup("--filter")))
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (asprintf(&argv[a++], "--talk=%s", talk[i]) < 0)
                        return NULL;
        return TAKE_PTR(argv);
}

VB_API int vb_caretaker_dbus(const char *sock_path, const char *bus_address, char *const talk[],
                             struct vb_caretaker **out, struct vb_error **err)
{
        struct vb_caretaker *c = caretaker_new(VB_CARE_DBUS);
        _cleanup_strv_free_ char **argv = NULL;
        int sync[2], r;
        char byte;

        if (!c || asprintf(&c->what, "D-Bus proxy %s -> %s", sock_path, bus_address) < 0 ||
            !(c->sock_path = strdup(sock_path))) {
                vb_caretaker_free(c);
                return vb_error_set(err, ENOMEM, "D-Bus caretaker");
        }
        if (pipe2(sync, O_CLOEXEC) < 0) {
                r = vb_error_set(err, errno, "D-Bus caretaker: pipe");
                vb_caretaker_free(c);
                return r;
        }
        c->ctl_fd = sync[0]; /* it writes one byte when ready and exits when this end closes */
        argv = dbus_argv(sync[1], bus_address, sock_path, talk);
        /* Its stderr stays the caller's: what it says there is for the caller's user. */
        r = argv ? start((int[]){ 2, sync[1] }, 2, &c->pid, &c->pidfd) : -ENOMEM;
        if (r == 1) {
                fcntl(sync[1], F_SETFD, 0);
                execvp(argv[0], argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        close(sync[1]);
        if (r < 0)
                vb_error_set(err, r, "D-Bus caretaker: starting xdg-dbus-proxy");
        else if (read(sync[0], &byte, 1) != 1) {
                siginfo_t si = {};

                waitid(P_PIDFD, (id_t)c->pidfd, &si, WEXITED);
                r = si.si_status == 127 ? -ENOENT : -ECHILD;
                c->pid = -1;
                r = vb_error_set(err, r, "D-Bus caretaker: xdg-dbus-proxy %s",
                                 r == -ENOENT ? "is not installed" : "did not start");
        }
        if (r < 0) {
                vb_caretaker_free(c);
                return r;
        }
        *out = c;
        return 0;
}
