/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default seccomp filter, compiled to BPF at build time (tools/gen-default-bpf.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp.h"
#include "void.h"
#include "default-bpf.inc"

int vb_seccomp_default_fprog(struct sock_fprog *out)
{
        struct sock_filter *copy = malloc(sizeof(vb_default_bpf));

        if (!copy)
                return -ENOMEM;
        memcpy(copy, vb_default_bpf, sizeof(vb_default_bpf));
        out->len = (unsigned short)(sizeof(vb_default_bpf) / sizeof(vb_default_bpf[0]));
        out->filter = copy;
        return 0;
}
