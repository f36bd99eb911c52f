/*
 * Unit tests for libvoidoci (voidbuilder/oci/): config.json read field by field, every error
 * naming its JSON path; linux.seccomp translated into a policy the library compiles; a config
 * as a plan; the runtime's state file.  And the library's container setters' refusals.
 */
#include <errno.h>
#include <limits.h>
#include <linux/mount.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/seccomp.h"
#include "voidbuilder/cleanup.h"
#include "voidbuilder/oci.h"
#include "voidbuilder/plan.h"

static char bundle[] = "/tmp/vs-test-oci.XXXXXX";

static int setup(void **state)
{
        char root[PATH_MAX];

        if (!mkdtemp(bundle))
                return -1;
        snprintf(root, sizeof(root), "%s/rootfs", bundle);
        return mkdir(root, 0755);
}

static int teardown(void **state)
{
        char path[PATH_MAX];

        snprintf(path, sizeof(path), "%s/config.json", bundle);
        unlink(path);
        snprintf(path, sizeof(path), "%s/rootfs", bundle);
        rmdir(path);
        return rmdir(bundle);
}

/* A config with MORE spliced into its top-level object and PROCESS as "process" (NULL: a default one). */
static void write_config(const char *process, const char *more)
{
        char path[PATH_MAX];
        FILE *f;

        snprintf(path, sizeof(path), "%s/config.json", bundle);
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": %s%s%s}",
                process ? process
                        : "{\"args\": [\"/bin/sh\"], \"cwd\": \"/\", \"env\": [\"A=1\"], "
                          "\"user\": {\"uid\": 10, \"gid\": 20, \"additionalGids\": [5]}, \"capabilities\": "
                          "{\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"], \"effective\": [\"CAP_KILL\"], "
                          "\"permitted\": [\"CAP_KILL\", \"CAP_CHOWN\"]}}",
                more ? ", " : "", more ? more : "");
        fclose(f);
}

/* Load and expect failure with a message holding want. */
static void expect_error(const char *process, const char *more, const char *want)
{
        struct vb_error *err = NULL;
        struct vb_oci *c = NULL;

        write_config(process, more);
        assert_int_equal(vb_oci_load(bundle, &c, &err), -EINVAL);
        assert_null(c);
        assert_non_null(err);
        if (!strstr(err->msg, want))
                fail_msg("expected \"%s\" in: %s", want, err->msg);
        vb_error_free(err);
}

static void test_errors_name_the_field(void **state)
{
        expect_error("{\"args\": \"sh\", \"cwd\": \"/\"}", NULL, "config.json: /process/args: must be an array");
        expect_error("{\"args\": [], \"cwd\": \"/\"}", NULL, "/process/args: must name a program");
        expect_error("{\"args\": [\"sh\"], \"cwd\": \"rel\"}", NULL, "/process/cwd: must be an absolute path");
        expect_error("{\"args\": [\"sh\", 3], \"cwd\": \"/\"}", NULL, "/process/args/1: must be a string");
        expect_error("{\"args\": [\"sh\"], \"cwd\": \"/\", \"env\": [\"NOEQUALS\"]}", NULL,
                     "/process/env/0: \"NOEQUALS\" is not NAME=VALUE");
        expect_error("{\"args\": [\"sh\"], \"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_X\", \"soft\": 1, "
                     "\"hard\": 1}]}",
                     NULL, "/process/rlimits/0: unknown type \"RLIMIT_X\"");
        expect_error("{\"args\": [\"sh\"], \"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, "
                     "\"hard\": 1}]}",
                     NULL, "/process/rlimits/0: soft 2 is above hard 1");
        expect_error("{\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": -1}}", NULL,
                     "/process/user/uid: -1 is out of range");
        expect_error("{\"args\": [\"sh\"], \"cwd\": \"/\", \"capabilities\": {\"effective\": [\"CAP_KILL\"]}}", NULL,
                     "/process/capabilities: effective holds a capability that permitted lacks");
        expect_error(
                "{\"args\": [\"sh\"], \"cwd\": \"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_TEST\"]}}",
                NULL, "/process/capabilities/bounding/1: \"CAP_TEST\" is not a capability");
        expect_error(NULL, "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"mount\"}]}",
                     "/linux/namespaces/1: namespace \"mount\" listed twice");
        expect_error(NULL, "\"linux\": {\"namespaces\": [{\"type\": \"user\"}]}",
                     "/linux/namespaces: a new user namespace needs uidMappings");
        expect_error(NULL, "\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 0}]}",
                     "/linux/uidMappings/0: needs containerID, hostID and a size above 0");
        expect_error(NULL, "\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"z\"}]}",
                     "/linux/devices/0: type must be c, b, u or p");
        expect_error(NULL, "\"mounts\": [{\"destination\": \"rel\"}]", "/mounts/0: destination must be an absolute");
        expect_error(NULL, "\"hooks\": {\"prestart\": [{\"path\": \"hook\"}]}",
                     "/hooks/prestart/0: path must be absolute");
        expect_error(NULL, "\"linux\": {\"resources\": {\"pids\": {\"limit\": \"many\"}}}",
                     "/linux/resources/pids/limit: must be an integer, not a string");
        expect_error(NULL, "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOTIFY\"}}",
                     "/linux/seccomp/defaultAction: SCMP_ACT_NOTIFY is not supported");
        expect_error(NULL, "\"domainname\": 5", "config.json: /domainname: must be a string, not an integer");
}

static void test_json_that_does_not_parse(void **state)
{
        char path[PATH_MAX];
        struct vb_error *err = NULL;
        struct vb_oci *c = NULL;
        FILE *f;

        snprintf(path, sizeof(path), "%s/config.json", bundle);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("{\"ociVersion\": \"1.0.2\",\n  \"root\": }", f);
        fclose(f);
        assert_int_equal(vb_oci_load(bundle, &c, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "config.json:2:"));
        vb_error_free(err);
}

static void test_config_read(void **state)
{
        struct vb_error *err = NULL;
        struct vb_oci *c = NULL;
        char root[PATH_MAX];

        write_config(NULL,
                     "\"hostname\": \"h\", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, "
                     "{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}], \"sysctl\": {\"net.ipv4.ip_forward\": "
                     "\"1\"}, \"resources\": {\"pids\": {\"limit\": 64}, \"blockIO\": {\"weight\": 5}}}, "
                     "\"annotations\": {\"b\": \"2\", \"a\": \"1\"}");
        assert_int_equal(vb_oci_load(bundle, &c, &err), 0);
        snprintf(root, sizeof(root), "%s/rootfs", c->bundle);
        assert_string_equal(c->root, root);
        assert_true(c->ns_set[VB_NS_PID] && !c->ns_path[VB_NS_PID]);
        assert_string_equal(c->ns_path[VB_NS_NET], "/proc/1/ns/net");
        assert_false(c->ns_set[VB_NS_USER]);
        assert_int_equal(c->process.uid, 10);
        assert_int_equal(c->process.n_groups, 1);
        assert_true(c->process.caps.ambient == 0);
        assert_true(c->res.pids_set && c->res.pids_limit == 64);
        assert_string_equal(c->res.refused[0], "/linux/resources/blockIO");
        assert_string_equal(c->annotations, "{\"a\":\"1\",\"b\":\"2\"}");
        vb_oci_free(c);
}

/* The plan: namespaces, root, grants in order, the process. */
static void test_plan_of_a_config(void **state)
{
        struct vb_error *err = NULL;
        struct vb_oci *c = NULL;
        struct vb_plan *p = NULL;
        size_t mount_at = SIZE_MAX, dev_at = SIZE_MAX, mask_at = SIZE_MAX;

        write_config(NULL, "\"hostname\": \"h\", \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"}, "
                           "{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"options\": [\"nosuid\", \"ro\", "
                           "\"size=1m\"]}], \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, "
                           "{\"type\": \"uts\"}], \"maskedPaths\": [\"/proc/kcore\"]}");
        assert_int_equal(vb_oci_load(bundle, &c, &err), 0);
        assert_int_equal(vb_plan_from_oci(c, NULL, &p, &err), 0);
        assert_int_equal(p->ns[VB_NS_PID], VB_NS_FRESH);
        assert_int_equal(p->ns[VB_NS_NET], VB_NS_SHARED); /* not listed: the runtime's */
        assert_false(p->loopback);
        assert_string_equal(p->root, c->root);
        assert_true(p->root_rw);
        assert_true(p->ctr.image_root);
        assert_string_equal(p->hostname, "h");
        assert_string_equal(p->argv[0], "/bin/sh");
        assert_true(p->ctr.user_set && p->ctr.uid == 10 && p->ctr.gid == 20 && p->ctr.n_groups == 1);
        assert_true(p->ctr.new_privs); /* noNewPrivileges absent: false */
        assert_true(p->ctr.caps.effective == 1ULL << CAP_KILL);
        assert_int_equal(p->landlock, VB_PLAN_LANDLOCK_OFF);
        for (size_t i = 0; i < p->n_grants; i++) {
                if (p->grants[i].kind == VB_PLAN_MOUNT && mount_at == SIZE_MAX)
                        mount_at = i;
                if (p->grants[i].kind == VB_PLAN_DEVICE && dev_at == SIZE_MAX)
                        dev_at = i;
                if (p->grants[i].kind == VB_PLAN_MASK && mask_at == SIZE_MAX)
                        mask_at = i;
                if (p->grants[i].kind == VB_PLAN_MOUNT && strcmp(p->grants[i].dst, "/tmp") == 0) {
                        assert_string_equal(p->grants[i].options, "size=1m");
                        assert_int_equal(p->grants[i].flags, MOUNT_ATTR_NOSUID | MOUNT_ATTR_RDONLY);
                }
        }
        /* The config's mounts, then the default devices, then the masks (over all of them). */
        assert_true(mount_at < dev_at && dev_at < mask_at && mask_at != SIZE_MAX);
        vb_plan_free(p);
        vb_oci_free(c);

        /* Without a mount namespace a void cannot build its root: refused, and said so. */
        write_config(NULL, "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}]}");
        assert_int_equal(vb_oci_load(bundle, &c, &err), 0);
        assert_int_equal(vb_plan_from_oci(c, NULL, &p, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "/linux/namespaces: needs a mount namespace"));
        vb_error_free(err);
        vb_oci_free(c);
}

static char *policy_of(const char *json, char ***notes)
{
        struct vb_error *err = NULL;
        char *policy = NULL;
        struct sock_fprog prog;

        if (vb_oci_seccomp_policy(json, &policy, notes, &err) < 0)
                fail_msg("translation failed: %s", err ? err->msg : "?");
        /* Whatever it writes, the library must compile. */
        if (vb_seccomp_compile(policy, "test", 0, &prog, &err) < 0)
                fail_msg("the translation does not compile: %s\n%s", err ? err->msg : "?", policy);
        vb_seccomp_fprog_done(&prog);
        return policy;
}

static void test_seccomp_translation(void **state)
{
        char **notes = NULL;
        char *p;

        /* A plain deny list; a rule with the default's action does nothing and is left out. */
        p = policy_of("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                      "{\"names\": [\"mkdir\", \"rmdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 95},"
                      "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                      &notes);
        assert_non_null(strstr(p, "default allow\n"));
        assert_non_null(strstr(p, "mkdir errno 95\n"));
        assert_non_null(strstr(p, "rmdir errno 95\n"));
        assert_null(strstr(p, "read allow"));
        free(p);
        /* An allowlist; an unconditional rule shadows the conditional ones of its syscall. */
        p = policy_of("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                      "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": "
                      "2080505856, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
                      "{\"names\": [\"clone\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
                      &notes);
        assert_non_null(strstr(p, "default errno 1\n"));
        assert_non_null(strstr(p, "clone allow\n"));
        assert_null(strstr(p, "clone allow when"));
        free(p);
        /* Two comparisons of one argument: either (two rules); of two arguments: both (one rule). */
        p = policy_of("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                      "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                      "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, \"value\": 2, \"op\": "
                      "\"SCMP_CMP_EQ\"}]},"
                      "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
                      "{\"index\": 0, \"value\": 10, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 3, \"op\": "
                      "\"SCMP_CMP_EQ\"}]}]}",
                      &notes);
        assert_non_null(strstr(p, "personality errno 1 when arg0 == 0x1\n"));
        assert_non_null(strstr(p, "personality errno 1 when arg0 == 0x2\n"));
        assert_non_null(strstr(p, "socket errno 1 when arg0 == 0xa and arg1 == 0x3\n"));
        free(p);
        /* A masked comparison that never holds voids its rule; an unknown syscall is left out, noted. */
        p = policy_of("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
                      "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": "
                      "255, \"valueTwo\": 256, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
                      "{\"names\": [\"no_such_call\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                      &notes);
        assert_null(strstr(p, "ioctl"));
        assert_null(strstr(p, "no_such_call"));
        assert_non_null(notes);
        assert_non_null(strstr(notes[0], "no_such_call"));
        vb_strv_free(notes);
        free(p);
}

static void test_state_round_trip(void **state)
{
        char path[PATH_MAX];
        char *cg[] = { "/sys/fs/cgroup/pids/x", "/sys/fs/cgroup/freezer/y", NULL }, *made[] = { cg[1], NULL };
        struct vb_oci_state st = { .id = "c1",
                                   .pid = 42,
                                   .start_time = 7,
                                   .bundle = "/b",
                                   .created = "now",
                                   .started = true,
                                   .annotations = "{\"k\":\"v\"}",
                                   .cgroups = cg,
                                   .cgroups_made = made,
                                   .owner = "voidshim",
                                   .hooks = 1U << VB_OCI_POSTSTOP },
                            back;
        char *json;

        snprintf(path, sizeof(path), "%s/state.json", bundle);
        assert_int_equal(vb_oci_state_save(&st, path), 0);
        assert_int_equal(vb_oci_state_load(path, &back), 0);
        assert_string_equal(back.id, "c1");
        assert_int_equal(back.pid, 42);
        assert_int_equal(back.start_time, 7);
        assert_true(back.started);
        assert_string_equal(back.cgroups[0], cg[0]);
        assert_string_equal(back.cgroups[1], cg[1]);
        assert_null(back.cgroups[2]);
        assert_string_equal(back.cgroups_made[0], made[0]); /* only those made are removed at delete */
        assert_null(back.cgroups_made[1]);
        assert_int_equal(back.hooks, 1U << VB_OCI_POSTSTOP);
        json = vb_oci_state_json(&back, VB_OCI_STOPPED, 0);
        assert_non_null(strstr(json, "\"status\": \"stopped\""));
        assert_non_null(strstr(json, "\"k\": \"v\""));
        free(json);
        vb_oci_state_done(&back);
        unlink(path);
        assert_int_equal(vb_oci_state_load(path, &back), -ENOENT);
}

/* The library refuses what the kernel would, before any void is made. */
static void test_container_setters_refuse(void **state)
{
        _cleanup_vb_void_ struct vb_void *v = vb_void_new();
        struct vb_id_map overlap[] = { { 0, 1000, 10 }, { 5, 2000, 10 } }, one[] = { { 0, 1000, 1 } };
        struct vb_cap_sets bad = { .effective = 1ULL << CAP_KILL };

        assert_non_null(v);
        assert_int_equal(vb_void_id_maps(v, overlap, 2, one, 1), -EINVAL);
        assert_int_equal(vb_void_id_maps(v, one, 1, one, 1), 0);
        assert_int_equal(vb_void_cap_sets(v, &bad), -EINVAL);              /* effective outside permitted */
        assert_int_equal(vb_void_sysctl(v, "kernel.panic", "1"), -EINVAL); /* host-wide */
        assert_int_equal(vb_void_sysctl(v, "net.ipv4.ip_forward", "1"), 0);
        assert_int_equal(vb_void_sysctl(v, "net..x", "1"), -EINVAL);
        assert_int_equal(vb_void_mount(v, "tmpfs", NULL, "/t", NULL, 1U << 30), -EINVAL);
        assert_int_equal(vb_void_mount(v, "", NULL, "/t", NULL, 0), -EINVAL);
        assert_int_equal(vb_void_device(v, "/dev/x", 'z', 1, 1, 0666, 0, 0), -EINVAL);
        assert_int_equal(vb_void_image_root(v), -EINVAL); /* no root directory yet */
        assert_int_equal(vb_void_root(v, "/", VB_MOUNT_RW), 0);
        assert_int_equal(vb_void_image_root(v), 0);
        assert_int_equal(vb_void_oom_score_adj(v, 1001), -EINVAL);
        assert_int_equal(vb_void_umask(v, 01000), -EINVAL);
        /* A joined mount namespace is for a root directory (or enter) only; shared never. */
        assert_int_equal(vb_void_set_ns(v, VB_NS_MNT, VB_NS_SHARED, -1), -EINVAL);
}

/* vb_plan_check() holds an OCI plan's contradictions, each named. */
static void test_plan_check_container(void **state)
{
        struct vb_plan *p = vb_plan_new();
        struct vb_id_map one = { 0, 1000, 1 };
        char *why = NULL;

        assert_non_null(p);
        assert_int_equal(vb_plan_set_program(p, "/bin/true", false, NULL), 0);
        assert_int_equal(vb_plan_check(p, &why), 0);
        p->ctr.uid_map = malloc(sizeof(one)), p->ctr.gid_map = malloc(sizeof(one));
        *p->ctr.uid_map = *p->ctr.gid_map = one;
        p->ctr.n_uid_map = p->ctr.n_gid_map = 1;
        assert_int_equal(vb_plan_check(p, &why), 0);
        p->ns[VB_NS_USER] = VB_NS_SHARED;
        assert_int_equal(vb_plan_check(p, &why), -EINVAL);
        assert_non_null(strstr(why, "uid/gid mappings need a user namespace"));
        free(why);
        p->ns[VB_NS_USER] = VB_NS_FRESH;
        p->ns[VB_NS_NET] = VB_NS_SHARED;
        assert_true(vb_plan_add(p, &(struct vb_plan_grant){
                                           .kind = VB_PLAN_SYSCTL, .src = "net.ipv4.ip_forward", .dst = "1" }) >= 0);
        assert_int_equal(vb_plan_check(p, &why), -EINVAL);
        assert_non_null(strstr(why, "sysctl net.ipv4.ip_forward: its namespace is the runtime's"));
        free(why);
        p->ns[VB_NS_NET] = VB_NS_FRESH;
        p->ns[VB_NS_MNT] = VB_NS_JOIN;
        assert_int_equal(vb_plan_check(p, &why), -EINVAL);
        assert_non_null(strstr(why, "joining a mount namespace needs a root directory"));
        free(why);
        vb_plan_free(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_errors_name_the_field),
                cmocka_unit_test(test_json_that_does_not_parse),
                cmocka_unit_test(test_config_read),
                cmocka_unit_test(test_plan_of_a_config),
                cmocka_unit_test(test_seccomp_translation),
                cmocka_unit_test(test_state_round_trip),
                cmocka_unit_test(test_container_setters_refuse),
                cmocka_unit_test(test_plan_check_container),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
