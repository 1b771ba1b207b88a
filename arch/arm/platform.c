/* SPDX-License-Identifier: MIT */
/*
 * The AArch32 half of the platform seam (include/ccdma/platform.h): cache
 * maintenance, MMIO accessors, barriers, the lock, the clock and the relax
 * hook. The portable half (pages, phys<->virt, sharing's rules, the
 * encoding) is boot/platform_seam.c; realms are AArch64-only, so on
 * AArch32 it always runs plain.
 */
#include <ccdma/platform.h>

#include "arch/cache_range.h"
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

void ccdma_plat_cache_clean(const void *va, size_t size) { dc_clean((uintptr_t)va, size); }
void ccdma_plat_cache_invalidate(void *va, size_t size)
{
    cache_invalidate_range((uintptr_t)va, size, dcache_line(), dc_invalidate,
                           dc_clean_invalidate);
}
void ccdma_plat_cache_clean_invalidate(void *va, size_t size)
{
    dc_clean_invalidate((uintptr_t)va, size);
}

/* One plain load or store of the access's width each: an emulated-MMIO
 * trap needs a syndrome (ISV=1), which only these single-register forms
 * give, and a device register must be accessed at its own width. */
#define MMIO_ACCESSORS(bits, type, load, store)                                     \
    type ccdma_plat_mmio_read##bits(uintptr_t addr)                                 \
    {                                                                               \
        type v;                                                                     \
        __asm__ volatile(load " %0, [%1]" : "=r"(v) : "r"(addr) : "memory");     \
        return v;                                                                   \
    }                                                                               \
    void ccdma_plat_mmio_write##bits(uintptr_t addr, type value)                    \
    {                                                                               \
        __asm__ volatile(store " %0, [%1]" ::"r"(value), "r"(addr) : "memory");  \
    }

MMIO_ACCESSORS(8, uint8_t, "ldrb", "strb")
MMIO_ACCESSORS(16, uint16_t, "ldrh", "strh")
MMIO_ACCESSORS(32, uint32_t, "ldr", "str")

/* Outer-shareable barriers: devices are outside the inner domain. ARMv7
 * has no load-only DMB, so the read barrier is a full one. */
void ccdma_plat_dma_wmb(void) { __asm__ volatile("dmb oshst" ::: "memory"); }
void ccdma_plat_dma_rmb(void) { __asm__ volatile("dmb osh" ::: "memory"); }
void ccdma_plat_mb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

/* Single core, interrupts off: the lock masks them and checks nesting. */
unsigned long ccdma_plat_lock(ccdma_lock_t *lock)
{
    unsigned long cpsr;
    __asm__ volatile("mrs %0, cpsr\n cpsid if" : "=r"(cpsr) :: "memory");
    if (lock->word)
        exc_fatal("ccdma_plat_lock: lock taken twice (recursion)");
    lock->word = 1;
    return cpsr;
}

void ccdma_plat_unlock(ccdma_lock_t *lock, unsigned long flags)
{
    lock->word = 0;
    __asm__ volatile("msr cpsr_c, %0" ::"r"(flags) : "memory");
}

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
