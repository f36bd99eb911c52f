/* The cgroups behind --limit: the layout read from /proc, where each controller goes, what is written. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "core/cgroup.h"

/* A hybrid host (this machine's kind): v1 controllers, a v2 tree with none of them. */
static const char hybrid_mounts[] =
        "35 25 0:30 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
        "36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
        "37 35 0:32 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
        "38 35 0:33 / /sys/fs/cgroup/pids rw shared:12 - cgroup cgroup rw,pids\n"
        "39 35 0:34 / /sys/fs/cgroup/memory rw shared:13 - cgroup cgroup rw,memory\n"
        "40 35 0:35 / /sys/fs/cgroup/cpu,cpuacct rw shared:14 - cgroup cgroup rw,cpu,cpuacct\n"
        "41 35 0:33 / /mnt/again rw shared:15 - cgroup cgroup rw,pids\n";
static const char hybrid_self[] = "12:pids:/user.slice/user-1000.slice\n"
                                  "6:memory:/user.slice\n"
                                  "4:cpu,cpuacct:/\n"
                                  "1:name=systemd:/user.slice/session-1.scope\n"
                                  "0::/user.slice/session-1.scope\n";

/* A unified (v2 only) host, under systemd. */
static const char unified_mounts[] = "30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw\n";
static const char unified_self[] = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope\n";

static void test_layout_hybrid(void **state)
{
        struct vb_cg_layout l;

        assert_int_equal(vb_cg_layout_parse(hybrid_mounts, hybrid_self, "/R", &l), 0);
        assert_string_equal(l.v2_mnt, "/R/sys/fs/cgroup/unified");
        assert_string_equal(l.v2_self, "/R/sys/fs/cgroup/unified/user.slice/session-1.scope");
        /* The first mount of a hierarchy counts (not /mnt/again). */
        assert_string_equal(l.v1_self[VB_CG_PIDS], "/R/sys/fs/cgroup/pids/user.slice/user-1000.slice");
        assert_string_equal(l.v1_self[VB_CG_MEMORY], "/R/sys/fs/cgroup/memory/user.slice");
        /* "cpu" is a word of "cpu,cpuacct", in the mount options and in /proc/self/cgroup; the root is "/". */
        assert_string_equal(l.v1_self[VB_CG_CPU], "/R/sys/fs/cgroup/cpu,cpuacct");
        vb_cg_layout_done(&l);
}

static void test_layout_unified(void **state)
{
        struct vb_cg_layout l;

        assert_int_equal(vb_cg_layout_parse(unified_mounts, unified_self, "", &l), 0);
        assert_string_equal(l.v2_mnt, "/sys/fs/cgroup");
        assert_string_equal(l.v2_self,
                            "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope");
        for (int c = 0; c < VB_CG_NCTL; c++)
                assert_null(l.v1_self[c]);
        vb_cg_layout_done(&l);
}

static void test_layout_edges(void **state)
{
        /* A mount whose root is a cgroup below the hierarchy's (a cgroup namespace, a container). */
        static const char sub[] = "30 25 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                                  "31 25 0:27 /docker/abc /sys/fs/cgroup/with\\040space rw - cgroup cgroup rw,pids\n";
        struct vb_cg_layout l;

        assert_int_equal(vb_cg_layout_parse(sub, "0::/docker/abc/work\n3:pids:/docker/abc\n", "", &l), 0);
        assert_string_equal(l.v2_self, "/sys/fs/cgroup/work");
        assert_string_equal(l.v1_self[VB_CG_PIDS], "/sys/fs/cgroup/with space");
        vb_cg_layout_done(&l);
        /* A cgroup outside the mount's root is not reachable through it; "/docker/abcdef" is not below it. */
        assert_int_equal(vb_cg_layout_parse(sub, "0::/other\n3:pids:/docker/abcdef\n", "", &l), 0);
        assert_non_null(l.v2_mnt);
        assert_null(l.v2_self);
        assert_null(l.v1_self[VB_CG_PIDS]);
        vb_cg_layout_done(&l);
        /* No cgroup file system at all; garbage lines are skipped. */
        assert_int_equal(vb_cg_layout_parse("1 2 3\n\nnot a mountinfo line\n", "garbage\n", "", &l), 0);
        assert_null(l.v2_mnt);
        assert_null(l.v2_self);
        for (int c = 0; c < VB_CG_NCTL; c++)
                assert_null(l.v1_self[c]);
        vb_cg_layout_done(&l);
}

/* ---- choosing, on a fake tree ---------------------------------------------------------------- */

static char root[64];

static void put(const char *rel, const char *text)
{
        char path[PATH_MAX], cmd[PATH_MAX + 16];
        FILE *f;

        snprintf(path, sizeof(path), "%s%s", root, rel);
        *strrchr(path, '/') = '\0';
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
        assert_int_equal(system(cmd), 0);
        snprintf(path, sizeof(path), "%s%s", root, rel);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static int setup_tree(void **state)
{
        snprintf(root, sizeof(root), "/tmp/vb-cgtest-XXXXXX");
        return mkdtemp(root) ? 0 : -1;
}

static int remove_tree(void **state)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

static void test_choose_hybrid(void **state)
{
        struct vb_limits lim = { .pids = 64, .memory = 64 << 20 };
        struct vb_cg_layout l;
        struct vb_cg_where w;
        const char *why = NULL;

        put("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
        assert_int_equal(vb_cg_layout_parse(hybrid_mounts, hybrid_self, root, &l), 0);
        assert_int_equal(vb_cg_choose(&l, &lim, -1, &w, &why), 0);
        /* v2 here has only hugetlb: pids and memory go to their v1 hierarchies, cpu is not needed. */
        assert_false(w.v2[VB_CG_PIDS] || w.v2[VB_CG_MEMORY]);
        assert_null(w.v2_parent);
        assert_string_equal(w.v1_dir[VB_CG_PIDS], l.v1_self[VB_CG_PIDS]);
        assert_string_equal(w.v1_dir[VB_CG_MEMORY], l.v1_self[VB_CG_MEMORY]);
        assert_null(w.v1_dir[VB_CG_CPU]);
        vb_cg_where_done(&w);
        vb_cg_layout_done(&l);
}

static void test_choose_unified(void **state)
{
        static const char *const slice = "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice";
        struct vb_limits lim = { .pids = 64, .cpu = 50 };
        struct vb_cg_layout l;
        struct vb_cg_where w;
        const char *why = NULL;
        char path[PATH_MAX];

        put("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        put("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-1.scope/"
            "cgroup.subtree_control",
            "");
        /* Nothing enables pids and cpu for its children yet: no delegated subtree, refused. */
        assert_int_equal(vb_cg_layout_parse(unified_mounts, unified_self, root, &l), 0);
        assert_int_equal(vb_cg_choose(&l, &lim, -1, &w, &why), -EOPNOTSUPP);
        assert_int_equal(w.failed, VB_CG_PIDS);
        assert_non_null(strstr(why, "delegated"));
        vb_cg_where_done(&w);
        /* The user manager's app.slice enables both (a delegated subtree): the void goes below it. */
        snprintf(path, sizeof(path), "%s/cgroup.subtree_control", slice);
        put(path, "cpu memory pids\n");
        assert_int_equal(vb_cg_choose(&l, &lim, -1, &w, &why), 0);
        assert_true(w.v2[VB_CG_PIDS] && w.v2[VB_CG_CPU]);
        snprintf(path, sizeof(path), "%s%s", root, slice);
        assert_string_equal(w.v2_parent, path);
        vb_cg_where_done(&w);
        /* Enabling pids but not cpu is not enough. */
        snprintf(path, sizeof(path), "%s/cgroup.subtree_control", slice);
        put(path, "memory pids\n");
        assert_int_equal(vb_cg_choose(&l, &lim, -1, &w, &why), -EOPNOTSUPP);
        vb_cg_where_done(&w);
        vb_cg_layout_done(&l);
}

static void test_choose_missing(void **state)
{
        struct vb_limits lim = { .memory = 1 << 30 };
        struct vb_cg_layout l;
        struct vb_cg_where w;
        const char *why = NULL;

        /* Only pids is mounted (v1), and no v2: memory is nowhere. */
        assert_int_equal(vb_cg_layout_parse("38 35 0:33 / /p rw - cgroup cgroup rw,pids\n", "3:pids:/\n", root, &l), 0);
        assert_int_equal(vb_cg_choose(&l, &lim, -1, &w, &why), -EOPNOTSUPP);
        assert_int_equal(w.failed, VB_CG_MEMORY);
        assert_non_null(strstr(why, "no cgroup hierarchy"));
        vb_cg_where_done(&w);
        vb_cg_layout_done(&l);
}

/* ---- what is written ------------------------------------------------------------------------ */

static void test_limit_files(void **state)
{
        struct vb_limits lim = { .pids = 64, .memory = 64 << 20, .cpu = 150 };
        struct vb_cg_file f[3];

        assert_int_equal(vb_cg_limit_files(VB_CG_PIDS, true, &lim, f), 1);
        assert_string_equal(f[0].name, "pids.max");
        assert_string_equal(f[0].value, "64");
        assert_int_equal(vb_cg_limit_files(VB_CG_PIDS, false, &lim, f), 1);
        assert_string_equal(f[0].name, "pids.max");
        assert_int_equal(vb_cg_limit_files(VB_CG_MEMORY, true, &lim, f), 3);
        assert_string_equal(f[0].name, "memory.max");
        assert_string_equal(f[0].value, "67108864");
        assert_false(f[0].optional);
        assert_string_equal(f[1].name, "memory.swap.max");
        assert_string_equal(f[1].value, "0");
        assert_true(f[1].optional);
        assert_string_equal(f[2].name, "memory.oom.group");
        assert_int_equal(vb_cg_limit_files(VB_CG_MEMORY, false, &lim, f), 2);
        assert_string_equal(f[0].name, "memory.limit_in_bytes");
        assert_string_equal(f[1].name, "memory.memsw.limit_in_bytes");
        assert_string_equal(f[1].value, "67108864");
        assert_int_equal(vb_cg_limit_files(VB_CG_CPU, true, &lim, f), 1);
        assert_string_equal(f[0].name, "cpu.max");
        assert_string_equal(f[0].value, "150000 100000");
        assert_int_equal(vb_cg_limit_files(VB_CG_CPU, false, &lim, f), 2);
        assert_string_equal(f[0].name, "cpu.cfs_period_us");
        assert_string_equal(f[0].value, "100000");
        assert_string_equal(f[1].name, "cpu.cfs_quota_us");
        assert_string_equal(f[1].value, "150000");
        lim = (struct vb_limits){ .pids = 1 };
        assert_int_equal(vb_cg_limit_files(VB_CG_MEMORY, true, &lim, f), 0);
        assert_int_equal(vb_cg_limit_files(VB_CG_CPU, false, &lim, f), 0);
}

static void test_limit_parse(void **state)
{
        struct vb_limits l = {};
        struct vb_void *v = vb_void_new();
        const char *why = NULL;

        assert_int_equal(vb_limit_parse(&l, "pids", "64", &why), 0);
        assert_int_equal(l.pids, 64);
        assert_int_equal(vb_limit_parse(&l, "memory", "64m", &why), 0);
        assert_int_equal(l.memory, 64 << 20);
        assert_int_equal(vb_limit_parse(&l, "memory", "1048576", &why), 0);
        assert_int_equal(vb_limit_parse(&l, "cpu", "50%", &why), 0);
        assert_int_equal(l.cpu, 50);
        assert_int_equal(vb_limit_parse(&l, "cpu", "100000%", &why), 0);
        static const char *const bad[][2] = {
                { "pids", "x" },   { "pids", "0" },      { "pids", "4194305" }, { "pids", "-1" },   { "pids", "" },
                { "pids", "6 4" }, { "memory", "-1" },   { "memory", "1k" },    { "memory", "1x" }, { "memory", "" },
                { "cpu", "50" },   { "cpu", "0%" },      { "cpu", "100001%" },  { "cpu", "%" },     { "cpu", "1.5%" },
                { "cpu", "-5%" },  { "memory", "64mb" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why = NULL;
                assert_int_equal(vb_limit_parse(&l, bad[i][0], bad[i][1], &why), -EINVAL);
                assert_non_null(why);
        }
        assert_int_equal(vb_limit_parse(&l, "swap", "1m", &why), -ENOENT);
        assert_non_null(strstr(why, "pids, memory, cpu"));
        /* The values that passed, unchanged by the ones that failed. */
        assert_int_equal(l.pids, 64);
        assert_int_equal(l.cpu, 100000);
        /* vb_void_limits() holds the same ranges. */
        assert_int_equal(vb_void_limits(v, &(struct vb_limits){ .pids = VB_LIMIT_PIDS_MAX + 1 }), -EINVAL);
        assert_int_equal(vb_void_limits(v, &(struct vb_limits){ .memory = 4096 }), -EINVAL);
        assert_int_equal(vb_void_limits(v, &(struct vb_limits){ .cpu = VB_LIMIT_CPU_MAX + 1 }), -EINVAL);
        assert_int_equal(vb_void_limits(v, &(struct vb_limits){ .pids = 1, .memory = 1 << 20, .cpu = 1 }), 0);
        vb_void_free(v);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_layout_hybrid),
                cmocka_unit_test(test_layout_unified),
                cmocka_unit_test(test_layout_edges),
                cmocka_unit_test_setup_teardown(test_choose_hybrid, setup_tree, remove_tree),
                cmocka_unit_test_setup_teardown(test_choose_unified, setup_tree, remove_tree),
                cmocka_unit_test_setup_teardown(test_choose_missing, setup_tree, remove_tree),
                cmocka_unit_test(test_limit_files),
                cmocka_unit_test(test_limit_parse),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
