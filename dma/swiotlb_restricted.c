/* SPDX-License-Identifier: MIT */
/*
 * Restricted bounce pools: memory a caller gives one or more devices as
 * their only bounce pool (for example a firmware-reserved region).
 *
 * A device uses the pool only while it holds a reference on that very
 * instance (ccdma_device_init() takes it, ccdma_device_release() drops it);
 * a pool cannot be destroyed while any device holds it or any slot is
 * taken. Coherent allocations of such a device come from the pool too,
 * with no conversion: the pool was converted once, when it was created.
 */
#include "swiotlb.h"

/* ---- device references on restricted pools ------------------------------------------ */

int dma_swiotlb_device_get(struct ccdma_device *dev)
{
    struct ccdma_swiotlb *want = dev->restricted_pool, *old = NULL;
    bool need = dma_dev_needs_shared(dev);
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    bool state_ok = true;
    const char *pname = NULL;

    if (want && !swiotlb_pool_live(want)) {
        ccdma_plat_unlock(&swiotlb_lock, flags);
        dma_report("%s: its restricted pool is not a live pool (destroyed, being "
                   "destroyed, or never created)", dma_dev_name(dev));
        return CCDMA_EINVAL;
    }
    if (want && want->shared != need) {
        state_ok = false;
        pname = want->shared ? "shared" : "private";
    }
    if (state_ok) {
        /* Init again: keep the reference the device already holds on this
         * instance, or move it; never count one device twice. */
        if (dev->restricted_ref && (!want || want->id != dev->restricted_ref))
            old = swiotlb_pool_by_id(dev->restricted_ref);
        if (want && want->id != dev->restricted_ref)
            want->refs++;
        if (old && old->refs)
            old->refs--;
        /* Atomic: a map of this device reads it under an area lock. */
        __atomic_store_n(&dev->restricted_ref, want ? want->id : 0, __ATOMIC_RELAXED);
    }
    ccdma_plat_unlock(&swiotlb_lock, flags);
    if (!state_ok) {
        dma_report("%s: restricted pool is %s but the device needs %s memory",
                   dma_dev_name(dev), pname, need ? "shared" : "private");
        return CCDMA_ESTATE;
    }
    return CCDMA_OK;
}

void dma_swiotlb_device_put(struct ccdma_device *dev)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    struct ccdma_swiotlb *pool = swiotlb_pool_by_id(dev->restricted_ref);

    /* A pool gone since (only shutdown destroys a referenced pool) has no
     * count to drop. */
    if (pool && pool->refs)
        pool->refs--;
    __atomic_store_n(&dev->restricted_ref, 0, __ATOMIC_RELAXED);
    ccdma_plat_unlock(&swiotlb_lock, flags);
}

/* ---- coherent allocations from restricted pools ------------------------------------- */

int dma_swiotlb_alloc(struct ccdma_device *dev, size_t size, void **cpu,
                      ccdma_phys_t *pa, bool *shared)
{
    size_t bytes = DMA_ALIGN_UP(size, DMA_PAGE_SIZE), align = DMA_PAGE_SIZE;
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct swiotlb_taken t;
    struct bounce_layout l;
    uint8_t *va;
    int64_t idx;

    /* Aligned to the allocation's page order, like every coherent
     * allocation: the DMA API promises it. */
    while (align < bytes)
        align *= 2;
    if (align > DMA_SEG_BYTES || swiotlb_layout(0, 0, bytes, align - 1, &l))
        return CCDMA_EINVAL;

    /* As for a mapping: check (reference, state) and take under one hold
     * of one area lock. */
    pool = swiotlb_pool_candidate(dev);
    t.idx = SWIOTLB_TAKE_REFUSED;
    if (pool)
        t = swiotlb_take(pool, dev, &l);
    if (pool && t.idx == SWIOTLB_TAKE_REFUSED && swiotlb_refused(dev))
        t = swiotlb_take(pool, dev, &l); /* set up meanwhile: once more */
    idx = t.idx;
    if (idx == SWIOTLB_TAKE_REFUSED)
        return CCDMA_ESTATE;
    if (idx < 0) {
        swiotlb_report_full(pool, size, l.nslots, 0);
        return CCDMA_ENOSPC;
    }
    r = t.r;
    swiotlb_record(pool, r, (uint32_t)idx, &l, SLOT_ALLOC,
                   dma_phys_to_dma(r->pa + ((ccdma_phys_t)idx << DMA_SLOT_SHIFT), pool->shared));
    r->slots[idx].size = (uint32_t)size;
    t.ar->allocs++;
    *shared = pool->shared;
    ccdma_plat_unlock(&t.ar->lock, t.flags);

    /* The pool was made shared once, at creation: converting again here
     * would wipe it under other users. The host may have written the slots
     * since their last scrub, so zero them. */
    va = r->va + ((size_t)idx << DMA_SLOT_SHIFT);
    memset(va, 0, (size_t)l.nslots * DMA_SLOT_SIZE);
    *cpu = va;
    *pa = r->pa + ((ccdma_phys_t)idx << DMA_SLOT_SHIFT);
    return CCDMA_OK;
}

bool dma_swiotlb_free_phys(ccdma_phys_t pa, size_t size, bool enc_shared, int *err)
{
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct swiotlb_slot *s;
    unsigned long flags;
    const char *name;
    struct swiotlb_area *ar;
    int64_t first;

    if (!swiotlb_find_lock(pa, &pool, &r, &ar, &flags))
        return false;
    name = pool->name; /* for the report, after the lock */
    first = swiotlb_first_slot(r, pa, SLOT_ALLOC);
    s = first >= 0 ? &r->slots[first] : NULL;
    /* The handle must carry the pool's own encoding: one that disagrees
     * names memory in a state it is not in, so it is not this allocation. */
    if (!s || enc_shared != pool->shared || s->dma != dma_phys_to_dma(pa, enc_shared)) {
        *err = CCDMA_EFAULT;
    } else if (s->size != size) {
        *err = CCDMA_EINVAL;
    } else {
        /* No scrub: every later user of these slots zeroes or overwrites
         * what it reads (swiotlb_map.c). */
        swiotlb_release(pool, ar, r, (uint32_t)first);
        *err = CCDMA_OK;
    }
    ccdma_plat_unlock(&ar->lock, flags);
    if (*err)
        dma_report("free of %#llx+%zu (%s encoding): not an allocation of bounce pool %s",
                   (unsigned long long)pa, size, enc_shared ? "shared" : "private", name);
    return true;
}

int ccdma_swiotlb_restricted_create(const char *name, void *va, size_t size,
                                    bool shared, struct ccdma_swiotlb **out)
{
    size_t granule = ccdma_plat_share_granule();
    struct ccdma_swiotlb *pool;
    ccdma_phys_t pa;
    bool leaked;
    int err;

    if (!va || !size || !out || !dma_initialised())
        return CCDMA_EINVAL;
    if (!name)
        name = "restricted";
    /* Sharing less than a granule would expose its neighbours. */
    if (((uintptr_t)va & (granule - 1)) || (size & (granule - 1))) {
        dma_report("restricted pool %s: %p+%#zx is not aligned to the "
                   "%#zx-byte share granule", name, va, size, granule);
        return CCDMA_EINVAL;
    }
    if (size / DMA_SLOT_SIZE > UINT32_MAX)
        return CCDMA_EINVAL;
    err = dma_virt_to_phys(va, size, &pa);
    if (err)
        return err;
    pool = swiotlb_pool_reserve(name, shared);
    if (!pool)
        return CCDMA_ENOMEM;
    pool->restricted = true;
    err = swiotlb_pool_add_region(pool, va, size, false, &leaked);
    if (err) {
        swiotlb_pool_unreserve(pool);
        return err;
    }
    *out = pool;
    return CCDMA_OK;
}

/*
 * The check and the retirement are one critical section, under every lock
 * of the pool: a map or an allocation either took its slots before it
 * (EBUSY) or checks the pool after it and is refused. Devices that still hold the pool would be left
 * with a dangling pool, or one that a later create reuses, so they make
 * the destroy EBUSY too until ccdma_device_release().
 */
int ccdma_swiotlb_restricted_destroy(struct ccdma_swiotlb *pool)
{
    unsigned long flags[SWIOTLB_MAX_AREAS + 1];
    const char *name;
    unsigned int refs;
    size_t used;

    if (!pool || !swiotlb_pool_in_table(pool))
        return CCDMA_EINVAL;
    swiotlb_lock_all(pool, flags);
    if (!swiotlb_pool_live(pool) || !pool->restricted) {
        swiotlb_unlock_all(pool, flags);
        return CCDMA_EINVAL;
    }
    name = pool->name; /* the pool may be gone once the locks are dropped */
    used = __atomic_load_n(&pool->used, __ATOMIC_RELAXED);
    refs = pool->refs;
    if (!used && !refs)
        swiotlb_pool_retire(pool);
    swiotlb_unlock_all(pool, flags);
    if (used || refs) {
        dma_report("restricted pool %s: not destroyed: %zu slots taken, %u devices "
                   "still hold it (ccdma_device_release)", name, used, refs);
        return CCDMA_EBUSY;
    }
    return swiotlb_pool_destroy(pool);
}

