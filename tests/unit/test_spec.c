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
#include <unistd.h>

#include <cmocka.h>

#include "exec.h"
#include "spec.h"

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
                                print_error("%s:\n  expected:\n%s  got:\n%s", de->d_name, want ? want : "(no .expected)\n",
                                            got), failures++;
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
        fds = exec_fds_string(b);
        assert_string_equal(fds, "f=3,trigger=4,trigger.1=5,trigger.2=6,g=7");
        free(fds);
        fds = exec_fds_string(a);
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
        assert_int_equal(write(p[1], "\x00\x00" "abc", 5), 5);
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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_invalid_fixtures), cmocka_unit_test(test_valid_fixtures),
                cmocka_unit_test(test_fd_numbers),       cmocka_unit_test(test_positions),
                cmocka_unit_test(test_pointer_escape),   cmocka_unit_test(test_split_addr),
                cmocka_unit_test(test_frames),           cmocka_unit_test(test_memfd_sealed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
