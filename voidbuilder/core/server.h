/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the seccomp rules of the denied servers, for tests and doc/servers.md. */
#ifndef VB_SERVER_H
#define VB_SERVER_H

#include "voidbuilder.h"

extern const char vb_server_rules_net[];
extern const char vb_server_rules_unix[];
extern const char vb_server_rules_ipc[];
extern const char vb_server_rules_uts[];
extern const char vb_server_rules_fs[];
extern const char vb_server_rules_auth[];

/* nobody and nogroup: the ids of a void whose auth server is denied (nullauth). */
#define VB_NULLAUTH_ID 65534

#endif
