/* A host identity of its own for root's voids: the reserved range, its leases, idmap namespaces, spawns. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/identity.h"
#include "voidbuilder.h"

#define PROBE "build/tests/probe"

/* The probe's absolute path (vb_void_exec_host() takes no other). */
static char probe[PATH_MAX];

static void test_subid_parse(void **state)
{
        static const char text[] = "alice:100000:65536\n"
                                   "# not a comment in subuid(5), just a line that names no one\n"
                                   "voidshim:165536:1000\n"
                                   "voidshim:900000:5\n"
                                   "1234:300000:10\n";
        uint32_t s = 0, n = 0;

        assert_int_equal(vb_id_subid_parse(text, "voidshim", (uid_t)-1, &s, &n), 0);
        assert_int_equal(s, 165536); /* the first entry counts */
        assert_int_equal(n, 1000);
        assert_int_equal(vb_id_subid_parse(text, "alice", (uid_t)-1, &s, &n), 0);
        assert_int_equal(s, 100000);
        assert_int_equal(vb_id_subid_parse(text, "bob", 1234, &s, &n), 0); /* by uid */
        assert_int_equal(s, 300000);
        assert_int_equal(vb_id_subid_parse(text, "bob", (uid_t)-1, &s, &n), -ENOENT);
        assert_int_equal(vb_id_subid_parse("", "voidshim", (uid_t)-1, &s, &n), -ENOENT);
        assert_int_equal(vb_id_subid_parse("voidshimx:1:2\n", "voidshim", (uid_t)-1, &s, &n), -ENOENT);
        /* Malformed entries for the user are errors, never a guess. */
        static const char *const bad[] = {
                "voidshim:165536\n", "voidshim:x:10\n",          "voidshim:10:\n",   "voidshim:0:10\n",
                "voidshim:10:0\n",   "voidshim:4294967290:10\n", "voidshim:-5:10\n", "voidshim:99999999999:1\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(vb_id_subid_parse(bad[i], "voidshim", (uid_t)-1, &s, &n), -EINVAL);
}

static char dir[64];

static int setup_dir(void **state)
{
        snprintf(dir, sizeof(dir), "/tmp/vb-idtest-XXXXXX");
        return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void test_range_read(void **state)
{
        char su[128], sg[128];
        struct vb_id_range r;

        snprintf(su, sizeof(su), "%s/subuid", dir);
        snprintf(sg, sizeof(sg), "%s/subgid", dir);
        assert_int_equal(vb_id_range_read(su, sg, &r), -ENOENT); /* no files */
        write_file(su, "voidtest:100000:65536\nvoidshim:200000:100\n");
        assert_int_equal(vb_id_range_read(su, sg, &r), -ENOENT);
        write_file(sg, "voidshim:300000:50\n");
        assert_int_equal(vb_id_range_read(su, sg, &r), 0);
        assert_int_equal(r.uid, 200000);
        assert_int_equal(r.gid, 300000);
        assert_int_equal(r.count, 50); /* the smaller */
        write_file(sg, "voidshim:300000\n");
        assert_int_equal(vb_id_range_read(su, sg, &r), -EINVAL);
}

static bool exists(const char *lockdir, uid_t uid)
{
        char path[128];

        snprintf(path, sizeof(path), "%s/%u", lockdir, (unsigned)uid);
        return access(path, F_OK) == 0;
}

static void test_leases(void **state)
{
        /* Ids no process uses (far up in the 32-bit space). */
        struct vb_id_range r = { .uid = 3000000000u, .gid = 3000000000u, .count = 2 };
        struct vb_id_lease a, b, c;
        char locks[96];

        snprintf(locks, sizeof(locks), "%s/ids", dir);
        assert_int_equal(vb_id_lease_take(&r, locks, &a), 0);
        assert_int_equal(vb_id_lease_take(&r, locks, &b), 0);
        assert_true(a.uid != b.uid); /* two at once never share one */
        assert_true(a.uid - r.uid < 2 && b.uid - r.uid < 2);
        assert_int_equal(a.gid - r.gid, a.uid - r.uid); /* uid + i goes with gid + i */
        assert_true(exists(locks, a.uid) && exists(locks, b.uid));
        assert_int_equal(vb_id_lease_take(&r, locks, &c), -EUSERS);
        vb_id_lease_drop(&a, false);
        assert_false(exists(locks, a.uid)); /* given back: nothing is left */
        assert_int_equal(vb_id_lease_take(&r, locks, &c), 0);
        assert_int_equal(c.uid, a.uid);
        vb_id_lease_drop(&b, false);
        vb_id_lease_drop(&c, false);
        vb_id_lease_drop(&c, false); /* idempotent */
        assert_false(exists(locks, b.uid) || exists(locks, c.uid));
}

/* A lease whose holder was killed: its file stays, unlocked and "dirty". */
static void leave_dirty(const char *locks, uid_t uid)
{
        char path[128];

        snprintf(path, sizeof(path), "%s/%u", locks, (unsigned)uid);
        write_file(path, "12345\n");
}

static void test_dirty_leases(void **state)
{
        struct vb_id_range unused = { .uid = 3000000000u, .gid = 3000000000u, .count = 1 };
        /* An id this very process runs as: a dirty lease on it must not be taken. */
        struct vb_id_range busy = { .uid = getuid(), .gid = getgid(), .count = 1 };
        struct vb_id_lease l;
        char locks[96];

        snprintf(locks, sizeof(locks), "%s/ids", dir);
        assert_int_equal(vb_id_lease_take(&unused, locks, &l), 0); /* makes the directory */
        vb_id_lease_drop(&l, false);
        leave_dirty(locks, unused.uid);
        assert_true(exists(locks, unused.uid));
        /* No process runs as it: the killed holder's file is swept, the id taken. */
        assert_int_equal(vb_id_lease_take(&unused, locks, &l), 0);
        assert_int_equal(l.uid, unused.uid);
        vb_id_lease_drop(&l, false);
        assert_false(exists(locks, unused.uid));
        leave_dirty(locks, busy.uid);
        assert_true(vb_id_in_use(busy.uid, busy.gid));
        assert_int_equal(vb_id_lease_take(&busy, locks, &l), -EUSERS);
        assert_true(exists(locks, busy.uid)); /* kept, dirty, until no process uses the id */
        /* A void that shared a pid namespace may have left a process: its lease is left dirty then. */
        assert_false(vb_id_in_use(unused.uid, unused.gid));
        assert_int_equal(vb_id_lease_take(&unused, locks, &l), 0);
        vb_id_lease_drop(&l, true);
        assert_false(exists(locks, unused.uid));
}

static void test_lockdir_refused(void **state)
{
        struct vb_id_range r = { .uid = 3000000000u, .gid = 3000000000u, .count = 1 };
        struct vb_id_lease l;
        char locks[96];

        /* A lock directory anyone may write could be filled with locks (or symlinks) by anyone. */
        snprintf(locks, sizeof(locks), "%s/open", dir);
        assert_int_equal(mkdir(locks, 0777), 0);
        assert_int_equal(chmod(locks, 0777), 0);
        assert_int_equal(vb_id_lease_take(&r, locks, &l), -EPERM);
        assert_int_equal(vb_id_lease_take(&r, "relative", &l), -EINVAL);
}

/* ---- as root: idmap namespaces and voids of their own uid ------------------------------------ */

static bool have_range(struct vb_id_range *r)
{
        return geteuid() == 0 && vb_id_range_read(NULL, NULL, r) == 0;
}

static void test_idmap_userns(void **state)
{
        char line[128] = "";
        int fd, p[2];
        pid_t pid;

        if (geteuid() != 0)
                skip(); /* writing another uid's map needs CAP_SETUID */
        assert_int_equal(vb_id_idmap_userns(0, 3000000123u, 0, 3000000456u, &fd), 0);
        assert_int_equal(pipe(p), 0);
        pid = fork();
        if (pid == 0) {
                FILE *f;

                if (setns(fd, CLONE_NEWUSER) < 0 || !(f = fopen("/proc/self/uid_map", "re")) ||
                    !fgets(line, sizeof(line), f))
                        _exit(1);
                (void)!write(p[1], line, strlen(line));
                _exit(0);
        }
        close(p[1]);
        assert_true(read(p[0], line, sizeof(line) - 1) > 0);
        waitpid(pid, NULL, 0);
        close(p[0]);
        close(fd);
        assert_int_equal(strtoul(line, NULL, 10), 0);
        assert_non_null(strstr(line, "3000000123"));
}

/* Start `probe sleep 30` in a void of identity id; its handle. */
static struct vb_proc *start(enum vb_identity id)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { probe, "sleep", "30", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p = NULL;

        assert_int_equal(vb_void_exec_host(v, probe, argv), 0);
        assert_int_equal(vb_void_identity(v, id), 0);
        if (vb_void_spawn(v, &p, &err) < 0)
                fail_msg("spawn: %s", err ? err->msg : "?");
        vb_void_free(v);
        return p;
}

static void test_spawn_identities(void **state)
{
        enum { N = 8 };
        struct vb_id_range r;
        struct vb_proc *p[N];
        uid_t uid[N];
        gid_t gid;
        int status;

        if (!have_range(&r))
                skip(); /* root without a reserved range: test-identity.sh says the void refuses to start */
        for (int i = 0; i < N; i++) {
                p[i] = start(VB_IDENTITY_AUTO);
                assert_int_equal(vb_proc_host_ids(p[i], &uid[i], &gid), 0);
                assert_true(uid[i] >= r.uid && uid[i] - r.uid < r.count);
                assert_int_equal(gid - r.gid, uid[i] - r.uid);
                assert_true(exists(VB_ID_LOCKDIR, uid[i]));
                for (int j = 0; j < i; j++)
                        assert_true(uid[i] != uid[j]);
        }
        for (int i = 0; i < N; i++) {
                char path[64], text[128];
                FILE *f;

                snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)vb_proc_pid(p[i]));
                f = fopen(path, "re");
                assert_non_null(f);
                assert_non_null(fgets(text, sizeof(text), f));
                fclose(f);
                assert_int_equal(strtoul(text, NULL, 10), 0); /* uid 0 inside ... */
                snprintf(path, sizeof(path), " %u ", (unsigned)uid[i]);
                assert_non_null(strstr(text, path)); /* ... is its own uid outside */
                vb_proc_kill(p[i], SIGKILL);
                assert_int_equal(vb_proc_wait(p[i], &status), 0);
                assert_false(exists(VB_ID_LOCKDIR, uid[i])); /* reaped: the id is free again */
                vb_proc_free(p[i]);
        }
        /* Root's own identity, when asked: host root, no lease. */
        p[0] = start(VB_IDENTITY_HOST);
        assert_int_equal(vb_proc_host_ids(p[0], &uid[0], &gid), 0);
        assert_int_equal(uid[0], 0);
        vb_proc_free(p[0]);
}

static void test_warm_identities(void **state)
{
        struct vb_void *v = vb_void_new();
        char *argv[] = { probe, "sleep", "30", NULL };
        struct vb_error *err = NULL;
        struct vb_proc *p[3] = {};
        struct vb_warm *w;
        struct vb_id_range r;
        uid_t uid[3];
        gid_t gid;

        if (!have_range(&r)) {
                vb_void_free(v);
                skip();
        }
        assert_int_equal(vb_void_exec_host(v, probe, argv), 0);
        w = vb_warm_new(v, 2, &err);
        if (!w)
                fail_msg("vb_warm_new: %s", err ? err->msg : "?");
        for (int i = 0; i < 3; i++) {
                assert_int_equal(vb_warm_spawn(w, NULL, NULL, 0, &p[i], &err), 0);
                assert_int_equal(vb_proc_host_ids(p[i], &uid[i], &gid), 0);
                assert_true(uid[i] >= r.uid && uid[i] - r.uid < r.count);
                for (int j = 0; j < i; j++)
                        assert_true(uid[i] != uid[j]);
        }
        for (int i = 0; i < 3; i++) {
                vb_proc_free(p[i]);
                assert_false(exists(VB_ID_LOCKDIR, uid[i]));
        }
        vb_warm_free(w);
        vb_void_free(v);
        /* Limits are refused for warm voids rather than left out. */
        v = vb_void_new();
        assert_int_equal(vb_void_exec_host(v, probe, argv), 0);
        assert_int_equal(vb_void_limits(v, &(struct vb_limits){ .pids = 8 }), 0);
        assert_null(vb_warm_new(v, 1, &err));
        assert_non_null(strstr(err->msg, "limits"));
        vb_error_free(err);
        vb_void_free(v);
}

int main(void)
{
        if (!realpath(PROBE, probe))
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_subid_parse),
                cmocka_unit_test_setup_teardown(test_range_read, setup_dir, remove_dir),
                cmocka_unit_test_setup_teardown(test_leases, setup_dir, remove_dir),
                cmocka_unit_test_setup_teardown(test_dirty_leases, setup_dir, remove_dir),
                cmocka_unit_test_setup_teardown(test_lockdir_refused, setup_dir, remove_dir),
                cmocka_unit_test(test_idmap_userns),
                cmocka_unit_test(test_spawn_identities),
                cmocka_unit_test(test_warm_identities),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
