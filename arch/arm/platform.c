/* SPDX-License-Identifier: MIT */
/*
 * The AArch32 half of the platform seam (include/ccdma/platform.h): cache
 * maintenance, MMIO accessors, barriers, the lock, the clock and the relax
 * hook. The portable half (pages, phys<->virt, sharing's rules, the
 * encoding) is boot/platform_seam.c; realms are AArch64-only, so on
 * AArch32 it always runs plain.
 */
#include <ccdma/platform.h>

#include "arch/plat_arm.h"
#include "arch/spin_arm.h"
#include "arch/hooks.h"

/* Cache maintenance by MVA to the point of coherency, one line at a time. */
static uintptr_t dcache_line(void)
{
    uint32_t ctr;
    __asm__ volatile("mrc p15, 0, %0, c0, c0, 1" : "=r"(ctr)); /* CTR */
    return (uintptr_t)4 << ((ctr >> 16) & 0xf);                 /* DminLine, in words */
}

#define DCACHE_OP(name, crm)                                                    \
    static void name(uintptr_t start, size_t size)                              \
    {                                                                           \
        uintptr_t line = dcache_line();                                         \
        __asm__ volatile("dsb sy" ::: "memory");                                \
        for (uintptr_t a = start & ~(line - 1); a < start + size; a += line)    \
            __asm__ volatile("mcr p15, 0, %0, c7, " crm ", 1" ::"r"(a) : "memory"); \
        __asm__ volatile("dsb sy" ::: "memory");                                \
    }
DCACHE_OP(dc_clean, "c10")            /* DCCMVAC */
DCACHE_OP(dc_invalidate, "c6")        /* DCIMVAC */
DCACHE_OP(dc_clean_invalidate, "c14") /* DCCIMVAC */

ARCH_PLAT_CACHE_OPS(dc_clean, dc_invalidate, dc_clean_invalidate, dcache_line)
ARCH_PLAT_MMIO("%0")

/* Outer-shareable barriers: devices are outside the inner domain. ARMv7
 * has no load-only DMB, so the read barrier is a full one. */
void ccdma_plat_dma_wmb(void) { __asm__ volatile("dmb oshst" ::: "memory"); }
void ccdma_plat_dma_rmb(void) { __asm__ volatile("dmb osh" ::: "memory"); }
void ccdma_plat_mb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

/* The lock is a spinlock (arch/spin_arm.h, LDREX/STREX here) with
 * interrupts masked while it is held. */
static uint32_t self_token(void)
{
    uint32_t mpidr;

    __asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(mpidr));
    return (mpidr & 0x00ffffffu) + 1u;
}

static inline unsigned long irq_save(void)
{
    unsigned long cpsr;

    __asm__ volatile("mrs %0, cpsr\n cpsid if" : "=r"(cpsr) :: "memory");
    return cpsr;
}

static inline void irq_restore(unsigned long cpsr)
{
    __asm__ volatile("msr cpsr_c, %0" ::"r"(cpsr) : "memory");
}

ARCH_PLAT_LOCK_OPS(irq_save, irq_restore, self_token)

uint64_t ccdma_plat_time_ns(void)
{
    uint32_t lo, hi, frq;
    __asm__ volatile("isb\n mrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi)); /* CNTPCT */
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frq));              /* CNTFRQ */
    uint64_t cnt = (uint64_t)hi << 32 | lo;
    if (frq == 0)
        return cnt; /* nobody programmed CNTFRQ: count ticks */
    /* No 128-bit arithmetic here: whole seconds, then the remainder
     * (< frq < 2^32, so remainder * 1e9 fits in 64 bits). */
    return cnt / frq * 1000000000ull + cnt % frq * 1000000000ull / frq;
}

void ccdma_plat_relax(void) { __asm__ volatile("yield"); }
