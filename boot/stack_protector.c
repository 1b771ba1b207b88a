/* SPDX-License-Identifier: MIT */
/*
 * Stack-protector symbols for our code and Debian's libfdt.a (built with
 * -fstack-protector-strong). head.S seeds the guard from the counter before
 * any C runs; stack_guard_seed() reseeds it later, from a frame that never
 * returns, so no live canary goes stale.
 *
 * The counter and the DTB's rng-seed are known to the host, and the seed
 * is its choice: a guard made of them only is one the host can predict.
 * The CPU's own random words (arch_entropy_read) go in first, and the seed
 * is mixed in after them, so a chosen seed cannot cancel them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "arch/entropy.h"
#include "boot/runtime.h"

#define TRUSTED_WORDS 4
#define FNV_PRIME 0x100000001b3ull

uintptr_t __stack_chk_guard;

noreturn void __stack_chk_fail(void);
noreturn void __stack_chk_fail(void)
{
    runtime_fail_stop("stack smashing detected (stack-protector canary changed)");
}

__attribute__((no_stack_protector)) static uint64_t fnv_mix(uint64_t g, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g ^= p[i];
        g *= FNV_PRIME; /* FNV-1a step */
    }
    return g;
}

__attribute__((no_stack_protector)) unsigned int stack_guard_seed(const uint8_t *seed, size_t len)
{
    uint64_t g = __stack_chk_guard;
    unsigned int trusted = 0;

    for (unsigned int i = 0; i < TRUSTED_WORDS; i++) {
        uint64_t w;

        if (arch_entropy_read(&w) != 0)
            break;
        g = fnv_mix(g, (const uint8_t *)&w, sizeof(w));
        trusted++;
    }
    g = fnv_mix(g, seed, len);
    /* A zero byte first stops string overflows from copying the canary. */
    __stack_chk_guard = (uintptr_t)(g & ~0xffull);
    return trusted;
}
