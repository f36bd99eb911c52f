/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network setup inside a void over rtnetlink (libmnl); no ip(8) is ever executed. */
#ifndef VB_NET_H
#define VB_NET_H

#include <stdint.h>

/*
 * Bring the loopback interface "lo" up in the calling process's network
 * namespace (RTM_NEWLINK with IFF_UP, acknowledged).  Needs CAP_NET_ADMIN
 * over the namespace.  Returns 0, or -errno: the kernel's error from the
 * ack (-EPERM without CAP_NET_ADMIN, -ENODEV without "lo"), or the error of
 * the netlink socket calls.
 */
int vb_net_loopback_up(void) __attribute__((warn_unused_result));

/* The same for the link named ifname; -EINVAL for an empty or too long name. */
int vb_net_link_up(const char *ifname) __attribute__((nonnull(1), warn_unused_result));

/*
 * Add addr/prefixlen (family AF_INET or AF_INET6, addr 4 or 16 bytes in
 * network order) to link ifindex; IPv6 without duplicate address detection.
 * Returns 0, -EINVAL for a bad family, prefix or index, -EEXIST when the
 * address is there, or the kernel's -errno (-EPERM without CAP_NET_ADMIN).
 */
int vb_net_addr_add(unsigned ifindex, int family, const void *addr, unsigned prefixlen)
        __attribute__((nonnull(3), warn_unused_result));

/* A permanent neighbour entry: addr (as above) is at link-layer address mac on ifindex.  0 or -errno. */
int vb_net_neigh_add(unsigned ifindex, int family, const void *addr, const uint8_t mac[6])
        __attribute__((nonnull(3, 4), warn_unused_result));

/*
 * A route to dst/dst_len out of ifindex in the main table: through gateway
 * (flagged on-link, so no route to the gateway itself is needed) or, when
 * gateway is NULL, straight on the link.  dst_len 0 is a default route.
 * Returns 0, -EINVAL, -EEXIST, or the kernel's -errno.
 */
int vb_net_route_add(unsigned ifindex, int family, const void *dst, unsigned dst_len, const void *gateway)
        __attribute__((nonnull(3), warn_unused_result));

/*
 * Read the IFF_* flags of the link named ifname in the calling process's
 * network namespace (RTM_GETLINK) into *flags; *flags is written only on
 * success.  Returns 0, -EINVAL for an empty name or one of IFNAMSIZ bytes or
 * more, -ENODEV when there is no such link, or another -errno.
 */
int vb_net_link_flags(const char *ifname, unsigned *flags) __attribute__((nonnull(1, 2), warn_unused_result));

#endif
