/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Seccomp policies to BPF: libseccomp builds the program (binary-tree layout),
 * a small classic-BPF interpreter checks what libseccomp cannot promise (the
 * `otherwise` rules), and one seccomp(2) call installs it in the child.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h> /* memfd_create */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VB_CLEANUP_SECCOMP
#include "core/cleanup.h"
#include "core/seccomp.h"

/* ---- building ----------------------------------------------------------- */

/*
 * libseccomp has no action for "the calls of this syscall that match none of
 * its rules".  An `otherwise` rule becomes two rules on bit 0 of arg0, which
 * together match every call: libseccomp's decision tree tests a syscall's
 * comparisons from the highest argument down and, on one argument, the
 * larger values first, so these come last.  libseccomp does not promise that
 * order, so vb_seccomp_compile() checks the program it exports.
 */
static int add_otherwise(scmp_filter_ctx ctx, const struct vb_seccomp_rule *rule)
{
        for (unsigned bit = 0; bit <= 1; bit++) {
                struct scmp_arg_cmp c = { .arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = 1, .datum_b = 1 - bit };
                int r = seccomp_rule_add_array(ctx, rule->action, rule->syscall, 1, &c);

                if (r < 0)
                        return r;
        }
        return 0;
}

static bool compiled_in(const struct vb_seccomp_rule *rule, unsigned flags)
{
        /* negative: optional, not on this architecture */
        return rule->syscall >= 0 && (!rule->network || (flags & VB_SECCOMP_NETWORK));
}

/* Report a rule libseccomp refused as "NAME:LINE: ...", one line each. */
static void refused(FILE *msgs, const char *name, const struct vb_seccomp_rule *rule, int r)
{
        fprintf(msgs, "%s%s:%d: libseccomp refused the rule: %s", ftell(msgs) ? "\n" : "", name, rule->line,
                strerror(-r));
}

/* Build the libseccomp filter; rules libseccomp refuses are written to msgs (then -EINVAL). */
static int build_filter(const struct vb_seccomp_policy *p, unsigned flags, const char *name, FILE *msgs,
                        scmp_filter_ctx *out)
{
        _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
        bool bad = false;
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
        /* We only export; the child sets no_new_privs itself, in its fixed order. */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        /* A binary search on the syscall number instead of a list (libseccomp >= 2.5). */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *rule = &p->rules[i];

                if (!compiled_in(rule, flags) || rule->otherwise)
                        continue;
                r = seccomp_rule_add_array(ctx, rule->action, rule->syscall, rule->n_cmp, rule->cmp);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        refused(msgs, name, rule, r);
                        bad = true;
                }
        }
        /* After every other rule, so that they are inserted first (see add_otherwise()). */
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *rule = &p->rules[i];

                if (!compiled_in(rule, flags) || !rule->otherwise)
                        continue;
                r = add_otherwise(ctx, rule);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        refused(msgs, name, rule, r);
                        bad = true;
                }
        }
        if (bad)
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

/* Build, export and check; messages of a policy libseccomp cannot compile go to msgs (then -EINVAL). */
static int compile_policy(const struct vb_seccomp_policy *pol, const char *name, unsigned flags, FILE *msgs,
                          struct sock_fprog *out)
{
        _cleanup_seccomp_ scmp_filter_ctx ctx = NULL;
        struct sock_fprog prog = { 0 };
        char why[512];
        int r;

        r = build_filter(pol, flags, name, msgs, &ctx);
        if (r >= 0)
                r = export_bpf(ctx, &prog);
        if (r < 0)
                return r;
        r = vb_seccomp_check(pol, flags, &prog, why, sizeof(why));
        if (r < 0) {
                vb_seccomp_fprog_done(&prog);
                fprintf(msgs, "%s:%s", name, why);
                return -EINVAL;
        }
        *out = prog;
        return 0;
}

/* ---- the cache ------------------------------------------------------------ */

/*
 * The programs compiled last, by text and flags: a supervisor that builds the
 * same void for every connection (a spec's entrypoint with a denied server,
 * or its own policy file) compiles its policy once, not every time (an allow
 * list takes libseccomp some 5 ms).  Process-wide, behind a mutex.
 */
#define CACHE_SLOTS 8

static struct cached {
        char *text; /* NULL: an empty slot */
        unsigned flags;
        struct sock_fprog prog;
        unsigned long used; /* a tick of the last use, for eviction */
} cache[CACHE_SLOTS];
static unsigned long cache_tick;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int copy_prog(const struct sock_fprog *from, struct sock_fprog *to)
{
        struct sock_filter *f = malloc(from->len * sizeof(*f));

        if (!f)
                return -ENOMEM;
        memcpy(f, from->filter, from->len * sizeof(*f));
        to->len = from->len;
        to->filter = f;
        return 0;
}

/* 1 and a copy in *out when text was compiled with flags before; 0 when not; -ENOMEM. */
static int cache_get(const char *text, unsigned flags, struct sock_fprog *out)
{
        int r = 0;

        pthread_mutex_lock(&cache_lock);
        for (size_t i = 0; i < CACHE_SLOTS && r == 0; i++)
                if (cache[i].text && cache[i].flags == flags && strcmp(cache[i].text, text) == 0) {
                        cache[i].used = ++cache_tick;
                        r = copy_prog(&cache[i].prog, out);
                        r = r < 0 ? r : 1;
                }
        pthread_mutex_unlock(&cache_lock);
        return r;
}

/* Keep a copy of prog for text and flags, in place of the slot used longest ago.  Best effort. */
static void cache_put(const char *text, unsigned flags, const struct sock_fprog *prog)
{
        struct sock_fprog copy;
        char *t = strdup(text);
        size_t old = 0;

        if (!t || copy_prog(prog, &copy) < 0) {
                free(t);
                return;
        }
        pthread_mutex_lock(&cache_lock);
        for (size_t i = 1; i < CACHE_SLOTS; i++)
                if (cache[i].used < cache[old].used)
                        old = i;
        free(cache[old].text);
        free(cache[old].prog.filter);
        cache[old] = (struct cached){ .text = t, .flags = flags, .prog = copy, .used = ++cache_tick };
        pthread_mutex_unlock(&cache_lock);
}

/* See seccomp.h. */
int vb_seccomp_compile(const char *text, const char *name, unsigned flags, struct sock_fprog *out,
                       struct vb_error **err)
{
        struct vb_seccomp_policy pol = { 0 };
        _cleanup_free_ char *msg = NULL;
        size_t size = 0;
        FILE *msgs;
        int r;

        r = cache_get(text, flags, out);
        if (r != 0)
                return r > 0 ? 0 : vb_error_set(err, -r, "%s: compiling the seccomp filter", name);
        r = vb_seccomp_parse(text, name, &pol, err);
        if (r < 0)
                return r;
        msgs = open_memstream(&msg, &size);
        if (!msgs) {
                vb_seccomp_policy_done(&pol);
                return vb_error_set(err, ENOMEM, "%s: compiling the seccomp filter", name);
        }
        r = compile_policy(&pol, name, flags, msgs, out);
        vb_seccomp_policy_done(&pol);
        if (fclose(msgs) != 0 && r >= 0)
                r = -ENOMEM;
        if (r == -EINVAL && msg && *msg)
                return vb_error_set(err, EINVAL, "%s", msg);
        if (r < 0)
                return vb_error_set(err, -r, "%s: building the seccomp filter", name);
        cache_put(text, flags, out);
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

/* ---- running a program ---------------------------------------------------- */

/* The 32-bit word of seccomp_data at offset k, as BPF_LD|BPF_W|BPF_ABS reads it. */
static int load_word(const struct seccomp_data *d, uint32_t k, uint32_t *a)
{
        if (k % 4 != 0 || k > sizeof(*d) - 4)
                return -EINVAL;
        memcpy(a, (const char *)d + k, sizeof(*a));
        return 0;
}

static int alu(uint16_t code, uint32_t *a, uint32_t operand)
{
        switch (BPF_OP(code)) {
        case BPF_AND:
                *a &= operand;
                return 0;
        case BPF_OR:
                *a |= operand;
                return 0;
        case BPF_ADD:
                *a += operand;
                return 0;
        case BPF_SUB:
                *a -= operand;
                return 0;
        case BPF_NEG:
                *a = -*a;
                return 0;
        default:
                return -EINVAL;
        }
}

/* The next pc after jump instruction i at pc, or -EINVAL. */
static int jump(const struct sock_filter *i, uint32_t a, uint32_t x, unsigned pc)
{
        uint32_t operand = BPF_SRC(i->code) == BPF_X ? x : i->k;
        bool taken;

        switch (BPF_OP(i->code)) {
        case BPF_JA:
                return (int)(pc + 1 + i->k);
        case BPF_JEQ:
                taken = a == operand;
                break;
        case BPF_JGT:
                taken = a > operand;
                break;
        case BPF_JGE:
                taken = a >= operand;
                break;
        case BPF_JSET:
                taken = (a & operand) != 0;
                break;
        default:
                return -EINVAL;
        }
        return (int)(pc + 1 + (taken ? i->jt : i->jf));
}

/* See seccomp.h. */
int vb_seccomp_run(const struct sock_fprog *prog, const struct seccomp_data *d, uint32_t *ret)
{
        uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
        long pc = 0;

        /* Classic BPF jumps only forward: at most len instructions run. */
        while (pc >= 0 && pc < prog->len) {
                const struct sock_filter *i = &prog->filter[pc];
                int r = 0;

                switch (BPF_CLASS(i->code)) {
                case BPF_LD:
                        if (i->code == (BPF_LD | BPF_W | BPF_ABS))
                                r = load_word(d, i->k, &a);
                        else if (i->code == (BPF_LD | BPF_IMM))
                                a = i->k;
                        else if (i->code == (BPF_LD | BPF_MEM) && i->k < BPF_MEMWORDS)
                                a = mem[i->k];
                        else
                                r = -EINVAL;
                        break;
                case BPF_LDX:
                        if (i->code == (BPF_LDX | BPF_IMM))
                                x = i->k;
                        else if (i->code == (BPF_LDX | BPF_MEM) && i->k < BPF_MEMWORDS)
                                x = mem[i->k];
                        else
                                r = -EINVAL;
                        break;
                case BPF_ST:
                case BPF_STX:
                        if (i->k >= BPF_MEMWORDS)
                                return -EINVAL;
                        mem[i->k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
                        break;
                case BPF_ALU:
                        r = alu(i->code, &a, BPF_SRC(i->code) == BPF_X ? x : i->k);
                        break;
                case BPF_JMP:
                        r = jump(i, a, x, (unsigned)pc);
                        if (r >= 0) {
                                pc = r;
                                continue;
                        }
                        break;
                case BPF_RET:
                        *ret = BPF_RVAL(i->code) == BPF_A ? a : i->k;
                        return 0;
                case BPF_MISC:
                        if (BPF_MISCOP(i->code) == BPF_TAX)
                                x = a;
                        else
                                a = x;
                        break;
                default:
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
                pc++;
        }
        return -EINVAL; /* ran off the end, or jumped out */
}

/* ---- what a policy means -------------------------------------------------- */

static bool cmp_holds(const struct scmp_arg_cmp *c, uint64_t v)
{
        switch (c->op) {
        case SCMP_CMP_NE:
                return v != c->datum_a;
        case SCMP_CMP_LT:
                return v < c->datum_a;
        case SCMP_CMP_LE:
                return v <= c->datum_a;
        case SCMP_CMP_EQ:
                return v == c->datum_a;
        case SCMP_CMP_GE:
                return v >= c->datum_a;
        case SCMP_CMP_GT:
                return v > c->datum_a;
        case SCMP_CMP_MASKED_EQ:
                return (v & c->datum_a) == c->datum_b;
        case _SCMP_CMP_MIN:
        case _SCMP_CMP_MAX:
        default:
                return false;
        }
}

/* See seccomp.h. */
uint32_t vb_seccomp_expect(const struct vb_seccomp_policy *p, unsigned flags, const struct seccomp_data *d)
{
        const struct vb_seccomp_rule *otherwise = NULL, *all = NULL;

        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *r = &p->rules[i];
                bool match = true;

                if (r->syscall != d->nr || !compiled_in(r, flags))
                        continue;
                if (r->otherwise || r->n_cmp == 0) {
                        if (r->otherwise)
                                otherwise = r;
                        else
                                all = r;
                        continue;
                }
                for (unsigned k = 0; k < r->n_cmp && match; k++)
                        match = cmp_holds(&r->cmp[k], d->args[r->cmp[k].arg]);
                if (match)
                        return r->action;
        }
        return otherwise ? otherwise->action : all ? all->action : p->default_action;
}

/* ---- checking a program against its policy -------------------------------- */

#define MAX_CANDIDATES 256

struct candidates {
        uint64_t v[MAX_CANDIDATES];
        size_t n;
};

static void candidate(struct candidates *c, uint64_t v)
{
        for (size_t i = 0; i < c->n; i++)
                if (c->v[i] == v)
                        return;
        if (c->n < MAX_CANDIDATES)
                c->v[c->n++] = v;
}

/* The value a comparison is about: the one it tests for equality, or the bound. */
static uint64_t cmp_value(const struct scmp_arg_cmp *c)
{
        return c->op == SCMP_CMP_MASKED_EQ ? c->datum_b : c->datum_a;
}

/* Values worth trying for argument arg of syscall nr: each compared value, its neighbours, single bits. */
static void collect(const struct vb_seccomp_policy *p, unsigned flags, int nr, unsigned arg, struct candidates *c)
{
        static const uint64_t fixed[] = { 0, 1, UINT32_MAX, UINT64_MAX, UINT64_C(1) << 32 };

        for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
                candidate(c, fixed[i]);
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *r = &p->rules[i];

                for (unsigned k = 0; r->syscall == nr && compiled_in(r, flags) && k < r->n_cmp; k++) {
                        uint64_t v = cmp_value(&r->cmp[k]);

                        if (r->cmp[k].arg != arg)
                                continue;
                        candidate(c, v);
                        candidate(c, v + 1);
                        candidate(c, v - 1);
                        candidate(c, v ^ 1);
                        candidate(c, v ^ (UINT64_C(1) << 31));
                        candidate(c, v | UINT64_C(0xffffffff00000000));
                        candidate(c, v ^ (UINT64_C(1) << 32));
                }
        }
        for (unsigned b = 0; b < 64; b++)
                candidate(c, UINT64_C(1) << b);
}

/* The call of nr with args a through prog and through p; false (and why) when they disagree. */
static bool agrees(const struct vb_seccomp_policy *p, unsigned flags, const struct sock_fprog *prog, int nr,
                   const uint64_t a[6], char *why, size_t size)
{
        struct seccomp_data d = { .nr = nr, .arch = (uint32_t)seccomp_arch_native() };
        char want[48], got[48];
        uint32_t ret = 0, expected;

        memcpy(d.args, a, sizeof(d.args));
        expected = vb_seccomp_expect(p, flags, &d);
        if (vb_seccomp_run(prog, &d, &ret) == 0 && ret == expected)
                return true;
        vb_seccomp_action_name(expected, want, sizeof(want));
        vb_seccomp_action_name(ret, got, sizeof(got));
        snprintf(why, size,
                 "%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", ...) gets %s from the program libseccomp made, not %s",
                 a[0], a[1], a[2], got, want);
        return false;
}

/* Try every candidate of every compared argument, the other arguments set as rule `tmpl` compares them. */
static bool check_from(const struct vb_seccomp_policy *p, unsigned flags, const struct sock_fprog *prog, int nr,
                       const struct vb_seccomp_rule *tmpl, char *why, size_t size)
{
        for (unsigned arg = 0; arg < 6; arg++) {
                struct candidates c = { .n = 0 };

                collect(p, flags, nr, arg, &c);
                for (size_t i = 0; i < c.n; i++) {
                        uint64_t a[6] = { 0 };

                        for (unsigned k = 0; tmpl && k < tmpl->n_cmp; k++)
                                a[tmpl->cmp[k].arg] = cmp_value(&tmpl->cmp[k]);
                        a[arg] = c.v[i];
                        if (!agrees(p, flags, prog, nr, a, why, size))
                                return false;
                }
        }
        return true;
}

/* Every syscall with an `otherwise` rule, from each of its rules' values. */
int vb_seccomp_check(const struct vb_seccomp_policy *p, unsigned flags, const struct sock_fprog *prog, char *why,
                     size_t size)
{
        for (size_t i = 0; i < p->n_rules; i++) {
                const struct vb_seccomp_rule *o = &p->rules[i];
                char detail[400], *sys;
                bool ok;

                if (!o->otherwise || !compiled_in(o, flags))
                        continue;
                ok = check_from(p, flags, prog, o->syscall, NULL, detail, sizeof(detail));
                for (size_t j = 0; ok && j < p->n_rules; j++)
                        if (p->rules[j].syscall == o->syscall && compiled_in(&p->rules[j], flags))
                                ok = check_from(p, flags, prog, o->syscall, &p->rules[j], detail, sizeof(detail));
                if (ok)
                        continue;
                sys = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, o->syscall);
                snprintf(why, size, "%d: libseccomp does not test this 'otherwise' rule last: %s(%s", o->line,
                         sys ? sys : "?", detail);
                free(sys);
                return -EPROTO;
        }
        return 0;
}
