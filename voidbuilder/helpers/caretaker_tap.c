/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network caretaker's tap, for allowed remote hosts.  pasta (2023-03)
 * forwards whatever reaches its tap and has no outbound filter, so the
 * restriction lives in the namespace, where the holder (uid 0 of the user
 * namespace that owns it) has CAP_NET_ADMIN and the void, which drops every
 * capability, has none:
 *
 *   - the addresses are a /32 and a /128, so there is no on-link subnet;
 *   - the only routes are host routes to the allowed hosts, through pasta's
 *     (fixed) MAC as a permanent neighbour, and no default route, so any
 *     other destination is ENETUNREACH at connect();
 *   - an nftables output chain lets through exactly the allowed (host, port,
 *     protocol) triples, so another port of an allowed host is refused too
 *     (TCP: a reset, ECONNREFUSED; UDP and the rest: dropped, EPERM).
 *
 * Routes and addresses go through libmnl (net.c).  nftables rules are loaded
 * with nft(8) (Debian's nftables), run like pasta as a tool: the netlink
 * encoding of an nftables ruleset is large and version-bound, and nft is its
 * reference implementation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/net.h"
#include "helpers/caretaker.h"
#include "helpers/helper.h"

bool vb_tap_wanted(const struct vb_net_allow *allow, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (allow[i].family != 0)
                        return true;
        return false;
}

/* One "ip daddr . tcp dport { A . P, ... } accept" rule for the entries of one family and protocol. */
static int put_rule(char *buf, size_t len, size_t *used, const struct vb_net_allow *allow, size_t n, int family,
                    bool udp)
{
        char addr[INET6_ADDRSTRLEN];
        bool first = true;
        int r;

        for (size_t i = 0; i < n; i++) {
                if (allow[i].family != family || allow[i].udp != udp)
                        continue;
                if (!inet_ntop(family, allow[i].addr, addr, sizeof(addr)))
                        return -EINVAL;
                if (first)
                        r = snprintf(buf + *used, len - *used, "\t\t%s daddr . %s dport { ",
                                     family == AF_INET ? "ip" : "ip6", udp ? "udp" : "tcp");
                else
                        r = snprintf(buf + *used, len - *used, ", ");
                if (r < 0 || (size_t)r >= len - *used)
                        return -ENOBUFS;
                *used += (size_t)r;
                r = snprintf(buf + *used, len - *used, "%s . %u", addr, allow[i].port);
                if (r < 0 || (size_t)r >= len - *used)
                        return -ENOBUFS;
                *used += (size_t)r;
                first = false;
        }
        if (first)
                return 0;
        r = snprintf(buf + *used, len - *used, " } accept\n");
        if (r < 0 || (size_t)r >= len - *used)
                return -ENOBUFS;
        *used += (size_t)r;
        return 0;
}

static int put_text(char *buf, size_t len, size_t *used, const char *text)
{
        size_t l = strlen(text);

        if (l >= len - *used)
                return -ENOBUFS;
        memcpy(buf + *used, text, l + 1);
        *used += l;
        return 0;
}

int vb_tap_ruleset(const struct vb_net_allow *allow, size_t n, char *buf, size_t len)
{
        static const int families[] = { AF_INET, AF_INET6 };
        size_t used = 0;
        int r;

        if (len == 0)
                return -ENOBUFS;
        buf[0] = '\0';
        /* Security: the chain sees every packet the namespace sends, the void's included; only lo
         * (pasta's spliced loopback ports, the void's own lo) and the listed triples pass. */
        r = put_text(buf, len, &used,
                     "table inet voidshim {\n"
                     "\tchain out {\n"
                     "\t\ttype filter hook output priority 0; policy drop;\n"
                     "\t\toifname \"lo\" accept\n");
        for (size_t f = 0; r >= 0 && f < ELEMENTSOF(families); f++)
                for (int udp = 0; r >= 0 && udp < 2; udp++)
                        r = put_rule(buf, len, &used, allow, n, families[f], udp);
        /* A reset answers a refused SYN at once (ECONNREFUSED); the policy drops the rest, which
         * a UDP or ICMP sender sees as EPERM.  A dropped SYN would hang until the connect timeout. */
        if (r >= 0)
                r = put_text(buf, len, &used, "\t\tmeta l4proto tcp reject with tcp reset\n\t}\n}\n");
        return r < 0 ? r : (int)used;
}

/* Run `nft -f -` on the ruleset, output to log_fd.  0, -ENOENT without nft, or -EPROTO when it failed. */
static int run_nft(const char *ruleset, int log_fd)
{
        /* /usr/sbin is not on an ordinary user's PATH. */
        static char *const paths[] = { "nft", "/usr/sbin/nft", "/sbin/nft" };
        _cleanup_close_ int in = memfd_create("nft-rules", MFD_CLOEXEC), pidfd = -1;
        size_t len = strlen(ruleset);
        siginfo_t si = {};
        pid_t pid;

        if (in < 0)
                return NEG_ERRNO();
        if (write(in, ruleset, len) != (ssize_t)len || lseek(in, 0, SEEK_SET) < 0)
                return NEG_ERRNO();
        pid = vb_helper_start((int[]){ in, log_fd }, 2, &pidfd);
        if (pid < 0)
                return pid;
        if (pid == 0) {
                if (dup2(in, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
                        _exit(VB_HELPER_EXIT_SETUP);
                for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                        execvp(paths[i], (char *const[]){ paths[i], "-f", "-", NULL });
                _exit(127);
        }
        while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return NEG_ERRNO();
        if (si.si_code == CLD_EXITED && si.si_status == 0)
                return 0;
        return si.si_code == CLD_EXITED && si.si_status == 127 ? -ENOENT : -EPROTO;
}

/* pasta creates its tap when it starts: wait for it, 5 s at most. */
static unsigned wait_for_tap(void)
{
        for (int i = 0; i < 500; i++) {
                unsigned idx = if_nametoindex(VB_TAP_IFNAME);

                if (idx)
                        return idx;
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        return 0;
}

int vb_tap_plan(const struct vb_net_allow *allow, size_t n, struct vb_tap_plan *plan)
{
        unsigned m[6];
        int r;

        *plan = (struct vb_tap_plan){};
        for (size_t i = 0; i < n; i++)
                plan->v4 |= allow[i].family == AF_INET, plan->v6 |= allow[i].family == AF_INET6;
        if (inet_pton(AF_INET, VB_TAP_ADDR4, plan->addr4) != 1 || inet_pton(AF_INET, VB_TAP_GW4, plan->gw4) != 1 ||
            inet_pton(AF_INET6, VB_TAP_ADDR6, plan->addr6) != 1 || inet_pton(AF_INET6, VB_TAP_GW6, plan->gw6) != 1 ||
            sscanf(VB_TAP_MAC, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
                return -EINVAL;
        for (int i = 0; i < 6; i++)
                plan->mac[i] = (uint8_t)m[i];
        r = vb_tap_ruleset(allow, n, plan->ruleset, sizeof(plan->ruleset));
        return r < 0 ? r : 0;
}

/* A host route to each allowed host through pasta's gateway (one already there is fine). */
static int route_hosts(unsigned idx, const struct vb_tap_plan *plan, const struct vb_net_allow *allow, size_t n,
                       const char **step)
{
        int r = 0;

        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (allow[i].family == 0)
                        continue;
                *step = "routing an allowed host";
                r = vb_net_route_add(idx, allow[i].family, allow[i].addr, allow[i].family == AF_INET ? 32 : 128,
                                     allow[i].family == AF_INET ? plan->gw4 : plan->gw6);
                if (r == -EEXIST) /* the same host with another port or protocol */
                        r = 0;
        }
        return r;
}

/* Addresses and the gateway neighbour for each family in use. */
static int tap_addresses(unsigned idx, const struct vb_tap_plan *l, const char **step)
{
        int r = 0;

        if (l->v4) {
                *step = "adding the IPv4 address";
                r = vb_net_addr_add(idx, AF_INET, l->addr4, 32);
                if (r >= 0)
                        *step = "adding the IPv4 gateway", r = vb_net_neigh_add(idx, AF_INET, l->gw4, l->mac);
        }
        if (r >= 0 && l->v6) {
                *step = "adding the IPv6 address";
                r = vb_net_addr_add(idx, AF_INET6, l->addr6, 128);
                if (r >= 0)
                        *step = "adding the IPv6 gateway", r = vb_net_neigh_add(idx, AF_INET6, l->gw6, l->mac);
        }
        return r;
}

int vb_tap_configure(const struct vb_tap_plan *plan, const struct vb_net_allow *allow, size_t n, int log_fd,
                     const char **step)
{
        unsigned idx;
        int r;

        *step = "waiting for pasta's tap " VB_TAP_IFNAME;
        idx = wait_for_tap();
        if (idx == 0)
                return -ETIMEDOUT;
        /* The filter first: nothing may pass before it is in place. */
        *step = "loading the nftables ruleset (nft -f)";
        r = run_nft(plan->ruleset, log_fd);
        if (r < 0)
                return r;
        *step = "bringing the tap up";
        r = vb_net_link_up(VB_TAP_IFNAME);
        if (r >= 0)
                r = tap_addresses(idx, plan, step);
        return r < 0 ? r : route_hosts(idx, plan, allow, n, step);
}

int vb_tap_update(const struct vb_net_allow *allow, size_t n, int log_fd, const char **step)
{
        static const char replace[] = "table inet voidshim\ndelete table inet voidshim\n";
        static struct vb_tap_plan plan; /* the holder allocates nothing */
        static char ruleset[sizeof(replace) + sizeof(plan.ruleset)];
        unsigned idx = if_nametoindex(VB_TAP_IFNAME);
        int r;

        *step = "writing the nftables ruleset";
        r = vb_tap_plan(allow, n, &plan);
        if (r < 0)
                return r;
        if (idx == 0)
                return -ENODEV;
        memcpy(ruleset, replace, sizeof(replace));
        memcpy(ruleset + sizeof(replace) - 1, plan.ruleset, strlen(plan.ruleset) + 1);
        /* The new filter first, in one transaction with the removal of the old one. */
        *step = "loading the nftables ruleset (nft -f)";
        r = run_nft(ruleset, log_fd);
        return r < 0 ? r : route_hosts(idx, &plan, allow, n, step);
}

#define TAP_MAX_ALLOW 256

_Noreturn void vb_tap_serve(int go, int status, int log_fd)
{
        static struct vb_net_allow allow[TAP_MAX_ALLOW];

        for (;;) {
                struct {
                        int r;
                        char step[96];
                } st = {};
                const char *step = "";
                uint32_t n;

                if (read(go, &n, sizeof(n)) != sizeof(n) || n > TAP_MAX_ALLOW)
                        _exit(0); /* the caretaker is gone */
                if (n && read(go, allow, n * sizeof(*allow)) != (ssize_t)(n * sizeof(*allow)))
                        _exit(0);
                (void)!ftruncate(log_fd, 0);
                st.r = vb_tap_update(allow, n, log_fd, &step);
                snprintf(st.step, sizeof(st.step), "%s", step);
                if (write(status, &st, sizeof(st)) != sizeof(st))
                        _exit(0);
        }
}
