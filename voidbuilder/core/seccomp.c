/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text seccomp policies (doc/seccomp-policy.md): parsed and compiled with
 * libseccomp into classic BPF in the parent, installed in the child with one
 * seccomp(2) call.  Diagnostics follow minijail's syscall_filter.c: every bad
 * line is reported as "NAME:LINE: message", not only the first.
 */
#include <asm/termbits.h> /* struct termios2, for TCSETS2 */
#include <errno.h>
#include <inttypes.h>
#include <linux/sched.h>  /* CLONE_NEWTIME on older glibc */
#include <linux/serial.h> /* struct serial_rs485, serial_iso7816 */
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>  /* TIOCSTI, TIOCLINUX */
#include <sys/mman.h>   /* memfd_create */
#include <sys/socket.h> /* AF_* */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VB_CLEANUP_SECCOMP
#include "core/cleanup.h"
#include "core/seccomp.h"

/* ---- tables ------------------------------------------------------------- */

struct sym {
        const char *name;
        uint64_t value;
};

#define SYM(x)                    \
        {                         \
#x, (uint64_t)(x) \
        }

/* errno names accepted by `errno NAME`; the first of two aliases is the one described. */
static const struct sym errno_names[] = {
        SYM(EPERM),        SYM(ENOENT),          SYM(ESRCH),        SYM(EINTR),         SYM(EIO),
        SYM(ENXIO),        SYM(E2BIG),           SYM(ENOEXEC),      SYM(EBADF),         SYM(ECHILD),
        SYM(EAGAIN),       SYM(EWOULDBLOCK),     SYM(ENOMEM),       SYM(EACCES),        SYM(EFAULT),
        SYM(EBUSY),        SYM(EEXIST),          SYM(EXDEV),        SYM(ENODEV),        SYM(ENOTDIR),
        SYM(EISDIR),       SYM(EINVAL),          SYM(ENFILE),       SYM(EMFILE),        SYM(ENOTTY),
        SYM(ETXTBSY),      SYM(EFBIG),           SYM(ENOSPC),       SYM(ESPIPE),        SYM(EROFS),
        SYM(EMLINK),       SYM(EPIPE),           SYM(EDOM),         SYM(ERANGE),        SYM(ENOSYS),
        SYM(ENOTSUP),      SYM(EOPNOTSUPP),      SYM(ENAMETOOLONG), SYM(ELOOP),         SYM(ENOTEMPTY),
        SYM(ENOTSOCK),     SYM(EPROTONOSUPPORT), SYM(EAFNOSUPPORT), SYM(EADDRNOTAVAIL), SYM(ENETUNREACH),
        SYM(ECONNREFUSED), SYM(ETIMEDOUT),       SYM(EOVERFLOW),    SYM(ENODATA),
};

/* Symbolic values for conditions: namespaces, terminal ioctls, address families, personalities. */
static const struct sym value_names[] = {
        SYM(CLONE_NEWNS),
        SYM(CLONE_NEWCGROUP),
        SYM(CLONE_NEWUTS),
        SYM(CLONE_NEWIPC),
        SYM(CLONE_NEWUSER),
        SYM(CLONE_NEWPID),
        SYM(CLONE_NEWNET),
        SYM(CLONE_NEWTIME),
        SYM(TIOCSTI),
        SYM(TIOCLINUX),
        SYM(TCSETS),
        SYM(TCSETSW),
        SYM(TCSETSF),
        SYM(TCSETA),
        SYM(TCSETAW),
        SYM(TCSETAF),
        SYM(TCSETS2),
        SYM(TCSETSW2),
        SYM(TCSETSF2),
        SYM(TIOCSWINSZ),
        SYM(TCFLSH),
        SYM(TCXONC),
        SYM(TCSBRK),
        SYM(TCSBRKP),
        SYM(TIOCSBRK),
        SYM(TIOCCBRK),
        SYM(TIOCSPGRP),
        SYM(TIOCSCTTY),
        SYM(TIOCNOTTY),
        SYM(TIOCEXCL),
        SYM(TIOCNXCL),
        SYM(TIOCSETD),
        SYM(TIOCCONS),
        SYM(TIOCMSET),
        SYM(TIOCMBIS),
        SYM(TIOCMBIC),
        SYM(TIOCSSOFTCAR),
        SYM(TIOCSSERIAL),
        SYM(TIOCSRS485),
        SYM(TIOCSISO7816),
        SYM(TIOCVHANGUP),
        SYM(TIOCSLCKTRMIOS),
        SYM(AF_UNSPEC),
        SYM(AF_UNIX),
        SYM(AF_LOCAL),
        SYM(AF_INET),
        SYM(AF_INET6),
        SYM(AF_NETLINK),
        SYM(AF_PACKET),
        SYM(AF_KEY),
        SYM(AF_APPLETALK),
        SYM(AF_AX25),
        SYM(AF_IPX),
        SYM(AF_X25),
        SYM(AF_BRIDGE),
        SYM(AF_PPPOX),
        SYM(AF_LLC),
        SYM(AF_CAN),
        SYM(AF_TIPC),
        SYM(AF_BLUETOOTH),
        SYM(AF_RDS),
        SYM(AF_ALG),
        SYM(AF_VSOCK),
        SYM(AF_XDP),
        SYM(AF_SMC),
        { "PER_LINUX", 0x0000 },
        { "PER_BSD", 0x0006 },
        { "PER_LINUX32", 0x0008 },
        { "PER_QUERY", 0xffffffff },
};

static const struct sym action_names[] = {
        { "allow", SCMP_ACT_ALLOW }, { "kill", SCMP_ACT_KILL_PROCESS }, { "kill-thread", SCMP_ACT_KILL_THREAD },
        { "log", SCMP_ACT_LOG },     { "trap", SCMP_ACT_TRAP },
        /* "errno" takes an argument and is handled apart. */
};

/* Comparison operators (a masked comparison, `& MASK ==`, is parsed apart). */
static const struct {
        const char *name;
        enum scmp_compare op;
} op_names[] = {
        { "==", SCMP_CMP_EQ }, { "!=", SCMP_CMP_NE }, { "<", SCMP_CMP_LT },
        { "<=", SCMP_CMP_LE }, { ">", SCMP_CMP_GT },  { ">=", SCMP_CMP_GE },
};

#define MAX_ERRNO_VALUE 4095 /* the kernel's MAX_ERRNO: larger values are not errors */

/* ---- diagnostics -------------------------------------------------------- */

struct diag {
        int line;
        size_t seq; /* keeps messages of one line in the order they were found */
        char *msg;
};

struct diags {
        const char *name;
        struct diag *v;
        size_t n;
        bool oom;
};

static void vdiag_add(struct diags *d, int line, const char *fmt, va_list ap) VB_PRINTF(3, 0);
static void vdiag_add(struct diags *d, int line, const char *fmt, va_list ap)
{
        struct diag *nv;
        char *msg;

        if (vasprintf(&msg, fmt, ap) < 0) {
                d->oom = true;
                return;
        }
        nv = reallocarray(d->v, d->n + 1, sizeof(*d->v));
        if (!nv) {
                free(msg);
                d->oom = true;
                return;
        }
        d->v = nv;
        d->v[d->n] = (struct diag){ .line = line, .seq = d->n, .msg = msg };
        d->n++;
}

static void diag_add(struct diags *d, int line, const char *fmt, ...) VB_PRINTF(3, 4);
static void diag_add(struct diags *d, int line, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vdiag_add(d, line, fmt, ap);
        va_end(ap);
}

static void diags_done(struct diags *d)
{
        for (size_t i = 0; i < d->n; i++)
                free(d->v[i].msg);
        free(d->v);
        d->v = NULL;
        d->n = 0;
}

static int diag_cmp(const void *a, const void *b)
{
        const struct diag *x = a, *y = b;

        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* All messages as "NAME:LINE: msg" in line order, joined with "\n"; NULL on OOM. */
static char *diags_join(struct diags *d)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        qsort(d->v, d->n, sizeof(*d->v), diag_cmp);
        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < d->n; i++)
                fprintf(f, "%s%s:%d: %s", i ? "\n" : "", d->name, d->v[i].line, d->v[i].msg);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* ---- lexer -------------------------------------------------------------- */

/* One token of a line: a word ([A-Za-z0-9_-]+) or an operator ([&=!<>]+). */
struct tok {
        const char *s;
        int n; /* 0 at the end of the line */
};

/* Print a token in a message, cut so that a runaway line cannot flood it. */
#define TOK(t) ((t).n > 64 ? 64 : (t).n), (t).s

struct lexer {
        const char *p, *end; /* the rest of the line, comment already cut off */
        struct diags *d;
        int line;
};

/* A diagnostic for the lexer's line; returns -EINVAL. */
static int diag(struct lexer *lx, const char *fmt, ...) VB_PRINTF(2, 3);
static int diag(struct lexer *lx, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vdiag_add(lx->d, lx->line, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

static bool is_word_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool is_op_char(char c)
{
        return c && strchr("&=!<>", c);
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Next token into *t (t->n == 0 at end of line).  -EINVAL, with a diagnostic, on a stray character. */
static int lex(struct lexer *lx, struct tok *t)
{
        const char *s;

        while (lx->p < lx->end && is_blank(*lx->p))
                lx->p++;
        s = lx->p;
        *t = (struct tok){ .s = s, .n = 0 };
        if (s == lx->end)
                return 0;
        if (is_word_char(*s))
                while (lx->p < lx->end && is_word_char(*lx->p))
                        lx->p++;
        else if (is_op_char(*s))
                while (lx->p < lx->end && is_op_char(*lx->p))
                        lx->p++;
        else if (*s > ' ' && *s < 0x7f)
                return diag(lx, "unexpected character '%c'", *s);
        else
                return diag(lx, "unexpected character 0x%02x", (unsigned char)*s);
        t->n = (int)(lx->p - s);
        return 0;
}

static bool tok_is(struct tok t, const char *word)
{
        return (size_t)t.n == strlen(word) && memcmp(t.s, word, (size_t)t.n) == 0;
}

static const struct sym *sym_find(const struct sym *table, size_t n, struct tok t)
{
        for (size_t i = 0; i < n; i++)
                if (tok_is(t, table[i].name))
                        return &table[i];
        return NULL;
}

/* ---- values, actions, conditions ---------------------------------------- */

/* A decimal or 0x number.  -EINVAL when t is not one, -ERANGE when it does not fit in 64 bits. */
static int parse_number(struct tok t, uint64_t *out)
{
        bool hex = t.n > 2 && t.s[0] == '0' && (t.s[1] == 'x' || t.s[1] == 'X');
        unsigned base = hex ? 16 : 10;
        uint64_t v = 0;

        if (t.n == 0)
                return -EINVAL;
        for (int i = hex ? 2 : 0; i < t.n; i++) {
                char c = t.s[i], lc = (char)(c | 0x20);
                unsigned digit = c >= '0' && c <= '9'            ? (unsigned)(c - '0')
                                 : hex && lc >= 'a' && lc <= 'f' ? (unsigned)(lc - 'a' + 10)
                                                                 : base;

                if (digit >= base)
                        return -EINVAL;
                if (v > (UINT64_MAX - digit) / base)
                        return -ERANGE;
                v = v * base + digit;
        }
        *out = v;
        return 0;
}

/* A condition value: number or symbol.  Adds a diagnostic on failure. */
static int parse_value(struct lexer *lx, struct tok t, uint64_t *out)
{
        const struct sym *s = sym_find(value_names, ELEMENTSOF(value_names), t);
        int r;

        if (s) {
                *out = s->value;
                return 0;
        }
        r = parse_number(t, out);
        if (r == -ERANGE)
                return diag(lx, "value '%.*s' does not fit in 64 bits", TOK(t));
        if (r < 0)
                return diag(lx, "unknown value '%.*s'", TOK(t));
        return 0;
}

/* Lex one more token that must be there; `after` names what it follows in the message. */
static int lex_needed(struct lexer *lx, struct tok *t, const char *what, struct tok after)
{
        int r = lex(lx, t);

        if (r < 0)
                return r;
        if (t->n == 0)
                return diag(lx, "missing %s after '%.*s'", what, TOK(after));
        return 0;
}

/* The errno after `errno` (the token kw): a name from errno_names or a number 0-4095. */
static int parse_errno(struct lexer *lx, struct tok kw, uint32_t *action)
{
        const struct sym *s;
        uint64_t v = 0;
        struct tok t;
        int r;

        r = lex_needed(lx, &t, "errno value", kw);
        if (r < 0)
                return r;
        s = sym_find(errno_names, ELEMENTSOF(errno_names), t);
        r = s ? 0 : parse_number(t, &v);
        if (s)
                v = s->value;
        else if (r == -EINVAL)
                return diag(lx, "unknown errno '%.*s'", TOK(t));
        if (r < 0 || v > MAX_ERRNO_VALUE)
                return diag(lx, "errno %.*s out of range (0 to %d)", TOK(t), MAX_ERRNO_VALUE);
        *action = SCMP_ACT_ERRNO((uint32_t)v);
        return 0;
}

/* The action after `what` (a syscall name or "default"). */
static int parse_action(struct lexer *lx, struct tok what, uint32_t *action)
{
        const struct sym *s;
        struct tok t;
        int r;

        r = lex_needed(lx, &t, "action", what);
        if (r < 0)
                return r;
        if (tok_is(t, "errno"))
                return parse_errno(lx, t, action);
        s = sym_find(action_names, ELEMENTSOF(action_names), t);
        if (!s)
                return diag(lx, "unknown action '%.*s' (expected allow, kill, kill-thread, errno, log or trap)",
                            TOK(t));
        *action = (uint32_t)s->value;
        return 0;
}

/* `argN`: N in 0-5. */
static int parse_arg(struct lexer *lx, struct tok t, unsigned *arg)
{
        if (t.n == 4 && memcmp(t.s, "arg", 3) == 0 && t.s[3] >= '0' && t.s[3] <= '5') {
                *arg = (unsigned)(t.s[3] - '0');
                return 0;
        }
        return diag(lx, "unknown argument '%.*s' (expected arg0 to arg5)", TOK(t));
}

/* `& MASK == VALUE`, the '&' already read. */
static int parse_masked(struct lexer *lx, struct tok amp, struct scmp_arg_cmp *cmp)
{
        uint64_t mask, value;
        struct tok t, op;
        int r;

        r = lex_needed(lx, &t, "mask", amp);
        if (r < 0 || (r = parse_value(lx, t, &mask)) < 0)
                return r;
        r = lex_needed(lx, &op, "operator", t);
        if (r < 0)
                return r;
        if (!tok_is(op, "=="))
                return diag(lx, "a masked comparison must use '==', not '%.*s'", TOK(op));
        r = lex_needed(lx, &t, "value", op);
        if (r < 0 || (r = parse_value(lx, t, &value)) < 0)
                return r;
        if (value & ~mask)
                return diag(lx,
                            "value %#" PRIx64 " has bits outside the mask %#" PRIx64 ", so the condition never holds",
                            value, mask);
        cmp->op = SCMP_CMP_MASKED_EQ;
        cmp->datum_a = mask;
        cmp->datum_b = value;
        return 0;
}

/* `argN [& MASK] OP VALUE`; first is the argN token. */
static int parse_cond(struct lexer *lx, struct tok first, struct scmp_arg_cmp *cmp)
{
        unsigned arg = 0;
        uint64_t value;
        struct tok op, t;
        size_t i;
        int r;

        r = parse_arg(lx, first, &arg);
        if (r < 0)
                return r;
        *cmp = (struct scmp_arg_cmp){ .arg = arg };
        r = lex_needed(lx, &op, "operator", first);
        if (r < 0)
                return r;
        if (tok_is(op, "&"))
                return parse_masked(lx, op, cmp);
        for (i = 0; i < ELEMENTSOF(op_names); i++)
                if (tok_is(op, op_names[i].name))
                        break;
        if (i == ELEMENTSOF(op_names))
                return diag(lx, "unknown operator '%.*s' (expected ==, !=, <, <=, >, >= or & MASK ==)", TOK(op));
        r = lex_needed(lx, &t, "value", op);
        if (r < 0 || (r = parse_value(lx, t, &value)) < 0)
                return r;
        cmp->op = op_names[i].op;
        cmp->datum_a = value;
        return 0;
}

/* `when COND [and COND]...`, the `when` already read; conditions end up sorted by argument. */
static int parse_conds(struct lexer *lx, struct tok when, struct vb_seccomp_rule *rule)
{
        struct tok t, joiner = when;
        int r;

        for (;;) {
                struct scmp_arg_cmp c;
                unsigned i;

                r = lex_needed(lx, &t, "condition", joiner);
                if (r < 0 || (r = parse_cond(lx, t, &c)) < 0)
                        return r;
                for (i = 0; i < rule->n_cmp; i++)
                        if (rule->cmp[i].arg == c.arg)
                                return diag(lx,
                                            "arg%u is compared twice in one rule (libseccomp allows one "
                                            "comparison per argument)",
                                            c.arg);
                /* Insert sorted, so that equal rules compare equal whatever order they were written in. */
                for (i = rule->n_cmp; i > 0 && rule->cmp[i - 1].arg > c.arg; i--)
                        rule->cmp[i] = rule->cmp[i - 1];
                rule->cmp[i] = c;
                rule->n_cmp++;

                r = lex(lx, &joiner);
                if (r < 0 || joiner.n == 0)
                        return r;
                if (!tok_is(joiner, "and"))
                        return diag(lx, "unexpected '%.*s' after a condition (expected 'and' or end of line)",
                                    TOK(joiner));
        }
}

/* ---- lines -------------------------------------------------------------- */

struct parser {
        struct vb_seccomp_policy pol;
        size_t cap;
        int default_line; /* 0: no `default` line yet */
};

/* Resolve a syscall name for the native architecture into *nr (negative for an optional, absent one). */
static int resolve_syscall(struct lexer *lx, struct tok t, bool optional, int *nr)
{
        char name[64];

        if (!is_word_char(*t.s))
                return diag(lx, "expected a syscall name, got '%.*s'", TOK(t));
        if ((size_t)t.n >= sizeof(name)) /* longer than any syscall name */
                return diag(lx, "unknown syscall '%.*s'", TOK(t));
        memcpy(name, t.s, (size_t)t.n);
        name[t.n] = '\0';
        *nr = seccomp_syscall_resolve_name(name);
        if (*nr == __NR_SCMP_ERROR)
                return diag(lx, "unknown syscall '%s'", name);
        /* libseccomp knows the name, but for another architecture only (a pseudo-number). */
        if (*nr < 0 && !optional)
                return diag(lx, "syscall '%s' does not exist on this architecture (write 'optional %s' to skip it)",
                            name, name);
        return 0;
}

/* `[optional] SYSCALL ACTION [when ...]`; t is the first token. */
static int parse_rule(struct lexer *lx, struct tok t, struct vb_seccomp_rule *rule)
{
        bool optional = false;
        struct tok name, when;
        int r;

        if (tok_is(t, "optional")) {
                optional = true;
                r = lex_needed(lx, &t, "syscall", t);
                if (r < 0)
                        return r;
                if (tok_is(t, "default"))
                        return diag(lx, "'optional' applies to a syscall, not to 'default'");
        }
        name = t;
        *rule = (struct vb_seccomp_rule){ .line = lx->line };
        r = resolve_syscall(lx, name, optional, &rule->syscall);
        if (r < 0 || (r = parse_action(lx, name, &rule->action)) < 0)
                return r;
        r = lex(lx, &when);
        if (r < 0 || when.n == 0)
                return r;
        if (!tok_is(when, "when"))
                return diag(lx, "unexpected '%.*s' after the action (expected 'when' or end of line)", TOK(when));
        return parse_conds(lx, when, rule);
}

/* `default ACTION`, the `default` token already read. */
static int parse_default(struct parser *ps, struct lexer *lx, struct tok t)
{
        uint32_t action;
        struct tok rest;
        int r;

        if (ps->default_line)
                return diag(lx, "second 'default' line (the first is line %d)", ps->default_line);
        ps->default_line = lx->line;
        r = parse_action(lx, t, &action);
        if (r < 0)
                return r;
        if ((r = lex(lx, &rest)) < 0)
                return r;
        if (rest.n)
                return diag(lx, "unexpected '%.*s' after the default action", TOK(rest));
        ps->pol.default_action = action;
        return 0;
}

static int parse_line(struct parser *ps, struct lexer *lx)
{
        struct vb_seccomp_rule rule;
        struct tok t;
        int r;

        r = lex(lx, &t);
        if (r < 0 || t.n == 0) /* a bad character, or a blank / comment line */
                return r;
        if (tok_is(t, "default"))
                return parse_default(ps, lx, t);
        r = parse_rule(lx, t, &rule);
        if (r < 0)
                return r;
        if (ps->pol.n_rules == ps->cap) {
                size_t cap = ps->cap ? ps->cap * 2 : 32;
                struct vb_seccomp_rule *nv = reallocarray(ps->pol.rules, cap, sizeof(*nv));

                if (!nv)
                        return -ENOMEM;
                ps->pol.rules = nv;
                ps->cap = cap;
        }
        ps->pol.rules[ps->pol.n_rules++] = rule;
        return 0;
}

static bool same_conds(const struct vb_seccomp_rule *a, const struct vb_seccomp_rule *b)
{
        if (a->n_cmp != b->n_cmp)
                return false;
        for (unsigned i = 0; i < a->n_cmp; i++)
                if (a->cmp[i].arg != b->cmp[i].arg || a->cmp[i].op != b->cmp[i].op ||
                    a->cmp[i].datum_a != b->cmp[i].datum_a || a->cmp[i].datum_b != b->cmp[i].datum_b)
                        return false;
        return true;
}

/* "allow", "errno EPERM", ... as written in a policy. */
static void action_str(uint32_t action, char *buf, size_t size)
{
        if ((action & 0xffff0000U) == SCMP_ACT_ERRNO(0)) {
                unsigned e = action & 0xffff;

                for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                        if (errno_names[i].value == e) {
                                snprintf(buf, size, "errno %s", errno_names[i].name);
                                return;
                        }
                snprintf(buf, size, "errno %u", e);
                return;
        }
        for (size_t i = 0; i < ELEMENTSOF(action_names); i++)
                if (action_names[i].value == action) {
                        snprintf(buf, size, "%s", action_names[i].name);
                        return;
                }
        snprintf(buf, size, "action %#x", action);
}

/*
 * Checks that need the whole file.  libseccomp refuses a rule whose action is
 * the default one (it would do nothing) and a second rule with the same
 * conditions but another action; and an unconditional rule silently replaces
 * every conditional rule of its syscall, so mixing actions there is refused too.
 */
static void check_rules(const struct vb_seccomp_policy *p, struct diags *d)
{
        char buf[48];

        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *a = &p->rules[i];

                if (a->action == p->default_action) {
                        action_str(a->action, buf, sizeof(buf));
                        diag_add(d, a->line, "the rule's action (%s) is the default action, so it would do nothing",
                                 buf);
                        continue;
                }
                for (size_t j = 0; j < i; j++) {
                        const struct vb_seccomp_rule *b = &p->rules[j];
                        const char *why = a->n_cmp == 0 || b->n_cmp == 0
                                                  ? "an unconditional rule overrides every rule for its syscall, so "
                                                    "they must all have the same action"
                                                  : "same syscall and conditions, another action";

                        if (b->syscall != a->syscall || b->action == a->action || b->action == p->default_action ||
                            (a->n_cmp && b->n_cmp && !same_conds(a, b)))
                                continue;
                        diag_add(d, a->line, "conflicts with line %d: %s", b->line, why);
                        break;
                }
        }
}

/* Parse into *out; on an invalid policy the diagnostics stay in *d and -EINVAL is returned. */
static int parse_policy(const char *text, struct diags *d, struct vb_seccomp_policy *out)
{
        struct parser ps = { .pol.default_action = SCMP_ACT_ALLOW };
        int line = 0, r = 0;

        for (const char *p = text; *p && r != -ENOMEM;) {
                const char *nl = strchrnul(p, '\n'), *hash = memchr(p, '#', (size_t)(nl - p));
                struct lexer lx;

                line++;
                lx = (struct lexer){ .p = p, .end = hash ? hash : nl, .d = d, .line = line };

                /* A bad line has its diagnostic in d; go on to collect the others. */
                r = parse_line(&ps, &lx);
                p = *nl ? nl + 1 : nl;
        }
        if (r != -ENOMEM)
                check_rules(&ps.pol, d);
        r = r == -ENOMEM || d->oom ? -ENOMEM : d->n ? -EINVAL : 0;
        if (r < 0) {
                vb_seccomp_policy_done(&ps.pol);
                return r;
        }
        *out = ps.pol;
        return 0;
}

/* Turn collected diagnostics into *err (EINVAL) and free them; returns r. */
static int diags_report(struct diags *d, struct vb_error **err, int r)
{
        _cleanup_free_ char *msg = NULL;

        if (r == -EINVAL) {
                msg = diags_join(d);
                r = msg ? vb_error_set(err, EINVAL, "%s", msg) : -ENOMEM;
        }
        if (r == -ENOMEM)
                vb_error_set(err, ENOMEM, "%s: parsing seccomp policy", d->name);
        diags_done(d);
        return r;
}

/* See seccomp.h. */
int vb_seccomp_parse(const char *text, const char *name, struct vb_seccomp_policy *out, struct vb_error **err)
{
        struct diags d = { .name = name };

        return diags_report(&d, err, parse_policy(text, &d, out));
}

/* See seccomp.h. */
void vb_seccomp_policy_done(struct vb_seccomp_policy *p)
{
        if (!p)
                return;
        free(p->rules);
        *p = (struct vb_seccomp_policy){ .default_action = SCMP_ACT_ALLOW };
}

/* ---- compiling ---------------------------------------------------------- */

/* Build the libseccomp filter; rules libseccomp refuses become diagnostics. */
static int build_filter(const struct vb_seccomp_policy *p, struct diags *d, scmp_filter_ctx *out)
{
        _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(p->default_action);
        if (!ctx)
                return -ENOMEM; /* the action was validated by the parser */
        /*
         * The filter lists native syscall numbers only.  A process can still
         * enter the kernel through another ABI (i386 `int $0x80`, x32 numbers
         * with bit 30 set), where the same numbers mean other calls: kill it.
         */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;
        /* We only export; the child sets no_new_privs itself, in its fixed order. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *rule = &p->rules[i];

                if (rule->syscall < 0) /* optional, not on this architecture */
                        continue;
                r = seccomp_rule_add_array(ctx, rule->action, rule->syscall, rule->n_cmp, rule->cmp);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        diag_add(d, rule->line, "libseccomp refused the rule: %s", strerror(-r));
        }
        if (d->oom)
                return -ENOMEM;
        if (d->n)
                return -EINVAL;
        *out = TAKE_PTR(ctx);
        return 0;
}

/* seccomp_export_bpf() into a memfd, then read the program back into malloc'd memory. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *out)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ struct sock_filter *insns = NULL;
        struct stat st;
        size_t size;
        ssize_t n;
        int r;

        fd = memfd_create("vb-seccomp-bpf", MFD_CLOEXEC);
        if (fd < 0)
                return NEG_ERRNO();
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        size = (size_t)st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return -EIO;
        if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -E2BIG;
        insns = malloc(size);
        if (!insns)
                return -ENOMEM;
        /* A memfd is a regular file: one pread() returns all of it. */
        n = pread(fd, insns, size, 0);
        if (n < 0)
                return NEG_ERRNO();
        if ((size_t)n != size)
                return -EIO;
        out->len = (unsigned short)(size / sizeof(struct sock_filter));
        out->filter = TAKE_PTR(insns);
        return 0;
}

/* See seccomp.h. */
int vb_seccomp_compile(const char *text, const char *name, struct sock_fprog *out, struct vb_error **err)
{
        _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
        struct vb_seccomp_policy pol = { 0 };
        struct diags d = { .name = name };
        int r;

        r = parse_policy(text, &d, &pol);
        if (r >= 0) {
                r = build_filter(&pol, &d, &ctx);
                vb_seccomp_policy_done(&pol);
        }
        if (d.n || r == -ENOMEM || d.oom)
                return diags_report(&d, err, r);
        diags_done(&d);
        if (r < 0)
                return vb_error_set(err, -r, "%s: building the seccomp filter", name);
        r = export_bpf(ctx, out);
        if (r < 0)
                return vb_error_set(err, -r, "%s: exporting the seccomp filter", name);
        return 0;
}

/* See seccomp.h. */
void vb_seccomp_fprog_done(struct sock_fprog *p)
{
        if (!p)
                return;
        free(p->filter);
        *p = (struct sock_fprog){ 0 };
}

/* See seccomp.h.  Async-signal-safe: one system call, no allocation. */
int vb_seccomp_install(const struct sock_fprog *p)
{
        if (!p || !p->filter || p->len == 0)
                return -EINVAL;
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, p) < 0)
                return NEG_ERRNO();
        return 0;
}

/* ---- describing --------------------------------------------------------- */

static void describe_rule(FILE *f, const char *name, const struct vb_seccomp_rule *rule)
{
        char *sys = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rule->syscall);
        char act[48];

        fprintf(f, "  %s:%d: %s", name, rule->line, sys ? sys : "?");
        free(sys);
        if (rule->syscall < 0) {
                fprintf(f, " -> skipped, not a syscall on this architecture\n");
                return;
        }
        action_str(rule->action, act, sizeof(act));
        fprintf(f, " -> %s", act);
        for (unsigned i = 0; i < rule->n_cmp; i++) {
                const struct scmp_arg_cmp *c = &rule->cmp[i];

                fprintf(f, " %s arg%u ", i ? "and" : "when", c->arg);
                if (c->op == SCMP_CMP_MASKED_EQ) {
                        fprintf(f, "& %#" PRIx64 " == %#" PRIx64, (uint64_t)c->datum_a, (uint64_t)c->datum_b);
                        continue;
                }
                for (size_t k = 0; k < ELEMENTSOF(op_names); k++)
                        if (op_names[k].op == c->op)
                                fprintf(f, "%s ", op_names[k].name);
                fprintf(f, c->datum_a < 10 ? "%" PRIu64 : "%#" PRIx64, (uint64_t)c->datum_a);
        }
        fputc('\n', f);
}

/* See seccomp.h. */
char *vb_seccomp_describe(const char *text, const char *name)
{
        struct vb_seccomp_policy pol = { 0 };
        struct diags d = { .name = name };
        char *buf = NULL, act[48];
        size_t size = 0;
        FILE *f;
        int r;

        r = parse_policy(text, &d, &pol);
        if (r == -EINVAL) {
                _cleanup_free_ char *msg = diags_join(&d);

                diags_done(&d);
                if (!msg || asprintf(&buf, "  invalid policy:\n%s\n", msg) < 0)
                        return NULL;
                return buf;
        }
        diags_done(&d);
        if (r < 0)
                return NULL;
        f = open_memstream(&buf, &size);
        if (f) {
                action_str(pol.default_action, act, sizeof(act));
                fprintf(f, "  default action: %s (%zu rules)\n", act, pol.n_rules);
                for (size_t i = 0; i < pol.n_rules; i++)
                        describe_rule(f, name, &pol.rules[i]);
        }
        vb_seccomp_policy_done(&pol);
        if (!f || fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
