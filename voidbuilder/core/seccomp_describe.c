/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Seccomp policies for a person: every rule (--explain -v), or a summary by group (--explain). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "core/seccomp.h"

static const char *const op_text[] = {
        [SCMP_CMP_NE] = "!=", [SCMP_CMP_LT] = "<",  [SCMP_CMP_LE] = "<=",
        [SCMP_CMP_EQ] = "==", [SCMP_CMP_GE] = ">=", [SCMP_CMP_GT] = ">",
};

/* "SYSCALL -> ACTION [when ...|otherwise][ (if network)]", no indent, no newline. */
static void describe_rule_body(FILE *f, const struct vb_seccomp_rule *rule)
{
        char *sys = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rule->syscall);
        char act[48];

        fprintf(f, "%s", sys ? sys : "?");
        free(sys);
        if (rule->syscall < 0) {
                fprintf(f, " -> skipped, not a syscall on this architecture");
                return;
        }
        vb_seccomp_action_name(rule->action, act, sizeof(act));
        fprintf(f, " -> %s", act);
        if (rule->otherwise)
                fprintf(f, " otherwise");
        for (unsigned i = 0; i < rule->n_cmp; i++) {
                const struct scmp_arg_cmp *c = &rule->cmp[i];

                fprintf(f, " %s arg%u ", i ? "and" : "when", c->arg);
                if (c->op == SCMP_CMP_MASKED_EQ) {
                        fprintf(f, "& %#" PRIx64 " == %#" PRIx64, (uint64_t)c->datum_a, (uint64_t)c->datum_b);
                        continue;
                }
                if ((unsigned)c->op < sizeof(op_text) / sizeof(op_text[0]) && op_text[c->op])
                        fprintf(f, "%s ", op_text[c->op]);
                fprintf(f, c->datum_a < 10 ? "%" PRIu64 : "%#" PRIx64, (uint64_t)c->datum_a);
        }
        if (rule->network)
                fprintf(f, " (if network)");
}

static void describe_rule(FILE *f, const char *name, const struct vb_seccomp_rule *rule)
{
        fprintf(f, "  %s:%d: ", name, rule->line);
        describe_rule_body(f, rule);
        fputc('\n', f);
}

/* Parse for describing: 0 and *pol, or 1 and the "invalid policy" text in *buf, or -ENOMEM. */
static int parse_for_text(const char *text, const char *name, struct vb_seccomp_policy *pol, char **buf)
{
        _cleanup_free_ char *msg = NULL;
        int r = vb_seccomp_parse(text, name, pol, NULL);

        if (r == -EINVAL) {
                msg = vb_seccomp_diagnostics(text, name);
                if (!msg || asprintf(buf, "  invalid policy:\n%s\n", msg) < 0)
                        return -ENOMEM;
                return 1;
        }
        return r;
}

/* Close f (an open_memstream of *buf) and return *buf, or NULL (freeing it) when writing failed. */
static char *finish(FILE *f, char **buf)
{
        if (!f || fclose(f) != 0) {
                free(*buf);
                return NULL;
        }
        return *buf;
}

/* See seccomp.h. */
char *vb_seccomp_describe(const char *text, const char *name)
{
        struct vb_seccomp_policy pol = { 0 };
        char *buf = NULL, act[48];
        size_t size = 0;
        FILE *f;
        int r = parse_for_text(text, name, &pol, &buf);

        if (r != 0)
                return r > 0 ? buf : NULL;
        f = open_memstream(&buf, &size);
        if (f) {
                vb_seccomp_action_name(pol.default_action, act, sizeof(act));
                fprintf(f, "  default action: %s (%zu rules)\n", act, pol.n_rules);
                for (size_t i = 0; i < pol.n_rules; i++)
                        describe_rule(f, name, &pol.rules[i]);
        }
        vb_seccomp_policy_done(&pol);
        return finish(f, &buf);
}

/* ---- the summary ---------------------------------------------------------- */

/* Was rule i the first of its syscall in group g (so that a syscall is counted once)? */
static bool first_of_syscall(const struct vb_seccomp_policy *p, size_t i, int g)
{
        for (size_t j = 0; j < i; j++)
                if (p->rules[j].group == g && p->rules[j].syscall == p->rules[i].syscall)
                        return false;
        return true;
}

/* Does any rule of syscall nr in group g have conditions (or is `otherwise`)? */
static bool conditional(const struct vb_seccomp_policy *p, int nr, int g)
{
        for (size_t j = 0; j < p->n_rules; j++)
                if (p->rules[j].group == g && p->rules[j].syscall == nr && (p->rules[j].n_cmp || p->rules[j].otherwise))
                        return true;
        return false;
}

/*
 * One group: "NAME: WHAT", then "allow: N calls", one line per refusing action
 * with the calls it refuses, and the calls with argument rules.
 */
static void summarize_group(FILE *f, const struct vb_seccomp_policy *p, int g)
{
        uint32_t actions[16];
        size_t n_actions = 0, allowed = 0;
        bool any_cond = false;

        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *r = &p->rules[i];
                size_t k;

                if (r->group != g || r->syscall < 0 || !first_of_syscall(p, i, g))
                        continue;
                if (conditional(p, r->syscall, g)) {
                        any_cond = true;
                        continue;
                }
                if (r->action == SCMP_ACT_ALLOW) {
                        allowed++;
                        continue;
                }
                for (k = 0; k < n_actions && actions[k] != r->action; k++)
                        ;
                if (k == n_actions && n_actions < sizeof(actions) / sizeof(actions[0]))
                        actions[n_actions++] = r->action;
        }
        if (allowed)
                fprintf(f, "    allow: %zu call%s\n", allowed, allowed == 1 ? "" : "s");
        for (size_t k = 0; k < n_actions; k++) {
                char act[48];

                vb_seccomp_action_name(actions[k], act, sizeof(act));
                fprintf(f, "    %s:", act);
                for (size_t i = 0; i < p->n_rules; i++) {
                        const struct vb_seccomp_rule *r = &p->rules[i];
                        char *sys;

                        if (r->group != g || r->action != actions[k] || r->syscall < 0 || !first_of_syscall(p, i, g) ||
                            conditional(p, r->syscall, g))
                                continue;
                        sys = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->syscall);
                        fprintf(f, " %s", sys ? sys : "?");
                        free(sys);
                }
                fputc('\n', f);
        }
        if (!any_cond)
                return;
        fprintf(f, "    by argument:");
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *r = &p->rules[i];
                char *sys;

                if (r->group != g || r->syscall < 0 || !first_of_syscall(p, i, g) || !conditional(p, r->syscall, g))
                        continue;
                sys = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->syscall);
                fprintf(f, " %s", sys ? sys : "?");
                free(sys);
        }
        fprintf(f, " (-v for the rules)\n");
}

static void summarize(FILE *f, const char *name, const struct vb_seccomp_policy *p)
{
        char act[48];

        vb_seccomp_action_name(p->default_action, act, sizeof(act));
        fprintf(f, "  a call no rule names: %s (%zu rules in %zu groups)\n", act, p->n_rules, p->n_groups);
        for (int g = -1; g < (int)p->n_groups; g++) {
                bool any = false;

                for (size_t i = 0; i < p->n_rules && !any; i++)
                        any = p->rules[i].group == g;
                if (!any)
                        continue;
                if (g < 0)
                        fprintf(f, "  (no group)\n");
                else
                        fprintf(f, "  %s: %s\n", p->groups[g].name, p->groups[g].what);
                /* A group of `override` rules (a denied server's) is short and is the point: in full. */
                if (g >= 0 && p->groups[g].overrides) {
                        for (size_t i = 0; i < p->n_rules; i++)
                                if (p->rules[i].group == g) {
                                        fprintf(f, "    %s:%d: ", name, p->rules[i].line);
                                        describe_rule_body(f, &p->rules[i]);
                                        fputc('\n', f);
                                }
                        continue;
                }
                summarize_group(f, p, g);
        }
}

/* See seccomp.h. */
char *vb_seccomp_summary(const char *text, const char *name)
{
        struct vb_seccomp_policy pol = { 0 };
        char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r = parse_for_text(text, name, &pol, &buf);

        if (r != 0)
                return r > 0 ? buf : NULL;
        f = open_memstream(&buf, &size);
        if (f)
                summarize(f, name, &pol);
        vb_seccomp_policy_done(&pol);
        return finish(f, &buf);
}
