/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network setup inside a void over rtnetlink (libmnl); no ip(8) is ever executed. */
#ifndef VB_NET_H
#define VB_NET_H

/*
 * Bring the loopback interface "lo" up in the calling process's network
 * namespace (RTM_NEWLINK with IFF_UP, acknowledged).  Needs CAP_NET_ADMIN
 * over the namespace.  Returns 0, or -errno: the kernel's error from the
 * ack (-EPERM without CAP_NET_ADMIN, -ENODEV without "lo"), or the error of
 * the netlink socket calls.
 */
int vb_net_loopback_up(void) __attribute__((warn_unused_result));

/*
 * Read the IFF_* flags of the link named ifname in the calling process's
 * network namespace (RTM_GETLINK) into *flags; *flags is written only on
 * success.  Returns 0, -EINVAL for an empty name or one of IFNAMSIZ bytes or
 * more, -ENODEV when there is no such link, or another -errno.
 */
int vb_net_link_flags(const char *ifname, unsigned *flags) __attribute__((nonnull(1, 2), warn_unused_result));

#endif
