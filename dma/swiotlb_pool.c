/* SPDX-License-Identifier: MIT */
/*
 * Bounce pools: the pool table, regions and growth, lifetime (init,
 * shutdown, deferred growth) and statistics.
 *
 * Each pool has exactly one state (rule 5). A device bounces through its
 * restricted pool if it has one, or through the default pool of the state
 * it needs; a pool of the other state is never a fallback, that is an
 * ESTATE error (rules 5 and 6). Pool memory is converted once, when the
 * region is added, and back once, when the pool is destroyed; a failed
 * conversion leaks the region (rule 7).
 */
#include "swiotlb.h"

#define SWIOTLB_DEFAULT_BYTES ((size_t)4 << 20)
/* Default pools sit low so that 32-bit devices reach them. */
#define SWIOTLB_DEFAULT_LIMIT 0xffffffffull

ccdma_lock_t swiotlb_lock = CCDMA_LOCK_INIT;
static struct ccdma_swiotlb pools[SWIOTLB_MAX_POOLS];
/* Not reset by dma_swiotlb_init(): a device registered before a shutdown
 * must not match a pool created after it. */
static uint32_t next_pool_id = 1;
struct ccdma_swiotlb *default_shared;
struct ccdma_swiotlb *default_private;
static struct dma_ratelimit misc_rl;

static size_t region_slots_bytes(uint32_t nslots)
{
    return DMA_ALIGN_UP((size_t)nslots * sizeof(struct swiotlb_slot), (size_t)8);
}

/* ---- lookup (swiotlb_lock held) ---------------------------------------------- */

struct region_entry regions[SWIOTLB_MAX_POOLS * SWIOTLB_MAX_REGIONS];
unsigned int nregions;
ccdma_phys_t dma_swiotlb_bounds_lo = UINT64_MAX, dma_swiotlb_bounds_hi;
struct dma_bounds dma_swiotlb_private_bounds = {UINT64_MAX, 0};

static void bounds_set(ccdma_phys_t lo, ccdma_phys_t hi)
{
    __atomic_store_n(&dma_swiotlb_bounds_lo, lo, __ATOMIC_RELAXED);
    __atomic_store_n(&dma_swiotlb_bounds_hi, hi, __ATOMIC_RELAXED);
}

static void regions_insert(struct ccdma_swiotlb *pool, struct swiotlb_region *r)
{
    ccdma_phys_t hi = __atomic_load_n(&dma_swiotlb_bounds_hi, __ATOMIC_RELAXED);
    unsigned int i = nregions++;

    while (i && regions[i - 1].lo > r->pa) {
        regions[i] = regions[i - 1];
        i--;
    }
    regions[i] = (struct region_entry){r->pa, r->pa + r->bytes, pool, r};
    if (r->pa + r->bytes > hi)
        hi = r->pa + r->bytes;
    /* Each bound only widens, so a reader that sees one new and one old
     * bound still covers every region it could be asked about. */
    bounds_set(regions[0].lo, hi);
    if (!pool->shared)
        dma_bounds_widen(&dma_swiotlb_private_bounds, r->pa, r->bytes);
}

/* Only after the entries are gone do the bounds shrink. */
static void regions_remove(const struct ccdma_swiotlb *pool)
{
    unsigned int kept = 0;
    ccdma_phys_t hi = 0;

    for (unsigned int i = 0; i < nregions; i++) {
        if (regions[i].pool == pool)
            continue;
        regions[kept++] = regions[i];
        if (regions[i].hi > hi)
            hi = regions[i].hi;
    }
    nregions = kept;
    if (kept)
        bounds_set(regions[0].lo, hi);
    else
        bounds_set(UINT64_MAX, 0);
}

bool dma_swiotlb_private_slow(ccdma_phys_t pa, size_t size)
{
    unsigned long flags;
    bool found = false;

    flags = ccdma_plat_lock(&swiotlb_lock);
    for (unsigned int i = 0; i < nregions && !found; i++)
        found = !regions[i].pool->shared && pa + size > regions[i].lo && pa < regions[i].hi;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return found;
}

/* The pointer comes from callers, so it must first be one of the table's
 * entries; then in use and not dying. */
bool swiotlb_pool_live(const struct ccdma_swiotlb *pool)
{
    uintptr_t off = (uintptr_t)pool - (uintptr_t)pools;

    if (off >= sizeof(pools) || off % sizeof(pools[0]))
        return false;
    return pool->in_use && !pool->dying;
}

struct ccdma_swiotlb *swiotlb_pool_by_id(uint32_t id)
{
    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++)
        if (id && pools[p].id == id && pools[p].in_use && !pools[p].dying)
            return &pools[p];
    return NULL;
}

void swiotlb_pool_retire(struct ccdma_swiotlb *pool)
{
    pool->dying = true;
    regions_remove(pool);
}

/* ---- pool selection ------------------------------------------------------------- */

/*
 * swiotlb_lock held. The pool dev bounces through, or NULL (ESTATE). The
 * choice and the slot take that follows happen under one hold of the lock,
 * so a pool cannot be destroyed between them.
 *
 * A restricted pool serves the device only while the device holds its
 * reference (taken in ccdma_device_init(), dropped by
 * ccdma_device_release()) on that very instance: a released device, a pool
 * being destroyed, and a slot reused by a later pool are all refused here,
 * never a fallback to some other pool.
 */
struct ccdma_swiotlb *swiotlb_pool_for_device_slow(const struct ccdma_device *dev,
                                                   const char **why)
{
    bool need = dma_dev_needs_shared(dev);
    struct ccdma_swiotlb *pool;

    if (dev->restricted_pool) {
        pool = dev->restricted_pool;
        if (!dev->restricted_ref || !swiotlb_pool_live(pool) || pool->id != dev->restricted_ref) {
            *why = "its restricted pool is released, destroyed or being destroyed";
            return NULL;
        }
    } else {
        pool = need ? default_shared : default_private;
        if (!pool || !swiotlb_pool_live(pool)) {
            *why = "no default pool of that state";
            return NULL;
        }
    }
    if (pool->shared != need) {
        *why = "its pool has the other state";
        return NULL;
    }
    return pool;
}

void swiotlb_unlock_refused(const struct ccdma_device *dev, const char *why,
                            unsigned long flags)
{
    bool need = dma_dev_needs_shared(dev);
    bool warn = dma_ratelimit_ok(&misc_rl);

    ccdma_plat_unlock(&swiotlb_lock, flags);
    if (warn)
        dma_report("%s needs a %s bounce pool and has none (%s); a pool of the "
                   "other state is never used instead",
                   dma_dev_name(dev), need ? "shared" : "private", why);
}

/* ---- pools and regions ------------------------------------------------------------ */

struct ccdma_swiotlb *swiotlb_pool_reserve(const char *name, bool shared)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    struct ccdma_swiotlb *pool = NULL;

    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++) {
        if (!pools[p].in_use && !pools[p].name) {
            pool = &pools[p];
            memset(pool, 0, sizeof(*pool));
            pool->name = name; /* reserved, not yet in use */
            pool->shared = shared || !dma_cc();
            if (!next_pool_id) /* 0 means "no pool" in a device */
                next_pool_id = 1;
            pool->id = next_pool_id++;
            break;
        }
    }
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return pool;
}

void swiotlb_pool_unreserve(struct ccdma_swiotlb *pool)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);

    memset(pool, 0, sizeof(*pool));
    ccdma_plat_unlock(&swiotlb_lock, flags);
}

/* Metadata first, since freeing it needs no conversion; then the one
 * conversion; then zero (the host wiped the pages with a pattern). */
int swiotlb_pool_add_region(struct ccdma_swiotlb *pool, void *va, size_t bytes,
                            bool owned, bool *leaked)
{
    uint32_t nslots = (uint32_t)(bytes >> DMA_SLOT_SHIFT);
    size_t meta_bytes = region_slots_bytes(nslots) + slot_alloc_meta_size(nslots);
    size_t meta_pages = DMA_DIV_UP(meta_bytes, DMA_PAGE_SIZE);
    struct swiotlb_region *r;
    unsigned long flags;
    void *meta;
    int err;

    *leaked = false;
    if (pool->nregions >= SWIOTLB_MAX_REGIONS)
        return CCDMA_ENOSPC;
    /* Metadata stays private: the host must not steer the allocator. */
    meta = ccdma_plat_pages_alloc(meta_pages, UINT64_MAX);
    if (!meta)
        return CCDMA_ENOMEM;
    if (pool->shared) {
        err = dma_share_owned(va, bytes);
        if (err) {
            ccdma_plat_pages_free(meta, meta_pages);
            dma_leak(pool->name, va, bytes, err);
            pool->leaked_pages += bytes / DMA_PAGE_SIZE;
            *leaked = true;
            return err;
        }
    }
    memset(va, 0, bytes);
    memset(meta, 0, meta_bytes);

    flags = ccdma_plat_lock(&swiotlb_lock);
    r = &pool->regions[pool->nregions];
    r->va = va;
    r->pa = ccdma_plat_virt_to_phys(va);
    r->bytes = bytes;
    r->owned = owned;
    r->meta = meta;
    r->meta_pages = meta_pages;
    r->slots = meta;
    slot_alloc_init(&r->alloc, nslots, (uint8_t *)meta + region_slots_bytes(nslots));
    pool->nregions++;
    pool->in_use = true;
    regions_insert(pool, r);
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return CCDMA_OK;
}

/* Slots of live mappings or allocations in r: taken in the bitmaps, less
 * the recently released runs. */
static size_t region_live(const struct swiotlb_region *r)
{
    size_t live = r->alloc.used;

    for (unsigned int k = 0; k < r->nrecent; k++)
        live -= r->recent_n[k];
    return live;
}

/*
 * Give a region's memory back (owned) or to its owner (restricted); either
 * way private again, or leaked if that conversion fails. A region that
 * still holds live slots (only at shutdown: destroy refuses otherwise) is
 * not given back: a mapping nobody unmapped is most likely one a driver
 * keeps on purpose, for a device that ignored its reset and may still
 * write it. Returned, those pages would be handed out again, to the next
 * ccdma_init() or anyone. An owned region is kept for good (counted); a
 * caller's is left shared, and its owner told not to reuse it.
 */
static int region_release(struct ccdma_swiotlb *pool, struct swiotlb_region *r)
{
    int err = CCDMA_OK;
    size_t live = region_live(r);

    if (live) {
        dma_report("%s: %zu slots still taken at shutdown: the region at %p (%zu KiB) %s",
                   pool->name, live, (void *)r->va, r->bytes >> 10,
                   r->owned ? "is kept for good (a device may still use it)"
                            : "is left as it is; a device may still use it: do not reuse it");
        if (r->owned)
            dma_stat_add(DMA_STAT_KEPT_PAGES, r->bytes / DMA_PAGE_SIZE);
    } else if (r->owned) {
        size_t lost = dma_release_owned(r->va, r->bytes, pool->shared, pool->name);

        pool->leaked_pages += lost;
        err = lost ? CCDMA_EREJECT : CCDMA_OK;
    } else if (pool->shared) {
        err = dma_unshare_owned(r->va, r->bytes);
        if (err) {
            dma_leak(pool->name, r->va, r->bytes, err);
            pool->leaked_pages += r->bytes / DMA_PAGE_SIZE;
        }
    }
    ccdma_plat_pages_free(r->meta, r->meta_pages);
    memset(r, 0, sizeof(*r));
    return err;
}

static int pool_grow_region(struct ccdma_swiotlb *pool, size_t bytes,
                            ccdma_phys_t limit)
{
    bool leaked;
    void *va = dma_pages_alloc_convertible(bytes, limit);
    int err;

    if (!va)
        return CCDMA_ENOMEM;
    err = swiotlb_pool_add_region(pool, va, dma_granule_round(bytes), true, &leaked);
    if (err && !leaked)
        ccdma_plat_pages_free(va, dma_granule_round(bytes) / DMA_PAGE_SIZE);
    return err;
}

static int pool_create_default(const char *name, bool shared, size_t bytes,
                               bool dynamic, struct ccdma_swiotlb **out)
{
    struct ccdma_swiotlb *pool = swiotlb_pool_reserve(name, shared);
    int err;

    if (!pool)
        return CCDMA_ENOMEM;
    bytes = dma_granule_round(bytes);
    err = pool_grow_region(pool, bytes, SWIOTLB_DEFAULT_LIMIT);
    if (err) {
        dma_report("failed to set up default bounce pool %s (%s), disabling it",
                   name, ccdma_strerror(err));
        swiotlb_pool_unreserve(pool);
        return err;
    }
    pool->dynamic = dynamic;
    pool->grow_bytes = bytes;
    pool->grow_limit = SWIOTLB_DEFAULT_LIMIT;
    *out = pool;
    return CCDMA_OK;
}

/* Retire the pool (invisible to every lookup from here, see swiotlb_lock),
 * give its memory back and free its slot. The conversions run outside the
 * lock: they may be slow, and nobody else can reach the pool any more. */
int swiotlb_pool_destroy(struct ccdma_swiotlb *pool)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    int err = CCDMA_OK;

    if (!pool->dying)
        swiotlb_pool_retire(pool);
    ccdma_plat_unlock(&swiotlb_lock, flags);
    for (unsigned int i = 0; i < pool->nregions; i++) {
        int ret = region_release(pool, &pool->regions[i]);

        if (ret && !err)
            err = ret;
    }
    swiotlb_pool_unreserve(pool);
    return err;
}

int dma_swiotlb_init(size_t shared_bytes, size_t private_bytes, bool dynamic)
{
    int err;

    memset(pools, 0, sizeof(pools));
    memset(&misc_rl, 0, sizeof(misc_rl));
    nregions = 0;
    bounds_set(UINT64_MAX, 0);
    dma_bounds_reset(&dma_swiotlb_private_bounds);
    default_shared = NULL;
    default_private = NULL;
    err = pool_create_default("default-shared", true,
                              shared_bytes ? shared_bytes : SWIOTLB_DEFAULT_BYTES,
                              dynamic, &default_shared);
    if (err)
        return err;
    if (dma_cc() && private_bytes) {
        err = pool_create_default("default-private", false, private_bytes,
                                  dynamic, &default_private);
        if (err) {
            swiotlb_pool_destroy(default_shared);
            default_shared = NULL;
            return err;
        }
    }
    return CCDMA_OK;
}

void dma_swiotlb_shutdown(void)
{
    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++) {
        struct ccdma_swiotlb *pool = &pools[p];

        if (!pool->in_use)
            continue;
        if (pool->restricted)
            dma_report("%s: restricted pool not destroyed before shutdown; "
                       "its memory is returned private", pool->name);
        swiotlb_pool_destroy(pool);
    }
    default_shared = NULL;
    default_private = NULL;
}

/* Deferred growth of dynamic default pools: never inside a mapping. */
int dma_swiotlb_poll(void)
{
    int ran = 0;

    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++) {
        struct ccdma_swiotlb *pool = &pools[p];
        unsigned long flags;
        bool go;
        int err;

        flags = ccdma_plat_lock(&swiotlb_lock);
        go = pool->in_use && !pool->dying && pool->grow_pending && !pool->grow_disabled;
        pool->grow_pending = false;
        ccdma_plat_unlock(&swiotlb_lock, flags);
        if (!go)
            continue;
        ran++;
        err = pool_grow_region(pool, pool->grow_bytes, pool->grow_limit);
        flags = ccdma_plat_lock(&swiotlb_lock);
        if (err) {
            pool->grow_failed++;
            /* A failed conversion disables growth: do not leak again. */
            if (err != CCDMA_ENOMEM || pool->nregions >= SWIOTLB_MAX_REGIONS)
                pool->grow_disabled = true;
        } else {
            pool->grown++;
        }
        ccdma_plat_unlock(&swiotlb_lock, flags);
        if (err)
            dma_report("%s: growth failed (%s)", pool->name, ccdma_strerror(err));
    }
    return ran;
}

/* ---- public pool API ----------------------------------------------------------------- */

struct ccdma_swiotlb *ccdma_swiotlb_default(bool shared)
{
    if (!dma_cc())
        return default_shared;
    return shared ? default_shared : default_private;
}

int ccdma_swiotlb_get_stats(const struct ccdma_swiotlb *pool,
                            struct ccdma_swiotlb_stats *out)
{
    unsigned long flags;

    if (!pool || !out)
        return CCDMA_EINVAL;
    memset(out, 0, sizeof(*out));
    flags = ccdma_plat_lock(&swiotlb_lock);
    if (!swiotlb_pool_live(pool)) {
        ccdma_plat_unlock(&swiotlb_lock, flags);
        return CCDMA_EINVAL;
    }
    out->name = pool->name;
    out->shared = pool->shared;
    out->restricted = pool->restricted;
    out->dynamic = pool->dynamic;
    out->regions = pool->nregions;
    out->start = UINT64_MAX;
    for (unsigned int i = 0; i < pool->nregions; i++) {
        const struct swiotlb_region *r = &pool->regions[i];
        uint32_t longest = slot_alloc_longest(&r->alloc);

        if (r->pa < out->start)
            out->start = r->pa;
        if (r->pa + r->bytes > out->end)
            out->end = r->pa + r->bytes;
        out->nslots += r->alloc.nslots;
        out->segment_probes += r->alloc.probes;
        /* A recently released run counts as a run of its own (the bitmaps
         * still hold it taken until a miss gives it back). */
        out->free_runs += slot_alloc_free_runs(&r->alloc) + r->nrecent;
        for (unsigned int k = 0; k < r->nrecent; k++)
            longest = r->recent_n[k] > longest ? r->recent_n[k] : longest;
        if (longest > out->longest_free_run)
            out->longest_free_run = longest;
    }
    /* Where the pool may reach: its end, unless it may still grow, when a
     * device's mask must be checked against the growth limit. */
    out->limit = pool->dynamic && !pool->grow_disabled ? pool->grow_limit
                                                       : out->end - 1;
    out->used = pool->used;
    out->high_water = pool->high_water;
    out->maps = pool->maps;
    out->allocs = pool->allocs;
    out->full = pool->full;
    out->overflows = pool->overflows;
    out->grown = pool->grown;
    out->grow_failed = pool->grow_failed;
    out->leaked_pages = pool->leaked_pages;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return CCDMA_OK;
}

void ccdma_swiotlb_reset_high_water(struct ccdma_swiotlb *pool)
{
    unsigned long flags;

    if (!pool)
        return;
    flags = ccdma_plat_lock(&swiotlb_lock);
    if (swiotlb_pool_live(pool))
        pool->high_water = pool->used;
    ccdma_plat_unlock(&swiotlb_lock, flags);
}
