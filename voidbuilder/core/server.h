/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the seccomp rules of the denied servers, for tests and doc/servers.md, and the network test. */
#ifndef VB_SERVER_H
#define VB_SERVER_H

#include <stdbool.h>

#include "voidbuilder.h"

extern const char vb_server_rules_net[];
extern const char vb_server_rules_unix[];
extern const char vb_server_rules_ipc[];
extern const char vb_server_rules_uts[];
extern const char vb_server_rules_fs[];
extern const char vb_server_rules_auth[];

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
