/* SPDX-License-Identifier: MIT */
/*
 * dma-direct: syncs of direct mappings, and coherent allocations that own
 * (and so may convert) their pages. The streaming map and unmap are inline
 * in direct.h.
 */
#include "direct.h"

/* ---- streaming ---------------------------------------------------------------------- */

int dma_direct_sync(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                    enum ccdma_dir dir, bool for_cpu)
{
    ccdma_phys_t pa = dma_dma_to_phys(addr);
    void *va;

    if (dma_swiotlb_may_own(pa)) {
        int err = dma_swiotlb_sync(dev, addr, size, dir, for_cpu);

        if (err != DMA_SWIOTLB_NOT_MINE)
            return err;
    }
    va = dma_range_to_virt(pa, size);
    if (!va)
        return CCDMA_EFAULT;
    if (for_cpu)
        dma_cache_for_cpu(dev, va, size, dir);
    else
        dma_cache_for_device(dev, va, size);
    return CCDMA_OK;
}

/* ---- coherent allocations ------------------------------------------------------------ */

/* There is no uncached alias in the seam: a non-coherent device gets the
 * zeroed memory pushed out of the caches, and the driver syncs after that
 * (as arch_dma_prep_coherent does before a remap in Linux). */
static void prep_coherent(const struct ccdma_device *dev, void *va, size_t size)
{
    if (!dev->coherent)
        ccdma_plat_cache_clean_invalidate(va, size);
}

/* The pool's state is checked against the device's needs inside swiotlb,
 * under the lock that keeps the pool alive. */
static int alloc_from_restricted(struct ccdma_device *dev, size_t size,
                                 void **cpu, ccdma_dma_t *handle)
{
    ccdma_phys_t pa;
    ccdma_dma_t dma;
    bool shared;
    int err;

    err = dma_swiotlb_alloc(dev, size, cpu, &pa, &shared);
    if (err)
        return err;
    dma = dma_phys_to_dma(pa, shared);
    if (!dma_capable_limit(dev, dma, size, shared ? CCDMA_ATTR_CC_SHARED : 0, true)) {
        dma_swiotlb_free_phys(pa, size, shared, &err);
        dma_report("%s: restricted pool memory at %#llx is beyond its coherent mask",
                   dma_dev_name(dev), (unsigned long long)dma);
        return CCDMA_ERANGE;
    }
    prep_coherent(dev, *cpu, size);
    *handle = dma;
    return CCDMA_OK;
}

static int alloc_from_atomic_pool(struct ccdma_device *dev, size_t size,
                                  bool shared, unsigned int attrs, void **cpu,
                                  ccdma_dma_t *handle)
{
    ccdma_phys_t pa;
    int err = dma_pool_alloc(dev, size, shared, attrs, cpu, &pa);

    if (err)
        return err;
    prep_coherent(dev, *cpu, size);
    *handle = dma_phys_to_dma(pa, shared || !dma_cc());
    return CCDMA_OK;
}

/* Tell "nothing the device can reach" (ERANGE) from "nothing at all". */
static int no_memory_below(const struct ccdma_device *dev, size_t bytes,
                           uint64_t limit)
{
    void *probe;

    if (limit == UINT64_MAX)
        return CCDMA_ENOMEM;
    probe = ccdma_plat_pages_alloc(bytes / DMA_PAGE_SIZE, UINT64_MAX);
    if (!probe)
        return CCDMA_ENOMEM;
    ccdma_plat_pages_free(probe, bytes / DMA_PAGE_SIZE);
    dma_report("%s: no %zu bytes of memory below its coherent limit %#llx",
               dma_dev_name(dev), bytes, (unsigned long long)limit);
    return CCDMA_ERANGE;
}

/*
 * Pages from the page allocator, converted to shared when the device needs
 * it, then zeroed: contents do not survive a conversion (the host wipes
 * them, and not always with zeros). A failed conversion leaks the pages.
 * The allocation is recorded (start, pages, state), since its free must
 * give back exactly these pages in exactly this state whatever the caller
 * passes, with or without dma-debug.
 */
static int alloc_converting(struct ccdma_device *dev, size_t size, bool shared,
                            void **cpu, ccdma_dma_t *handle)
{
    size_t bytes = shared ? dma_granule_round(size) : DMA_ALIGN_UP(size, DMA_PAGE_SIZE);
    uint64_t limit = dma_dev_limit(dev, true);
    struct dma_coherent_rec *rec;
    ccdma_dma_t dma;
    void *va;
    int err;

    if (bytes < size)
        return CCDMA_EINVAL;
    rec = dma_coherent_reserve();
    if (!rec)
        return CCDMA_ENOMEM;
    va = shared ? dma_pages_alloc_convertible(bytes, limit)
                : ccdma_plat_pages_alloc(bytes / DMA_PAGE_SIZE, limit);
    if (!va) {
        dma_coherent_cancel(rec);
        return no_memory_below(dev, bytes, limit);
    }
    /* Check the address the device will really use: its encoding may put
     * it out of reach even when the physical address is low enough. */
    dma = dma_phys_to_dma(ccdma_plat_virt_to_phys(va), shared || !dma_cc());
    if (!dma_capable_limit(dev, dma, bytes, shared ? CCDMA_ATTR_CC_SHARED : 0, true)) {
        ccdma_plat_pages_free(va, bytes / DMA_PAGE_SIZE);
        dma_coherent_cancel(rec);
        dma_report("%s: no coherent memory it can reach (%s address %#llx, "
                   "coherent mask %#llx)", dma_dev_name(dev),
                   shared ? "shared" : "private", (unsigned long long)dma,
                   (unsigned long long)dma_dev_limit(dev, true));
        return CCDMA_ERANGE;
    }
    if (shared) {
        err = dma_share_owned(va, bytes);
        if (err) {
            dma_coherent_cancel(rec);
            dma_leak("a coherent allocation", va, bytes, err);
            return err;
        }
    }
    memset(va, 0, bytes);
    prep_coherent(dev, va, bytes);
    dma_coherent_commit(rec, ccdma_plat_virt_to_phys(va), bytes, size, shared);
    dma_stat_add(DMA_STAT_COHERENT_ALLOCS, 1);
    *cpu = va;
    *handle = dma;
    return CCDMA_OK;
}

int dma_direct_alloc(struct ccdma_device *dev, size_t size, unsigned int flags,
                     unsigned int attrs, void **cpu, ccdma_dma_t *handle)
{
    bool shared = (attrs & CCDMA_ATTR__ALLOC_SHARED) != 0;

    /* Restricted-pool memory was made shared once, when the pool was
     * created: converting again would wipe it under its other users. */
    if (dev->restricted_pool)
        return alloc_from_restricted(dev, size, cpu, handle);
    /* A caller that cannot wait for a conversion gets pre-converted memory
     * of exactly the needed state, or an error. */
    if (flags & CCDMA_ALLOC_ATOMIC)
        return alloc_from_atomic_pool(dev, size, shared, attrs, cpu, handle);
    return alloc_converting(dev, size, shared, cpu, handle);
}

/*
 * The caller's handle and size are claims, checked against what the
 * allocation recorded: the restricted pool's slot run, the atomic pool's
 * page run, or the record of a direct allocation. Its state (convert back
 * or not) and its extent come from that record, never from the handle's
 * encoding or the size passed: with dma-debug off (or switched off after
 * running out of entries) nothing else would stop a private-encoded handle
 * from sending still-shared pages to the private page allocator, or a
 * large size from freeing the next allocation. A claim that disagrees is
 * EFAULT and changes nothing.
 */
int dma_direct_free(struct ccdma_device *dev, size_t size, void *cpu,
                    ccdma_dma_t handle)
{
    ccdma_phys_t pa = dma_dma_to_phys(handle);
    bool enc_shared = !dma_cc() || dma_dma_is_shared(handle);
    size_t bytes;
    bool shared;
    int err;

    (void)dev;
    /* Pools are found by physical address, not by CPU address: the
     * handle names the memory even when cpu is an alias. */
    if (dma_swiotlb_free_phys(pa, size, enc_shared, &err))
        return err;
    if (dma_pool_free_phys(pa, size, enc_shared, &err))
        return err;
    err = dma_coherent_forget(pa, size, enc_shared, &bytes, &shared);
    if (err)
        return err;
    /* Converted back, or leaked: either way the caller no longer owns it,
     * so a leak is counted and reported but is not the caller's error. */
    dma_release_owned(cpu, bytes, shared, "a coherent allocation");
    return CCDMA_OK;
}

bool ccdma_coherent_is_shared(const struct ccdma_device *dev, ccdma_dma_t handle)
{
    (void)dev;
    if (handle == CCDMA_DMA_ADDR_INVALID)
        return false;
    return !dma_cc() || dma_dma_is_shared(handle);
}
