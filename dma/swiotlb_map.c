/* SPDX-License-Identifier: MIT */
/*
 * Bounce mappings: slots, and the streaming path (map, unmap, sync).
 *
 * The CC rule for copies (rule 8): no private byte reaches shared memory
 * unless the caller mapped it toward the device.
 *  - TO_DEVICE and BIDIRECTIONAL copy the caller's bytes in at map time.
 *  - FROM_DEVICE fills the slot with zeros. Linux instead copies the
 *    caller's buffer in (its fix for CVE-2022-0854), so that a partial
 *    device write followed by the full copy-back restores the untouched
 *    bytes. Here that would put private bytes the caller never meant for the
 *    device into host-visible memory, so it is not done. The consequence,
 *    chosen on purpose: copy-back covers exactly the mapped range, and bytes
 *    of that range the device did not write come back as zeros, never as
 *    stale data of another mapping (slots are zeroed at map and scrubbed at
 *    unmap). A caller that needs untouched bytes preserved maps only the
 *    range the device writes, or maps BIDIRECTIONAL, which consents to the
 *    bytes being visible.
 *  - Copy-back follows the direction recorded at map time, not the one
 *    passed to unmap or sync: a TO_DEVICE mapping is never copied back,
 *    because the device had no business writing it; FROM_DEVICE data is
 *    never copied toward the device by sync_for_device, so what the
 *    device already wrote survives.
 *  - Padding (alignment slack before and after the data) is zeroed and
 *    never copied anywhere.
 */
#include <inttypes.h>

#include "swiotlb.h"

static bool dir_to_device(enum ccdma_dir dir)
{
    return dir == CCDMA_TO_DEVICE || dir == CCDMA_BIDIRECTIONAL;
}

static bool dir_from_device(enum ccdma_dir dir)
{
    return dir == CCDMA_FROM_DEVICE || dir == CCDMA_BIDIRECTIONAL;
}

/* ---- layout --------------------------------------------------------------- */

/*
 * align: the first slot's address has these bits clear (2 KiB at least; a
 * page for streaming mappings of a page or more, the legacy guarantee;
 * the allocation's page order for coherent allocations).
 * min_mask: the bounce address keeps these low bits of the original. Those
 * under `align` become an offset into the first slots (the padding, which is
 * freed with the mapping, never left taken); those above it must match in
 * the first slot's
 * own address.
 */
int swiotlb_layout(uint64_t min_mask, ccdma_phys_t orig, size_t size,
                   uint64_t alloc_align_mask, struct bounce_layout *l)
{
    uint64_t align = alloc_align_mask | (DMA_SLOT_SIZE - 1);
    uint64_t keep;
    size_t total;

    if (!alloc_align_mask && size >= DMA_PAGE_SIZE)
        align |= DMA_PAGE_SIZE - 1;
    l->data_off = (uint32_t)(orig & min_mask & align);
    keep = min_mask & ~align;
    l->want = orig & keep;
    total = l->data_off + size;
    if (size > DMA_SEG_BYTES || total > DMA_SEG_BYTES)
        return CCDMA_EINVAL;
    l->nslots = (uint32_t)DMA_DIV_UP(total, (size_t)DMA_SLOT_SIZE);
    /* align | keep is a contiguous low mask, so this is a power of two. */
    l->stride = (uint32_t)(((align | keep) + 1) >> DMA_SLOT_SHIFT);
    return CCDMA_OK;
}

size_t dma_swiotlb_max_mapping(const struct ccdma_device *dev)
{
    size_t min_align = 0;

    if (dev->min_align_mask)
        min_align = DMA_ALIGN_UP((size_t)dev->min_align_mask, (size_t)DMA_SLOT_SIZE);
    return DMA_SEG_BYTES - min_align;
}

int64_t swiotlb_first_slot(const struct swiotlb_region *r, ccdma_phys_t pa)
{
    uint32_t j = (uint32_t)((pa - r->pa) >> DMA_SLOT_SHIFT);

    if (slot_alloc_is_free(&r->alloc, j))
        return -1;
    return (int64_t)j - r->slots[j].back;
}

ccdma_phys_t swiotlb_data_pa(const struct swiotlb_region *r, uint32_t first)
{
    return r->pa + ((ccdma_phys_t)first << DMA_SLOT_SHIFT) + r->slots[first].data_off;
}

/* The first slot of the live mapping of dev that covers addr, with the
 * pool's own encoding; NULL for anything else. */
static struct swiotlb_slot *mapping_covering(ccdma_dma_t addr, uint32_t dev_id,
                                             struct ccdma_swiotlb **poolp,
                                             struct swiotlb_region **rp)
{
    ccdma_phys_t pa = ccdma_plat_dma_to_phys(addr);
    struct swiotlb_region *r;
    struct ccdma_swiotlb *pool = swiotlb_pool_of(pa, &r);
    int64_t first;

    if (!pool || ccdma_plat_phys_to_dma(pa, pool->shared) != addr)
        return NULL;
    first = swiotlb_first_slot(r, pa);
    if (first < 0 || r->slots[first].kind != SLOT_MAP ||
        r->slots[first].dev_id != dev_id)
        return NULL;
    *poolp = pool;
    *rp = r;
    return &r->slots[first];
}

/* The live mapping of dev that starts exactly at addr, or NULL. */
static struct swiotlb_slot *mapping_at(ccdma_dma_t addr, uint32_t dev_id,
                                       struct ccdma_swiotlb **poolp,
                                       struct swiotlb_region **rp)
{
    struct swiotlb_slot *s = mapping_covering(addr, dev_id, poolp, rp);

    if (!s || swiotlb_data_pa(*rp, (uint32_t)(s - (*rp)->slots)) !=
                  ccdma_plat_dma_to_phys(addr))
        return NULL;
    return s;
}

/*
 * Takes swiotlb_lock and finds dev's live mapping at addr (its exact start
 * for unmap, any byte of it for sync). On failure the lock is dropped, the
 * caller's mistake reported, and NULL returned.
 */
static struct swiotlb_slot *lock_mapping(const struct ccdma_device *dev,
                                         ccdma_dma_t addr, bool exact,
                                         const char *op, unsigned long *flags,
                                         struct ccdma_swiotlb **poolp,
                                         struct swiotlb_region **rp)
{
    struct swiotlb_slot *s;

    *flags = ccdma_plat_lock(&swiotlb_lock);
    s = exact ? mapping_at(addr, dev->debug_id, poolp, rp)
              : mapping_covering(addr, dev->debug_id, poolp, rp);
    if (!s) {
        ccdma_plat_unlock(&swiotlb_lock, *flags);
        dma_report("%s: %s of %#llx, which is not in a live bounce mapping of "
                   "this device", dma_dev_name(dev), op, (unsigned long long)addr);
    }
    return s;
}

/* ---- taking and releasing slots (swiotlb_lock held) ---------------------------------- */

int64_t swiotlb_take(struct ccdma_swiotlb *pool, const struct bounce_layout *l,
                     struct swiotlb_region **rp)
{
    for (unsigned int i = 0; i < pool->nregions; i++) {
        struct swiotlb_region *r = &pool->regions[i];
        uint32_t phase = (uint32_t)((l->want >> DMA_SLOT_SHIFT) -
                                    (r->pa >> DMA_SLOT_SHIFT)) & (l->stride - 1);
        int64_t idx = slot_alloc_take(&r->alloc, l->nslots, l->stride, phase);

        if (idx >= 0) {
            *rp = r;
            return idx;
        }
    }
    return -1;
}

void swiotlb_record(struct ccdma_swiotlb *pool, struct swiotlb_region *r,
                    uint32_t first, const struct bounce_layout *l, enum slot_kind kind)
{
    struct swiotlb_slot *s = &r->slots[first];

    for (uint32_t k = 0; k < l->nslots; k++)
        r->slots[first + k].back = (uint16_t)k;
    s->kind = (uint8_t)kind;
    s->nslots = (uint16_t)l->nslots;
    s->data_off = l->data_off;
    pool->used += l->nslots;
    if (pool->used > pool->high_water)
        pool->high_water = pool->used;
}

void swiotlb_release(struct ccdma_swiotlb *pool, struct swiotlb_region *r,
                     uint32_t first)
{
    uint32_t n = r->slots[first].nslots;

    memset(&r->slots[first], 0, (size_t)n * sizeof(r->slots[0]));
    if (!slot_alloc_release(&r->alloc, first, n))
        dma_report("%s: slots %" PRIu32 "+%" PRIu32 " were not taken", pool->name, first, n);
    pool->used -= n;
}

void swiotlb_report_full(struct ccdma_swiotlb *pool, size_t size,
                         uint32_t nslots, unsigned int attrs)
{
    size_t total = 0;

    pool->full++;
    if (pool->dynamic && !pool->grow_disabled)
        pool->grow_pending = true;
    if ((attrs & CCDMA_ATTR_NO_WARN) || !dma_ratelimit_ok(&pool->full_rl))
        return;
    for (unsigned int i = 0; i < pool->nregions; i++)
        total += pool->regions[i].alloc.nslots;
    dma_report("bounce pool %s is full (sz: %zu bytes, %" PRIu32 " slots): total %zu "
               "slots, used %zu slots", pool->name, size, nslots, total, pool->used);
}

/* ---- streaming mappings --------------------------------------------------------- */

/* Zero the padding around the data, then fill the data by direction. */
static void fill_slots(uint8_t *start, const struct bounce_layout *l,
                       const void *orig, size_t size, enum ccdma_dir dir)
{
    uint8_t *data = start + l->data_off;
    size_t span = (size_t)l->nslots * DMA_SLOT_SIZE;

    memset(start, 0, l->data_off);
    if (dir_to_device(dir))
        memcpy(data, orig, size);
    else
        memset(data, 0, size);
    memset(data + size, 0, span - l->data_off - size);
}

int dma_swiotlb_map(struct ccdma_device *dev, void *orig, ccdma_phys_t orig_pa,
                    size_t size, enum ccdma_dir dir, unsigned int attrs,
                    ccdma_dma_t *out)
{
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct bounce_layout l;
    unsigned long flags;
    ccdma_phys_t tlb_pa;
    const char *why;
    ccdma_dma_t dma;
    uint8_t *start;
    int64_t idx;

    /* Choose the pool and take its slots under one hold of the lock: a
     * destroy either came first (the choice fails) or must wait for these
     * slots to be released (EBUSY). */
    flags = ccdma_plat_lock(&swiotlb_lock);
    pool = swiotlb_pool_for_device(dev, &why);
    if (!pool) {
        swiotlb_unlock_refused(dev, why, flags);
        return CCDMA_ESTATE;
    }
    if (size > dma_swiotlb_max_mapping(dev) ||
        swiotlb_layout(dev->min_align_mask, orig_pa, size, 0, &l)) {
        ccdma_plat_unlock(&swiotlb_lock, flags);
        dma_report("%s: a %zu-byte mapping exceeds the bounce maximum of %zu",
                   dma_dev_name(dev), size,
                   dma_swiotlb_max_mapping(dev));
        return CCDMA_EINVAL;
    }
    idx = swiotlb_take(pool, &l, &r);
    if (idx < 0) {
        swiotlb_report_full(pool, size, l.nslots, attrs);
        ccdma_plat_unlock(&swiotlb_lock, flags);
        return CCDMA_ENOSPC;
    }
    swiotlb_record(pool, r, (uint32_t)idx, &l, SLOT_MAP);
    r->slots[idx].orig = orig;
    r->slots[idx].size = (uint32_t)size;
    r->slots[idx].dir = (uint8_t)dir;
    r->slots[idx].dev_id = dev->debug_id;
    ccdma_plat_unlock(&swiotlb_lock, flags);

    start = r->va + ((size_t)idx << DMA_SLOT_SHIFT);
    tlb_pa = r->pa + ((ccdma_phys_t)idx << DMA_SLOT_SHIFT) + l.data_off;
    /* The address takes the pool's encoding, whatever the caller's memory
     * was: the device reads the pool, not the caller's pages. */
    dma = ccdma_plat_phys_to_dma(tlb_pa, pool->shared);
    if (!ccdma_capable(dev, dma, size, pool->shared ? CCDMA_ATTR_CC_SHARED : 0)) {
        flags = ccdma_plat_lock(&swiotlb_lock);
        pool->overflows++;
        swiotlb_release(pool, r, (uint32_t)idx);
        ccdma_plat_unlock(&swiotlb_lock, flags);
        dma_report("%s: bounce address %#llx+%zu is beyond its reach "
                   "(mask %#llx, bus limit %#llx)",
                   dma_dev_name(dev), (unsigned long long)dma,
                   size, (unsigned long long)dev->dma_mask,
                   (unsigned long long)dev->bus_limit);
        return CCDMA_ERANGE;
    }

    fill_slots(start, &l, orig, size, dir);
    if (!dev->coherent && !(attrs & CCDMA_ATTR_SKIP_CPU_SYNC))
        ccdma_plat_cache_clean(start, (size_t)l.nslots * DMA_SLOT_SIZE);

    flags = ccdma_plat_lock(&swiotlb_lock);
    pool->maps++;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    *out = dma;
    return CCDMA_OK;
}

bool dma_swiotlb_owns(ccdma_phys_t pa)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    struct swiotlb_region *r;
    bool owns = false;

    /* A coherent allocation from a restricted pool may be mapped like any
     * other memory: only its own mappings make an address a bounce. */
    if (swiotlb_pool_of(pa, &r)) {
        int64_t first = swiotlb_first_slot(r, pa);

        owns = first < 0 || r->slots[first].kind != SLOT_ALLOC;
    }
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return owns;
}

int dma_swiotlb_unmap(struct ccdma_device *dev, ccdma_dma_t addr,
                      size_t size, enum ccdma_dir dir, unsigned int attrs)
{
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct swiotlb_slot *s, m;
    unsigned long flags;
    uint8_t *start, *data;
    uint32_t first;

    (void)size;
    (void)dir;
    s = lock_mapping(dev, addr, true, "unmap", &flags, &pool, &r);
    if (!s)
        return CCDMA_EFAULT;
    s->kind = SLOT_BUSY; /* a racing unmap or sync now fails */
    m = *s;
    first = (uint32_t)(s - r->slots);
    ccdma_plat_unlock(&swiotlb_lock, flags);

    /* The recorded size and direction rule, not the arguments: copy-back
     * covers exactly what the device could have written (rule 8). */
    start = r->va + ((size_t)first << DMA_SLOT_SHIFT);
    data = start + m.data_off;
    if (!(attrs & CCDMA_ATTR_SKIP_CPU_SYNC) && dir_from_device(m.dir)) {
        if (!dev->coherent)
            ccdma_plat_cache_invalidate(data, m.size);
        memcpy(m.orig, data, m.size);
    }
    memset(start, 0, (size_t)m.nslots * DMA_SLOT_SIZE);
    if (!dev->coherent)
        ccdma_plat_cache_clean(start, (size_t)m.nslots * DMA_SLOT_SIZE);

    flags = ccdma_plat_lock(&swiotlb_lock);
    swiotlb_release(pool, r, first);
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return CCDMA_OK;
}

int dma_swiotlb_sync(struct ccdma_device *dev, ccdma_dma_t addr,
                     size_t size, enum ccdma_dir dir, bool for_cpu)
{
    ccdma_phys_t tlb_pa = ccdma_plat_dma_to_phys(addr);
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct swiotlb_slot *s;
    unsigned long flags;
    ccdma_phys_t start;
    enum ccdma_dir mdir;
    uint8_t *orig, *tlb;

    s = lock_mapping(dev, addr, false, "sync", &flags, &pool, &r);
    if (!s)
        return CCDMA_EFAULT;
    start = swiotlb_data_pa(r, (uint32_t)(s - r->slots));
    /* Partial syncs are fine; past either end of the mapping is not. */
    if (tlb_pa < start || tlb_pa - start > s->size ||
        size > s->size - (tlb_pa - start)) {
        uint32_t msize = s->size;

        ccdma_plat_unlock(&swiotlb_lock, flags);
        dma_report("%s: buffer overflow detected: sync of %#llx+%zu outside "
                   "its %" PRIu32 "-byte bounce mapping at %#llx",
                   dma_dev_name(dev), (unsigned long long)tlb_pa,
                   size, msize, (unsigned long long)start);
        return CCDMA_EINVAL;
    }
    orig = (uint8_t *)s->orig + (tlb_pa - start);
    mdir = (enum ccdma_dir)s->dir;
    tlb = r->va + (tlb_pa - r->pa);
    ccdma_plat_unlock(&swiotlb_lock, flags);

    if (for_cpu) {
        if (dir_from_device(mdir) && dir_from_device(dir)) {
            if (!dev->coherent)
                ccdma_plat_cache_invalidate(tlb, size);
            memcpy(orig, tlb, size);
        }
    } else {
        if (dir_to_device(mdir) && dir_to_device(dir))
            memcpy(tlb, orig, size);
        if (!dev->coherent)
            ccdma_plat_cache_clean(tlb, size);
    }
    return CCDMA_OK;
}

bool ccdma_is_bounced(const struct ccdma_device *dev, ccdma_dma_t addr)
{
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    unsigned long flags;
    bool bounced;

    if (!dma_dev_ready(dev) || addr == CCDMA_DMA_ADDR_INVALID)
        return false;
    flags = ccdma_plat_lock(&swiotlb_lock);
    bounced = mapping_at(addr, dev->debug_id, &pool, &r) != NULL;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return bounced;
}
