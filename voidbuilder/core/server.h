/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the seccomp rules of the denied servers (for tests, doc/servers.md and the network test), and confine.c. */
#ifndef VB_SERVER_H
#define VB_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "voidbuilder.h"

extern const char vb_server_rules_net[];
extern const char vb_server_rules_unix[];
extern const char vb_server_rules_ipc[];
extern const char vb_server_rules_uts[];
extern const char vb_server_rules_fs[];
extern const char vb_server_rules_auth[];
/* The caller's terminal handed in confined (confine.c): every ioctl that changes a terminal. */
extern const char vb_server_rules_term_confined[];

struct vb_void;
/*
 * With Landlock on, a rule for each of mounts[from..to) (the ones a server
 * just added) allowing what the mount allows, unless a rule on "/" already
 * does; EXECUTE is left out once exec is denied.  0 or -errno (-E2BIG).
 */
int vb_confine_server_mounts(struct vb_void *v, size_t from, size_t to);
/*
 * Without Landlock (vb_void_landlock_fallback()): why fd, handed in, would be
 * refused (a static sentence completing "fd N is "), or NULL.
 */
const char *vb_void_fallback_refusal(const struct vb_void *v, int fd);
/* Could the void open a handed-in file again through /proc/self/fd (a procfs, or CAP_SYS_ADMIN)? */
bool vb_void_reaches_proc(const struct vb_void *v);

/*
 * Does the void have a network granted: the caller's network namespace (net
 * shared) or one it joins (net proxied: the caretaker's; --join net)?  Its
 * own fresh namespace (net fresh, with or without lo up) and net denied are
 * no network.  The seccomp policy's `if network` rules (packet sockets) hold
 * only where this is true (doc/seccomp-policy.md, "Socket families").
 */
bool vb_server_has_network(const struct vb_void *v) VB_NONNULL(1);

/* nobody and nogroup: the ids of a void whose auth server is denied (nullauth). */
#define VB_NULLAUTH_ID 65534

#endif
