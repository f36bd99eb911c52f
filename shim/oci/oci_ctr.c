/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state directory, ROOT/ID: finding a container, locking it, telling what its init is doing. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "oci/oci.h"
#include "voidbuilder/cleanup.h"

bool oci_id_ok(const char *id)
{
        size_t len = strlen(id);

        return len > 0 && len <= 1024 && strcmp(id, ".") != 0 && strcmp(id, "..") != 0 &&
               strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.") == len;
}

bool oci_state_path(char *buf, size_t len, const char *id, const char *name)
{
        int n = name ? snprintf(buf, len, "%s/%s/%s", oci_opt.root, id, name)
                     : snprintf(buf, len, "%s/%s", oci_opt.root, id);

        return n > 0 && (size_t)n < len;
}

const char *oci_proc_stat(pid_t pid, char *buf, size_t len)
{
        char path[64], *p;
        _cleanup_close_ int fd = -1;
        ssize_t n;

        if (pid <= 0 || len < 2)
                return NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd < 0 ? -1 : read(fd, buf, len - 1);
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        /* "PID (COMM) S ..." where COMM may hold spaces and parentheses: the last ')' ends it. */
        p = strrchr(buf, ')');
        return p && p[1] == ' ' && p[2] ? p + 2 : NULL;
}

uint64_t oci_pid_start_time(pid_t pid)
{
        char buf[1024];
        const char *p = oci_proc_stat(pid, buf, sizeof(buf));
        unsigned long long start = 0;

        if (!p || *p == 'Z' || *p == 'X')
                return 0;
        /* From the state (field 3) to field 22 (starttime): the space before each of fields 4 to 22. */
        for (int i = 0; i < 19 && p; i++)
                p = strchr(p + 1, ' ');
        if (!p || sscanf(p + 1, "%llu", &start) != 1)
                return 0;
        return start;
}

void oci_ctr_refresh(struct oci_ctr *c)
{
        char fifo[4096];
        bool alive = c->st.pid > 0 && c->st.start_time && oci_pid_start_time(c->st.pid) == c->st.start_time;

        c->pid = alive ? c->st.pid : 0;
        if (!alive)
                c->status = VB_OCI_STOPPED;
        else if (!c->st.started && oci_state_path(fifo, sizeof(fifo), c->id, "exec.fifo") && access(fifo, F_OK) == 0)
                c->status = VB_OCI_CREATED;
        else
                c->status = oci_cgroup_frozen(c->st.cgroups) ? VB_OCI_PAUSED : VB_OCI_RUNNING;
}

int oci_ctr_open(const char *id, struct oci_ctr *c, char **why)
{
        char dir[4096], file[4096];
        int r;

        *c = (struct oci_ctr){ .lock_fd = -1 };
        *why = NULL;
        if (!oci_id_ok(id)) {
                if (asprintf(why, "\"%s\" is not a container id (letters, digits and _+-.)", id) < 0)
                        *why = NULL;
                return -EINVAL;
        }
        if (!oci_state_path(dir, sizeof(dir), id, NULL) || !oci_state_path(file, sizeof(file), id, "state.json"))
                return -ENAMETOOLONG;
        c->lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->lock_fd < 0 || flock(c->lock_fd, LOCK_EX) < 0) {
                r = -errno;
                if (asprintf(why, "container %s does not exist", id) < 0)
                        *why = NULL;
                oci_ctr_close(c);
                return r == -ENOENT ? -ENOENT : r;
        }
        r = vb_oci_state_load(file, &c->st);
        if (r < 0) {
                if (asprintf(why, "container %s does not exist (%s)", id,
                             r == -ENOENT ? "it is still being created, or was not" : "its state is damaged") < 0)
                        *why = NULL;
                oci_ctr_close(c);
                return -ENOENT;
        }
        c->id = strdup(id);
        if (!c->id) {
                oci_ctr_close(c);
                return -ENOMEM;
        }
        oci_ctr_refresh(c);
        return 0;
}

void oci_ctr_close(struct oci_ctr *c)
{
        vb_closep(&c->lock_fd);
        vb_oci_state_done(&c->st);
        free(c->id);
        *c = (struct oci_ctr){ .lock_fd = -1 };
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int oci_state_remove(const char *id)
{
        char dir[4096];

        if (!oci_state_path(dir, sizeof(dir), id, NULL))
                return -ENAMETOOLONG;
        if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}
