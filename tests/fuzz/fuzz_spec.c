/*
 * libFuzzer target for the spec parser, the position index and the validator
 * (crun tests/tests_libcrun_fuzzer.c; systemd fuzz-nspawn-settings.c).
 *   make fuzz FUZZ_TIME=30
 * Host paths are never touched: the access callback answers from the path.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "voidbuilder/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fake_access(void *userdata, const char *path, int mode)
{
        return strlen(path) % 3 == 0 ? -ENOENT : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vb_spec_diags d = {};
        struct vb_spec *s = NULL;

        if (vb_spec_parse((const char *)data, size, "fuzz.json", "/fuzz", &s, &d) == 0 && s) {
                (void)vb_spec_validate(s, fake_access, NULL, &d);
                /* Every parsed entrypoint's fds must be numbered from 3 upwards, in order. */
                for (size_t i = 0; i < s->n_entries; i++) {
                        int next = VB_SPEC_FIRST_FD;

                        for (size_t k = 0; k < s->entries[i].n_args; k++) {
                                const struct vb_spec_arg *a = &s->entries[i].args[k];

                                if (a->fd < 0)
                                        continue;
                                if (a->fd != next)
                                        __builtin_trap();
                                next += (int)a->n_fds;
                        }
                }
        }
        vb_spec_diags_sort(&d);
        for (size_t i = 0; i < d.n; i++)
                if (!d.items[i].text || d.items[i].line == 0)
                        __builtin_trap();
        vb_spec_diags_done(&d);
        vb_spec_free(s);
        return 0;
}
