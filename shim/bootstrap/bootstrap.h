/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim bootstrap DIR: a Debian tree made by mmdebstrap in a void that reaches only the mirror. */
#ifndef SHIM_BOOTSTRAP_H
#define SHIM_BOOTSTRAP_H

int cmd_bootstrap(int argc, char **argv);

#endif
