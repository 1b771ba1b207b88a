/* SPDX-License-Identifier: MIT */
/*
 * The portable half of the platform seam (include/ccdma/platform.h) for
 * both firmware images: pages from boot's allocator, phys<->virt over the
 * DTB's RAM list, sharing's argument rules, and the DMA address encoding
 * (CCA: the private encoding is the plain IPA, the shared one sets the
 * unprotected IPA bit). The linear map is the identity, so a canonical
 * physical address is also the CPU address; in a realm a shared page keeps
 * that CPU address and its stage-1 output carries the shared bit.
 * What differs per architecture (cache, barriers, MMIO, locks, the clock,
 * and converting memory) is arch/<arch>/platform.c's and boot/arch.h's.
 */
#include <stdio.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include "boot/arch.h"
#include "boot/cpus.h"
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
    if (boot_mem_quarantined(pa, (uint64_t)npages * CCDMA_PAGE_SIZE)) {
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
 * stray pointer) by this round trip, so anything else must fail it. RAM
 * the CPU cannot address (AArch32, above 4 GiB) was left out at boot. */
void *ccdma_plat_phys_to_virt(ccdma_phys_t pa)
{
    if (pa > UINTPTR_MAX)
        return NULL;
    for (unsigned int i = 0; i < rt.plat.n_mem; i++)
        if (pa >= rt.plat.mem[i].base && pa - rt.plat.mem[i].base < rt.plat.mem[i].size)
            return (void *)(uintptr_t)pa;
    return NULL;
}

bool ccdma_plat_cc_active(void) { return rt.realm; }

/* CPU numbers are the indices of boot's per-CPU table (boot/cpus.c): the
 * boot CPU is 0, and every CPU /cpus lists has one, started or not. */
unsigned int ccdma_plat_cpu_id(void) { return boot_cpu_self(); }
unsigned int ccdma_plat_cpu_count(void) { return boot_cpus_listed ? boot_cpus_listed : 1; }

size_t ccdma_plat_share_granule(void) { return CCDMA_PAGE_SIZE; }

/* A shared page is reached through the unprotected alias: its stage-1
 * output carries the shared bit. */
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

/* The contract's argument rules hold in plain mode too, so a caller bug
 * shows up everywhere as it would in a realm: only granule-aligned ranges
 * of the page allocator's own memory convert. */
static int mem_convert(void *va, size_t size, bool to_shared)
{
    uint64_t pa = ccdma_plat_virt_to_phys(va);

    if (!va || size == 0 || ((pa | size) & (ccdma_plat_share_granule() - 1)) ||
        !page_alloc_owns(pa, size))
        return CCDMA_EINVAL;
    return boot_mem_convert(va, size, to_shared);
}

int ccdma_plat_mem_share(void *va, size_t size) { return mem_convert(va, size, true); }

int ccdma_plat_mem_unshare(void *va, size_t size) { return mem_convert(va, size, false); }

/* Plain mode has no shared bit: both encodings are the bus address. */
ccdma_dma_t ccdma_plat_phys_to_dma(ccdma_phys_t pa, bool shared)
{
    return shared ? (pa | rt.shared_bit) : pa;
}

ccdma_phys_t ccdma_plat_dma_to_phys(ccdma_dma_t addr) { return addr & ~rt.shared_bit; }

bool ccdma_plat_dma_is_shared(ccdma_dma_t addr)
{
    return !rt.realm || (addr & rt.shared_bit);
}

/* The identity map over the first RAM bank; the others are asked of
 * ccdma_plat_phys_to_virt(). A bank the CPU cannot address whole is not
 * described. */
int ccdma_plat_linear_describe(struct ccdma_plat_linear *out)
{
    if (!rt.plat.n_mem || rt.plat.mem[0].base > UINTPTR_MAX ||
        rt.plat.mem[0].size - 1 > (uint64_t)(UINTPTR_MAX - rt.plat.mem[0].base) ||
        rt.plat.mem[0].size > SIZE_MAX)
        return CCDMA_EINVAL;
    out->va_base = (uintptr_t)rt.plat.mem[0].base;
    out->pa_base = rt.plat.mem[0].base;
    out->size = (size_t)rt.plat.mem[0].size;
    out->enc_mask = rt.shared_bit;
    out->shared_bits = rt.shared_bit;
    out->private_bits = 0;
    return CCDMA_OK;
}
