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
/* Areas per pool at most: one per CPU up to this many, as Linux's swiotlb
 * areas (one lock each, the area chosen from the CPU number). */
#define SWIOTLB_MAX_AREAS 8u
/* log2 of a segment's bytes. */
#define SWIOTLB_SEG_SHIFT (DMA_SLOT_SHIFT + 7u)
_Static_assert(DMA_SEG_BYTES == (size_t)1 << SWIOTLB_SEG_SHIFT, "128 slots per segment");

enum slot_kind {
    SLOT_FREE = 0,
    SLOT_MAP,   /* a streaming bounce mapping */
    SLOT_BUSY,  /* a mapping being unmapped: no longer valid for anyone */
    SLOT_ALLOC, /* a coherent allocation from a restricted pool */
};

/* Per-slot metadata. Only the first slot of an allocation holds the
 * mapping; every taken slot knows how far back that first slot is. A
 * slot's `back` outlives its run, so only the first slot's kind says
 * whether the run is live, and only its nslots whether it still covers
 * that slot. */
struct swiotlb_slot {
    void *orig;         /* caller's CPU address of the mapped data */
    ccdma_dma_t dma;    /* the data's address in the pool's encoding: an
                         * unmap must give exactly this */
    uint32_t size;      /* bytes mapped or allocated */
    uint32_t dev_id;    /* the device that mapped it */
    uint16_t nslots;    /* slots taken, padding included */
    uint16_t back;      /* distance to the first slot */
    uint8_t kind;
    uint8_t dir;
};

/* Runs released lately in an area, kept out of the allocator so that the
 * next request of the same shape takes one back in a few instructions
 * (swiotlb_take): free for every purpose but the bitmaps, which still show
 * them taken until a request the allocator cannot serve gives them all
 * back. A stack: the latest release is on top. */
#define SWIOTLB_RECENT 8u

struct swiotlb_recent {
    struct swiotlb_region *r;
    uint32_t first;     /* the run's first slot in r */
    uint32_t nslots;
};

/* One area's part of one chunk of pool memory: whole segments, with their
 * own allocator and slot metadata, guarded by that area's lock. Slot
 * indices are the part's own. */
struct swiotlb_region {
    uint8_t *va;
    ccdma_phys_t pa;
    ccdma_dma_t dma;    /* pa in the pool's encoding; where the encoding is
                         * linear (dma_lin.on), a slot's address is this
                         * plus its offset */
    struct slot_alloc alloc;
    struct swiotlb_slot *slots;
    uint32_t span;      /* slots a lookup may find here: alloc.nslots, or 0
                         * once the pool retires */
    uint16_t index;     /* in its area's regions[], the chunk's index */
};

/* Memory added to a pool at once (at creation, or by growth), split in
 * whole segments between the pool's areas. */
struct swiotlb_chunk {
    uint8_t *va;
    size_t bytes;
    bool owned;         /* pages from the allocator (not a caller's region) */
    void *meta;
    size_t meta_pages;
};

/* An area: its lock, and what the lock guards. Aligned so that two CPUs
 * mapping from their own areas do not share a cache line. */
struct swiotlb_area {
    ccdma_lock_t lock;  /* never cleared while the runtime runs (pool_clear) */
    unsigned int nregions;
    unsigned int nrecent;
    struct swiotlb_recent recent[SWIOTLB_RECENT];
    struct swiotlb_region regions[SWIOTLB_MAX_REGIONS];
    uint64_t maps, allocs, overflows;
} __attribute__((aligned(64)));

struct ccdma_swiotlb {
    unsigned int nareas; /* a power of two, 0 while not in use; atomic: a
                          * map reads it before any lock, to choose its
                          * area lock. Not cleared with the rest. */
    /* Chunk 0, for the unlocked arithmetic lookup of swiotlb_find_lock_own
     * (atomic, so not cleared with the rest either; bytes is 0 when there
     * is none or the pool is retiring). */
    ccdma_phys_t first_pa;
    size_t first_bytes;
    uint32_t first_area_shift; /* log2 of an area's bytes in it */
    const char *name;
    uint32_t id;        /* this instance; never reused, so a device's
                         * reference (restricted_ref) cannot name a later
                         * pool that reuses the slot */
    bool in_use;
    bool dying;         /* destroy has begun: invisible to every lookup */
    bool live;          /* in use and not dying, in one test */
    bool shared;
    bool restricted;
    unsigned int refs;  /* devices that took it in ccdma_device_init() */
    bool dynamic;
    bool grow_pending;  /* atomic: set by a refusal under an area lock */
    bool growing;       /* swiotlb_lock: a poll is adding a chunk; one at a
                         * time, since the chunk count is checked before
                         * the locks that add it are taken */
    bool grow_disabled; /* atomic */
    unsigned int nchunks;
    struct swiotlb_chunk chunks[SWIOTLB_MAX_REGIONS];
    size_t grow_bytes;
    ccdma_phys_t grow_limit;
    size_t used;        /* atomic: slots live over all areas */
    size_t high_water;  /* atomic */
    uint64_t full;      /* atomic */
    uint64_t grown, grow_failed, leaked_pages;
    struct dma_ratelimit full_rl;
    struct swiotlb_area area[SWIOTLB_MAX_AREAS];
};

/* Bounce layout of one request, from the rules in dma.md ("Alignment"). */
struct bounce_layout {
    uint32_t nslots;    /* slots to take, padding included */
    uint32_t data_off;  /* from the first slot's start to the data */
    uint32_t stride;    /* allowed first slots are `stride` slots apart */
    uint64_t want;      /* required low address bits of the first slot */
};

/*
 * Locks (docs/dma.md, "Locks and several CPUs"):
 *
 * swiotlb_lock guards the pool table: reservation, device references,
 * growth and lifetime, and the sorted region table below. Each pool slot
 * also has SWIOTLB_MAX_AREAS area locks; area a's lock guards the rest
 * of pool->area[a]. A map or unmap takes one area lock and nothing else.
 *
 * Whatever a mapping checks about its pool (in_use, dying, shared, id,
 * its number of areas, an area's regions) is written only while swiotlb_lock and every
 * area lock of that pool slot are held (swiotlb_lock_all), so any one
 * area lock sees it stable. The order is swiotlb_lock, then the area
 * locks in index order; no one holding an area lock takes swiotlb_lock.
 *
 * Clearing a pool never writes its area locks, which someone may be
 * waiting on. Copies between the caller's buffer and
 * a slot run outside every lock: the slot belongs to the mapping until
 * its owner unmaps it, and a pool with taken slots cannot be destroyed.
 *
 * Pool lifetime: a pool is reserved (name set), then in use. Destroy sets
 * `dying` with every lock held, and only when no slot is taken and no
 * device holds a reference; from then on every lookup skips the pool, so
 * the destroyer alone touches its memory until it clears the table entry.
 */
extern ccdma_lock_t swiotlb_lock;
extern struct ccdma_swiotlb swiotlb_pools[SWIOTLB_MAX_POOLS];

static inline unsigned int swiotlb_nareas(const struct ccdma_swiotlb *pool)
{
    return __atomic_load_n(&pool->nareas, __ATOMIC_RELAXED);
}

static inline ccdma_lock_t *swiotlb_area_lock(struct ccdma_swiotlb *pool, unsigned int a)
{
    return &pool->area[a].lock;
}

/* Take or drop swiotlb_lock and every area lock of pool's slot. */
void swiotlb_lock_all(struct ccdma_swiotlb *pool, unsigned long flags[SWIOTLB_MAX_AREAS + 1]);
void swiotlb_unlock_all(struct ccdma_swiotlb *pool,
                        const unsigned long flags[SWIOTLB_MAX_AREAS + 1]);

/* The area the calling CPU maps from first, of n (a power of two). The
 * platform's CPU number is optional; without it every CPU uses area 0. */
static inline unsigned int swiotlb_home_area(unsigned int n)
{
    if (n <= 1 || !ccdma_plat_cpu_id)
        return 0;
    return ccdma_plat_cpu_id() & (n - 1);
}

/* ---- swiotlb_pool.c (lookups) ------------------------------------------------ */

/* The default pools, and every chunk of every live pool sorted by
 * address, so that an address finds its region in O(log chunks) whatever
 * the number of pools: the chunk's entry, then the area from the offset
 * (each area's part of a chunk is 2^shift segments; the last ones may be
 * shorter or empty). The table is read without a lock: writers
 * (swiotlb_lock_all held) make regions_seq odd while they change it, and a
 * reader that saw it odd or changed reads again. What a reader finds is
 * only a candidate: it takes the region's area lock and checks the region
 * still holds the address (swiotlb_region_check). */
struct region_entry {
    ccdma_phys_t lo, hi;
    struct ccdma_swiotlb *pool;
    uint32_t chunk;     /* the region index in every area of the pool */
    uint32_t shift;     /* log2 of the segments of each area's part */
};
extern struct ccdma_swiotlb *default_shared, *default_private;
extern struct region_entry regions[SWIOTLB_MAX_POOLS * SWIOTLB_MAX_REGIONS];
extern unsigned int nregions;
extern uint32_t regions_seq;

/* In use and not dying; a stale or foreign pointer is just "not live". */
bool swiotlb_pool_live(const struct ccdma_swiotlb *pool);
struct ccdma_swiotlb *swiotlb_pool_by_id(uint32_t id);

/* One of the pool table's entries (not a stale or foreign pointer). */
static inline bool swiotlb_pool_in_table(const struct ccdma_swiotlb *pool)
{
    uintptr_t off = (uintptr_t)pool - (uintptr_t)swiotlb_pools;

    return off < sizeof(swiotlb_pools) && off % sizeof(swiotlb_pools[0]) == 0;
}

/* The pool, region and area that held pa when the table was read, or
 * NULL; no lock held. Check the answer under the area's lock. */
static inline struct ccdma_swiotlb *swiotlb_pool_of(ccdma_phys_t pa, struct swiotlb_region **rp,
                                                    struct swiotlb_area **arp)
{
    for (;;) {
        uint32_t seq = __atomic_load_n(&regions_seq, __ATOMIC_ACQUIRE);
        unsigned int lo = 0, hi = __atomic_load_n(&nregions, __ATOMIC_RELAXED);
        struct ccdma_swiotlb *pool = NULL;

        *rp = NULL;
        *arp = NULL;
        while (lo < hi) {
            unsigned int mid = (lo + hi) / 2;

            if (pa < __atomic_load_n(&regions[mid].lo, __ATOMIC_RELAXED)) {
                hi = mid;
            } else if (pa >= __atomic_load_n(&regions[mid].hi, __ATOMIC_RELAXED)) {
                lo = mid + 1;
            } else {
                ccdma_phys_t off = pa - __atomic_load_n(&regions[mid].lo, __ATOMIC_RELAXED);
                uint32_t shift = __atomic_load_n(&regions[mid].shift, __ATOMIC_RELAXED);
                uint32_t a = (uint32_t)(off >> (SWIOTLB_SEG_SHIFT + shift));

                pool = __atomic_load_n(&regions[mid].pool, __ATOMIC_RELAXED);
                if (a >= SWIOTLB_MAX_AREAS) { /* only a torn read: read again */
                    pool = NULL;
                    seq = 1;
                    break;
                }
                *arp = &pool->area[a];
                *rp = &pool->area[a].regions[__atomic_load_n(&regions[mid].chunk,
                                                             __ATOMIC_RELAXED) %
                                             SWIOTLB_MAX_REGIONS];
                break;
            }
        }
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (!(seq & 1) && __atomic_load_n(&regions_seq, __ATOMIC_RELAXED) == seq)
            return pool;
    }
}

/* With the area lock of what swiotlb_pool_of() found: whether that region
 * of a live pool still holds pa (retiring a pool empties its regions). */
static inline uint64_t swiotlb_region_slot(const struct swiotlb_region *r, ccdma_phys_t pa)
{
    return (pa - r->pa) >> DMA_SLOT_SHIFT;
}

static inline bool swiotlb_region_check(const struct swiotlb_region *r, ccdma_phys_t pa)
{
    return swiotlb_region_slot(r, pa) < (uint64_t)r->span;
}

/* The live pool and region that hold pa, with that region's area lock
 * taken (*arp, *flags); false, with no lock held, when there is none. */
static inline __attribute__((always_inline)) bool swiotlb_find_lock(
    ccdma_phys_t pa, struct ccdma_swiotlb **poolp, struct swiotlb_region **rp,
    struct swiotlb_area **arp, unsigned long *flags)
{
    for (;;) {
        struct ccdma_swiotlb *pool = swiotlb_pool_of(pa, rp, arp);

        *poolp = pool;
        if (!pool)
            return false;
        *flags = ccdma_plat_lock(&(*arp)->lock);
        if (__builtin_expect(swiotlb_region_check(*rp, pa), 1))
            return true;
        /* Retired or moved between the lookup and the lock: look again. */
        ccdma_plat_unlock(&(*arp)->lock, *flags);
    }
}

/* Mark pool dying and take its regions out of every lookup
 * (swiotlb_lock_all held). */
void swiotlb_pool_retire(struct ccdma_swiotlb *pool);
/* swiotlb_lock held: the pool dev bounces through, or NULL with the reason
 * in *why (ESTATE). */
struct ccdma_swiotlb *swiotlb_pool_for_device_slow(const struct ccdma_device *dev,
                                                   const char **why);

/* The pool dev would bounce through, with no lock held: only a candidate,
 * which swiotlb_pool_serves() confirms under an area lock; NULL when there
 * is none to try. */
static inline struct ccdma_swiotlb *swiotlb_pool_candidate_for(const struct ccdma_device *dev,
                                                                bool need_shared)
{
    struct ccdma_swiotlb *pool = dev->restricted_pool;

    if (!pool)
        return need_shared ? default_shared : default_private;
    return swiotlb_pool_in_table(pool) ? pool : NULL;
}

static inline struct ccdma_swiotlb *swiotlb_pool_candidate(const struct ccdma_device *dev)
{
    return swiotlb_pool_candidate_for(dev, dma_dev_needs_shared(dev));
}

/* The region that holds pa, and pa's slot in it (*slot), found by
 * arithmetic from the first chunk of the pool the address most likely
 * names (dev's restricted pool, or the default pool of its encoding,
 * shared or not), as Linux's swiotlb finds a slot from its pool's start,
 * with the area lock taken; otherwise the table's answer
 * (swiotlb_find_lock). Whatever the unlocked reads saw, the region is
 * checked under the lock, and one that no longer holds pa is looked up
 * again in the table. */
static inline __attribute__((always_inline)) bool swiotlb_find_lock_own(
    const struct ccdma_device *dev, bool shared, ccdma_phys_t pa,
    struct ccdma_swiotlb **poolp, struct swiotlb_region **rp, struct swiotlb_area **arp,
    unsigned long *flags, uint32_t *slot)
{
    struct ccdma_swiotlb *pool = swiotlb_pool_candidate_for(dev, shared);

    if (__builtin_expect(pool != NULL, 1)) {
        ccdma_phys_t off = pa - __atomic_load_n(&pool->first_pa, __ATOMIC_RELAXED);
        uint32_t a = (uint32_t)(off >> __atomic_load_n(&pool->first_area_shift,
                                                       __ATOMIC_RELAXED));

        if (off < __atomic_load_n(&pool->first_bytes, __ATOMIC_RELAXED) && a < SWIOTLB_MAX_AREAS) {
            struct swiotlb_area *ar = &pool->area[a];
            struct swiotlb_region *r = &ar->regions[0];
            unsigned long fl = ccdma_plat_lock(&ar->lock);
            /* Read once, before the outputs are written: one of them could
             * alias it as far as the compiler knows. */
            uint64_t j = swiotlb_region_slot(r, pa);

            if (__builtin_expect(j < (uint64_t)r->span, 1)) {
                *poolp = pool;
                *arp = ar;
                *rp = r;
                *flags = fl;
                *slot = (uint32_t)j;
                return true;
            }
            ccdma_plat_unlock(&ar->lock, fl);
        }
    }
    if (!swiotlb_find_lock(pa, poolp, rp, arp, flags))
        return false;
    *slot = (uint32_t)swiotlb_region_slot(*rp, pa);
    return true;
}

/* With one of pool's area locks held: pool is live, of the state dev
 * needs, and dev's to use (its default pool, or the restricted pool dev
 * holds a reference on, that very instance). */
static inline bool swiotlb_pool_serves_for(const struct ccdma_swiotlb *pool,
                                           const struct ccdma_device *dev, bool need_shared)
{
    if (!pool->live || pool->shared != need_shared)
        return false;
    return !dev->restricted_pool ||
           __atomic_load_n(&dev->restricted_ref, __ATOMIC_RELAXED) == pool->id;
}

static inline bool swiotlb_pool_serves(const struct ccdma_swiotlb *pool,
                                       const struct ccdma_device *dev)
{
    return swiotlb_pool_serves_for(pool, dev, dma_dev_needs_shared(dev));
}

/* No lock held: find why dev has no pool (under swiotlb_lock) and report
 * it (rate-limited). Returns true when, asked again, the pool is there. */
bool swiotlb_refused(const struct ccdma_device *dev);

/* ---- swiotlb_pool.c (lifetime: takes swiotlb_lock itself) ------------------ */

struct ccdma_swiotlb *swiotlb_pool_reserve(const char *name, bool shared);
void swiotlb_pool_unreserve(struct ccdma_swiotlb *pool);
/* Add [va, va+bytes) to pool: metadata, the one conversion, zeroing. On a
 * failed conversion the memory is leaked (*leaked) and must not be freed. */
int swiotlb_pool_add_region(struct ccdma_swiotlb *pool, void *va, size_t bytes,
                            bool owned, bool *leaked);
/* Retire the pool, give its memory back and free its table entry. */
int swiotlb_pool_destroy(struct ccdma_swiotlb *pool);

/* ---- swiotlb_map.c: slots ---------------------------------------------------- */

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

/* What swiotlb_take() found: the run's region and area, and the area lock
 * it holds. */
struct swiotlb_taken {
    int64_t idx;        /* the first slot, or SWIOTLB_TAKE_FULL or _REFUSED */
    struct swiotlb_region *r;
    struct swiotlb_area *ar;
    unsigned int area;
    unsigned long flags;
};
#define SWIOTLB_TAKE_FULL (-1)
#define SWIOTLB_TAKE_REFUSED (-2)
/* Take l->nslots slots of pool for dev: from the calling CPU's area first,
 * then from each other area in turn. On success idx is the first slot, and
 * the area's lock is held. Otherwise no lock is held: SWIOTLB_TAKE_FULL
 * when no area has such a run, SWIOTLB_TAKE_REFUSED when the pool does not
 * serve dev (swiotlb_pool_serves). */
struct swiotlb_taken swiotlb_take(struct ccdma_swiotlb *pool, const struct ccdma_device *dev,
                                  const struct bounce_layout *l);
/* Area lock held: give back a run taken by swiotlb_take() and never
 * recorded. */
void swiotlb_untake(struct swiotlb_area *ar, struct swiotlb_region *r, uint32_t first,
                    const struct bounce_layout *l);
/* Area lock held: record a run taken by swiotlb_take() as one mapping or
 * allocation whose data is at dma. */
void swiotlb_record(struct ccdma_swiotlb *pool, struct swiotlb_region *r, uint32_t first,
                    const struct bounce_layout *l, enum slot_kind kind, ccdma_dma_t dma);
void swiotlb_release(struct ccdma_swiotlb *pool, struct swiotlb_area *ar, struct swiotlb_region *r,
                     uint32_t first);
/* No lock held: count a refusal, flag growth, and report it unless
 * NO_WARN. */
void swiotlb_report_full(struct ccdma_swiotlb *pool, size_t size,
                         uint32_t nslots, unsigned int attrs);
/* First slot of the live run of the given kind that covers pa, or -1. */
int64_t swiotlb_first_slot(const struct swiotlb_region *r, ccdma_phys_t pa,
                           enum slot_kind kind);

#endif /* CCDMA_DMA_SWIOTLB_H */
