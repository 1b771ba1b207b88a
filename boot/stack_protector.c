/* SPDX-License-Identifier: MIT */
/*
 * Stack-protector symbols for our code and Debian's libfdt.a (built with
 * -fstack-protector-strong). head.S seeds the guard from the counter before
 * any C runs; stack_guard_mix() folds in the DTB's rng-seed later, from a
 * frame that never returns, so no live canary goes stale.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "boot/runtime.h"

uintptr_t __stack_chk_guard;

noreturn void __stack_chk_fail(void);
noreturn void __stack_chk_fail(void)
{
    runtime_fail_stop("stack smashing detected (stack-protector canary changed)");
}

__attribute__((no_stack_protector)) void stack_guard_mix(const uint8_t *seed, size_t len)
{
    uint64_t g = __stack_chk_guard;
    for (size_t i = 0; i < len; i++) {
        g ^= seed[i];
        g *= 0x100000001b3ull; /* FNV-1a step */
    }
    /* A zero byte first stops string overflows from copying the canary. */
    __stack_chk_guard = (uintptr_t)(g & ~0xffull);
}
