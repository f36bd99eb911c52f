/*
 * Newcomers forked by a held void's pid 1 (vb_void_newcomer()): in the first
 * process's Landlock domain (it may signal the first process and reach its
 * abstract socket; a vb_void_join() newcomer, a domain of its own, may not),
 * and a reaper that survives every malformed request.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/init.h"
#include "core/landlock.h"
#include "core/spawn.h"
#include "need.h"
#include "voidbuilder.h"

#define PROBE "build/tests/probe"

static char abstract_name[64];

/* A held void with Landlock on, /proc, the probe at /probe, its first program serving abstract_name. */
static struct vb_proc *session(struct vb_void **vp, bool hold)
{
        struct vb_error *err = NULL;
        struct vb_void *v = vb_void_new();
        struct vb_proc *p = NULL;
        char *argv[] = { "probe", "unix-serve", abstract_name, NULL }, *probe = realpath(PROBE, NULL);
        int r;

        assert_non_null(v);
        assert_non_null(probe);
        assert_int_equal(vb_void_bind(v, probe, "/probe", 0), 0);
        free(probe);
        assert_int_equal(vb_void_proc(v, "/proc", 0), 0);
        assert_int_equal(vb_void_landlock(v), 0);
        assert_int_equal(vb_void_landlock_allow(v, "/probe", VB_LANDLOCK_READ | VB_LANDLOCK_EXEC), 0);
        assert_int_equal(vb_void_landlock_allow(v, "/proc", VB_LANDLOCK_READ), 0);
        assert_int_equal(vb_void_init(v, hold ? VB_INIT_HOLD : 0), 0);
        assert_int_equal(vb_void_exec_path(v, "/probe", argv), 0);
        r = vb_void_spawn(v, &p, &err);
        if (r < 0)
                fail_msg("spawn: %s", err ? err->msg : strerror(-r));
        *vp = v;
        return p;
}

/* Run the probe with args as a newcomer (or joined, with v), its stdout in out; returns its wait status. */
static int run(struct vb_proc *p, struct vb_void *join, char *out, size_t len, const char *cmd, ...)
{
        char *argv[8] = { "probe", (char *)cmd };
        struct vb_error *err = NULL;
        struct vb_proc *np = NULL;
        int pp[2], status = -1, k = 2, r;
        ssize_t n, got = 0;
        va_list ap;

        va_start(ap, cmd);
        while (k < 7 && (argv[k] = va_arg(ap, char *)))
                k++;
        va_end(ap);
        assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
        struct vb_warm_fd fds[] = { { .fd = pp[1], .target = 1 } };
        struct vb_join j = { .path = "/probe", .argv = argv, .fds = fds, .n_fds = 1 };
        r = join ? vb_void_join(join, p, &j, &np, &err) : vb_void_newcomer(p, &j, &np, &err);
        close(pp[1]);
        if (r < 0)
                fail_msg("newcomer %s: %s", cmd, err ? err->msg : strerror(-r));
        while (got + 1 < (ssize_t)len && (n = read(pp[0], out + got, len - 1 - (size_t)got)) > 0)
                got += n;
        out[got] = '\0';
        out[strcspn(out, "\n")] = '\0';
        close(pp[0]);
        assert_int_equal(vb_proc_wait(np, &status), 0);
        vb_proc_free(np);
        vb_error_free(err);
        return status;
}

static void test_same_domain(void **state)
{
        struct vb_void *v;
        struct vb_proc *p;
        char out[256];

        NEED(vb_landlock_abi() >= 6, "Landlock ABI 6 (signal and abstract socket scopes)");
        p = session(&v, true);
        usleep(200000); /* the first program listens */
        assert_int_equal(run(p, NULL, out, sizeof(out), "pid", NULL), 0);
        assert_string_equal(out, "ok 3 1"); /* pid 1's child; the first program is pid 2 */
        run(p, NULL, out, sizeof(out), "signal", "2", "0", NULL);
        assert_string_equal(out, "ok");
        run(p, NULL, out, sizeof(out), "unix-req", abstract_name, "hi", NULL);
        assert_string_equal(out, "ok pong");
        /* Joined, a Landlock domain of its own: its scopes keep it from both. */
        run(p, v, out, sizeof(out), "signal", "2", "0", NULL);
        assert_string_equal(out, "EPERM");
        run(p, v, out, sizeof(out), "unix-req", abstract_name, "hi", NULL);
        assert_string_equal(out, "EPERM");
        /* Landlock still binds it: the root is no granted path. */
        run(p, NULL, out, sizeof(out), "ls", "/", NULL);
        assert_string_equal(out, "EACCES");
        /* Only 0, 1, 2: none of pid 1's fds (its request socket above all). */
        run(p, NULL, out, sizeof(out), "fds", NULL);
        assert_string_equal(out, "ok 0 1 2");
        vb_proc_free(p);
        vb_void_free(v);
}

static void test_status_and_errors(void **state)
{
        struct vb_error *err = NULL;
        struct vb_void *v;
        struct vb_proc *p, *np = NULL;
        char out[256], *argv[] = { "nope", NULL }, *env[] = { "ONLY=this", NULL };
        int pp[2];

        p = session(&v, true);
        assert_true(WIFEXITED(run(p, NULL, out, sizeof(out), "exit", "7", NULL)));
        assert_int_equal(WEXITSTATUS(run(p, NULL, out, sizeof(out), "exit", "7", NULL)), 7);
        assert_int_equal(run(p, NULL, out, sizeof(out), "kill-self", "9", NULL), SIGKILL);
        /* A program that is not there: the exec step's error, nothing started. */
        assert_int_equal(vb_void_newcomer(p, &(struct vb_join){ .path = "/nope", .argv = argv }, &np, &err), -ENOENT);
        assert_string_equal(err->step, "exec");
        assert_null(np);
        err = vb_error_free(err);
        /* Environment and directory as asked. */
        assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
        struct vb_warm_fd fds[] = { { .fd = pp[1], .target = 1 } };
        char *envargv[] = { "probe", "env", NULL };
        assert_int_equal(
                vb_void_newcomer(
                        p,
                        &(struct vb_join){
                                .path = "/probe", .argv = envargv, .env = env, .cwd = "/proc", .fds = fds, .n_fds = 1 },
                        &np, &err),
                0);
        close(pp[1]);
        assert_true(read(pp[0], out, sizeof(out)) > 0);
        assert_int_equal(strncmp(out, "ok ONLY=this\n", 13), 0);
        close(pp[0]);
        vb_proc_free(np);
        /* A killed handle: its status is told all the same. */
        char *sleepargv[] = { "probe", "sleep", "30", NULL };
        int status;
        assert_int_equal(vb_void_newcomer(p, &(struct vb_join){ .path = "/probe", .argv = sleepargv }, &np, &err), 0);
        assert_true(vb_proc_pid(np) > 0);
        assert_int_equal(vb_proc_kill(np, SIGTERM), 0);
        assert_int_equal(vb_proc_wait(np, &status), 0);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        vb_proc_free(np);
        vb_proc_free(p);
        vb_void_free(v);
        /* A reaper that does not hold the void serves no one. */
        p = session(&v, false);
        assert_int_equal(vb_void_newcomer(p, &(struct vb_join){ .path = "/probe", .argv = envargv }, &np, &err),
                         -EOPNOTSUPP);
        err = vb_error_free(err);
        vb_proc_free(p);
        vb_void_free(v);
}

/* Send one raw request (data, fds) to pid 1; its answer (on status, else on the request socket) in *r. */
static int raw(struct vb_proc *p, const void *data, size_t len, const int *fds, size_t n, int status,
               struct vb_init_reply *r)
{
        int sock = status >= 0 ? status : vb_proc_init_sock(p);
        struct pollfd pfd = { .fd = sock, .events = POLLIN };
        ssize_t got;

        if (vb_fd_sendmsg(vb_proc_init_sock(p), data, len, fds, n) < 0)
                return -errno;
        if (poll(&pfd, 1, 5000) <= 0)
                return -ETIMEDOUT;
        got = recv(sock, r, sizeof(*r), MSG_DONTWAIT);
        return got == sizeof(*r) ? 0 : -EPROTO;
}

static void test_malformed(void **state)
{
        static char big[VB_INIT_REQ_MAX + 4096];
        struct vb_init_req h = { .magic = VB_INIT_MAGIC, .argc = 1, .envc = -1, .n_fds = 3, .targets = { 0, 1, 2 } };
        struct vb_init_reply r;
        struct vb_void *v;
        struct vb_proc *p;
        char buf[sizeof(h) + 64], out[256];
        int sv[2], null = open("/dev/null", O_RDWR | O_CLOEXEC), fds[40], many[40];

        p = session(&v, true);
        assert_true(null >= 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        fds[0] = sv[1], fds[1] = fds[2] = fds[3] = null;
        /* No status socket: the answer comes on the request socket. */
        assert_int_equal(raw(p, "x", 1, NULL, 0, -1, &r), 0);
        assert_int_equal(r.kind, VB_INIT_FAILED);
        assert_int_equal(r.rep.errnum, EINVAL);
        assert_int_equal(raw(p, "", 0, NULL, 0, -1, &r), 0); /* an empty message is not the end */
        assert_int_equal(r.kind, VB_INIT_FAILED);
        /* Each rule broken once, with a status socket. */
#define TRY(hdr, strs, nfds)                                                                           \
        do {                                                                                           \
                struct vb_init_req _h = (hdr);                                                         \
                memcpy(buf, &_h, sizeof(_h));                                                          \
                memcpy(buf + sizeof(_h), strs, sizeof(strs) - 1);                                      \
                assert_int_equal(raw(p, buf, sizeof(_h) + sizeof(strs) - 1, fds, nfds, sv[0], &r), 0); \
                assert_int_equal(r.kind, VB_INIT_FAILED);                                              \
                assert_int_equal(r.rep.errnum, EINVAL);                                                \
        } while (0)
        struct vb_init_req bad = h;
        bad.magic = 1;
        TRY(bad, "/probe\0\0probe\0", 4);      /* not the protocol */
        TRY(h, "/probe\0\0probe", 4);          /* no final NUL */
        TRY(h, "/probe\0\0probe\0extra\0", 4); /* more strings than said */
        TRY(h, "/probe\0\0", 4);               /* fewer */
        TRY(h, "\0\0probe\0", 4);              /* no path */
        TRY(h, "/probe\0rel\0probe\0", 4);     /* a relative directory */
        TRY(h, "/probe\0\0probe\0", 3);        /* fewer fds than targets */
        bad = h, bad.argc = 0;
        TRY(bad, "/probe\0\0", 4);
        bad = h, bad.argc = UINT32_MAX;
        TRY(bad, "/probe\0\0probe\0", 4);
        bad = h, bad.envc = INT32_MAX;
        TRY(bad, "/probe\0\0probe\0", 4);
        bad = h, bad.n_fds = 1000;
        TRY(bad, "/probe\0\0probe\0", 4);
        bad = h, bad.targets[2] = 1; /* twice 1, no 2 */
        TRY(bad, "/probe\0\0probe\0", 4);
        bad = h, bad.targets[2] = -5;
        TRY(bad, "/probe\0\0probe\0", 4);
        bad = h, bad.targets[2] = 1 << 20;
        TRY(bad, "/probe\0\0probe\0", 4);
        /* Too many fds, too long a message: refused, nothing kept. */
        for (int i = 0; i < 40; i++)
                many[i] = null;
        many[0] = sv[1];
        memcpy(buf, &h, sizeof(h));
        assert_int_equal(raw(p, buf, sizeof(h) + 15, many, 40, -1, &r), 0);
        assert_int_equal(r.kind, VB_INIT_FAILED);
        memcpy(big, &h, sizeof(h));
        assert_int_equal(raw(p, big, sizeof(big), fds, 4, -1, &r), 0);
        assert_int_equal(r.kind, VB_INIT_FAILED);
        /* A status "socket" that is a pipe: pid 1 cannot answer, and starts nothing. */
        int pp[2];
        assert_int_equal(pipe2(pp, O_CLOEXEC), 0);
        fds[0] = pp[1];
        memcpy(buf + sizeof(h), "/probe\0\0probe\0", 14);
        assert_int_equal(vb_fd_sendmsg(vb_proc_init_sock(p), buf, sizeof(h) + 14, fds, 4), 0);
        close(pp[0]), close(pp[1]);
        /* After all that, pid 1 and the first program are there, and newcomers start. */
        usleep(100000);
        assert_int_equal(run(p, NULL, out, sizeof(out), "unix-req", abstract_name, "hi", NULL), 0);
        if (vb_landlock_abi() >= 6)
                assert_string_equal(out, "ok pong");
        run(p, NULL, out, sizeof(out), "ls", "/proc", NULL);
        assert_non_null(strstr(out, " 1 2 ")); /* pid 1 and the first program */
        close(sv[0]), close(sv[1]), close(null);
        vb_proc_free(p);
        vb_void_free(v);
}

static int setup(void **state)
{
        snprintf(abstract_name, sizeof(abstract_name), "@vb-newcomer-%d", (int)getpid());
        return access(PROBE, R_OK) == 0 ? 0 : -1;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_same_domain),
                cmocka_unit_test(test_status_and_errors),
                cmocka_unit_test(test_malformed),
        };

        return cmocka_run_group_tests(tests, setup, NULL);
}
