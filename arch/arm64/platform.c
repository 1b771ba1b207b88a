/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 half of the platform seam (include/ccdma/platform.h): cache
 * maintenance, MMIO accessors, barriers, the clock and the relax hook. The
 * lock is arch/arm64/spinlock.c's, converting memory mem_share.c's; the
 * portable half (pages, phys<->virt, the encoding) is boot/platform_seam.c.
 */
#include <ccdma/platform.h>

#include "arch/arm64/cache.h"
#include "arch/plat_arm.h"

ARCH_PLAT_CACHE_OPS(dcache_clean_range, dcache_invalidate_range, dcache_clean_invalidate_range,
                    dcache_line_size)
ARCH_PLAT_MMIO("%w0")

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
