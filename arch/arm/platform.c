/* SPDX-License-Identifier: MIT */
/*
 * The platform seam (include/ccdma/platform.h) for the AArch32 firmware.
 * Realms are AArch64-only, so this is always plain mode: memory is never
 * private, share/unshare convert nothing, and both DMA encodings are the
 * bus address. The linear map is the identity over the 32-bit address
 * space, so RAM above 4 GiB (none on QEMU virt with -m <= 3G) has no CPU
 * address and boot/main.c leaves it out.
 */
#include <stdio.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "boot/cache_range.h"
#include "boot/page_alloc.h"
#include "boot/runtime.h"

void *ccdma_plat_pages_alloc(size_t npages, ccdma_phys_t phys_limit)
{
    return page_alloc(npages, phys_limit);
}

void ccdma_plat_pages_free(void *va, size_t npages)
{
    /* A bad free is a caller bug; the allocator refuses it and we say so
     * rather than corrupt the bitmap. */
    if (page_free(va, npages) != 0)
        printf("ccdma: refused free of %zu pages at %p (not allocated)\n", npages, va);
}

ccdma_phys_t ccdma_plat_virt_to_phys(const void *va) { return (uintptr_t)va; }

/* Only RAM is in the linear map: dma/ tells RAM from anything else (MMIO, a
 * stray pointer) by this round trip, so anything else must fail it. */
void *ccdma_plat_phys_to_virt(ccdma_phys_t pa)
{
    if (pa > UINTPTR_MAX)
        return NULL;
    for (unsigned int i = 0; i < rt.plat.n_mem; i++)
        if (pa >= rt.plat.mem[i].base && pa - rt.plat.mem[i].base < rt.plat.mem[i].size)
            return (void *)(uintptr_t)pa;
    return NULL;
}

bool ccdma_plat_cc_active(void) { return false; }

size_t ccdma_plat_share_granule(void) { return CCDMA_PAGE_SIZE; }

/* Nothing to convert, but the contract's argument rules still hold, so a
 * caller bug shows up on AArch32 as it would in a realm. */
static int check_share_range(void *va, size_t size)
{
    uint64_t pa = ccdma_plat_virt_to_phys(va);
    if (!va || size == 0 || ((pa | size) & (CCDMA_PAGE_SIZE - 1)) || !page_alloc_owns(pa, size))
        return CCDMA_EINVAL;
    return 0;
}

int ccdma_plat_mem_share(void *va, size_t size) { return check_share_range(va, size); }

int ccdma_plat_mem_unshare(void *va, size_t size) { return check_share_range(va, size); }

ccdma_dma_t ccdma_plat_phys_to_dma(ccdma_phys_t pa, bool shared)
{
    (void)shared; /* plain mode: one encoding */
    return pa;
}

ccdma_phys_t ccdma_plat_dma_to_phys(ccdma_dma_t addr) { return addr; }

bool ccdma_plat_dma_is_shared(ccdma_dma_t addr)
{
    (void)addr; /* plain mode: every page counts as shared */
    return true;
}

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
        runtime_fail_stop("ccdma_plat_lock: lock taken twice (recursion)");
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
