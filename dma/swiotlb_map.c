/* SPDX-License-Identifier: MIT */
/*
 * Bounce mappings: slots, and the streaming path (map, unmap, sync).
 *
 * The CC rule for copies (rule 8): no private byte reaches shared memory
 * unless the caller mapped it toward the device. What each direction
 * copies, and why that is all (docs/dma.md, "What a bounce copies"):
 *  - TO_DEVICE and BIDIRECTIONAL copy the caller's bytes in at map time.
 *    Those bytes are the device's to read, and a device that cannot reach
 *    private memory is the host's: they stay in the slot after unmap, where
 *    they show the host nothing it was not given.
 *  - FROM_DEVICE zero-fills the mapped range of the slot, once, at map.
 *    Linux instead copies the caller's buffer in (its fix for
 *    CVE-2022-0854), so that a partial device write followed by the full
 *    copy-back restores the untouched bytes; here that would put private
 *    bytes the caller never meant for the device into host-visible memory.
 *    The zero fill keeps the other half of that fix: a partial write never
 *    brings back another mapping's bytes. The price, chosen on purpose:
 *    bytes of the range the device did not write come back as zeros. A
 *    caller that needs them preserved maps only the range the device
 *    writes, or maps BIDIRECTIONAL, which consents to their being seen.
 *  - Copy-back follows the direction recorded at map time, not the one
 *    passed to unmap or sync: a TO_DEVICE mapping is never copied back,
 *    because the device had no business writing it; FROM_DEVICE data is
 *    never copied toward the device by sync_for_device, so what the device
 *    already wrote survives.
 *  - Padding (alignment slack before and after the data) is never written
 *    and never copied: nothing private is ever put there, and nothing of it
 *    reaches the caller.
 * So nothing is zeroed twice and no slot is scrubbed at unmap: every byte
 * a slot holds afterwards was either given to the device or written by it.
 *
 * Locking: a map takes its slots and records the mapping in one hold of
 * one area lock (the calling CPU's area, or another when that one is
 * full) and copies after it (the slots are its own). An unmap finds the
 * region without a lock, then checks the mapping, copies back and
 * releases the slots in one hold of that region's area lock; a copy-back
 * longer than SWIOTLB_LOCKED_COPY_MAX runs outside the lock instead, with
 * the mapping marked busy, and a second hold releases it (that round trip
 * costs far less than such a copy).
 */
#include <inttypes.h>

#include "swiotlb.h"

#define SWIOTLB_LOCKED_COPY_MAX ((size_t)4096)

static bool dir_to_device(enum ccdma_dir dir)
{
    return dir == CCDMA_TO_DEVICE || dir == CCDMA_BIDIRECTIONAL;
}

static bool dir_from_device(enum ccdma_dir dir)
{
    return dir == CCDMA_FROM_DEVICE || dir == CCDMA_BIDIRECTIONAL;
}

size_t dma_swiotlb_max_mapping(const struct ccdma_device *dev)
{
    size_t min_align = 0;

    if (dev->min_align_mask)
        min_align = DMA_ALIGN_UP((size_t)dev->min_align_mask, (size_t)DMA_SLOT_SIZE);
    return DMA_SEG_BYTES - min_align;
}

/* ---- lookup (area lock held) ---------------------------------------------- */

/* The first slot of the run that last covered slot j. Whether that run is
 * live, and still covers j, is its first slot's to say (run_covers). */
static inline uint32_t run_first(const struct swiotlb_region *r, uint32_t j)
{
    uint32_t back = r->slots[j].back;

    return back <= j ? j - back : j;
}

static inline bool run_covers(const struct swiotlb_slot *s, uint32_t first, uint32_t j,
                              enum slot_kind kind)
{
    return s->kind == kind && j - first < s->nslots;
}

int64_t swiotlb_first_slot(const struct swiotlb_region *r, ccdma_phys_t pa,
                           enum slot_kind kind)
{
    uint32_t j = (uint32_t)swiotlb_region_slot(r, pa);
    uint32_t first = run_first(r, j);

    return run_covers(&r->slots[first], first, j, kind) ? (int64_t)first : -1;
}

/* Where addr falls, for unmap and sync: in no bounce pool (NOT_MINE, the
 * direct path's), inside a coherent allocation of a restricted pool (also
 * NOT_MINE: such memory may be mapped like any other), or in a pool, where
 * only a live mapping of this device in the pool's own encoding is valid. */
struct bounce_lookup {
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct swiotlb_slot *s; /* the mapping's first slot, or NULL */
    uint32_t first;
    struct swiotlb_area *ar;
    unsigned long flags;
};

/* Find pa's region and take its area lock. False, with no lock held, when
 * pa is in no live pool or in a coherent allocation. Otherwise lk->s is
 * the live mapping of dev that holds addr in the pool's encoding, or NULL;
 * with `exact`, only the mapping whose data starts at addr (an unmap):
 * its recorded address says so in one compare. */
static inline __attribute__((always_inline)) bool lookup_lock(const struct ccdma_device *dev,
                                                              ccdma_dma_t addr, ccdma_phys_t pa,
                                                              bool shared, bool exact,
                                                              struct bounce_lookup *lk)
{
    uint32_t dev_id = dev->debug_id, j, first;
    struct swiotlb_slot *s;

    if (!swiotlb_find_lock_own(dev, shared, pa, &lk->pool, &lk->r, &lk->ar, &lk->flags, &j))
        return false;
    first = run_first(lk->r, j);
    s = &lk->r->slots[first];
    lk->first = first;
    lk->s = s;
    if (exact ? s->dma == addr && s->kind == SLOT_MAP && s->dev_id == dev_id
              : run_covers(s, first, j, SLOT_MAP) && s->dev_id == dev_id &&
                    dma_phys_to_dma(pa, lk->pool->shared) == addr)
        return true;
    lk->s = NULL;
    if (run_covers(s, first, j, SLOT_ALLOC)) {
        ccdma_plat_unlock(&lk->ar->lock, lk->flags);
        return false;
    }
    return true;
}

static inline void lookup_unlock(const struct bounce_lookup *lk)
{
    ccdma_plat_unlock(&lk->ar->lock, lk->flags);
}

static __attribute__((noinline, cold)) void report_not_mapping(const struct ccdma_device *dev, const char *op,
                               ccdma_dma_t addr)
{
    dma_report("%s: %s of %#llx, which is not in a live bounce mapping of "
               "this device", dma_dev_name(dev), op, (unsigned long long)addr);
}

/* ---- taking and releasing slots (area lock held) ---------------------------------- */

/* The first slots of region r a run must start at, modulo l->stride. */
static uint32_t layout_phase(const struct swiotlb_region *r, const struct bounce_layout *l)
{
    return (uint32_t)((l->want >> DMA_SLOT_SHIFT) - (r->pa >> DMA_SLOT_SHIFT)) &
           (l->stride - 1);
}

/* Whether a recent run fits l: the same number of slots, starting where
 * the layout allows. */
static inline bool recent_fits(const struct swiotlb_recent *e, const struct bounce_layout *l)
{
    return e->nslots == l->nslots &&
           (l->stride == 1 || (e->first & (l->stride - 1)) == layout_phase(e->r, l));
}

/* A recently released run of area ar that fits l, below the latest, or -1. */
static __attribute__((noinline)) int64_t take_recent_older(struct swiotlb_area *ar,
                                                           const struct bounce_layout *l,
                                                           struct swiotlb_region **rp)
{
    for (unsigned int i = ar->nrecent - 1; i-- > 0;) {
        struct swiotlb_recent e = ar->recent[i];

        if (recent_fits(&e, l)) {
            /* Closed up, so that the latest release stays on top. */
            memmove(&ar->recent[i], &ar->recent[i + 1],
                    (--ar->nrecent - i) * sizeof(ar->recent[0]));
            *rp = e.r;
            return e.first;
        }
    }
    return -1;
}

/* A recently released run of area ar that fits l, or -1. The latest
 * release is looked at first and popped in a few instructions: a map
 * after an unmap of the same size takes it at once. */
static inline __attribute__((always_inline)) int64_t take_recent(struct swiotlb_area *ar,
                                                                 const struct bounce_layout *l,
                                                                 struct swiotlb_region **rp)
{
    unsigned int n = ar->nrecent;

    if (!n)
        return -1;
    if (__builtin_expect(recent_fits(&ar->recent[n - 1], l), 1)) {
        ar->nrecent = n - 1;
        *rp = ar->recent[n - 1].r;
        return ar->recent[n - 1].first;
    }
    return n > 1 ? take_recent_older(ar, l, rp) : -1;
}

/* Give every recent run of area ar back to the allocator, so it can merge
 * them. */
static void flush_recent(struct swiotlb_area *ar)
{
    while (ar->nrecent) {
        const struct swiotlb_recent *e = &ar->recent[--ar->nrecent];

        slot_alloc_release(&e->r->alloc, e->first, e->nslots);
    }
}

/* The allocator's first run for l in the area's regions from `from` on. */
static int64_t take_from_allocator(struct swiotlb_area *ar, const struct bounce_layout *l,
                                   struct swiotlb_region **rp, unsigned int from)
{
    for (unsigned int i = from; i < ar->nregions; i++) {
        struct swiotlb_region *r = &ar->regions[i];
        int64_t idx;

        if (!r->alloc.nslots) /* this area's part of a short chunk */
            continue;
        idx = slot_alloc_take(&r->alloc, l->nslots, l->stride, layout_phase(r, l));
        if (idx >= 0) {
            *rp = r;
            return idx;
        }
    }
    return -1;
}

/* Area lock held: the allocator's answer after the recent runs go back to
 * it, so runs merge again and a refusal is always a true no-fit. The home
 * area's recent runs were looked at already (recent_seen). */
static int64_t take_area_slow(struct swiotlb_area *ar, const struct bounce_layout *l,
                              struct swiotlb_region **rp, bool recent_seen)
{
    int64_t idx = recent_seen ? -1 : take_recent(ar, l, rp);

    if (idx >= 0)
        return idx;
    flush_recent(ar);
    return take_from_allocator(ar, l, rp, 0);
}

/* The run taken at first is beyond dev's reach (area lock held). The
 * stack's top can be a run of a later chunk while one dev reaches waits
 * below it, so give that run and the area's recent runs back to the
 * allocator and search the chunks in order, as with no recent runs, for a
 * run dev reaches: its first slot, with *rp and *dma, or -1. */
static __attribute__((noinline, cold)) int64_t take_reachable(
    struct swiotlb_area *ar, const struct ccdma_device *dev, const struct bounce_layout *l,
    size_t size, bool need, struct swiotlb_region **rp, uint32_t first, ccdma_dma_t *dma)
{
    slot_alloc_release(&(*rp)->alloc, first, l->nslots);
    flush_recent(ar);
    for (unsigned int from = 0;; from = (*rp)->index + 1u) {
        int64_t idx = take_from_allocator(ar, l, rp, from);
        ccdma_dma_t d;

        if (idx < 0)
            return -1;
        d = dma_phys_to_dma((*rp)->pa + ((ccdma_phys_t)idx << DMA_SLOT_SHIFT) + l->data_off,
                            need);
        if (dma_within(dev, d, size, false)) {
            *dma = d;
            return idx;
        }
        slot_alloc_release(&(*rp)->alloc, (uint32_t)idx, l->nslots);
    }
}

/* The home area had no run (its lock, t.area, is held): search it fully,
 * then steal from each other area in turn, as Linux's
 * swiotlb_area_find_slots does, one area lock at a time. t comes and goes
 * by value, so that the fast path keeps its own in registers. */
static __attribute__((noinline)) struct swiotlb_taken take_slow(struct ccdma_swiotlb *pool,
                                                               const struct ccdma_device *dev,
                                                               const struct bounce_layout *l,
                                                               bool need, struct swiotlb_taken t)
{
    unsigned int home = t.area, n = swiotlb_nareas(pool);

    for (unsigned int k = 0;; k++) {
        t.idx = take_area_slow(t.ar, l, &t.r, k == 0);
        if (t.idx >= 0)
            return t;
        ccdma_plat_unlock(&t.ar->lock, t.flags);
        t.idx = SWIOTLB_TAKE_FULL;
        if (k + 1 >= n)
            return t;
        t.area = (home + k + 1) & (n - 1);
        t.ar = &pool->area[t.area];
        t.flags = ccdma_plat_lock(&t.ar->lock);
        /* The pool may have gone while no lock was held. */
        if (!swiotlb_pool_serves_for(pool, dev, need) || swiotlb_nareas(pool) != n) {
            ccdma_plat_unlock(&t.ar->lock, t.flags);
            t.idx = SWIOTLB_TAKE_REFUSED;
            return t;
        }
    }
}

/* A recent run of the same shape in the home area first: it costs one lock
 * and no bitmap work. A miss gives that area's recent runs back to the
 * allocator before searching it, so a miss costs the releases the recent
 * runs saved, never more. */
static inline __attribute__((always_inline)) struct swiotlb_taken take(
    struct ccdma_swiotlb *pool, const struct ccdma_device *dev, const struct bounce_layout *l,
    bool need)
{
    unsigned int n = swiotlb_nareas(pool);
    struct swiotlb_taken t;

    t.area = swiotlb_home_area(n);
    t.ar = &pool->area[t.area];
    t.flags = ccdma_plat_lock(&t.ar->lock);
    /* A pool live now had its areas set before it went live: a count read
     * before the lock that differs only sends this map to another area. */
    if (__builtin_expect(!swiotlb_pool_serves_for(pool, dev, need), 0)) {
        ccdma_plat_unlock(&t.ar->lock, t.flags);
        t.idx = SWIOTLB_TAKE_REFUSED;
        return t;
    }
    t.idx = take_recent(t.ar, l, &t.r);
    if (__builtin_expect(t.idx >= 0, 1))
        return t;
    return take_slow(pool, dev, l, need, t);
}

struct swiotlb_taken swiotlb_take(struct ccdma_swiotlb *pool, const struct ccdma_device *dev,
                                  const struct bounce_layout *l)
{
    return take(pool, dev, l, dma_dev_needs_shared(dev));
}

static inline void give_back(struct swiotlb_area *ar, struct swiotlb_region *r, uint32_t first,
                             uint32_t n)
{
    if (ar->nrecent < SWIOTLB_RECENT)
        ar->recent[ar->nrecent++] = (struct swiotlb_recent){r, first, n};
    else
        slot_alloc_release(&r->alloc, first, n);
}

void swiotlb_untake(struct swiotlb_area *ar, struct swiotlb_region *r, uint32_t first,
                    const struct bounce_layout *l)
{
    give_back(ar, r, first, l->nslots);
}

static __attribute__((noinline, cold)) void used_raise_high_water(struct ccdma_swiotlb *pool,
                                                                  size_t used, size_t hw)
{
    while (used > hw && !__atomic_compare_exchange_n(&pool->high_water, &hw, used, true,
                                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

/* Slots live over every area, and their high-water mark: one counter for
 * the pool, as Linux keeps total_used, so that the mark is exact. */
static inline void used_add(struct ccdma_swiotlb *pool, size_t n)
{
    size_t used = __atomic_add_fetch(&pool->used, n, __ATOMIC_RELAXED);
    size_t hw = __atomic_load_n(&pool->high_water, __ATOMIC_RELAXED);

    if (__builtin_expect(used > hw, 0))
        used_raise_high_water(pool, used, hw);
}

static inline __attribute__((always_inline)) void record(struct ccdma_swiotlb *pool,
                                                         struct swiotlb_region *r, uint32_t first,
                                                         uint32_t nslots, enum slot_kind kind,
                                                         ccdma_dma_t dma)
{
    struct swiotlb_slot *s = &r->slots[first];

    s->back = 0;
    for (uint32_t k = 1; k < nslots; k++)
        r->slots[first + k].back = (uint16_t)k;
    s->kind = (uint8_t)kind;
    s->nslots = (uint16_t)nslots;
    s->dma = dma;
    used_add(pool, nslots);
}

void swiotlb_record(struct ccdma_swiotlb *pool, struct swiotlb_region *r, uint32_t first,
                    const struct bounce_layout *l, enum slot_kind kind, ccdma_dma_t dma)
{
    record(pool, r, first, l->nslots, kind, dma);
}

/* Only the first slot's kind tells a live run from a dead one; the other
 * slots' metadata is rewritten by the next take. */
static inline void release(struct ccdma_swiotlb *pool, struct swiotlb_area *ar,
                           struct swiotlb_region *r, uint32_t first)
{
    struct swiotlb_slot *s = &r->slots[first];
    uint32_t n = s->nslots;

    s->kind = SLOT_FREE;
    give_back(ar, r, first, n);
    __atomic_sub_fetch(&pool->used, n, __ATOMIC_RELAXED);
}

void swiotlb_release(struct ccdma_swiotlb *pool, struct swiotlb_area *ar,
                     struct swiotlb_region *r, uint32_t first)
{
    release(pool, ar, r, first);
}

void swiotlb_report_full(struct ccdma_swiotlb *pool, size_t size,
                         uint32_t nslots, unsigned int attrs)
{
    unsigned long flags;
    size_t total = 0;

    __atomic_add_fetch(&pool->full, 1, __ATOMIC_RELAXED);
    if (pool->dynamic && !__atomic_load_n(&pool->grow_disabled, __ATOMIC_RELAXED))
        __atomic_store_n(&pool->grow_pending, true, __ATOMIC_RELAXED);
    if ((attrs & CCDMA_ATTR_NO_WARN) || !dma_ratelimit_ok(&pool->full_rl))
        return;
    /* The pool's regions change only under swiotlb_lock. */
    flags = ccdma_plat_lock(&swiotlb_lock);
    for (unsigned int a = 0; a < SWIOTLB_MAX_AREAS; a++)
        for (unsigned int i = 0; i < pool->area[a].nregions; i++)
            total += pool->area[a].regions[i].alloc.nslots;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    dma_report("bounce pool %s is full (sz: %zu bytes, %" PRIu32 " slots): total %zu "
               "slots, used %zu slots", pool->name, size, nslots, total,
               __atomic_load_n(&pool->used, __ATOMIC_RELAXED));
}

/* ---- streaming mappings --------------------------------------------------------- */

/* The failures of a map, out of line so that the common path keeps its
 * registers. */
static __attribute__((noinline, cold)) int map_too_big(const struct ccdma_device *dev,
                                                       size_t size)
{
    dma_stat_add(DMA_STAT_MAP_FAILURES, 1);
    if (!swiotlb_refused(dev))
        return CCDMA_ESTATE;
    dma_report("%s: a %zu-byte mapping exceeds the bounce maximum of %zu",
               dma_dev_name(dev), size, dma_swiotlb_max_mapping(dev));
    return CCDMA_EINVAL;
}

static __attribute__((noinline, cold)) int map_out_of_reach(const struct ccdma_device *dev,
                                                            ccdma_dma_t dma, size_t size)
{
    dma_report("%s: bounce address %#llx+%zu is beyond its reach (mask %#llx, bus limit %#llx)",
               dma_dev_name(dev), (unsigned long long)dma, size,
               (unsigned long long)dev->dma_mask, (unsigned long long)dev->bus_limit);
    dma_stat_add(DMA_STAT_MAP_FAILURES, 1);
    return CCDMA_ERANGE;
}

/* A run taken for a mapping (t: its region, first slot and the area lock
 * held), with what its record needs. */
struct bounce_run {
    struct ccdma_swiotlb *pool;
    struct swiotlb_taken t;
    uint32_t nslots, data_off;
    ccdma_dma_t dma;    /* of the data */
};

/* Record the run as dev's mapping of orig, drop the lock, and fill the
 * mapped range as its direction says (rule 8), outside the lock: the slots
 * are the mapping's own now. */
static inline __attribute__((always_inline)) int map_finish(const struct ccdma_device *dev,
                                                            void *orig, size_t size,
                                                            unsigned int how,
                                                            const struct bounce_run *b,
                                                            ccdma_dma_t *out)
{
    enum ccdma_dir dir = DMA_HOW_DIR(how);
    uint32_t first = (uint32_t)b->t.idx;
    struct swiotlb_slot *s = &b->t.r->slots[first];
    uint8_t *start = b->t.r->va + ((size_t)first << DMA_SLOT_SHIFT);

    record(b->pool, b->t.r, first, b->nslots, SLOT_MAP, b->dma);
    s->orig = orig;
    s->size = (uint32_t)size;
    s->dir = (uint8_t)dir;
    s->dev_id = dev->debug_id;
    b->t.ar->maps++;
    ccdma_plat_unlock(&b->t.ar->lock, b->t.flags);

    if (dir_to_device(dir))
        memcpy(start + b->data_off, orig, size);
    else
        memset(start + b->data_off, 0, size);
    /* The whole run: a line left dirty by an earlier user of these slots
     * must not be evicted over what the device writes. */
    if (!dev->coherent && !(DMA_HOW_ATTRS(how) & CCDMA_ATTR_SKIP_CPU_SYNC))
        ccdma_plat_cache_clean(start, (size_t)b->nslots * DMA_SLOT_SIZE);
    dma_stat_add(DMA_STAT_BOUNCED_MAPS, 1);
    *out = b->dma;
    return CCDMA_OK;
}

/* Everything a map can meet: any layout, a miss in the recent runs, a full
 * area, a pool being set up or retired, an address beyond reach. */
static __attribute__((noinline)) int map_general(struct ccdma_device *dev, void *orig,
                                                 ccdma_phys_t orig_pa, size_t size,
                                                 unsigned int how, bool need, ccdma_dma_t *out)
{
    struct bounce_layout l;
    struct bounce_run b;
    bool reach = dma_dev_reaches_its_pools(dev);
    int64_t idx;

    *out = CCDMA_DMA_ADDR_INVALID;
    if (size > dma_swiotlb_max_mapping(dev) ||
        swiotlb_layout(dev->min_align_mask, orig_pa, size, 0, &l) != CCDMA_OK)
        return map_too_big(dev, size);
    /* Check the pool and take its slots under one hold of one area lock: a
     * destroy either came first (the check fails) or must wait for these
     * slots to be released (EBUSY). */
    for (unsigned int tries = 0;; tries++) {
        b.pool = swiotlb_pool_candidate_for(dev, need);
        if (b.pool)
            b.t = take(b.pool, dev, &l, need);
        idx = b.pool ? b.t.idx : SWIOTLB_TAKE_REFUSED;
        if (idx >= 0)
            break;
        if (idx == SWIOTLB_TAKE_FULL) {
            swiotlb_report_full(b.pool, size, l.nslots, DMA_HOW_ATTRS(how));
            dma_stat_add(DMA_STAT_MAP_FAILURES, 1);
            return CCDMA_ENOSPC;
        }
        /* Refused: a pool that was being set up or retired may be there
         * when asked again; once. */
        if (tries || !swiotlb_refused(dev)) {
            dma_stat_add(DMA_STAT_MAP_FAILURES, 1);
            return CCDMA_ESTATE;
        }
    }
    /* The address takes the pool's encoding (need: the pool serves dev),
     * whatever the caller's memory was: the device reads the pool, not the
     * caller's pages. */
    b.dma = dma_phys_to_dma(b.t.r->pa + ((ccdma_phys_t)idx << DMA_SLOT_SHIFT) + l.data_off,
                            need);
    if (!reach || !dma_within(dev, b.dma, size, false)) {
        if (reach) {
            idx = take_reachable(b.t.ar, dev, &l, size, need, &b.t.r, (uint32_t)idx, &b.dma);
        } else {
            swiotlb_untake(b.t.ar, b.t.r, (uint32_t)idx, &l);
            idx = -1;
        }
        if (idx < 0) {
            b.t.ar->overflows++;
            ccdma_plat_unlock(&b.t.ar->lock, b.t.flags);
            return map_out_of_reach(dev, b.dma, size);
        }
    }
    b.t.idx = idx;
    b.nslots = l.nslots;
    b.data_off = l.data_off;
    return map_finish(dev, orig, size, how, &b, out);
}

/* The common map, a few loads and one lock: dev's pool, the home area's
 * latest release, of the same number of slots, on a page boundary for a
 * page or more (the legacy guarantee), and within dev's reach. False, with
 * nothing taken and no lock held, when any of that fails; the general path
 * then asks again in full. */
static inline __attribute__((always_inline)) bool take_latest(const struct ccdma_device *dev,
                                                              size_t size, bool need,
                                                              struct bounce_run *b)
{
    struct ccdma_swiotlb *pool = swiotlb_pool_candidate_for(dev, need);
    const struct swiotlb_recent *e;
    struct swiotlb_area *ar;
    unsigned int n;

    if (__builtin_expect(!pool, 0))
        return false;
    ar = &pool->area[swiotlb_home_area(swiotlb_nareas(pool))];
    /* One pointer, kept: otherwise the compiler works it out again from
     * the index at every use, in three instructions each time. */
    __asm__("" : "+r"(ar));
    b->t.flags = ccdma_plat_lock(&ar->lock);
    n = ar->nrecent;
    if (__builtin_expect(n != 0 && swiotlb_pool_serves_for(pool, dev, need), 1)) {
        e = &ar->recent[n - 1];
        /* The linear encoding (the caller checked it) keeps the low bits:
         * the address is page-aligned exactly when pa is. */
        b->dma = e->r->dma + ((ccdma_dma_t)e->first << DMA_SLOT_SHIFT);
        if (__builtin_expect(e->nslots == b->nslots &&
                             (size < DMA_PAGE_SIZE || !(b->dma & (DMA_PAGE_SIZE - 1))) &&
                             dma_dev_reaches_its_pools(dev) &&
                             dma_within_mask_set(dev, b->dma, size), 1)) {
            ar->nrecent = n - 1;
            b->pool = pool;
            b->t.ar = ar;
            b->t.r = e->r;
            b->t.idx = e->first;
            return true;
        }
    }
    ccdma_plat_unlock(&ar->lock, b->t.flags);
    return false;
}

/* The callers have checked the arguments (dev's dma_mask is not 0) and
 * that the runtime is up. *out is the mapping's address, or
 * CCDMA_DMA_ADDR_INVALID when it fails. */
int dma_swiotlb_map(struct ccdma_device *dev, void *orig, ccdma_phys_t orig_pa,
                    size_t size, unsigned int how, ccdma_dma_t *out)
{
    bool need = dma_dev_needs_shared_up(dev);
    struct bounce_run b;

    /* No address bits to keep and no more than a segment: whole slots and
     * no padding (swiotlb_layout says the same at more cost). */
    if (__builtin_expect(!dev->min_align_mask && size <= DMA_SEG_BYTES && dma_lin.on, 1)) {
        b.nslots = (uint32_t)DMA_DIV_UP(size, (size_t)DMA_SLOT_SIZE);
        b.data_off = 0;
        if (take_latest(dev, size, need, &b))
            return map_finish(dev, orig, size, how, &b, out);
    }
    return map_general(dev, orig, orig_pa, size, how, need, out);
}

/* The recorded size and direction rule, not the arguments: copy-back
 * covers exactly what the device could have written (rule 8). */
static inline void copy_back(const struct ccdma_device *dev, void *orig, uint8_t *data,
                      size_t size)
{
    if (!dev->coherent)
        ccdma_plat_cache_invalidate(data, size);
    memcpy(orig, data, size);
}

/* Whether an unmap has data to move: a copy-back (FROM_DEVICE,
 * BIDIRECTIONAL), or taking back what went toward a device that never saw
 * it (an unwound request). */
static inline bool unmap_has_data(unsigned int attrs, enum ccdma_dir dir)
{
    if (attrs & CCDMA_ATTR__UNWIND)
        return dir_to_device(dir);
    return !(attrs & CCDMA_ATTR_SKIP_CPU_SYNC) && dir_from_device(dir);
}

/* The move unmap_has_data() asked for. */
static inline void unmap_data(const struct ccdma_device *dev, unsigned int attrs, void *orig,
                              uint8_t *data, size_t size)
{
    if (attrs & CCDMA_ATTR__UNWIND)
        memset(data, 0, size);
    else
        copy_back(dev, orig, data, size);
}

int dma_swiotlb_unmap(struct ccdma_device *dev, ccdma_dma_t addr, ccdma_phys_t pa,
                      bool shared, unsigned int attrs, int not_mine)
{
    struct bounce_lookup lk;

    if (!lookup_lock(dev, addr, pa, shared, true, &lk))
        return not_mine;
    if (!lk.s) {
        lookup_unlock(&lk);
        report_not_mapping(dev, "unmap", addr);
        return CCDMA_EFAULT;
    }
    if (unmap_has_data(attrs, (enum ccdma_dir)lk.s->dir)) {
        uint8_t *data = lk.r->va + (pa - lk.r->pa);
        void *orig = lk.s->orig;
        size_t size = lk.s->size;

        if (size > SWIOTLB_LOCKED_COPY_MAX) {
            lk.s->kind = SLOT_BUSY; /* a racing unmap or sync now fails */
            lookup_unlock(&lk);
            unmap_data(dev, attrs, orig, data, size);
            lk.flags = ccdma_plat_lock(&lk.ar->lock);
        } else {
            unmap_data(dev, attrs, orig, data, size);
        }
    }
    release(lk.pool, lk.ar, lk.r, lk.first);
    lookup_unlock(&lk);
    return CCDMA_OK;
}

int dma_swiotlb_sync(struct ccdma_device *dev, ccdma_dma_t addr,
                     size_t size, enum ccdma_dir dir, bool for_cpu)
{
    ccdma_phys_t pa = dma_dma_to_phys(addr);
    struct bounce_lookup lk;
    ccdma_phys_t start;
    enum ccdma_dir mdir;
    uint8_t *orig, *tlb;
    uint32_t msize;

    if (!lookup_lock(dev, addr, pa, dma_dma_is_shared(addr), false, &lk))
        return DMA_SWIOTLB_NOT_MINE;
    if (!lk.s) {
        lookup_unlock(&lk);
        report_not_mapping(dev, "sync", addr);
        return CCDMA_EFAULT;
    }
    start = dma_dma_to_phys(lk.s->dma);
    msize = lk.s->size;
    /* Partial syncs are fine; past either end of the mapping is not. */
    if (pa < start || pa - start > msize || size > msize - (pa - start)) {
        lookup_unlock(&lk);
        dma_report("%s: buffer overflow detected: sync of %#llx+%zu outside "
                   "its %" PRIu32 "-byte bounce mapping at %#llx",
                   dma_dev_name(dev), (unsigned long long)pa,
                   size, msize, (unsigned long long)start);
        return CCDMA_EINVAL;
    }
    orig = (uint8_t *)lk.s->orig + (pa - start);
    mdir = (enum ccdma_dir)lk.s->dir;
    tlb = lk.r->va + (pa - lk.r->pa);
    lookup_unlock(&lk);

    if (for_cpu) {
        if (dir_from_device(mdir) && dir_from_device(dir))
            copy_back(dev, orig, tlb, size);
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
    ccdma_phys_t pa = dma_dma_to_phys(addr);
    struct bounce_lookup lk;
    bool bounced;

    if (!dma_dev_ready(dev) || addr == CCDMA_DMA_ADDR_INVALID || !dma_swiotlb_may_own(pa))
        return false;
    if (!lookup_lock(dev, addr, pa, dma_dma_is_shared(addr), true, &lk))
        return false;
    bounced = lk.s != NULL;
    lookup_unlock(&lk);
    return bounced;
}
