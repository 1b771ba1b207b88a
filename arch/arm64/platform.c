/* SPDX-License-Identifier: MIT */
/*
 * The platform seam (include/ccdma/platform.h) for the AArch64 firmware.
 * The linear map is the identity, so a canonical physical address is also
 * the CPU address; in a realm a shared page keeps that CPU address and its
 * stage-1 output carries the shared bit (see arch/arm64/mem_share.c).
 */
#include <stdio.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "arch/arm64/cache.h"
#include "arch/arm64/mem_share.h"
#include "arch/arm64/mmu.h"
#include "boot/cache_range.h"
#include "boot/page_alloc.h"
#include "boot/runtime.h"

void *ccdma_plat_pages_alloc(size_t npages, ccdma_phys_t phys_limit)
{
    return page_alloc(npages, phys_limit);
}

void ccdma_plat_pages_free(void *va, size_t npages)
{
    uint64_t pa = ccdma_plat_virt_to_phys(va);

    /* Pages whose conversion failed are in an unknown state: never reuse. */
    if (mem_share_is_quarantined(pa, (uint64_t)npages * CCDMA_PAGE_SIZE)) {
        printf("ccdma: refused free of quarantined pages at %p\n", va);
        return;
    }
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
    for (unsigned int i = 0; i < rt.plat.n_mem; i++)
        if (pa >= rt.plat.mem[i].base && pa - rt.plat.mem[i].base < rt.plat.mem[i].size)
            return (void *)(uintptr_t)pa;
    return NULL;
}

bool ccdma_plat_cc_active(void) { return rt.realm; }

size_t ccdma_plat_share_granule(void) { return CCDMA_PAGE_SIZE; }

/* A shared page is reached through the unprotected alias: its stage-1
 * output carries the shared bit (mem_share.c). */
int ccdma_plat_mem_is_shared(const void *va, size_t size)
{
    uintptr_t start = (uintptr_t)va & ~(uintptr_t)(CCDMA_PAGE_SIZE - 1);

    if (!size)
        return CCDMA_EINVAL;
    if (!rt.realm)
        return 1;
    for (uintptr_t p = start; p < (uintptr_t)va + size; p += CCDMA_PAGE_SIZE) {
        uint64_t out;

        if (!mmu_translate(p, &out, NULL, NULL))
            return CCDMA_EFAULT;
        if (!(out & rt.shared_bit))
            return 0;
    }
    return 1;
}

int ccdma_plat_mem_share(void *va, size_t size)
{
    return mem_share_range(va, size, true);
}

int ccdma_plat_mem_unshare(void *va, size_t size)
{
    return mem_share_range(va, size, false);
}

ccdma_dma_t ccdma_plat_phys_to_dma(ccdma_phys_t pa, bool shared)
{
    /* CCA: the private encoding is the plain IPA; the shared one sets the
     * top IPA bit. Plain mode has no shared bit at all. */
    return shared ? (pa | rt.shared_bit) : pa;
}

ccdma_phys_t ccdma_plat_dma_to_phys(ccdma_dma_t addr) { return addr & ~rt.shared_bit; }

bool ccdma_plat_dma_is_shared(ccdma_dma_t addr)
{
    return !rt.realm || (addr & rt.shared_bit);
}


/* The identity map over the first RAM bank; the others are asked of
 * ccdma_plat_phys_to_virt(). */
int ccdma_plat_linear_describe(struct ccdma_plat_linear *out)
{
    if (!rt.plat.n_mem)
        return CCDMA_EINVAL;
    out->va_base = (uintptr_t)rt.plat.mem[0].base;
    out->pa_base = rt.plat.mem[0].base;
    out->size = (size_t)rt.plat.mem[0].size;
    out->enc_mask = rt.shared_bit;
    out->shared_bits = rt.shared_bit;
    out->private_bits = 0;
    return CCDMA_OK;
}

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
