/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seccomp policies written as text (doc/seccomp-policy.md), compiled with
 * libseccomp into classic BPF in the parent and installed in the child with
 * one seccomp(2) call and no allocation.
 */

#ifndef VB_SECCOMP_H
#define VB_SECCOMP_H

#include <linux/filter.h> /* struct sock_fprog */
#include <stddef.h>
#include <stdint.h>
/*
 * libseccomp's header, not this one: voidbuilder/ is on the -iquote path
 * only (Makefile), so angle brackets skip it.
 */
#include <seccomp.h>

#include "voidbuilder.h"

/* One rule of a policy: `SYSCALL ACTION [when COND and COND ...]`. */
struct vb_seccomp_rule {
        /*
         * Native syscall number.  Negative (a libseccomp pseudo-number) only for
         * an `optional` rule naming a syscall this architecture lacks: such a
         * rule is kept so that it can be described, and compile skips it.
         */
        int syscall;
        uint32_t action; /* SCMP_ACT_* */
        unsigned n_cmp;  /* conditions, all must hold; each on a different argument */
        struct scmp_arg_cmp cmp[6];
        int line; /* 1-based line in the policy text */
};

struct vb_seccomp_policy {
        uint32_t default_action; /* SCMP_ACT_*; SCMP_ACT_ALLOW when the text has no `default` line */
        struct vb_seccomp_rule *rules;
        size_t n_rules;
};

/*
 * Parse a policy.  name appears in diagnostics ("NAME:LINE: message").  Every
 * problem of the text is reported: on failure the message in *err holds one
 * "NAME:LINE: message" per bad line, joined with "\n", in line order.
 * Syscall names are resolved for the native architecture.
 * Returns 0 and fills *out (release with vb_seccomp_policy_done()), -EINVAL
 * for an invalid policy, -ENOMEM.  *out is written only on success.
 */
int vb_seccomp_parse(const char *text, const char *name, struct vb_seccomp_policy *out, struct vb_error **err)
        VB_NONNULL(1, 2, 3) VB_WUR;
/* Free the rules of a policy and reset it to empty; accepts NULL. */
void vb_seccomp_policy_done(struct vb_seccomp_policy *p);

/*
 * Parse text and build a libseccomp filter for the native architecture: any
 * other architecture (i386 `int $0x80`, x32) kills the process; libseccomp
 * does not set no_new_privs (the caller does, right before installing).
 * The BPF is exported into a memfd and read back into *out, whose filter
 * array is malloc'd (release with vb_seccomp_fprog_done()).
 * Returns 0, -EINVAL for an invalid policy (err lists every bad line),
 * -E2BIG when the program exceeds BPF_MAXINSNS, -ENOMEM, or another -errno
 * from libseccomp or the memfd.  *out is written only on success.
 */
int vb_seccomp_compile(const char *text, const char *name, struct sock_fprog *out, struct vb_error **err)
        VB_NONNULL(1, 2, 3) VB_WUR;
/* Free the instructions of a compiled filter and zero it; accepts NULL. */
void vb_seccomp_fprog_done(struct sock_fprog *p);

/*
 * Install a compiled filter on the calling thread with seccomp(2)
 * (SECCOMP_SET_MODE_FILTER, no flags).  Meant for the child after clone3():
 * it makes exactly one system call and never allocates.  Without
 * CAP_SYS_ADMIN the caller must have set PR_SET_NO_NEW_PRIVS first.
 * Returns 0, -EINVAL for an empty program, or -errno from seccomp(2)
 * (-EACCES: no_new_privs missing; -EFAULT, -ENOMEM).
 */
int vb_seccomp_install(const struct sock_fprog *p);

/*
 * A human summary of a policy for `voidshim run --explain`, every line
 * indented by two spaces and ending in "\n": "default action: ACTION (N
 * rules)", then one line per rule, "NAME:LINE: SYSCALL -> ACTION [when
 * argN OP VALUE and ...]" (numbers from 10 up in hex; an optional rule
 * for a syscall this architecture lacks reads "-> skipped, ...").  An invalid
 * policy yields "invalid policy:" and its diagnostics instead.  Returns a
 * malloc'd string, NULL on out-of-memory.
 */
char *vb_seccomp_describe(const char *text, const char *name) VB_NONNULL(1, 2);

/*
 * Copy the default policy's BPF, compiled at build time, into *out (malloc'd;
 * release with vb_seccomp_fprog_done()).  Returns 0 or -ENOMEM.
 */
int vb_seccomp_default_fprog(struct sock_fprog *out);

#endif
