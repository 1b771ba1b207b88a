/* SPDX-License-Identifier: MIT */
/*
 * Bounce pools (swiotlb): what the three swiotlb files share.
 *
 *   swiotlb_map.c         slots, and the streaming path: map, unmap, sync
 *   swiotlb_pool.c        the pool table, regions and growth, lifetime,
 *                         statistics
 *   swiotlb_restricted.c  per-device pools: references, coherent
 *                         allocations, create and destroy
 *
 * A pool is memory of exactly one state, shared or private (rule 5), cut in
 * 2 KiB slots grouped in 128-slot segments; one mapping never crosses a
 * segment. A pool of the other state is never a fallback (rules 5 and 6).
 */
#ifndef CCDMA_DMA_SWIOTLB_H
#define CCDMA_DMA_SWIOTLB_H

#include "dma_internal.h"
#include "slot_alloc.h"

#define SWIOTLB_MAX_POOLS 16u
#define SWIOTLB_MAX_REGIONS 8u

enum slot_kind {
    SLOT_FREE = 0,
    SLOT_MAP,   /* a streaming bounce mapping */
    SLOT_BUSY,  /* a mapping being unmapped: no longer valid for anyone */
    SLOT_ALLOC, /* a coherent allocation from a restricted pool */
};

/* Per-slot metadata. Only the first slot of an allocation holds the
 * mapping; every taken slot knows how far back that first slot is. */
struct swiotlb_slot {
    void *orig;         /* caller's CPU address of the mapped data */
    uint32_t size;      /* bytes mapped or allocated */
    uint32_t data_off;  /* from the first slot's start to the data */
    uint32_t dev_id;    /* the device that mapped it */
    uint16_t nslots;    /* slots taken, padding included */
    uint16_t back;      /* distance to the first slot */
    uint8_t kind;
    uint8_t dir;
};

/* Runs released lately, kept out of the allocator so that the next request
 * of the same shape takes one back in a few instructions (swiotlb_take):
 * free for every purpose but the bitmaps, which still show them taken
 * until a request the allocator cannot serve gives them all back. */
#define SWIOTLB_RECENT 8u

struct swiotlb_region {
    uint8_t *va;
    ccdma_phys_t pa;
    size_t bytes;
    bool owned;         /* pages from the allocator (not a caller's region) */
    struct slot_alloc alloc;
    struct swiotlb_slot *slots;
    void *meta;
    size_t meta_pages;
    unsigned int nrecent;
    uint32_t recent_first[SWIOTLB_RECENT];
    uint16_t recent_n[SWIOTLB_RECENT];
};

struct ccdma_swiotlb {
    const char *name;
    uint32_t id;        /* this instance; never reused, so a device's
                         * reference (restricted_ref) cannot name a later
                         * pool that reuses the slot */
    bool in_use;
    bool dying;         /* destroy has begun: invisible to every lookup */
    bool shared;
    bool restricted;
    unsigned int refs;  /* devices that took it in ccdma_device_init() */
    bool dynamic;
    bool grow_pending;
    bool grow_disabled;
    unsigned int nregions;
    size_t grow_bytes;
    ccdma_phys_t grow_limit;
    struct swiotlb_region regions[SWIOTLB_MAX_REGIONS];
    size_t used;
    size_t high_water;
    uint64_t maps, allocs, full, overflows, grown, grow_failed, leaked_pages;
    struct dma_ratelimit full_rl;
};

/* Bounce layout of one request, from the rules in dma.md ("Alignment"). */
struct bounce_layout {
    uint32_t nslots;    /* slots to take, padding included */
    uint32_t data_off;  /* from the first slot's start to the data */
    uint32_t stride;    /* allowed first slots are `stride` slots apart */
    uint64_t want;      /* required low address bits of the first slot */
};

/*
 * One lock for the pool table, slot metadata, statistics, device
 * references and pool lifetime. Copies between the caller's buffer and a
 * slot run outside it: the slot belongs to the mapping until the mapping's
 * owner unmaps it, and a pool with taken slots cannot be destroyed.
 *
 * Pool lifetime: a pool is reserved (name set), then in use. Destroy sets
 * `dying` under this lock, and only when no slot is taken and no device
 * holds a reference; from then on every lookup skips the pool, so the
 * destroyer alone touches its regions until it clears the table entry.
 */
extern ccdma_lock_t swiotlb_lock;

/* ---- swiotlb_pool.c (lookups: swiotlb_lock held) --------------------------- */

/* The default pools, and every region of every live pool sorted by
 * address, so that an address finds its region in O(log regions) whatever
 * the number of pools. swiotlb_pool.c writes them; the lookups below are
 * inline, since every bounce map and unmap makes one. */
struct region_entry {
    ccdma_phys_t lo, hi;
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
};
extern struct ccdma_swiotlb *default_shared, *default_private;
extern struct region_entry regions[SWIOTLB_MAX_POOLS * SWIOTLB_MAX_REGIONS];
extern unsigned int nregions;

/* In use and not dying; a stale or foreign pointer is just "not live". */
bool swiotlb_pool_live(const struct ccdma_swiotlb *pool);
struct ccdma_swiotlb *swiotlb_pool_by_id(uint32_t id);
/* The live pool and region that contain pa, or NULL: a binary search of
 * the regions of every live pool, kept sorted by address. */
static inline struct ccdma_swiotlb *swiotlb_pool_of(ccdma_phys_t pa, struct swiotlb_region **rp)
{
    unsigned int lo = 0, hi = nregions;

    while (lo < hi) {
        unsigned int mid = (lo + hi) / 2;

        if (pa < regions[mid].lo) {
            hi = mid;
        } else if (pa >= regions[mid].hi) {
            lo = mid + 1;
        } else {
            *rp = regions[mid].r;
            return regions[mid].pool;
        }
    }
    return NULL;
}
/* Mark pool dying and take its regions out of every lookup. */
void swiotlb_pool_retire(struct ccdma_swiotlb *pool);
/* The pool dev bounces through, or NULL with the reason in *why (ESTATE).
 * The common case, a device with no restricted pool whose default pool is
 * live and of the right state, is inline. */
struct ccdma_swiotlb *swiotlb_pool_for_device_slow(const struct ccdma_device *dev,
                                                   const char **why);

static inline struct ccdma_swiotlb *swiotlb_pool_for_device(const struct ccdma_device *dev,
                                                            const char **why)
{
    bool need = dma_dev_needs_shared(dev);
    struct ccdma_swiotlb *pool = need ? default_shared : default_private;

    if (!dev->restricted_pool && pool && pool->in_use && !pool->dying && pool->shared == need)
        return pool;
    return swiotlb_pool_for_device_slow(dev, why);
}
/* Unlocks swiotlb_lock, then reports a refused pool choice (rate-limited). */
void swiotlb_unlock_refused(const struct ccdma_device *dev, const char *why,
                            unsigned long flags);

/* ---- swiotlb_pool.c (lifetime: takes swiotlb_lock itself) ------------------ */

struct ccdma_swiotlb *swiotlb_pool_reserve(const char *name, bool shared);
void swiotlb_pool_unreserve(struct ccdma_swiotlb *pool);
/* Add [va, va+bytes) to pool: metadata, the one conversion, zeroing. On a
 * failed conversion the memory is leaked (*leaked) and must not be freed. */
int swiotlb_pool_add_region(struct ccdma_swiotlb *pool, void *va, size_t bytes,
                            bool owned, bool *leaked);
/* Retire the pool, give its memory back and free its table entry. */
int swiotlb_pool_destroy(struct ccdma_swiotlb *pool);

/* ---- swiotlb_map.c: slots (swiotlb_lock held) ------------------------------ */

/* The slots and offset a request needs; EINVAL when it cannot fit a
 * segment. alloc_align_mask is 0 for streaming mappings. Inline: every map
 * computes one.
 *
 * align: the first slot's address has these bits clear (2 KiB at least; a
 * page for streaming mappings of a page or more, the legacy guarantee;
 * the allocation's page order for coherent allocations).
 * min_mask: the bounce address keeps these low bits of the original. Those
 * under `align` become an offset into the first slots (the padding, which is
 * freed with the mapping, never left taken); those above it must match in
 * the first slot's own address.
 */
static inline int swiotlb_layout(uint64_t min_mask, ccdma_phys_t orig, size_t size,
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

/* Take l->nslots slots in some region of pool: the first index, or -1. */
int64_t swiotlb_take(struct ccdma_swiotlb *pool, const struct bounce_layout *l,
                     struct swiotlb_region **rp);
/* Give back a run taken by swiotlb_take() and never recorded. */
void swiotlb_untake(struct swiotlb_region *r, uint32_t first, const struct bounce_layout *l);
/* Record a run taken by swiotlb_take() as one mapping or allocation. */
void swiotlb_record(struct ccdma_swiotlb *pool, struct swiotlb_region *r,
                    uint32_t first, const struct bounce_layout *l, enum slot_kind kind);
void swiotlb_release(struct ccdma_swiotlb *pool, struct swiotlb_region *r,
                     uint32_t first);
/* Count a refusal, flag growth, and report it unless NO_WARN. */
void swiotlb_report_full(struct ccdma_swiotlb *pool, size_t size,
                         uint32_t nslots, unsigned int attrs);
/* First slot of the run that covers pa, or -1 if its slot is free. */
int64_t swiotlb_first_slot(const struct swiotlb_region *r, ccdma_phys_t pa);
/* Physical address of the data of the run that starts at slot first. */
ccdma_phys_t swiotlb_data_pa(const struct swiotlb_region *r, uint32_t first);

#endif /* CCDMA_DMA_SWIOTLB_H */
