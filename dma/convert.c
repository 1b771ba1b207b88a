/* SPDX-License-Identifier: MIT */
/*
 * Memory that dma/ owns changing state, and what happens when that fails.
 *
 * Only allocation paths convert, and only pages they own (rules 2 and 4).
 * A failed conversion leaves the pages in an unknown state: the host may
 * still see them, or they may be neither shared nor usable. Such pages are
 * leaked on purpose, counted and reported, and never returned to the page
 * allocator (rule 7). The platform quarantines them as well.
 */
#include "dma_internal.h"

size_t dma_granule_round(size_t bytes)
{
    size_t granule = ccdma_plat_share_granule();

    return (bytes + granule - 1) & ~(granule - 1);
}

void *dma_pages_alloc_convertible(size_t bytes, ccdma_phys_t phys_limit)
{
    size_t granule = ccdma_plat_share_granule();
    size_t rounded = dma_granule_round(bytes);
    void *va;

    if (!bytes || rounded < bytes)
        return NULL;
    va = ccdma_plat_pages_alloc(rounded / DMA_PAGE_SIZE, phys_limit);
    if (va && ((uintptr_t)va & (granule - 1))) {
        /* Sharing it would expose the neighbours of a partial granule. */
        dma_report("platform gave %p, not aligned to the %zu-byte share granule",
                   va, granule);
        ccdma_plat_pages_free(va, rounded / DMA_PAGE_SIZE);
        return NULL;
    }
    return va;
}

int dma_share_owned(void *va, size_t bytes)
{
    if (!dma_cc())
        return CCDMA_OK;
    dma_stat_add(DMA_STAT_CONVERSIONS, 1);
    return ccdma_plat_mem_share(va, bytes);
}

int dma_unshare_owned(void *va, size_t bytes)
{
    if (!dma_cc())
        return CCDMA_OK;
    dma_stat_add(DMA_STAT_CONVERSIONS, 1);
    return ccdma_plat_mem_unshare(va, bytes);
}

void dma_leak(const char *what, const void *va, size_t bytes, int err)
{
    size_t pages = DMA_DIV_UP(bytes, DMA_PAGE_SIZE);

    dma_stat_add(DMA_STAT_LEAKED_PAGES, pages);
    dma_stat_add(DMA_STAT_LEAK_EVENTS, 1);
    dma_report("leaking %zu pages of %s at %p that could not be converted "
               "(%s); they will never be reused",
               pages, what, va, ccdma_strerror(err));
}

size_t dma_release_owned(void *va, size_t bytes, bool shared, const char *what)
{
    if (shared) {
        int ret = dma_unshare_owned(va, bytes);

        if (ret) {
            dma_leak(what, va, bytes, ret);
            return DMA_DIV_UP(bytes, DMA_PAGE_SIZE);
        }
    }
    ccdma_plat_pages_free(va, bytes / DMA_PAGE_SIZE);
    return 0;
}
