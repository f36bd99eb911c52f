/*
 * Unit tests for the spec parser and validator (voidbuilder/spec*.c) and the
 * shim's pure helpers around it: no root, no voids.
 *
 * Table-driven: every tests/fixtures/specs/invalid/NAME.json must yield
 * exactly the diagnostics in NAME.expected, and every valid/NAME.json none.
 * Host paths "exist" unless they contain "missing" (a mocked access()).
 * VOIDSHIM_UPDATE_EXPECTED=1 rewrites the .expected files from what is found.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec/exec.h"
#include "spec/spec_pos.h"

#define FIXTURES "tests/fixtures/specs"

static int mock_access(void *userdata, const char *path, int mode)
{
        return strstr(path, "missing") ? -ENOENT : 0;
}

static char *slurp(const char *path, size_t *len)
{
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t cap = 0;

        if (!f)
                return NULL;
        *len = 0;
        for (;;) {
                buf = realloc(buf, cap += 4096);
                size_t n = fread(buf + *len, 1, cap - *len - 1, f);

                *len += n;
                if (n == 0)
                        break;
        }
        buf[*len] = '\0';
        fclose(f);
        return buf;
}

/* Parse and validate text named `name`; all diagnostics, one per line, in *out. */
static int check_text(const char *text, size_t len, const char *name, char **out)
{
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;
        size_t olen = 0;
        FILE *f = open_memstream(out, &olen);
        int r = vb_spec_parse(text, len, name, "/specs", &s, &d);

        if (s)
                assert_true(vb_spec_validate(s, mock_access, NULL, &d) >= 0);
        vb_spec_diags_sort(&d);
        for (size_t i = 0; i < d.n; i++)
                fprintf(f, "%s\n", d.items[i].text);
        fclose(f);
        vb_spec_diags_done(&d);
        vb_spec_free(s);
        return r;
}

static void run_dir(const char *dir, bool valid)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int count = 0, failures = 0;

        assert_non_null(d);
        while ((de = readdir(d))) {
                char path[512], expected_path[512], *text, *got = NULL, *want;
                size_t len, n = strlen(de->d_name), wl;

                if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                snprintf(expected_path, sizeof(expected_path), "%s/%.*s.expected", dir, (int)(n - 5), de->d_name);
                text = slurp(path, &len);
                assert_non_null(text);
                check_text(text, len, de->d_name, &got);
                count++;
                if (valid) {
                        if (*got)
                                print_error("valid spec %s has diagnostics:\n%s", de->d_name, got), failures++;
                } else if (getenv("VOIDSHIM_UPDATE_EXPECTED")) {
                        FILE *f = fopen(expected_path, "we");

                        fputs(got, f);
                        fclose(f);
                } else {
                        want = slurp(expected_path, &wl);
                        if (!want || strcmp(want, got) != 0 || !*got)
                                print_error("%s:\n  expected:\n%s  got:\n%s", de->d_name,
                                            want ? want : "(no .expected)\n", got),
                                        failures++;
                        free(want);
                }
                free(text);
                free(got);
        }
        closedir(d);
        if (!valid)
                assert_true(count >= 30); /* the issue asks for at least 30 */
        assert_int_equal(failures, 0);
}

static void test_invalid_fixtures(void **state)
{
        run_dir(FIXTURES "/invalid", false);
}

static void test_valid_fixtures(void **state)
{
        run_dir(FIXTURES "/valid", true);
}

static struct vb_spec *parse_ok(const char *text)
{
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;

        assert_int_equal(vb_spec_parse(text, strlen(text), "t.json", "/specs", &s, &d), 0);
        assert_non_null(s);
        assert_int_equal(vb_spec_validate(s, mock_access, NULL, &d), 0);
        if (d.n)
                print_error("%s\n", d.items[0].text);
        assert_int_equal(d.n, 0);
        vb_spec_diags_done(&d);
        return s;
}

static void test_fd_numbers(void **state)
{
        static const char text[] =
                "{\"voidshim\":1,\"program\":\"bin/app\",\"sockets\":{\"s\":{\"fds\":3}},"
                "\"entrypoints\":{"
                "\"a\":{\"args\":[{\"socket\":\"s\",\"end\":\"tx\"},\"trailing\",{\"cmdline\":1,\"name\":\"in\"}]},"
                "\"b\":{\"trigger\":{\"socket\":\"s\"},\"args\":[{\"file\":\"x\",\"name\":\"f\"},\"trigger\","
                "{\"file\":\"/y\",\"name\":\"g\",\"mode\":\"append\"}]}}}";
        struct vb_spec *s = parse_ok(text);
        const struct vb_spec_entry *a = vb_spec_find_entry(s, "a"), *b = vb_spec_find_entry(s, "b");
        char *fds;

        assert_string_equal(a->program, "/specs/bin/app"); /* relative to the spec's directory */
        assert_int_equal(a->args[0].fd, 3);
        assert_int_equal(a->args[1].fd, -1);
        assert_int_equal(a->args[2].fd, 4);
        assert_int_equal(a->args[2].index, 1);
        assert_int_equal(b->args[1].n_fds, 3);
        assert_int_equal(b->args[2].fd, 7);
        assert_int_equal(b->args[2].mode, VB_FMODE_APPEND);
        assert_string_equal(b->args[0].path, "/specs/x");
        fds = vb_plan_spec_fds(b, 0);
        assert_string_equal(fds, "f=3,trigger=4,trigger.1=5,trigger.2=6,g=7");
        free(fds);
        fds = vb_plan_spec_fds(a, 0);
        assert_string_equal(fds, "s=3,in=4");
        free(fds);
        vb_spec_free(s);
}

static void test_positions(void **state)
{
        static const char text[] = "{\n  \"a/b\": [1, {\"k~\": \"v\"}],\n\t\"c\": \"\\u00e9x\"\n}";
        struct vb_spec_posidx *idx = NULL;
        unsigned line, col;

        assert_int_equal(vb_spec_posidx_build(text, strlen(text), &idx), 0);
        assert_int_equal(vb_spec_posidx_find(idx, "", false, &line, &col), 0);
        assert_int_equal(line, 1), assert_int_equal(col, 1);
        assert_int_equal(vb_spec_posidx_find(idx, "/a~1b", true, &line, &col), 0);
        assert_int_equal(line, 2), assert_int_equal(col, 3);
        assert_int_equal(vb_spec_posidx_find(idx, "/a~1b", false, &line, &col), 0);
        assert_int_equal(line, 2), assert_int_equal(col, 10);
        assert_int_equal(vb_spec_posidx_find(idx, "/a~1b/1/k~0", false, &line, &col), 0);
        assert_int_equal(line, 2), assert_int_equal(col, 21);
        assert_int_equal(vb_spec_posidx_find(idx, "/c", true, &line, &col), 0);
        assert_int_equal(line, 3), assert_int_equal(col, 2);
        assert_int_equal(vb_spec_posidx_find(idx, "/nope", false, &line, &col), -ENOENT);
        vb_spec_posidx_free(idx);
}

static void test_pointer_escape(void **state)
{
        char *p = vb_spec_ptr_key("/entrypoints", "a/b~c");

        assert_string_equal(p, "/entrypoints/a~1b~0c");
        free(p);
        p = vb_spec_ptr_idx("/x", 12);
        assert_string_equal(p, "/x/12");
        free(p);
}

static void test_split_addr(void **state)
{
        char host[64];
        uint16_t port;

        assert_int_equal(vb_spec_split_addr("127.0.0.1:80", host, sizeof(host), &port), 0);
        assert_string_equal(host, "127.0.0.1");
        assert_int_equal(port, 80);
        assert_int_equal(vb_spec_split_addr("[::1]:8080", host, sizeof(host), &port), 0);
        assert_string_equal(host, "::1");
        assert_int_equal(port, 8080);
        assert_int_equal(vb_spec_split_addr("::1:80", host, sizeof(host), &port), -EINVAL);
        assert_int_equal(vb_spec_split_addr("1.2.3.4:0", host, sizeof(host), &port), -EINVAL);
        assert_int_equal(vb_spec_split_addr("1.2.3.4:", host, sizeof(host), &port), -EINVAL);
        assert_int_equal(vb_spec_split_addr(":80", host, sizeof(host), &port), -EINVAL);
}

static void put_frame(int fd, const char *msg, uint32_t len)
{
        assert_int_equal(write(fd, &len, sizeof(len)), sizeof(len));
        if (len)
                assert_int_equal(write(fd, msg, len), (ssize_t)len);
}

/* The shim's framed reader: whole messages, empty ones, oversize ones refused, a cut one noticed. */
static void test_frames(void **state)
{
        struct frame_reader r = { .max = 8 };
        int p[2];

        assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        assert_int_equal(frame_read(p[0], &r), FRAME_AGAIN);
        put_frame(p[1], "hello", 5);
        put_frame(p[1], "", 0);
        assert_int_equal(frame_read(p[0], &r), FRAME_MESSAGE);
        assert_int_equal(r.len, 5);
        assert_memory_equal(r.buf, "hello", 5);
        assert_int_equal(frame_read(p[0], &r), FRAME_MESSAGE);
        assert_int_equal(r.len, 0);
        assert_int_equal(frame_read(p[0], &r), FRAME_AGAIN);
        assert_int_equal(write(p[1], "\x03\x00", 2), 2); /* half a header */
        assert_int_equal(frame_read(p[0], &r), FRAME_AGAIN);
        assert_int_equal(write(p[1],
                               "\x00\x00"
                               "abc",
                               5),
                         5);
        assert_int_equal(frame_read(p[0], &r), FRAME_MESSAGE);
        assert_memory_equal(r.buf, "abc", 3);
        put_frame(p[1], "0123456789", 10);
        assert_int_equal(frame_read(p[0], &r), FRAME_OVERSIZE);
        assert_int_equal(r.len, 10);
        frame_reader_done(&r);
        r.max = 8;
        close(p[0]);
        close(p[1]);
        assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
        put_frame(p[1], "abcdefgh", 8);
        assert_int_equal(write(p[1], "\x05\x00\x00\x00xy", 6), 6);
        close(p[1]);
        assert_int_equal(frame_read(p[0], &r), FRAME_MESSAGE);
        assert_int_equal(frame_read(p[0], &r), FRAME_TRUNCATED);
        frame_reader_done(&r);
        close(p[0]);
}

static void test_memfd_sealed(void **state)
{
        int fd = exec_message_memfd("data", 4);
        char buf[8] = "";

        assert_true(fd >= 0);
        assert_int_equal(read(fd, buf, sizeof(buf)), 4);
        assert_memory_equal(buf, "data", 4);
        assert_int_equal(write(fd, "x", 1), -1);
        assert_int_equal(errno, EPERM);
        close(fd);
}

static struct vb_spec *parse_in(const char *text, const char *basedir)
{
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;

        assert_int_equal(vb_spec_parse(text, strlen(text), "t.json", basedir, &s, &d), 0);
        if (d.n)
                print_error("%s\n", d.items[0].text);
        assert_int_equal(d.n, 0);
        vb_spec_diags_done(&d);
        return s;
}

/* Relative host paths hang off the (physical) spec directory, with their leading ".." folded into it. */
static void test_host_paths(void **state)
{
        static const char text[] =
                "{\"voidshim\":1,\"program\":\"../bin/app\",\"entrypoints\":{\"a\":{"
                "\"args\":[{\"file\":\"./data/x\",\"name\":\"x\"},{\"file\":\"../../../../../etc/y\",\"name\":\"y\"},"
                "{\"file\":\"..\",\"name\":\"up\"},{\"file\":\"sub/../z\",\"name\":\"z\"}],"
                "\"void\":{\"mounts\":[{\"ro-bind\":\"../examples/www\",\"at\":\"/srv\"}]}}}}";
        struct vb_spec *s = parse_in(text, "/work/main/specs");
        const struct vb_spec_entry *a = vb_spec_find_entry(s, "a");

        assert_string_equal(a->program, "/work/main/bin/app");
        assert_string_equal(a->args[0].path, "/work/main/specs/data/x");
        assert_string_equal(a->args[1].path, "/etc/y"); /* never above "/" */
        assert_string_equal(a->args[2].path, "/work/main");
        assert_string_equal(a->args[3].path, "/work/main/specs/sub/../z"); /* "sub" may be a symlink: left alone */
        assert_string_equal(a->v.mounts[0].src, "/work/main/examples/www");
        vb_spec_free(s);
        s = parse_in(text, "/");
        assert_string_equal(vb_spec_find_entry(s, "a")->program, "/bin/app");
        vb_spec_free(s);
        s = parse_in(text, "specs"); /* a relative basedir: nothing to fold against */
        assert_string_equal(vb_spec_find_entry(s, "a")->program, "specs/../bin/app");
        vb_spec_free(s);
}

/* The caretakers of proxied servers, as the shim gets them: each allow entry from vb_net_allow_parse(). */
static void test_proxied_parse(void **state)
{
        static const char text[] =
                "{\"voidshim\":1,\"environment\":{"
                "\"net\":{\"mode\":\"proxied\",\"allow\":[\"5432\",\"udp:127.0.0.1:53\"]},"
                "\"unix\":{\"mode\":\"proxied\",\"connect\":[{\"at\":\"/run/db\",\"upstream\":\"tcp:[::1]:5432\"},"
                "{\"at\":\"/run/up\",\"upstream\":\"unix:../run/up.sock\"}],"
                "\"dbus\":{\"at\":\"/run/bus\",\"bus\":\"unix:path=/b\",\"talk\":[\"org.a.B\",\"org.c.D\"]}},"
                "\"ipc\":{\"mode\":\"shared\"},\"uts\":\"denied\"},"
                "\"entrypoints\":{\"a\":{\"program\":\"/bin/app\"}}}";
        struct vb_spec *s = parse_in(text, "/srv/app/specs");
        const struct vb_spec_care *c = &s->care;
        struct vb_net_allow want;
        struct vb_spec_diags d = {};

        assert_int_equal(s->env[VB_SERVER_NET], VB_SERVER_PROXIED);
        assert_int_equal(s->env[VB_SERVER_UNIX], VB_SERVER_PROXIED);
        assert_int_equal(s->env[VB_SERVER_IPC], VB_SERVER_SHARED); /* the object form without caretaker keys */
        assert_int_equal(s->env[VB_SERVER_UTS], VB_SERVER_DENIED); /* the string form, as before */
        assert_int_equal(c->n_allow, 2);
        assert_int_equal(vb_net_allow_parse("udp:127.0.0.1:53", &want, NULL), 0);
        assert_int_equal(c->allow[1].udp, want.udp);
        assert_int_equal(c->allow[1].port, want.port);
        assert_true(c->allow[1].udp && c->allow[1].port == 53);
        assert_string_equal(c->allow_text[0], "5432");
        assert_int_equal(c->n_fwd, 2);
        assert_string_equal(c->fwd[0].at, "/run/db");
        assert_string_equal(c->fwd[0].upstream, "tcp:[::1]:5432");
        assert_string_equal(c->fwd[1].upstream,
                            "unix:/srv/app/run/up.sock"); /* a host path, from the spec's directory */
        assert_non_null(c->dbus);
        assert_string_equal(c->dbus->at, "/run/bus");
        assert_string_equal(c->dbus->bus, "unix:path=/b");
        assert_string_equal(c->dbus->talk[1], "org.c.D");
        assert_null(c->dbus->talk[2]);
        assert_int_equal(vb_spec_validate(s, mock_access, NULL, &d), 0);
        vb_spec_diags_done(&d);
        vb_spec_free(s);
}

static void test_cmdline_grants_parse(void **state)
{
        static const char text[] =
                "{\"voidshim\":1,\"program\":\"/bin/app\",\"entrypoints\":{\"a\":{"
                "\"args\":[{\"file\":\"/o\",\"name\":\"o\",\"mode\":\"replace\"},\"trailing\","
                "{\"cmdline\":\"trailing\",\"name\":\"in\"}],"
                "\"void\":{\"chdir\":\"caller\",\"landlock\":false,\"mounts\":["
                "{\"bind-cmdline\":\"trailing\",\"parent\":true,\"exec\":false},{\"ro-bind-cmdline\":2}]}}}}";
        struct vb_spec *s = parse_ok(text);
        const struct vb_spec_entry *a = vb_spec_find_entry(s, "a");
        char *fds;

        assert_int_equal(a->args[0].mode, VB_FMODE_REPLACE);
        assert_true(a->args[2].each);
        assert_int_equal(a->args[2].fd, 4);
        assert_int_equal(a->args[2].n_fds, 0);
        assert_true(a->v.chdir_caller);
        assert_null(a->v.chdir);
        assert_true(a->v.landlock_off);
        assert_false(a->v.landlock);
        assert_int_equal(a->v.mounts[0].kind, VB_SMNT_CMDLINE);
        assert_int_equal(a->v.mounts[0].cmdline, VB_SPEC_CMDLINE_TRAILING);
        assert_true(a->v.mounts[0].parent);
        assert_int_equal(a->v.mounts[0].flags, VB_MOUNT_RW | VB_MOUNT_NOEXEC);
        assert_int_equal(a->v.mounts[1].cmdline, 2);
        assert_false(a->v.mounts[1].parent);
        assert_int_equal(a->v.mounts[1].flags, 0);
        fds = vb_plan_spec_fds(a, 3);
        assert_string_equal(fds, "o=3,in.0=4,in.1=5,in.2=6");
        free(fds);
        fds = vb_plan_spec_fds(a, 0);
        assert_string_equal(fds, "o=3");
        free(fds);
        vb_spec_free(s);
}

static void test_path_words(void **state)
{
        char *w1[] = { "-9", "a", "--best", "-", "", "b", "--", "-c", "-", "--", NULL };
        char *w2[] = { "x", "-k", "y", NULL };
        size_t idx[16];

        assert_int_equal(vb_spec_path_words(w1, 10, idx), 4);
        assert_int_equal(idx[0], 1);                         /* a */
        assert_int_equal(idx[1], 5);                         /* b */
        assert_int_equal(idx[2], 7);                         /* -c, after "--" */
        assert_int_equal(idx[3], 9);                         /* a second "--" is a name */
        assert_int_equal(vb_spec_path_words(w2, 3, idx), 2); /* options after names, as GNU programs take them */
        assert_int_equal(idx[1], 2);
        assert_int_equal(vb_spec_path_words(w2, 0, idx), 0);
}

static void test_abs_path(void **state)
{
        static const char *const cases[][3] = {
                { "/home/u", "f", "/home/u/f" },
                { "/home/u", "./a//b/", "/home/u/a/b" },
                { "/home/u", "../x/f", "/home/x/f" },
                { "/home/u", "/abs/./p", "/abs/p" },
                { "/", "f", "/f" },
                { "/home/u", "../../../..", "/" },
                { "/home/u", ".", "/home/u" },
                { "/a", "b/../../c", "/c" },
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *p = exec_abs_path(cases[i][0], cases[i][1]);

                assert_string_equal(p, cases[i][2]);
                free(p);
        }
}

/* A scratch tree: DIR/a/file, DIR/b/, DIR/fifo, DIR/link -> a. */
static char *scratch(void)
{
        char tmpl[] = "/tmp/test_spec.XXXXXX", path[512];
        char *dir = strdup(mkdtemp(tmpl));

        assert_non_null(dir);
        snprintf(path, sizeof(path), "%s/a", dir);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/b", dir);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/a/file", dir);
        close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        snprintf(path, sizeof(path), "%s/fifo", dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        snprintf(path, sizeof(path), "%s/link", dir);
        assert_int_equal(symlink("a", path), 0);
        return dir;
}

static void rm_scratch(char *dir)
{
        char cmd[600];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
        free(dir);
}

/* Resolve entrypoint "a" of text against words (NULL-terminated) from cwd. */
static int grants_for(const char *text, const char *cwd, char **words, struct exec_grants *g, char **what,
                      const char **cause)
{
        struct vb_spec *s = parse_ok(text);
        struct exec_cmdline cl;
        size_t n = 0;
        int r;

        while (words[n])
                n++;
        assert_int_equal(exec_cmdline_init(&cl, words, n, 0), 0);
        free(cl.cwd);
        cl.cwd = strdup(cwd);
        r = exec_grants_resolve(vb_spec_find_entry(s, "a"), &cl, g, what, cause);
        exec_cmdline_done(&cl);
        vb_spec_free(s);
        return r;
}

static void test_grants_resolve(void **state)
{
        static const char parent[] =
                "{\"voidshim\":1,\"program\":\"/bin/app\",\"entrypoints\":{\"a\":{\"args\":[\"trailing\"],"
                "\"void\":{\"mounts\":[{\"tmpfs\":\"/t\"},{\"bind-cmdline\":\"trailing\",\"parent\":true}]}}}}";
        static const char itself[] =
                "{\"voidshim\":1,\"program\":\"/bin/app\",\"entrypoints\":{\"a\":{\"args\":[\"trailing\"],"
                "\"void\":{\"mounts\":[{\"ro-bind-cmdline\":\"trailing\",\"exec\":false}]}}}}";
        char *dir = scratch(), *what = NULL, expect[512], path[512];
        const char *cause = NULL;
        struct exec_grants g = {};
        char *w1[] = { "-9", "a/file", "b/new", "--", "a/other", "x/../b/more", "link/file", "-", NULL };

        /* Parents: relative to the caller's cwd, deduplicated, parents first; the missing names are fine. */
        snprintf(expect, sizeof(expect), "%s/b", dir);
        assert_int_equal(grants_for(parent, expect, w1, &g, &what, &cause), -ENOENT); /* b/a/file: no b/a */
        assert_non_null(strstr(what, "grant the directory of a/file"));
        free(what);
        assert_int_equal(grants_for(parent, dir, w1, &g, &what, &cause), 0);
        assert_null(what);
        assert_int_equal(g.n, 3);
        snprintf(expect, sizeof(expect), "%s/a", dir);
        assert_string_equal(g.g[0].path, expect);
        assert_int_equal(g.g[0].mount, 1);
        assert_int_equal(g.g[0].flags, VB_MOUNT_RW);
        snprintf(expect, sizeof(expect), "%s/b", dir);
        assert_string_equal(g.g[1].path, expect);
        snprintf(expect, sizeof(expect), "%s/link", dir); /* where the program will look: the symlink's own path */
        assert_string_equal(g.g[2].path, expect);
        snprintf(expect, sizeof(expect), "%s/a", dir); /* ... bound from where it leads */
        assert_string_equal(g.g[2].src, expect);
        assert_int_equal(exec_grants_verify(&g, &cause), 0);
        /* Swapped for a symlink to "/" after the check: the next void does not start. */
        snprintf(expect, sizeof(expect), "%s/b", dir);
        snprintf(path, sizeof(path), "%s/b.old", dir);
        assert_int_equal(rename(expect, path), 0);
        assert_int_equal(symlink("/", expect), 0);
        assert_int_equal(exec_grants_verify(&g, &cause), -ESTALE);
        assert_string_equal(cause, expect);
        assert_int_equal(unlink(expect), 0);
        assert_int_equal(mkdir(expect, 0755), 0); /* another directory by the same name */
        assert_int_equal(exec_grants_verify(&g, &cause), -ESTALE);
        assert_int_equal(rmdir(expect), 0);
        assert_int_equal(rename(path, expect), 0);
        assert_int_equal(exec_grants_verify(&g, &cause), 0);
        exec_grants_done(&g);

        /* The paths themselves: a directory or a regular file, never "/", never a fifo. */
        char *w2[] = { "a/file", "b", NULL };
        assert_int_equal(grants_for(itself, dir, w2, &g, &what, &cause), 0);
        assert_int_equal(g.n, 2);
        snprintf(expect, sizeof(expect), "%s/b", dir);
        assert_string_equal(g.g[0].path, expect);
        assert_int_equal(g.g[0].flags, VB_MOUNT_NOEXEC);
        exec_grants_done(&g);
        char *w3[] = { "fifo", NULL };
        assert_int_equal(grants_for(itself, dir, w3, &g, &what, &cause), -EINVAL);
        assert_string_equal(what, "grant fifo");
        assert_string_equal(cause, "not a directory or a regular file");
        free(what);
        char *w4[] = { "a", "../../../../../..", NULL };
        assert_int_equal(grants_for(itself, dir, w4, &g, &what, &cause), -EPERM);
        assert_string_equal(cause, "it is the root directory");
        free(what);
        char *w5[] = { "/etc", NULL };
        assert_int_equal(grants_for(parent, dir, w5, &g, &what, &cause), -EPERM);
        assert_string_equal(what, "grant the directory of /etc");
        free(what);
        char *w6[] = { "nope", NULL };
        assert_int_equal(grants_for(itself, dir, w6, &g, &what, &cause), -ENOENT);
        assert_null(cause);
        free(what);
        rm_scratch(dir);
}

static char *slurp_at(const char *dir, const char *name)
{
        char path[512];
        size_t len;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        return slurp(path, &len);
}

static int count_entries(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                n += de->d_name[0] != '.' || (de->d_name[1] && de->d_name[1] != '.');
        closedir(d);
        return n;
}

/* "replace": nothing changes until commit; discard leaves nothing; the target's mode is kept. */
static void test_replace(void **state)
{
        char *dir = scratch(), path[512], *text;
        struct exec_replace r;
        struct stat st;
        int before = count_entries(dir);

        snprintf(path, sizeof(path), "%s/a/file", dir);
        assert_int_equal(chmod(path, 0640), 0);
        assert_int_equal(exec_replace_open(path, &r), 0);
        assert_int_equal(write(r.fd, "new\n", 4), 4);
        text = slurp(path, &(size_t){ 0 });
        assert_string_equal(text, ""); /* untouched until commit */
        free(text);
        assert_int_equal(exec_replace_commit(&r), 0);
        text = slurp(path, &(size_t){ 0 });
        assert_string_equal(text, "new\n");
        free(text);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(count_entries(dir), before);
        snprintf(path, sizeof(path), "%s/a", dir);
        assert_int_equal(count_entries(path), 1); /* no temporary name left beside it */

        snprintf(path, sizeof(path), "%s/a/file", dir);
        assert_int_equal(exec_replace_open(path, &r), 0);
        assert_int_equal(write(r.fd, "partial", 7), 7);
        exec_replace_discard(&r);
        text = slurp_at(dir, "a/file");
        assert_string_equal(text, "new\n");
        free(text);
        snprintf(path, sizeof(path), "%s/a", dir);
        assert_int_equal(count_entries(path), 1);

        snprintf(path, sizeof(path), "%s/b/created", dir); /* a new file */
        assert_int_equal(exec_replace_open(path, &r), 0);
        assert_int_equal(exec_replace_commit(&r), 0);
        assert_int_equal(access(path, F_OK), 0);
        snprintf(path, sizeof(path), "%s/link", dir); /* a symlink is replaced, its target is not */
        assert_int_equal(exec_replace_open(path, &r), 0);
        assert_int_equal(exec_replace_commit(&r), 0);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        snprintf(path, sizeof(path), "%s/b", dir);
        assert_int_equal(exec_replace_open(path, &r), -EISDIR);
        snprintf(path, sizeof(path), "%s/fifo", dir);
        assert_int_equal(exec_replace_open(path, &r), -EINVAL);
        snprintf(path, sizeof(path), "%s/nodir/x", dir);
        assert_int_equal(exec_replace_open(path, &r), -ENOENT);
        rm_scratch(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_invalid_fixtures), cmocka_unit_test(test_valid_fixtures),
                cmocka_unit_test(test_fd_numbers),       cmocka_unit_test(test_positions),
                cmocka_unit_test(test_pointer_escape),   cmocka_unit_test(test_split_addr),
                cmocka_unit_test(test_frames),           cmocka_unit_test(test_memfd_sealed),
                cmocka_unit_test(test_host_paths),       cmocka_unit_test(test_cmdline_grants_parse),
                cmocka_unit_test(test_path_words),       cmocka_unit_test(test_abs_path),
                cmocka_unit_test(test_grants_resolve),   cmocka_unit_test(test_replace),
                cmocka_unit_test(test_proxied_parse),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
