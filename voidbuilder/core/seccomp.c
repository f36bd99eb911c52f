/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text seccomp policies (doc/seccomp-policy.md): the parser.  Diagnostics
 * follow minijail's syscall_filter.c: every bad line is reported as
 * "NAME:LINE: message", not only the first.  Compiling is seccomp_bpf.c's,
 * describing seccomp_describe.c's.
 */
#include <asm/termbits.h> /* struct termios2, for TCSETS2 */
#include <errno.h>
#include <inttypes.h>
#include <linux/netlink.h> /* NETLINK_ROUTE */
#include <linux/sched.h>   /* CLONE_NEWTIME on older glibc */
#include <linux/serial.h>  /* struct serial_rs485, serial_iso7816 */
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>  /* TIOCSTI, TIOCLINUX */
#include <sys/socket.h> /* AF_* */

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

/* Symbolic values for conditions: namespaces, terminal ioctls, address families, netlink, personalities. */
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
        SYM(NETLINK_ROUTE),
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

/*
 * One line's rule before its `in` list is expanded: the condition on argument
 * in_arg takes each of in_values in turn, one rule each.
 */
#define MAX_IN_VALUES 32

struct line_rule {
        struct vb_seccomp_rule rule;
        bool override;
        int in_arg; /* -1: no `in` condition */
        unsigned n_in;
        uint64_t in_values[MAX_IN_VALUES];
};

/* Add c to the rule, kept sorted by argument, so that equal rules compare equal whatever the order written. */
static int add_cond(struct lexer *lx, struct vb_seccomp_rule *rule, const struct scmp_arg_cmp *c)
{
        unsigned i;

        for (i = 0; i < rule->n_cmp; i++)
                if (rule->cmp[i].arg == c->arg)
                        return diag(lx,
                                    "arg%u is compared twice in one rule (libseccomp allows one comparison per "
                                    "argument)",
                                    c->arg);
        for (i = rule->n_cmp; i > 0 && rule->cmp[i - 1].arg > c->arg; i--)
                rule->cmp[i] = rule->cmp[i - 1];
        rule->cmp[i] = *c;
        rule->n_cmp++;
        return 0;
}

/* The values after `in` (the token in), up to `and` or the end of the line; *next gets what stopped them. */
static int parse_in_values(struct lexer *lx, struct tok in, uint64_t mask, struct line_rule *lr, struct tok *next)
{
        struct tok t;
        int r;

        if (lr->in_arg >= 0)
                return diag(lx, "a rule may have one 'in' condition only");
        for (;;) {
                uint64_t v;

                r = lex(lx, &t);
                if (r < 0)
                        return r;
                if (t.n == 0 || tok_is(t, "and"))
                        break;
                r = parse_value(lx, t, &v);
                if (r < 0)
                        return r;
                if (v & ~mask)
                        return diag(lx, "value %#" PRIx64 " has bits outside the mask %#" PRIx64, v, mask);
                for (unsigned i = 0; i < lr->n_in; i++)
                        if (lr->in_values[i] == v)
                                return diag(lx, "value %#" PRIx64 " is listed twice after 'in'", v);
                if (lr->n_in == MAX_IN_VALUES)
                        return diag(lx, "more than %d values after 'in'", MAX_IN_VALUES);
                lr->in_values[lr->n_in++] = v;
        }
        if (lr->n_in == 0)
                return diag(lx, "missing value after '%.*s'", TOK(in));
        *next = t;
        return 0;
}

/* `== VALUE` after `argN & MASK` (op is the operator token): a masked comparison. */
static int parse_masked(struct lexer *lx, struct tok op, uint64_t mask, struct scmp_arg_cmp *c)
{
        uint64_t value = 0;
        struct tok t;
        int r;

        if (!tok_is(op, "=="))
                return diag(lx, "a masked comparison must use '==' or 'in', not '%.*s'", TOK(op));
        r = lex_needed(lx, &t, "value", op);
        if (r < 0 || (r = parse_value(lx, t, &value)) < 0)
                return r;
        if (value & ~mask)
                return diag(lx,
                            "value %#" PRIx64 " has bits outside the mask %#" PRIx64 ", so the condition never holds",
                            value, mask);
        c->op = SCMP_CMP_MASKED_EQ;
        c->datum_a = mask;
        c->datum_b = value;
        return 0;
}

/* `OP VALUE` after `argN` (op is the operator token). */
static int parse_plain(struct lexer *lx, struct tok op, struct scmp_arg_cmp *c)
{
        uint64_t value = 0;
        struct tok t;
        size_t i;
        int r;

        for (i = 0; i < ELEMENTSOF(op_names); i++)
                if (tok_is(op, op_names[i].name))
                        break;
        if (i == ELEMENTSOF(op_names))
                return diag(lx, "unknown operator '%.*s' (expected ==, !=, <, <=, >, >=, in or & MASK ==)", TOK(op));
        r = lex_needed(lx, &t, "value", op);
        if (r < 0 || (r = parse_value(lx, t, &value)) < 0)
                return r;
        c->op = op_names[i].op;
        c->datum_a = value;
        return 0;
}

/*
 * `argN [& MASK] OP VALUE` or `argN [& MASK] in VALUE...`; first is the argN
 * token.  *next gets the token after the condition.
 */
static int parse_cond(struct lexer *lx, struct tok first, struct line_rule *lr, struct tok *next)
{
        struct scmp_arg_cmp c = { 0 };
        uint64_t mask = UINT64_MAX;
        struct tok op, t;
        unsigned arg = 0;
        bool masked;
        int r;

        r = parse_arg(lx, first, &arg);
        if (r < 0)
                return r;
        c.arg = arg;
        r = lex_needed(lx, &op, "operator", first);
        if (r < 0)
                return r;
        masked = tok_is(op, "&");
        if (masked) {
                r = lex_needed(lx, &t, "mask", op);
                if (r < 0 || (r = parse_value(lx, t, &mask)) < 0)
                        return r;
                r = lex_needed(lx, &op, "operator", t);
                if (r < 0)
                        return r;
        }
        if (tok_is(op, "in")) {
                c.op = masked ? SCMP_CMP_MASKED_EQ : SCMP_CMP_EQ;
                c.datum_a = masked ? mask : 0;
                r = parse_in_values(lx, op, mask, lr, next);
                lr->in_arg = (int)arg;
                return r < 0 ? r : add_cond(lx, &lr->rule, &c);
        }
        r = masked ? parse_masked(lx, op, mask, &c) : parse_plain(lx, op, &c);
        if (r < 0 || (r = add_cond(lx, &lr->rule, &c)) < 0)
                return r;
        return lex(lx, next);
}

/* `when COND [and COND]...`, the `when` already read. */
static int parse_conds(struct lexer *lx, struct tok when, struct line_rule *lr)
{
        struct tok t, joiner = when;
        int r;

        for (;;) {
                r = lex_needed(lx, &t, "condition", joiner);
                if (r < 0 || (r = parse_cond(lx, t, lr, &joiner)) < 0)
                        return r;
                if (joiner.n == 0)
                        return 0;
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
        int group;        /* the group of the rules that follow, -1 before any `group` line */
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

/* The words before a syscall: `optional`, `override`, `if network`, in any order.  *t ends on the syscall. */
static int parse_prefixes(struct lexer *lx, struct tok *t, bool *optional, struct line_rule *lr)
{
        for (;;) {
                struct tok word = *t;
                int r;

                if (tok_is(word, "optional"))
                        *optional = true;
                else if (tok_is(word, "override"))
                        lr->override = true;
                else if (tok_is(word, "if")) {
                        r = lex_needed(lx, t, "condition", word);
                        if (r < 0)
                                return r;
                        if (!tok_is(*t, "network"))
                                return diag(lx, "unknown condition 'if %.*s' (expected 'if network')", TOK(*t));
                        lr->rule.network = true;
                } else
                        break;
                r = lex_needed(lx, t, "syscall", *t);
                if (r < 0)
                        return r;
                if (tok_is(*t, "default"))
                        return diag(lx, "'%.*s' applies to a syscall, not to 'default'", TOK(word));
        }
        if (lr->override && lr->rule.network)
                return diag(lx, "an 'if network' rule cannot override another");
        return 0;
}

/* `[optional] [override] [if network] SYSCALL ACTION [when ... | otherwise]`; t is the first token. */
static int parse_rule(struct lexer *lx, struct tok t, struct line_rule *lr)
{
        bool optional = false;
        struct tok name, next;
        int r;

        *lr = (struct line_rule){ .rule = { .line = lx->line, .group = -1 }, .in_arg = -1 };
        r = parse_prefixes(lx, &t, &optional, lr);
        if (r < 0)
                return r;
        name = t;
        r = resolve_syscall(lx, name, optional, &lr->rule.syscall);
        if (r < 0 || (r = parse_action(lx, name, &lr->rule.action)) < 0)
                return r;
        r = lex(lx, &next);
        if (r < 0 || next.n == 0)
                return r;
        if (tok_is(next, "when"))
                return parse_conds(lx, next, lr);
        if (!tok_is(next, "otherwise"))
                return diag(lx, "unexpected '%.*s' after the action (expected 'when', 'otherwise' or end of line)",
                            TOK(next));
        lr->rule.otherwise = true;
        r = lex(lx, &next);
        if (r < 0 || next.n == 0)
                return r;
        return diag(lx, "unexpected '%.*s' after 'otherwise'", TOK(next));
}

/* `default ACTION`, the `default` token already read. */
static int parse_default(struct parser *ps, struct lexer *lx, struct tok t)
{
        uint32_t action = 0;
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

/* `group NAME [WHAT...]`, the `group` token already read: WHAT is free text up to the end or a comment. */
static int parse_group(struct parser *ps, struct lexer *lx, struct tok kw)
{
        struct vb_seccomp_group *nv;
        const char *what, *end = lx->end;
        struct tok name;
        int r;

        r = lex_needed(lx, &name, "group name", kw);
        if (r < 0)
                return r;
        if (!is_word_char(*name.s))
                return diag(lx, "expected a group name, got '%.*s'", TOK(name));
        for (size_t i = 0; i < ps->pol.n_groups; i++)
                if (tok_is(name, ps->pol.groups[i].name)) {
                        ps->group = (int)i; /* the same group again: its rules go on */
                        return 0;
                }
        for (what = lx->p; what < end && is_blank(*what); what++)
                ;
        while (end > what && is_blank(end[-1]))
                end--;
        nv = reallocarray(ps->pol.groups, ps->pol.n_groups + 1, sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        ps->pol.groups = nv;
        nv[ps->pol.n_groups] = (struct vb_seccomp_group){
                .name = strndup(name.s, (size_t)name.n),
                .what = strndup(what, (size_t)(end - what)),
                .line = lx->line,
        };
        if (!nv[ps->pol.n_groups].name || !nv[ps->pol.n_groups].what) {
                free(nv[ps->pol.n_groups].name);
                free(nv[ps->pol.n_groups].what);
                return -ENOMEM;
        }
        ps->group = (int)ps->pol.n_groups++;
        return 0;
}

static bool same_conds(const struct vb_seccomp_rule *a, const struct vb_seccomp_rule *b)
{
        if (a->n_cmp != b->n_cmp || a->otherwise != b->otherwise)
                return false;
        for (unsigned i = 0; i < a->n_cmp; i++)
                if (a->cmp[i].arg != b->cmp[i].arg || a->cmp[i].op != b->cmp[i].op ||
                    a->cmp[i].datum_a != b->cmp[i].datum_a || a->cmp[i].datum_b != b->cmp[i].datum_b)
                        return false;
        return true;
}

/*
 * `override`: drop the earlier rules that r replaces: those of its syscall
 * with the same conditions, or all of its syscall's when r has none.
 */
static void apply_override(struct vb_seccomp_policy *p, const struct vb_seccomp_rule *r)
{
        size_t kept = 0;

        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *e = &p->rules[i];
                bool all = r->n_cmp == 0 && !r->otherwise;

                if (e->syscall == r->syscall && (all || same_conds(e, r)))
                        continue;
                p->rules[kept++] = *e;
        }
        p->n_rules = kept;
}

static int append_rule(struct parser *ps, const struct vb_seccomp_rule *r)
{
        if (ps->pol.n_rules == ps->cap) {
                size_t cap = ps->cap ? ps->cap * 2 : 64;
                struct vb_seccomp_rule *nv = reallocarray(ps->pol.rules, cap, sizeof(*nv));

                if (!nv)
                        return -ENOMEM;
                ps->pol.rules = nv;
                ps->cap = cap;
        }
        ps->pol.rules[ps->pol.n_rules++] = *r;
        return 0;
}

/* The rules of one line: one, or one per value of its `in` list. */
static int add_line_rules(struct parser *ps, struct line_rule *lr)
{
        unsigned n = lr->in_arg >= 0 ? lr->n_in : 1;

        lr->rule.group = ps->group;
        if (lr->override && ps->group >= 0)
                ps->pol.groups[ps->group].overrides = true;
        for (unsigned k = 0; k < n; k++) {
                struct vb_seccomp_rule r = lr->rule;
                int e;

                for (unsigned i = 0; lr->in_arg >= 0 && i < r.n_cmp; i++) {
                        if (r.cmp[i].arg != (unsigned)lr->in_arg)
                                continue;
                        if (r.cmp[i].op == SCMP_CMP_MASKED_EQ)
                                r.cmp[i].datum_b = lr->in_values[k];
                        else
                                r.cmp[i].datum_a = lr->in_values[k];
                }
                if (lr->override)
                        apply_override(&ps->pol, &r);
                /* An override with the default action only takes away: the call then gets the default. */
                if (lr->override && r.action == ps->pol.default_action)
                        continue;
                e = append_rule(ps, &r);
                if (e < 0)
                        return e;
        }
        return 0;
}

static int parse_line(struct parser *ps, struct lexer *lx)
{
        struct line_rule lr;
        struct tok t;
        int r;

        r = lex(lx, &t);
        if (r < 0 || t.n == 0) /* a bad character, or a blank / comment line */
                return r;
        if (tok_is(t, "default"))
                return parse_default(ps, lx, t);
        if (tok_is(t, "group"))
                return parse_group(ps, lx, t);
        r = parse_rule(lx, t, &lr);
        return r < 0 ? r : add_line_rules(ps, &lr);
}

/* See seccomp.h. */
void vb_seccomp_action_name(uint32_t action, char *buf, size_t size)
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

/* `otherwise` rules: one per syscall, next to conditional rules and no unconditional one. */
static void check_otherwise(const struct vb_seccomp_policy *p, size_t i, struct diags *d)
{
        const struct vb_seccomp_rule *a = &p->rules[i];
        bool conditional = false;

        for (size_t j = 0; j < p->n_rules; j++) {
                const struct vb_seccomp_rule *b = &p->rules[j];

                if (j == i || b->syscall != a->syscall)
                        continue;
                if (b->otherwise && j < i) {
                        diag_add(d, a->line, "second 'otherwise' rule for this syscall (the first is line %d)",
                                 b->line);
                        return;
                }
                if (!b->otherwise && b->n_cmp == 0) {
                        diag_add(d, a->line,
                                 "conflicts with line %d: 'otherwise' applies to the calls no conditional rule "
                                 "matches, and an unconditional rule matches them all",
                                 b->line);
                        return;
                }
                conditional |= b->n_cmp > 0;
        }
        if (!conditional)
                diag_add(d, a->line, "'otherwise' needs conditional rules for the same syscall");
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
                        vb_seccomp_action_name(a->action, buf, sizeof(buf));
                        diag_add(d, a->line, "the rule's action (%s) is the default action, so it would do nothing",
                                 buf);
                        continue;
                }
                if (a->otherwise) {
                        check_otherwise(p, i, d);
                        continue;
                }
                for (size_t j = 0; j < i; j++) {
                        const struct vb_seccomp_rule *b = &p->rules[j];
                        const char *why = a->n_cmp == 0 || b->n_cmp == 0
                                                  ? "an unconditional rule overrides every rule for its syscall, so "
                                                    "they must all have the same action"
                                                  : "same syscall and conditions, another action";

                        if (b->syscall != a->syscall || b->otherwise || b->action == a->action ||
                            b->action == p->default_action || (a->n_cmp && b->n_cmp && !same_conds(a, b)))
                                continue;
                        diag_add(d, a->line, "conflicts with line %d: %s", b->line, why);
                        break;
                }
        }
}

/* Parse into *out; on an invalid policy the diagnostics stay in *d and -EINVAL is returned. */
static int parse_policy(const char *text, struct diags *d, struct vb_seccomp_policy *out)
{
        struct parser ps = { .pol.default_action = SCMP_ACT_ALLOW, .group = -1 };
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
char *vb_seccomp_diagnostics(const char *text, const char *name)
{
        struct vb_seccomp_policy pol = { 0 };
        struct diags d = { .name = name };
        char *msg = NULL;
        int r = parse_policy(text, &d, &pol);

        if (r == -EINVAL)
                msg = diags_join(&d);
        diags_done(&d);
        vb_seccomp_policy_done(&pol);
        return r == -EINVAL ? msg : NULL;
}

/* See seccomp.h. */
void vb_seccomp_policy_done(struct vb_seccomp_policy *p)
{
        if (!p)
                return;
        free(p->rules);
        for (size_t i = 0; i < p->n_groups; i++) {
                free(p->groups[i].name);
                free(p->groups[i].what);
        }
        free(p->groups);
        *p = (struct vb_seccomp_policy){ .default_action = SCMP_ACT_ALLOW };
}
