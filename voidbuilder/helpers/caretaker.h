/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the caretaker handle, and the pieces the forwarder and the exec'd caretakers share. */
#ifndef VB_CARETAKER_H
#define VB_CARETAKER_H

#include <stdbool.h>
#include <stdint.h>
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
        char *sock_path;              /* the socket the caretaker listens on (unlinked on free), or NULL */
        int holder_go, holder_status; /* network caretaker with a tap: the holder's channel for changes */
        struct vb_net_allow *allow;   /* network caretaker: what it lets through now */
        size_t n_allow;
        char *what;     /* "forwarder /run/x.sock -> tcp:127.0.0.1:80" */
        char line[512]; /* vb_caretaker_describe() */
};

/* An upstream endpoint, parsed: "tcp:HOST:PORT" or "unix:/PATH". */
struct vb_upstream {
        struct sockaddr_storage addr;
        socklen_t len;
};
int vb_upstream_parse(const char *text, struct vb_upstream *out);

/* The forwarder's loop (child side, allocating nothing: helper.h): never returns. */
_Noreturn void vb_forward_main(int listen_fd, int ctl_fd, const struct vb_upstream *up);

/*
 * The network caretaker's tap (caretaker_tap.c), when hosts are allowed: its
 * name, the namespace's addresses on it and pasta's (the gateway), from
 * 169.254.0.0/16 and a ULA prefix of our own, and pasta's MAC (pasta -M),
 * entered as a permanent neighbour so neither ARP nor NDP is needed.
 */
#define VB_TAP_IFNAME "vbtap0"
#define VB_TAP_ADDR4  "169.254.91.2"
#define VB_TAP_GW4    "169.254.91.1"
#define VB_TAP_ADDR6  "fdb0:1d5b::2"
#define VB_TAP_GW6    "fdb0:1d5b::1"
#define VB_TAP_MAC    "02:00:5b:00:00:01"

/* Does the list hold a remote host (family != 0)?  Only then is the tap configured. */
bool vb_tap_wanted(const struct vb_net_allow *allow, size_t n);

/*
 * The nftables ruleset (nft -f syntax) that lets out of the namespace only
 * lo and the allowed (host, port) pairs, into buf.  Returns its length, or
 * -ENOBUFS when it does not fit.  Pure: unit-tested without namespaces.
 */
int vb_tap_ruleset(const struct vb_net_allow *allow, size_t n, char *buf, size_t len);

/*
 * Everything the holder needs to configure the tap, made by the caller
 * before the holder starts, so that the holder allocates nothing (helper.h).
 */
struct vb_tap_plan {
        bool v4, v6; /* families of the allowed hosts */
        uint8_t addr4[4], gw4[4], addr6[16], gw6[16], mac[6];
        char ruleset[8192]; /* vb_tap_ruleset() */
};

/* Fill plan for the list.  0, or -ENOBUFS when the ruleset does not fit. */
int vb_tap_plan(const struct vb_net_allow *allow, size_t n, struct vb_tap_plan *plan);

/*
 * In the namespace holder, once pasta runs: wait (5 s at most) for pasta's
 * tap, bring it up, give it the plan's addresses, enter the gateway as a
 * neighbour, route each allowed host through it, and load the plan's ruleset
 * with nft(8), whose output goes to log_fd.  Allocates nothing.  Returns 0 or
 * -errno; *step names what failed.
 */
int vb_tap_configure(const struct vb_tap_plan *plan, const struct vb_net_allow *allow, size_t n, int log_fd,
                     const char **step);
/*
 * In the holder, after vb_tap_configure(): replace the ruleset with one for
 * allow (one nft transaction: nothing passes that neither list allows) and
 * route every host of it (routes to hosts no longer allowed stay: the filter
 * refuses them).  Allocates nothing.  0, or -errno with *step.
 */
int vb_tap_update(const struct vb_net_allow *allow, size_t n, int log_fd, const char **step);
/* The holder's loop: read (uint32 n, n entries) from go, vb_tap_update(), answer st on status; never returns. */
_Noreturn void vb_tap_serve(int go, int status, int log_fd);
/* "network (pasta): host loopback tcp ..., hosts ..." into c->what, for allow. */
int vb_caretaker_describe_net(struct vb_caretaker *c, const struct vb_net_allow *allow, size_t n);

#endif
