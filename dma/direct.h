/* SPDX-License-Identifier: MIT */
/*
 * The direct streaming path, inline in the API entry points: for memory a
 * device reaches as it is, a mapping is a few checks, the encoding and
 * cache maintenance, as Linux's dma_direct_map_page is, and a call per
 * layer would cost as much again.
 *
 * Mapping never converts (rule 2). The encoding comes from the mapping
 * attribute: CC_SHARED says the caller's memory is already shared (rule 1),
 * otherwise it is private. If the device cannot reach that address, in that
 * state, under its mask and bus limit, the mapping bounces (rule 6); it never
 * gets a wrong address.
 */
#ifndef CCDMA_DMA_DIRECT_H
#define CCDMA_DMA_DIRECT_H

#include "dma_internal.h"

/*
 * Toward the device: clean, whatever the direction. For FROM_DEVICE that
 * keeps dirty lines from being evicted over what the device writes later
 * (arm64 does the same since 2022; an invalidate here could also drop CPU
 * writes sharing the first or last line).
 */
static inline void dma_cache_for_device(const struct ccdma_device *dev, const void *va,
                                        size_t size)
{
    if (!dev->coherent)
        ccdma_plat_cache_clean(va, size);
}

/* Back to the CPU: drop stale lines where the device may have written. */
static inline void dma_cache_for_cpu(const struct ccdma_device *dev, void *va, size_t size,
                                     enum ccdma_dir dir)
{
    if (!dev->coherent && dir != CCDMA_TO_DEVICE)
        ccdma_plat_cache_invalidate(va, size);
}

/* The linear-map CPU address of a whole physical range, or NULL. */
static inline void *dma_range_to_virt(ccdma_phys_t pa, size_t size)
{
    uint8_t *va = dma_phys_to_virt(pa);

    if (!va || dma_phys_to_virt(pa + size - 1) != va + size - 1)
        return NULL;
    return va;
}

/* The direct half of a streaming map: true, with *out set and the caches
 * cleaned, when dev reaches the memory as it is; false when it must
 * bounce (dma_swiotlb_map). */
static inline __attribute__((always_inline)) bool dma_direct_try(struct ccdma_device *dev,
                                                                 void *va, ccdma_phys_t pa,
                                                                 size_t size, unsigned int attrs,
                                                                 ccdma_dma_t *out)
{
    bool shared = (attrs & CCDMA_ATTR_CC_SHARED) || !dma_cc();
    ccdma_dma_t dma;

    /* A restricted pool means "only through this pool", like force; and a
     * device that cannot reach private memory needs no address to tell it
     * cannot reach a private buffer. */
    if (dev->force_bounce || dev->restricted_pool || !(shared || dev->reach_private))
        return false;
    dma = dma_phys_to_dma(pa, shared);
    if (!dma_reaches(dev, dma, size, shared))
        return false;
    if (!(attrs & CCDMA_ATTR_SKIP_CPU_SYNC))
        dma_cache_for_device(dev, va, size);
    *out = dma;
    return true;
}

/* Like Linux's dma_direct_unmap_page: a coherent device's direct mapping
 * has nothing to undo (dma-debug, when on, has already checked the
 * address), so only a non-coherent one looks its memory up. */
static inline __attribute__((always_inline)) int dma_direct_unmap(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                                   enum ccdma_dir dir, unsigned int attrs)
{
    ccdma_phys_t pa = dma_dma_to_phys(addr);
    void *va;

    if (dma_swiotlb_may_own(pa)) {
        int err = dma_swiotlb_unmap(dev, addr, pa, dma_dma_is_shared(addr), attrs,
                                    DMA_SWIOTLB_NOT_MINE);

        if (err != DMA_SWIOTLB_NOT_MINE)
            return err;
    }
    if ((attrs & CCDMA_ATTR_SKIP_CPU_SYNC) || dev->coherent)
        return CCDMA_OK;
    va = dma_range_to_virt(pa, size);
    if (!va)
        return CCDMA_EFAULT;
    dma_cache_for_cpu(dev, va, size, dir);
    return CCDMA_OK;
}

#endif /* CCDMA_DMA_DIRECT_H */
