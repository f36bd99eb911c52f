/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "core/caps.h"
#include "core/cleanup.h"

struct _cap_struct *vb_caps_prepare(uint64_t keep)
{
        cap_t caps = cap_init(); /* all sets clear */

        if (!caps)
                return NULL;
        for (cap_value_t c = 0; c < 64; c++) {
                if (!(keep & (1ULL << c)))
                        continue;
                if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) < 0 ||
                    cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) < 0 ||
                    cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET) < 0) {
                        cap_free(caps);
                        return NULL;
                }
        }
        return caps;
}

int vb_caps_apply(struct _cap_struct *caps, uint64_t keep)
{
        cap_value_t max = (cap_value_t)cap_max_bits();

        /*
         * The bounding set matters most: the program runs as uid 0 of its user
         * namespace, and execve() gives root every capability left in it.
         */
        for (cap_value_t c = 0; c < max; c++)
                if (!(keep & (1ULL << c)) && cap_drop_bound(c) < 0)
                        return NEG_ERRNO();
        /* One call (libcap's cap_reset_ambient() first asks about each capability, one prctl each). */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return NEG_ERRNO();
        if (cap_set_proc(caps) < 0)
                return NEG_ERRNO();
        for (cap_value_t c = 0; c < max; c++)
                if ((keep & (1ULL << c)) && cap_set_ambient(c, CAP_SET) < 0)
                        return NEG_ERRNO();
        return 0;
}
