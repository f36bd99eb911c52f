/*
 * Unit tests for `voidshim learn`'s reasoning (shim/learn/): paths folded and resolved with the
 * symlinks on the way, and a log of what a program did turned into a spec that grants exactly that,
 * read back by the spec parser.  tests/integration/test-learn.sh runs real programs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "learn/learn.h"
#include "voidbuilder/cleanup.h"
#include "voidbuilder/spec.h"

static char tmp[] = "/tmp/vs-test-learn.XXXXXX";

static int setup(void **state)
{
        char p[512];

        if (!mkdtemp(tmp))
                return -1;
        /* $tmp/real/{file,other}, $tmp/link -> real, $tmp/abs -> $tmp/real/file, $tmp/w/, $tmp/l/, $tmp/s/ */
        snprintf(p, sizeof(p),
                 "mkdir -p %1$s/real %1$s/w %1$s/l %1$s/s && echo x > %1$s/real/file && "
                 "echo y > %1$s/real/other && ln -s real %1$s/link && ln -s %1$s/real/file %1$s/abs",
                 tmp);
        return system(p) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
        char p[512];

        snprintf(p, sizeof(p), "rm -rf %s", tmp);
        return system(p) == 0 ? 0 : -1;
}

static void test_abs_path(void **state)
{
        static const char *const cases[][3] = {
                { "/a/b", "c", "/a/b/c" },       { "/a/b", "../c", "/a/c" },
                { "/a", "/x//y/./z", "/x/y/z" }, { "/", "..", "/" },
                { "/a/b", "../../..", "/" },     { "/a", "", "/a" },
                { "/a/b/", "./c/", "/a/b/c" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *got = learn_abs_path(cases[i][0], cases[i][1]);

                if (strcmp(got, cases[i][2]) != 0)
                        fail_msg("%s + %s: got %s, expected %s", cases[i][0], cases[i][1], got, cases[i][2]);
        }
        assert_true(learn_path_under("/a/b", "/a"));
        assert_true(learn_path_under("/a", "/a"));
        assert_false(learn_path_under("/ab", "/a"));
        assert_true(learn_path_under("/x", "/"));
}

static void test_resolve(void **state)
{
        _cleanup_free_ char *via_rel = NULL, *via_abs = NULL, *in = NULL, *want = NULL, *abs_in = NULL;
        struct learn_link *links = NULL;
        size_t n = 0;

        assert_true(asprintf(&in, "%s/link/file", tmp) > 0);
        assert_true(asprintf(&abs_in, "%s/abs", tmp) > 0);
        assert_true(asprintf(&want, "%s/real/file", tmp) > 0);
        assert_int_equal(learn_resolve(in, &via_rel, &links, &n), 0);
        assert_string_equal(via_rel, want);
        assert_int_equal(n, 1);
        assert_string_equal(links[0].target, "real");
        assert_int_equal(learn_resolve(abs_in, &via_abs, &links, &n), 0);
        assert_string_equal(via_abs, want);
        assert_int_equal(n, 2);
        assert_string_equal(links[1].target, want);
        learn_links_free(links, n);
}

static void logp(struct learn_log *log, const char *rel, unsigned seen)
{
        _cleanup_free_ char *p = NULL;
        struct stat st;

        assert_true(asprintf(&p, "%s%s",
                             rel[0] == '/' && strncmp(rel, "/proc", 5) && strncmp(rel, "/dev", 4) ? tmp : "", rel) > 0);
        assert_int_equal(learn_log_path(log, p, seen, lstat(p, &st) == 0 ? &st : NULL), 0);
}

/* A log of what a program did, as a spec: each kind of use its grant, the word generalised, and valid. */
static void test_spec(void **state)
{
        struct learn_log log = { .lock = PTHREAD_MUTEX_INITIALIZER };
        _cleanup_free_ char *text = NULL, *word = NULL, *made = NULL;
        const char *rw[] = { tmp, NULL };
        char *words[] = { "file", NULL }, *paths[1];
        struct learn_summary sum;
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;
        const struct vb_spec_void *v;

        logp(&log, "/link/file", SEEN_READ);  /* a word: through a symlink */
        logp(&log, "/real/other", SEEN_READ); /* read: ro-bind */
        logp(&log, "/w", SEEN_CHANGE);        /* entries made: bind */
        logp(&log, "/l", SEEN_LIST);          /* listed: ro-bind of the directory */
        logp(&log, "/s", SEEN_STAT);          /* looked at: an empty dir */
        logp(&log, "/nothere", SEEN_READ);    /* not there: nothing */
        logp(&log, "/proc/self/status", SEEN_READ);
        logp(&log, "/dev/null", SEEN_WRITE);
        assert_int_equal(learn_log_conn(&log, AF_INET, false, "127.0.0.1", 8080), 0);
        assert_int_equal(learn_log_conn(&log, AF_INET, true, "192.0.2.1", 53), 0);
        assert_true(asprintf(&word, "%s/link/file", tmp) > 0);
        paths[0] = word;
        struct learn_input in = { .log = &log,
                                  .cwd = tmp,
                                  .program = "/bin/true",
                                  .words = words,
                                  .word_paths = paths,
                                  .n_words = 1,
                                  .name = "t",
                                  .rw = rw,
                                  .command = "t file" };
        assert_int_equal(learn_spec(&in, &text, &sum), 0);
        assert_int_equal(vb_spec_parse(text, strlen(text), "learned.json", "/", &s, &d), 0);
        if (d.n)
                fail_msg("%s\n%s", d.items[0].text, text);
        assert_int_equal(vb_spec_validate(s, NULL, NULL, &d), 0);
        v = &s->entries[0].v;
        assert_true(v->proc && v->dev && v->chdir_caller);
        /* The symlink on the way to the word's file is the word's own business: only other/, w, l, s remain. */
        assert_int_equal(v->n_mounts, 5);
        assert_true(v->mounts[0].kind == VB_SMNT_BIND && !(v->mounts[0].flags & VB_MOUNT_RW)); /* /l */
        assert_true(strstr(v->mounts[1].src, "/real/other") != NULL);
        assert_int_equal(v->mounts[2].kind, VB_SMNT_DIR);                                     /* /s */
        assert_true(v->mounts[3].kind == VB_SMNT_BIND && (v->mounts[3].flags & VB_MOUNT_RW)); /* /w */
        assert_int_equal(v->mounts[4].kind, VB_SMNT_CMDLINE);
        assert_int_equal(v->mounts[4].cmdline, 0);
        assert_int_equal(s->care.n_allow, 2);
        assert_string_equal(s->care.allow_text[0], "8080");
        assert_string_equal(s->care.allow_text[1], "udp:192.0.2.1:53");
        assert_int_equal(sum.words, 1);
        assert_int_equal(sum.conns, 2);
        assert_null(strstr(text, "nothere"));
        vb_spec_free(s);
        vb_spec_diags_done(&d);
        learn_log_done(&log);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_abs_path),
                cmocka_unit_test(test_resolve),
                cmocka_unit_test(test_spec),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
