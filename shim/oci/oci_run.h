/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to shim/oci: create's options, shared by `create` and `run`; small file helpers. */
#ifndef SHIM_OCI_RUN_H
#define SHIM_OCI_RUN_H

#include "oci/oci.h"

struct oci_create_opts {
        const char *id;
        const char *bundle; /* "." by default */
        const char *pid_file, *console_socket;
        int preserve_fds;
};

/* Read create's (and run's) options and the id.  0, or OCI_EXIT_FAIL after saying why. */
int oci_create_args(int argc, char **argv, struct oci_create_opts *o);
/* Create the container; with keep, its held void's handle is handed back instead of released. */
int oci_create(const struct oci_create_opts *o, struct vb_proc **keep);
/* Open the gate of a created container and mark it started; runs startContainer and poststart hooks. */
int oci_start(struct oci_ctr *c);

/* The container's config as it was created (ROOT/ID/config.json). */
int oci_ctr_config(const struct oci_ctr *c, struct vb_oci **out, struct vb_error **err);

#endif
