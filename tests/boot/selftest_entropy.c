/* SPDX-License-Identifier: MIT */
/*
 * The CPU's random source, where it has one: it answers, its words differ,
 * and the boot put some of them into the stack guard. Where there is none,
 * the boot said so (checked by the harness) and this skips.
 */
#include <stdint.h>

#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "arch/entropy.h"
#include "boot/runtime.h"

extern uintptr_t __stack_chk_guard;

SELFTEST(12, entropy)
{
    uint64_t a = 0, b = 0;
    int e1 = arch_entropy_read(&a);
    int e2 = e1 ? e1 : arch_entropy_read(&b);

    st_check((__stack_chk_guard & 0xff) == 0 && __stack_chk_guard != 0,
             "the stack guard is set, with a zero low byte", "guard %#llx",
             (unsigned long long)__stack_chk_guard);
    if (e1 == CCDMA_ENOTSUP) {
        st_check(rt.entropy_words == 0, "no CPU random source: none claimed for the guard",
                 "%u words claimed", rt.entropy_words);
        st_skip("RNDR answers with words that differ", "the CPU has no FEAT_RNG");
        return;
    }
    st_check(e1 == 0 && e2 == 0 && a != b, "RNDR answers with words that differ",
             "err %d/%d, %#llx %#llx", e1, e2, (unsigned long long)a, (unsigned long long)b);
    st_check(rt.entropy_words > 0, "the stack guard took RNDR words at boot", "%u words",
             rt.entropy_words);
}
