/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seccomp policies written as text (doc/seccomp-policy.md), compiled with
 * libseccomp into classic BPF in the parent and installed in the child with
 * one seccomp(2) call and no allocation.  The module is four files:
 * seccomp.c parses, seccomp_bpf.c compiles, checks and installs,
 * seccomp_describe.c writes the --explain texts, seccomp_default.c holds the
 * built-in policy and its BPF compiled at build time.
 */

#ifndef VB_SECCOMP_H
#define VB_SECCOMP_H

#include <linux/filter.h>  /* struct sock_fprog */
#include <linux/seccomp.h> /* struct seccomp_data */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/*
 * libseccomp's header, not this one: voidbuilder/ is on the -iquote path
 * only (Makefile), so angle brackets skip it.
 */
#include <seccomp.h>

#include "voidbuilder.h"

/*
 * One rule of a policy:
 * `[optional] [override] [if network] SYSCALL ACTION [when COND and ... | otherwise]`.
 * A line with an `in` list is one rule per value, all with the line's number.
 */
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
        int line;       /* 1-based line in the policy text */
        int group;      /* index in vb_seccomp_policy.groups, -1 before any `group` line */
        bool otherwise; /* the calls of the syscall that match none of its conditional rules */
        bool network;   /* `if network`: only in a void with a network (VB_SECCOMP_NETWORK) */
};

/* `group NAME WHAT`: the rules that follow, up to the next group line, for --explain's summary. */
struct vb_seccomp_group {
        char *name;
        char *what; /* the rest of the line, "" when none */
        int line;
        bool overrides; /* holds `override` rules: a part added on top of another policy */
};

struct vb_seccomp_policy {
        uint32_t default_action; /* SCMP_ACT_*; SCMP_ACT_ALLOW when the text has no `default` line */
        struct vb_seccomp_rule *rules;
        size_t n_rules;
        struct vb_seccomp_group *groups;
        size_t n_groups;
};

/*
 * Flags of vb_seccomp_compile() and vb_seccomp_default_fprog().
 * VB_SECCOMP_NETWORK: the void has a network granted (net shared, proxied or
 * joined), so the `if network` rules are compiled in.
 */
#define VB_SECCOMP_NETWORK 1u

/*
 * Parse a policy.  name appears in diagnostics ("NAME:LINE: message").  Every
 * problem of the text is reported: on failure the message in *err holds one
 * "NAME:LINE: message" per bad line, joined with "\n", in line order.
 * Syscall names are resolved for the native architecture; `override` rules
 * have already replaced the rules they name, so *out holds the rules in force.
 * Returns 0 and fills *out (release with vb_seccomp_policy_done()), -EINVAL
 * for an invalid policy, -ENOMEM.  *out is written only on success.
 */
int vb_seccomp_parse(const char *text, const char *name, struct vb_seccomp_policy *out, struct vb_error **err)
        VB_NONNULL(1, 2, 3) VB_WUR;
/* Free the rules and groups of a policy and reset it to empty; accepts NULL. */
void vb_seccomp_policy_done(struct vb_seccomp_policy *p);
/*
 * The diagnostics of an invalid policy, "NAME:LINE: message" lines joined
 * with "\n" (malloc'd); NULL for a valid policy or on out-of-memory.
 */
char *vb_seccomp_diagnostics(const char *text, const char *name) VB_NONNULL(1, 2);
/* An action as a policy writes it ("allow", "errno EPERM", ...), into buf. */
void vb_seccomp_action_name(uint32_t action, char *buf, size_t size) VB_NONNULL(2);

/*
 * Parse text and build a libseccomp filter for the native architecture, with
 * libseccomp's binary-tree layout (SCMP_FLTATR_CTL_OPTIMIZE 2): any other
 * architecture (i386 `int $0x80`, x32) kills the process; libseccomp does not
 * set no_new_privs (the caller does, right before installing).  flags:
 * VB_SECCOMP_NETWORK or 0.  The program is then run through
 * vb_seccomp_check(): a policy whose `otherwise` rules libseccomp would not
 * test last is refused.  The BPF is exported into a memfd and read back into
 * *out, whose filter array is malloc'd (release with vb_seccomp_fprog_done()).
 * The last few programs are kept, by text and flags, so that compiling the
 * same policy again (a void built anew for each connection) costs a copy.
 * Returns 0, -EINVAL for an invalid policy (err lists every bad line),
 * -E2BIG when the program exceeds BPF_MAXINSNS, -ENOMEM, or another -errno
 * from libseccomp or the memfd.  *out is written only on success.
 */
int vb_seccomp_compile(const char *text, const char *name, unsigned flags, struct sock_fprog *out,
                       struct vb_error **err) VB_NONNULL(1, 2, 4) VB_WUR;
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
 * Run a seccomp program on one call, as the kernel would (classic BPF: the
 * loads, ALU, jumps and returns that libseccomp emits).  Returns 0 and the
 * program's return value (SECCOMP_RET_*) in *ret, or -EINVAL for a program
 * that reads outside seccomp_data, jumps out of itself or uses another
 * instruction.
 */
int vb_seccomp_run(const struct sock_fprog *prog, const struct seccomp_data *d, uint32_t *ret) VB_NONNULL(1, 2, 3);
/*
 * The action (SCMP_ACT_*) that policy p (parsed, compiled with flags) means
 * for the native call d: the matching conditional rule, else the syscall's
 * `otherwise` rule, else its unconditional rule, else the default action.
 * Where rules with different actions overlap, the first written wins.
 */
uint32_t vb_seccomp_expect(const struct vb_seccomp_policy *p, unsigned flags, const struct seccomp_data *d)
        VB_NONNULL(1, 3);
/*
 * Check that prog, compiled from p with flags, does what p says for every
 * syscall that has an `otherwise` rule, on the values its rules compare and
 * their neighbours.  Returns 0, or -EPROTO and the first disagreement in
 * why (a sentence naming the syscall, the arguments, and both actions).
 */
int vb_seccomp_check(const struct vb_seccomp_policy *p, unsigned flags, const struct sock_fprog *prog, char *why,
                     size_t size) VB_NONNULL(1, 3, 4);

/*
 * Every rule of a policy for `voidshim run --explain -v`, every line indented
 * by two spaces and ending in "\n": "default action: ACTION (N rules)", then
 * one line per rule, "NAME:LINE: SYSCALL -> ACTION [when argN OP VALUE and
 * ...]" (numbers from 10 up in hex; "otherwise" for an `otherwise` rule; "(if
 * network)" after an `if network` rule; an optional rule for a syscall this
 * architecture lacks reads "-> skipped, ...").  An invalid policy yields
 * "invalid policy:" and its diagnostics instead.  Returns a malloc'd string,
 * NULL on out-of-memory.
 */
char *vb_seccomp_describe(const char *text, const char *name) VB_NONNULL(1, 2);
/*
 * A summary of a policy by group, for `voidshim run --explain`, lines
 * indented by two spaces: the default action, then per group its name, what
 * it is for, how many calls it allows and which it refuses; the rules of a
 * group that overrides the ones before it (a denied server's) are listed in
 * full, as vb_seccomp_describe() writes them.  An invalid policy reads as in
 * vb_seccomp_describe().  Returns a malloc'd string, NULL on out-of-memory.
 */
char *vb_seccomp_summary(const char *text, const char *name) VB_NONNULL(1, 2);

/*
 * Copy the default policy's BPF for flags (0, or VB_SECCOMP_NETWORK),
 * compiled at build time, into *out (malloc'd; release with
 * vb_seccomp_fprog_done()).  Returns 0 or -ENOMEM.
 */
int vb_seccomp_default_fprog(unsigned flags, struct sock_fprog *out);

#endif
