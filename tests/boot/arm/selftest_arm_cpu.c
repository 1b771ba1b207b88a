/* SPDX-License-Identifier: MIT */
/* AArch32: what the port relies on from the CPU: the FPU (the image is
 * hard-float), the generic timer behind ccdma_plat_time_ns, and cache
 * maintenance by MVA allowed in this mode. */
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "arch/arm/sysregs.h"

static uint64_t cntpct(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb\n mrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return (uint64_t)hi << 32 | lo;
}

SELFTEST(15, cpu)
{
    uint32_t fpexc, cntfrq;
    __asm__ volatile("vmrs %0, fpexc" : "=r"(fpexc));
    volatile double a = 1.5, b = 3.0;
    double p = a * b, q = b / a;
    st_check((fpexc & FPEXC_EN) && p == 4.5 && q == 2.0, "VFP enabled and computing",
             "FPEXC=0x%08lx", (unsigned long)fpexc);

    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(cntfrq));
    uint64_t t0 = ccdma_plat_time_ns(), c0 = cntpct(), c1;
    while ((c1 = cntpct()) - c0 < cntfrq / 1000) /* one millisecond of counter */
        ;
    uint64_t t1 = ccdma_plat_time_ns();
    /* The clock brackets the spin, so it saw at least the counter's ticks
     * (less one nanosecond of rounding down), and far less than a second. */
    uint64_t spin_ns = cntfrq ? (c1 - c0) * 1000000000ull / cntfrq : 0;
    st_check(cntfrq != 0 && t1 - t0 + 1 >= spin_ns && spin_ns >= 1000000 &&
                 t1 - t0 < 1000000000,
             "generic timer: ccdma_plat_time_ns covers 1 ms of CNTPCT",
             "CNTFRQ=%lu spin=%llu ns clock=%llu ns", (unsigned long)cntfrq,
             (unsigned long long)spin_ns, (unsigned long long)(t1 - t0));

    uint32_t *page = ccdma_plat_pages_alloc(1, UINT64_MAX);
    if (!st_check(page != NULL, "scratch page", "page allocator empty"))
        return;
    for (unsigned int i = 0; i < CCDMA_PAGE_SIZE / 4; i++)
        page[i] = i * 0x9e3779b9u;
    ccdma_plat_cache_clean(page, CCDMA_PAGE_SIZE);
    ccdma_plat_cache_invalidate(page, CCDMA_PAGE_SIZE);
    ccdma_plat_cache_clean_invalidate(page + 3, 100); /* unaligned range */
    bool same = true;
    for (unsigned int i = 0; i < CCDMA_PAGE_SIZE / 4; i++)
        same &= page[i] == i * 0x9e3779b9u;
    st_check(same, "DCCMVAC, DCIMVAC, DCCIMVAC run here and cleaned data survives invalidate",
             "data changed");
    ccdma_plat_pages_free(page, 1);
}
