/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp as a seccomp policy (doc/seccomp-policy.md), so that an OCI
 * filter is compiled, explained and installed like every other void's.  The
 * translation keeps libseccomp's meaning where the policy language is
 * stricter: a rule whose action is the default is left out (it does
 * nothing); an unconditional rule is the only one its syscall keeps (in
 * libseccomp it replaces the others); several comparisons of one argument
 * become one rule each (runc's reading: any of them); a syscall libseccomp
 * does not know is left out, with a note.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci_json.h"
#include "voidbuilder/cleanup.h"

struct rule {
        char *name;
        char *action; /* policy words: "allow", "errno 1", ... */
        char *cond;   /* "arg0 == 0x1 and arg1 & 0xff == 0x2", or NULL */
};

struct rules {
        struct rule *v;
        size_t n;
};

static void rules_done(struct rules *r)
{
        for (size_t i = 0; i < r->n; i++) {
                free(r->v[i].name);
                free(r->v[i].action);
                free(r->v[i].cond);
        }
        free(r->v);
}

/* The policy's words for an OCI action; errno_ret is the rule's errnoRet (or the default's). */
static int action_words(struct oci_rd *rd, const char *path, const char *act, uint64_t errno_ret, char **out)
{
        static const struct {
                const char *oci, *words;
        } plain[] = {
                { "SCMP_ACT_ALLOW", "allow" },
                { "SCMP_ACT_KILL", "kill-thread" },
                { "SCMP_ACT_KILL_THREAD", "kill-thread" },
                { "SCMP_ACT_KILL_PROCESS", "kill" },
                { "SCMP_ACT_TRAP", "trap" },
                { "SCMP_ACT_LOG", "log" },
        };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(plain); i++)
                if (strcmp(act, plain[i].oci) == 0)
                        return (*out = strdup(plain[i].words)) ? 0 : -ENOMEM;
        if (strcmp(act, "SCMP_ACT_ERRNO") == 0)
                return asprintf(out, "errno %llu", (unsigned long long)errno_ret) < 0 ? -ENOMEM : 0;
        if (strcmp(act, "SCMP_ACT_TRACE") == 0) {
                /* No tracer ever attaches to a void: the kernel would answer ENOSYS. */
                r = oci_note(rd, path, "SCMP_ACT_TRACE: no tracer in a void, the call fails with ENOSYS");
                return r < 0 ? r : asprintf(out, "errno %d", ENOSYS) < 0 ? -ENOMEM : 0;
        }
        if (strcmp(act, "SCMP_ACT_NOTIFY") == 0)
                return oci_bad(rd, path, "SCMP_ACT_NOTIFY is not supported (no listenerPath)");
        return oci_bad(rd, path, "unknown action \"%s\"", act);
}

static const char *op_words(const char *op)
{
        static const char *const ops[][2] = {
                { "SCMP_CMP_NE", "!=" }, { "SCMP_CMP_LT", "<" },  { "SCMP_CMP_LE", "<=" },
                { "SCMP_CMP_EQ", "==" }, { "SCMP_CMP_GE", ">=" }, { "SCMP_CMP_GT", ">" },
        };

        for (size_t i = 0; i < ELEMENTSOF(ops); i++)
                if (strcmp(op, ops[i][0]) == 0)
                        return ops[i][1];
        return NULL;
}

/* One comparison as policy text; 0 with *never set for a masked one that can never hold. */
static int arg_words(struct oci_rd *rd, json_t *a, const char *path, char **out, int *index, bool *never)
{
        _cleanup_free_ char *op = NULL;
        uint64_t idx = 0, value = 0, two = 0;
        const char *w;
        int r;

        if (!json_is_object(a))
                return oci_bad(rd, path, "must be an object {index, value, valueTwo, op}");
        if ((r = oci_uint(rd, a, "index", path, 5, &idx, NULL)) < 0 ||
            (r = oci_uint(rd, a, "value", path, UINT64_MAX, &value, NULL)) < 0 ||
            (r = oci_uint(rd, a, "valueTwo", path, UINT64_MAX, &two, NULL)) < 0 ||
            (r = oci_str(rd, a, "op", path, true, &op)) < 0)
                return r;
        *index = (int)idx;
        *never = false;
        if (strcmp(op, "SCMP_CMP_MASKED_EQ") == 0) {
                /* value is the mask, valueTwo the datum: bits outside the mask make it never true. */
                *never = (two & ~value) != 0;
                return asprintf(out, "arg%d & 0x%llx == 0x%llx", *index, (unsigned long long)value,
                                (unsigned long long)two) < 0
                               ? -ENOMEM
                               : 0;
        }
        w = op_words(op);
        if (!w)
                return oci_bad(rd, path, "unknown op \"%s\"", op);
        return asprintf(out, "arg%d %s 0x%llx", *index, w, (unsigned long long)value) < 0 ? -ENOMEM : 0;
}

static int push(struct rules *rs, const char *name, const char *action, const char *cond)
{
        struct rule *n = reallocarray(rs->v, rs->n + 1, sizeof(*n));

        if (!n)
                return -ENOMEM;
        rs->v = n;
        n[rs->n] = (struct rule){ strdup(name), strdup(action), cond ? strdup(cond) : NULL };
        if (!n[rs->n].name || !n[rs->n].action || (cond && !n[rs->n].cond)) {
                free(n[rs->n].name);
                free(n[rs->n].action);
                free(n[rs->n].cond);
                return -ENOMEM;
        }
        rs->n++;
        return 0;
}

/* The conditions of one OCI rule: all in one (distinct arguments) or one each (runc's reading). */
static int rule_conds(struct oci_rd *rd, json_t *args, const char *path, char ***out)
{
        _cleanup_strv_free_ char **words = calloc(json_array_size(args) + 2, sizeof(char *));
        char p[600];
        json_t *a;
        size_t i, n = 0;
        unsigned seen = 0;
        bool dup = false, any_never = false;
        int r;

        if (!words)
                return -ENOMEM;
        json_array_foreach(args, i, a)
        {
                int idx = 0;
                bool never = false;

                r = arg_words(rd, a, oci_path_i(p, sizeof(p), path, i), &words[n], &idx, &never);
                if (r < 0)
                        return r;
                dup |= (seen >> idx) & 1;
                seen |= 1U << idx;
                if (never) { /* cannot match: as a separate rule it is left out, joined it voids them all */
                        any_never = true;
                        free(words[n]);
                        words[n] = NULL;
                        continue;
                }
                n++;
        }
        if (!dup && any_never) { /* one rule whose conditions cannot all hold: none */
                vb_strv_free(words);
                words = calloc(1, sizeof(char *));
                if (!words)
                        return -ENOMEM;
        } else if (!dup && n > 1) { /* one rule: every condition must hold */
                size_t len = 1;
                char *all;

                for (i = 0; i < n; i++)
                        len += strlen(words[i]) + 5;
                all = calloc(1, len);
                if (!all)
                        return -ENOMEM;
                for (i = 0; i < n; i++)
                        strcat(strcat(all, i ? " and " : ""), words[i]);
                vb_strv_free(words);
                words = calloc(2, sizeof(char *));
                if (!words) {
                        free(all);
                        return -ENOMEM;
                }
                words[0] = all;
        }
        *out = TAKE_PTR(words);
        return 0;
}

static int read_rule(struct oci_rd *rd, json_t *j, const char *path, const char *dflt, uint64_t dflt_errno,
                     struct rules *rs)
{
        _cleanup_free_ char *act = NULL, *words = NULL;
        _cleanup_strv_free_ char **names = NULL, **conds = NULL;
        char p[600];
        uint64_t errno_ret = dflt_errno;
        json_t *args;
        int r;

        if (!json_is_object(j))
                return oci_bad(rd, path, "must be an object {names, action, args}");
        if ((r = oci_strv(rd, j, "names", path, false, &names)) < 0 ||
            (r = oci_str(rd, j, "action", path, true, &act)) < 0 ||
            (r = oci_uint(rd, j, "errnoRet", path, 4095, &errno_ret, NULL)) < 0 ||
            (r = oci_arr(rd, j, "args", path, &args)) < 0)
                return r;
        if (!names && json_object_get(j, "name")) /* the runtime-spec 1.0.0-rc form */
                if ((r = oci_strv(rd, j, "name", path, false, &names)) < 0)
                        return r;
        if ((r = action_words(rd, oci_path(p, sizeof(p), path, "action"), act, errno_ret, &words)) < 0)
                return r;
        if (strcmp(words, dflt) == 0 || !names) /* it would do nothing */
                return 0;
        if (args && json_array_size(args) &&
            (r = rule_conds(rd, args, oci_path(p, sizeof(p), path, "args"), &conds)) < 0)
                return r;
        if (args && json_array_size(args) && !conds[0]) /* every comparison was one that never holds */
                return 0;
        for (size_t i = 0; names[i]; i++) {
                if (!conds) {
                        if ((r = push(rs, names[i], words, NULL)) < 0)
                                return r;
                        continue;
                }
                for (size_t k = 0; conds[k]; k++)
                        if ((r = push(rs, names[i], words, conds[k])) < 0)
                                return r;
        }
        return 0;
}

/* Does name (index i) have an unconditional rule, or an earlier rule with the same condition? */
static bool shadowed(const struct rules *rs, size_t i)
{
        for (size_t k = 0; k < rs->n; k++) {
                if (k == i || strcmp(rs->v[k].name, rs->v[i].name) != 0)
                        continue;
                if (!rs->v[k].cond && (rs->v[i].cond || k < i)) /* the unconditional one wins; the first of them */
                        return true;
                if (k < i && rs->v[i].cond && rs->v[k].cond && strcmp(rs->v[k].cond, rs->v[i].cond) == 0)
                        return true;
        }
        return false;
}

static int emit(struct oci_rd *rd, const char *path, const char *dflt, const struct rules *rs, char **policy)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        int r = 0;

        if (!f)
                return -ENOMEM;
        fprintf(f, "# translated from an OCI config's linux.seccomp\ndefault %s\n", dflt);
        for (size_t i = 0; i < rs->n && r >= 0; i++) {
                int nr = seccomp_syscall_resolve_name(rs->v[i].name);

                if (nr == __NR_SCMP_ERROR) {
                        bool first = true;

                        for (size_t k = 0; k < i; k++)
                                first &= strcmp(rs->v[k].name, rs->v[i].name) != 0;
                        if (first)
                                r = oci_note(rd, path, "syscall %s: unknown to libseccomp, left out", rs->v[i].name);
                        continue;
                }
                if (shadowed(rs, i))
                        continue;
                fprintf(f, "%s%s %s%s%s\n", nr < 0 ? "optional " : "", rs->v[i].name, rs->v[i].action,
                        rs->v[i].cond ? " when " : "", rs->v[i].cond ? rs->v[i].cond : "");
        }
        if (fclose(f) != 0 || r < 0) {
                free(buf);
                return r < 0 ? r : -ENOMEM;
        }
        *policy = buf;
        return 0;
}

static int notes_for_flags(struct oci_rd *rd, json_t *j, const char *path)
{
        json_t *arches = json_object_get(j, "architectures"), *flags = json_object_get(j, "flags");
        int r = 0;

        if (json_array_size(arches) > 1)
                r = oci_note(rd, path,
                             "architectures: only this machine's native system calls are filtered; "
                             "a call through another ABI (i386 int 0x80, x32) kills the process");
        if (r >= 0 && json_array_size(flags))
                r = oci_note(rd, path, "flags: ignored (the filter is installed without flags)");
        return r;
}

int oci_seccomp_translate(struct oci_rd *rd, json_t *j, const char *path, char **policy)
{
        _cleanup_free_ char *dact = NULL, *dflt = NULL;
        struct rules rs = {};
        uint64_t derrno = EPERM;
        char p[600];
        json_t *list, *e;
        size_t i;
        int r;

        if (!json_is_object(j))
                return oci_bad(rd, path, "must be an object");
        if ((r = oci_str(rd, j, "defaultAction", path, true, &dact)) < 0 ||
            (r = oci_uint(rd, j, "defaultErrnoRet", path, 4095, &derrno, NULL)) < 0 ||
            (r = oci_arr(rd, j, "syscalls", path, &list)) < 0)
                return r;
        if ((r = action_words(rd, oci_path(p, sizeof(p), path, "defaultAction"), dact, derrno, &dflt)) < 0)
                return r;
        if ((r = notes_for_flags(rd, j, path)) < 0)
                goto out;
        oci_path(p, sizeof(p), path, "syscalls");
        json_array_foreach(list, i, e)
        {
                char q[700];

                r = read_rule(rd, e, oci_path_i(q, sizeof(q), p, i), dflt, EPERM, &rs);
                if (r < 0)
                        goto out;
        }
        r = emit(rd, path, dflt, &rs, policy);
out:
        rules_done(&rs);
        if (r == -ENOMEM && rd->err && !*rd->err)
                vb_error_set(rd->err, ENOMEM, "%s", rd->file);
        return r;
}

int vb_oci_seccomp_policy(const char *json, char **policy, char ***notes, struct vb_error **err)
{
        char **scratch = NULL;
        struct oci_rd rd = { .file = "seccomp", .err = err, .notes = notes ? notes : &scratch };
        json_error_t jerr;
        json_t *j = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
        int r;

        if (!j)
                return vb_error_set(err, EINVAL, "seccomp:%d:%d: %s", jerr.line, jerr.column, jerr.text);
        r = oci_seccomp_translate(&rd, j, "", policy);
        json_decref(j);
        vb_strv_free(scratch);
        return r;
}
