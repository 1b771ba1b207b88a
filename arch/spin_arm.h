/* SPDX-License-Identifier: MIT */
/*
 * The seam's spinlock, written once for both Arm ports (arch/arm64/
 * spinlock.c, arch/arm/platform.c): a compare-and-swap of the owner's token
 * (its MPIDR + 1; LSE or exclusives as the compiler's atomics make it),
 * WFE while another CPU holds it, SEV on release. The caller masks
 * interrupts around it.
 */
#ifndef CCDMA_ARCH_SPIN_ARM_H
#define CCDMA_ARCH_SPIN_ARM_H

#include <stdbool.h>
#include <stdint.h>

#include <ccdma/platform.h>

#include "arch/hooks.h"

/* False, without taking it, when self already holds the lock. */
static inline bool arch_spin_take(ccdma_lock_t *lock, uint32_t self)
{
    uint32_t free = 0;

    if (__atomic_load_n(&lock->word, __ATOMIC_RELAXED) == self)
        return false;
    while (!__atomic_compare_exchange_n(&lock->word, &free, self, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
        free = 0;
        while (__atomic_load_n(&lock->word, __ATOMIC_RELAXED) != 0)
            __asm__ volatile("wfe" ::: "memory");
    }
    return true;
}

static inline void arch_spin_give(ccdma_lock_t *lock)
{
    __atomic_store_n(&lock->word, 0, __ATOMIC_RELEASE);
    __asm__ volatile("dsb ish\n sev" ::: "memory");
}

/* The seam's lock over the two above, written once: irq_save() masks
 * interrupts and returns the old mask, irq_restore(flags) puts it back,
 * token() is the calling CPU's owner token (non-zero). Taking a lock its
 * CPU already holds would wait for ever: a bug in ccdma, stopped. */
#define ARCH_PLAT_LOCK_OPS(irq_save, irq_restore, token)                             \
    unsigned long ccdma_plat_lock(ccdma_lock_t *lock)                                \
    {                                                                                \
        unsigned long flags = irq_save();                                            \
                                                                                     \
        if (!arch_spin_take(lock, token()))                                          \
            exc_fatal("ccdma_plat_lock: lock taken twice by one CPU (recursion)");   \
        return flags;                                                                \
    }                                                                                \
    void ccdma_plat_unlock(ccdma_lock_t *lock, unsigned long flags)                  \
    {                                                                                \
        arch_spin_give(lock);                                                        \
        irq_restore(flags);                                                          \
    }

#endif /* CCDMA_ARCH_SPIN_ARM_H */
