/* SPDX-License-Identifier: MIT */
/*
 * Data-cache maintenance by address range to the point of coherency, for
 * any EL: the runtime's platform seam and the EL2 program (monitor/) both
 * use it.
 * Lines are the smallest the CPU reports (CTR_EL0.DminLine).
 */
#ifndef CCDMA_ARM64_CACHE_H
#define CCDMA_ARM64_CACHE_H

#include <stddef.h>
#include <stdint.h>

static inline uintptr_t dcache_line_size(void)
{
    uint64_t ctr;

    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    return (uintptr_t)4 << ((ctr >> 16) & 0xf);
}

#define DCACHE_RANGE_OP(name, insn)                                             \
    static inline void name(uintptr_t start, size_t size)                       \
    {                                                                           \
        uintptr_t line = dcache_line_size();                                    \
        for (uintptr_t a = start & ~(line - 1); a < start + size; a += line)    \
            __asm__ volatile(insn ", %0" ::"r"(a) : "memory");                   \
        __asm__ volatile("dsb sy" ::: "memory");                                \
    }
DCACHE_RANGE_OP(dcache_clean_range, "dc cvac")
DCACHE_RANGE_OP(dcache_invalidate_range, "dc ivac")
DCACHE_RANGE_OP(dcache_clean_invalidate_range, "dc civac")
#undef DCACHE_RANGE_OP

#endif /* CCDMA_ARM64_CACHE_H */
