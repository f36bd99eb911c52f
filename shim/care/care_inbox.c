/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The powerbox's requests, the same for every supervisor that holds an inbox
 * (`voidshim run --inbox`, a session, `voidshim exec` with an entrypoint's
 * "inbox"): `voidshim ctl NAME grant PATH ro|rw`, `ungrant NAME`, `revoke
 * NAME`, and the inbox's lines of `list`.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "care/care.h"
#include "voidbuilder/cleanup.h"

void care_inbox_list(struct vb_inbox *inbox, int fd)
{
        if (!inbox)
                return;
        care_reply(fd, "inbox\tholder pid %d, %zu grant%s\n", (int)vb_inbox_pid(inbox), vb_inbox_count(inbox),
                   vb_inbox_count(inbox) == 1 ? "" : "s");
        for (size_t i = 0; i < vb_inbox_count(inbox); i++) {
                const char *name, *what = vb_inbox_describe(inbox, i, &name);

                care_reply(fd, "%s\tgrant %s\n", name, what);
        }
}

void care_inbox_grant(struct vb_inbox *inbox, int fd, char *args)
{
        _cleanup_close_ int dir = -1;
        _cleanup_vb_error_ struct vb_error *err = NULL;
        char *mode = strrchr(args, ' ');
        unsigned flags;
        int r;

        if (!inbox) {
                care_reply(fd, "error: this run has no inbox (voidshim run --inbox DIR, a spec's \"inbox\")\n");
                return;
        }
        if (!mode || (strcmp(mode, " ro") != 0 && strcmp(mode, " rw") != 0)) {
                care_reply(fd, "error: expected grant PATH ro|rw\n");
                return;
        }
        flags = strcmp(mode, " rw") == 0 ? VB_MOUNT_RW : 0;
        *mode = '\0';
        /* Opened here, as the owner (the peer was checked), and handed to the holder by fd. */
        dir = open(args, O_PATH | O_CLOEXEC);
        if (dir < 0) {
                care_reply(fd, "error: %s: %s\n", args, strerror(errno));
                return;
        }
        if (ctl_overlaps_runtime_dir(args)) {
                care_reply(fd, "error: %s holds voidshim's control sockets: a void is never granted them\n", args);
                return;
        }
        r = vb_inbox_grant(inbox, dir, NULL, flags, &err);
        if (r < 0)
                care_reply(fd, "%s: %s\n", r == -EINVAL || r == -EEXIST ? "error" : "failed",
                           err && err->msg ? err->msg : strerror(-r));
        else
                care_reply(fd, "ok\n");
}

size_t care_revoke(struct care_set *s, struct vb_inbox *inbox, pid_t self, int fd, const char *name, bool caretakers)
{
        _cleanup_vb_error_ struct vb_error *err = NULL;
        size_t n;

        /* "PEER/BASE": a link into this void that PEER's supervisor holds (care_live.c). */
        if (caretakers && care_link_is_name(name)) {
                care_link_revoke(s, self, fd, name);
                return 0;
        }
        if (caretakers && (n = care_set_revoke(s, name)) > 0) {
                if (inbox) /* a link (ctl connect) is a forwarder and its grant: both go */
                        (void)vb_inbox_ungrant(inbox, name, NULL);
                care_reply(fd, "ok\n");
                return n;
        }
        if (inbox && vb_inbox_ungrant(inbox, name, &err) >= 0) {
                care_reply(fd, "ok\n");
        } else if (err && err->errnum != ENOENT) {
                care_reply(fd, "failed: %s\n", err->msg);
        } else {
                care_reply(fd, "error: no %s named %s (voidshim ctl NAME list shows them)\n",
                           caretakers ? "caretaker, grant or link" : "grant", name);
        }
        return 0;
}
