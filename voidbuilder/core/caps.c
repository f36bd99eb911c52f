/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "core/caps.h"
#include "core/cleanup.h"

struct _cap_struct *vb_caps_prepare_sets(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
        cap_t caps = cap_init(); /* all sets clear */
        const struct {
                cap_flag_t flag;
                uint64_t set;
        } sets[] = { { CAP_EFFECTIVE, effective }, { CAP_PERMITTED, permitted }, { CAP_INHERITABLE, inheritable } };

        if (!caps)
                return NULL;
        for (cap_value_t c = 0; c < 64; c++)
                for (size_t i = 0; i < ELEMENTSOF(sets); i++)
                        if ((sets[i].set & (1ULL << c)) && cap_set_flag(caps, sets[i].flag, 1, &c, CAP_SET) < 0) {
                                cap_free(caps);
                                return NULL;
                        }
        return caps;
}

struct _cap_struct *vb_caps_prepare(uint64_t keep)
{
        return vb_caps_prepare_sets(keep, keep, keep);
}

int vb_caps_drop_bound(uint64_t bounding)
{
        cap_value_t max = (cap_value_t)cap_max_bits();

        /*
         * The bounding set matters most: the program runs as uid 0 of its user
         * namespace, and execve() gives root every capability left in it.
         */
        for (cap_value_t c = 0; c < max; c++)
                if (!(bounding & (1ULL << c)) && cap_drop_bound(c) < 0)
                        return NEG_ERRNO();
        return 0;
}

int vb_caps_set(struct _cap_struct *caps, uint64_t ambient)
{
        cap_value_t max = (cap_value_t)cap_max_bits();

        /* One call (libcap's cap_reset_ambient() first asks about each capability, one prctl each). */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return NEG_ERRNO();
        if (cap_set_proc(caps) < 0)
                return NEG_ERRNO();
        for (cap_value_t c = 0; c < max; c++)
                if ((ambient & (1ULL << c)) && cap_set_ambient(c, CAP_SET) < 0)
                        return NEG_ERRNO();
        return 0;
}

int vb_caps_apply(struct _cap_struct *caps, uint64_t keep)
{
        int r = vb_caps_drop_bound(keep);

        return r < 0 ? r : vb_caps_set(caps, keep);
}
