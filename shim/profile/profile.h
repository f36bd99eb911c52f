/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where profiles come from (voidshim(1), PROFILES): the user's
 * ~/.config/voidshim/profiles, the build tree's specs/profiles when voidshim
 * runs from one, then PREFIX/share/voidshim/profiles.  Shared by run
 * (--profile) and the spec commands ("profiles").
 */
#ifndef SHIM_PROFILE_H
#define SHIM_PROFILE_H

#include <stddef.h>

#include "voidbuilder/spec.h"

/*
 * vb_spec_profile_fn for libvoidspec: the first NAME.json in the profile
 * directories, or the file NAME itself when it has a slash.  userdata unused.
 */
int shim_profile_find(void *userdata, const char *name, char **text, size_t *len, char **file, char **basedir);

/* The directories searched, ", "-separated, for messages (malloc'd, NULL on OOM). */
char *shim_profile_dirs(void);

/*
 * Load profile name for `voidshim run --profile`: 0 and *out, or -errno with
 * *why (malloc'd, one line: "there is no profile 'x' in DIRS", or the first
 * problem in its file and how many more).
 */
int shim_profile_load(const char *name, struct vb_spec_profile **out, char **why);

#endif
