/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 half of the platform seam (include/ccdma/platform.h): cache
 * maintenance, MMIO accessors, barriers, the clock and the relax hook. The
 * lock is arch/arm64/spinlock.c's, converting memory mem_share.c's; the
 * portable half (pages, phys<->virt, the encoding) is boot/platform_seam.c.
 */
#include <ccdma/platform.h>

#include "arch/arm64/cache.h"
#include "arch/cache_range.h"

void ccdma_plat_cache_clean(const void *va, size_t size)
{
    dcache_clean_range((uintptr_t)va, size);
}
void ccdma_plat_cache_invalidate(void *va, size_t size)
{
    cache_invalidate_range((uintptr_t)va, size, dcache_line_size(), dcache_invalidate_range,
                           dcache_clean_invalidate_range);
}
void ccdma_plat_cache_clean_invalidate(void *va, size_t size)
{
    dcache_clean_invalidate_range((uintptr_t)va, size);
}

/* One plain load or store of the access's width each: an emulated-MMIO
 * trap needs a syndrome (ISV=1), which only these single-register forms
 * give, and a device register must be accessed at its own width. */
#define MMIO_ACCESSORS(bits, type, load, store)                                     \
    type ccdma_plat_mmio_read##bits(uintptr_t addr)                                 \
    {                                                                               \
        type v;                                                                     \
        __asm__ volatile(load " %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");     \
        return v;                                                                   \
    }                                                                               \
    void ccdma_plat_mmio_write##bits(uintptr_t addr, type value)                    \
    {                                                                               \
        __asm__ volatile(store " %w0, [%1]" ::"r"(value), "r"(addr) : "memory");  \
    }

MMIO_ACCESSORS(8, uint8_t, "ldrb", "strb")
MMIO_ACCESSORS(16, uint16_t, "ldrh", "strh")
MMIO_ACCESSORS(32, uint32_t, "ldr", "str")

/* Outer-shareable barriers: devices are outside the inner domain. */
void ccdma_plat_dma_wmb(void) { __asm__ volatile("dmb oshst" ::: "memory"); }
void ccdma_plat_dma_rmb(void) { __asm__ volatile("dmb oshld" ::: "memory"); }
void ccdma_plat_mb(void) { __asm__ volatile("dsb sy" ::: "memory"); }

uint64_t ccdma_plat_time_ns(void)
{
    uint64_t cnt, frq;
    __asm__ volatile("isb\n mrs %0, cntpct_el0" : "=r"(cnt));
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(frq));
    if (frq == 0)
        return cnt; /* firmware forgot CNTFRQ (FVP without TF-A): count ticks */
    return (uint64_t)((__uint128_t)cnt * 1000000000u / frq);
}

void ccdma_plat_relax(void) { __asm__ volatile("yield"); }
