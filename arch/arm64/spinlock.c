/* SPDX-License-Identifier: MIT */
/*
 * The platform seam's lock on AArch64: interrupts masked on this CPU, then
 * a spinlock between CPUs. The atomics are the compiler's outline helpers,
 * which use LSE instructions (CAS, SWP) when __aarch64_have_lse_atomics is
 * set and load/store exclusives otherwise; arm64_atomics_init sets it from
 * ID_AA64ISAR0_EL1.Atomic, once, before any other CPU runs.
 *
 * The word holds 0 (free) or the owner's MPIDR affinity + 1, so a CPU that
 * takes a lock it already holds is caught (the seam's locks never nest)
 * instead of spinning forever. Waiters sleep in WFE; the release's SEV and
 * the timer's event stream wake them.
 */
#include <stdbool.h>

#include <ccdma/platform.h>

#include "arch/arm64/spinlock.h"
#include "arch/smp.h"
#include "arch/spin_arm.h"
#include "arch/hooks.h"

#define ISAR0_ATOMIC_SHIFT 20
#define ISAR0_ATOMIC_LSE 2u

extern _Bool __aarch64_have_lse_atomics;

bool arm64_atomics_init(void)
{
    uint64_t isar0;

    __asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
    __aarch64_have_lse_atomics = ((isar0 >> ISAR0_ATOMIC_SHIFT) & 0xf) >= ISAR0_ATOMIC_LSE;
    return __aarch64_have_lse_atomics;
}

const char *arch_atomics_kind(void) { return __aarch64_have_lse_atomics ? "LSE" : "exclusives"; }

static uint32_t self_token(void)
{
    uint64_t mpidr;

    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    return (uint32_t)((mpidr & 0xffffff) | (mpidr >> 8 & 0xff000000)) + 1u;
}

static inline unsigned long irq_save(void)
{
    unsigned long daif;

    __asm__ volatile("mrs %0, daif\n msr daifset, #3" : "=r"(daif) :: "memory");
    return daif;
}

static inline void irq_restore(unsigned long daif)
{
    __asm__ volatile("msr daif, %0" ::"r"(daif) : "memory");
}

ARCH_PLAT_LOCK_OPS(irq_save, irq_restore, self_token)
