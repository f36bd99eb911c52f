/* SPDX-License-Identifier: GPL-2.0-or-later */
/* voidshim oci features (runtime-spec features.md) and run (create, start, wait, delete). */
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci/oci.h"
#include "oci/oci_run.h"
#include "voidbuilder/cleanup.h"

int oci_cmd_features(int argc, char **argv)
{
        static const char *const hooks = "\"prestart\",\"createRuntime\",\"createContainer\",\"startContainer\","
                                         "\"poststart\",\"poststop\"";
        static const char *const mount_options =
                "\"async\",\"atime\",\"bind\",\"defaults\",\"dev\",\"diratime\",\"dirsync\",\"exec\",\"lazytime\","
                "\"mand\",\"noatime\",\"nodev\",\"nodiratime\",\"noexec\",\"nolazytime\",\"nomand\",\"norelatime\","
                "\"nostrictatime\",\"nosuid\",\"private\",\"rbind\",\"relatime\",\"ro\",\"rprivate\",\"rro\",\"rw\","
                "\"strictatime\",\"suid\",\"sync\"";
        int last = cap_max_bits() - 1;

        printf("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"%s\",\"hooks\":[%s],\"mountOptions\":[%s],"
               "\"linux\":{\"namespaces\":[\"cgroup\",\"ipc\",\"mount\",\"network\",\"pid\",\"time\",\"user\",\"uts\"],"
               "\"capabilities\":[",
               VB_OCI_VERSION, hooks, mount_options);
        for (int c = 0; c <= last; c++) {
                char *name = cap_to_name(c);

                for (char *p = name; p && *p; p++)
                        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
                printf("%s\"%s\"", c ? "," : "", name ? name : "?");
                cap_free(name);
        }
        printf("],\"cgroup\":{\"v1\":true,\"v2\":true,\"systemd\":false,\"systemdUser\":false},"
               "\"seccomp\":{\"enabled\":true,\"actions\":[\"SCMP_ACT_ALLOW\",\"SCMP_ACT_ERRNO\",\"SCMP_ACT_KILL\","
               "\"SCMP_ACT_KILL_PROCESS\",\"SCMP_ACT_KILL_THREAD\",\"SCMP_ACT_LOG\",\"SCMP_ACT_TRACE\",\"SCMP_ACT_TRAP\"],"
               "\"operators\":[\"SCMP_CMP_EQ\",\"SCMP_CMP_GE\",\"SCMP_CMP_GT\",\"SCMP_CMP_LE\",\"SCMP_CMP_LT\","
               "\"SCMP_CMP_MASKED_EQ\",\"SCMP_CMP_NE\"],\"archs\":[\"SCMP_ARCH_X86_64\"]},"
               "\"apparmor\":{\"enabled\":false},\"selinux\":{\"enabled\":false}},"
               "\"annotations\":{\"org.voidshim.version\":\"%s\"}}\n",
               VB_VERSION);
        return 0;
}

int oci_cmd_run(int argc, char **argv)
{
        struct oci_create_opts o;
        struct vb_proc *proc = NULL;
        struct oci_ctr c;
        _cleanup_free_ char *why = NULL;
        char *del[] = { "delete", "--force", NULL, NULL };
        int r = oci_create_args(argc, argv, &o), status = 0;

        if (r || (r = oci_create(&o, &proc)))
                return r;
        if (oci_ctr_open(o.id, &c, &why) < 0) {
                vb_proc_free(proc);
                return oci_fail("run container", "%s", why ? why : "its state is gone");
        }
        r = oci_start(&c);
        oci_ctr_close(&c);
        /* The init is our own child: wait for it as for any. */
        if (r == 0)
                r = vb_proc_wait(proc, &status) < 0 ? OCI_EXIT_FAIL
                    : WIFEXITED(status)             ? WEXITSTATUS(status)
                                                    : 128 + WTERMSIG(status);
        vb_proc_free(proc);
        del[2] = (char *)o.id;
        (void)oci_cmd_delete(3, del);
        return r;
}
