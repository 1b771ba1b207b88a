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
#include <stddef.h>

#include "swiotlb.h"

#define SWIOTLB_DEFAULT_BYTES ((size_t)4 << 20)
/* Default pools sit low so that 32-bit devices reach them. */
#define SWIOTLB_DEFAULT_LIMIT 0xffffffffull

ccdma_lock_t swiotlb_lock = CCDMA_LOCK_INIT;
struct ccdma_swiotlb swiotlb_pools[SWIOTLB_MAX_POOLS];
#define pools swiotlb_pools
/* Areas of each pool created from now on (dma_swiotlb_init). */
static unsigned int cfg_areas = 1;
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

static void lock_areas(struct ccdma_swiotlb *pool, unsigned long flags[SWIOTLB_MAX_AREAS + 1])
{
    for (unsigned int a = 0; a < SWIOTLB_MAX_AREAS; a++)
        flags[a + 1] = ccdma_plat_lock(swiotlb_area_lock(pool, a));
}

static void unlock_areas(struct ccdma_swiotlb *pool,
                         const unsigned long flags[SWIOTLB_MAX_AREAS + 1])
{
    for (unsigned int a = SWIOTLB_MAX_AREAS; a-- > 0;)
        ccdma_plat_unlock(swiotlb_area_lock(pool, a), flags[a + 1]);
}

void swiotlb_lock_all(struct ccdma_swiotlb *pool, unsigned long flags[SWIOTLB_MAX_AREAS + 1])
{
    flags[0] = ccdma_plat_lock(&swiotlb_lock);
    lock_areas(pool, flags);
}

void swiotlb_unlock_all(struct ccdma_swiotlb *pool,
                        const unsigned long flags[SWIOTLB_MAX_AREAS + 1])
{
    unlock_areas(pool, flags);
    ccdma_plat_unlock(&swiotlb_lock, flags[0]);
}

/* ---- the region table (written with swiotlb_lock_all held) ------------------- */

struct region_entry regions[SWIOTLB_MAX_POOLS * SWIOTLB_MAX_REGIONS];
unsigned int nregions;
uint32_t regions_seq;
ccdma_phys_t dma_swiotlb_bounds_lo = UINT64_MAX, dma_swiotlb_bounds_hi;
struct dma_bounds dma_swiotlb_private_bounds = {UINT64_MAX, 0};

static void bounds_set(ccdma_phys_t lo, ccdma_phys_t hi)
{
    __atomic_store_n(&dma_swiotlb_bounds_lo, lo, __ATOMIC_RELAXED);
    __atomic_store_n(&dma_swiotlb_bounds_hi, hi, __ATOMIC_RELAXED);
}

/* Readers look without a lock (swiotlb_pool_of): an odd count tells them
 * the table is changing, a changed one that it changed while they read. */
static void table_write_begin(void)
{
    __atomic_store_n(&regions_seq, regions_seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static void table_write_end(void)
{
    __atomic_store_n(&regions_seq, regions_seq + 1, __ATOMIC_RELEASE);
}

static void entry_set(unsigned int i, const struct region_entry *e)
{
    __atomic_store_n(&regions[i].lo, e->lo, __ATOMIC_RELAXED);
    __atomic_store_n(&regions[i].hi, e->hi, __ATOMIC_RELAXED);
    __atomic_store_n(&regions[i].pool, e->pool, __ATOMIC_RELAXED);
    __atomic_store_n(&regions[i].chunk, e->chunk, __ATOMIC_RELAXED);
    __atomic_store_n(&regions[i].shift, e->shift, __ATOMIC_RELAXED);
}

static void regions_insert(struct ccdma_swiotlb *pool, const struct region_entry *e)
{
    ccdma_phys_t hi = __atomic_load_n(&dma_swiotlb_bounds_hi, __ATOMIC_RELAXED);
    unsigned int i = nregions;

    table_write_begin();
    while (i && regions[i - 1].lo > e->lo) {
        entry_set(i, &regions[i - 1]);
        i--;
    }
    entry_set(i, e);
    __atomic_store_n(&nregions, nregions + 1, __ATOMIC_RELAXED);
    table_write_end();
    if (e->hi > hi)
        hi = e->hi;
    /* Each bound only widens, so a reader that sees one new and one old
     * bound still covers every region it could be asked about. */
    bounds_set(regions[0].lo, hi);
    if (!pool->shared)
        dma_private_widen(&dma_swiotlb_private_bounds, e->lo, e->hi - e->lo);
}

/* Only after the entries are gone do the bounds shrink. */
static void regions_remove(const struct ccdma_swiotlb *pool)
{
    unsigned int kept = 0;
    ccdma_phys_t hi = 0;

    table_write_begin();
    for (unsigned int i = 0; i < nregions; i++) {
        if (regions[i].pool == pool)
            continue;
        if (regions[i].hi > hi)
            hi = regions[i].hi;
        entry_set(kept++, &regions[i]);
    }
    __atomic_store_n(&nregions, kept, __ATOMIC_RELAXED);
    table_write_end();
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
    return swiotlb_pool_in_table(pool) && pool->live;
}

struct ccdma_swiotlb *swiotlb_pool_by_id(uint32_t id)
{
    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++)
        if (id && pools[p].id == id && pools[p].live)
            return &pools[p];
    return NULL;
}

void swiotlb_pool_retire(struct ccdma_swiotlb *pool)
{
    pool->dying = true;
    pool->live = false;
    __atomic_store_n(&pool->first_bytes, 0, __ATOMIC_RELAXED);
    regions_remove(pool);
    /* A lookup that found a region before it left the table finds it
     * empty under the area lock (every lookup checks the span there).
     * The chunks keep what releasing them needs. */
    for (unsigned int a = 0; a < SWIOTLB_MAX_AREAS; a++)
        for (unsigned int i = 0; i < pool->area[a].nregions; i++)
            pool->area[a].regions[i].span = 0;
}

/* ---- pool selection ------------------------------------------------------------- */

/*
 * swiotlb_lock held. The pool dev bounces through, or NULL (ESTATE): the
 * reason a map or allocation was refused (swiotlb_pool_serves() is the
 * same test, made under an area lock with the slot take that follows, so
 * that a pool cannot be destroyed between them).
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
        uint32_t ref = __atomic_load_n(&dev->restricted_ref, __ATOMIC_RELAXED);

        if (!ref || !swiotlb_pool_live(pool) || pool->id != ref) {
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

bool swiotlb_refused(const struct ccdma_device *dev)
{
    bool need = dma_dev_needs_shared(dev), warn;
    unsigned long flags;
    const char *why;
    bool there;

    flags = ccdma_plat_lock(&swiotlb_lock);
    there = swiotlb_pool_for_device_slow(dev, &why) != NULL;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    if (there)
        return true;
    warn = dma_ratelimit_ok(&misc_rl);
    if (warn)
        dma_report("%s needs a %s bounce pool and has none (%s); a pool of the "
                   "other state is never used instead",
                   dma_dev_name(dev), need ? "shared" : "private", why);
    return false;
}

/* ---- pools and regions ------------------------------------------------------------ */

/* Clear a pool slot, with every lock of the slot held: a stale device
 * pointer may be checking it under one of its area locks, or waiting for
 * one, so the locks themselves are left alone. What a lookup reads with
 * no lock at all sits before `name` and is cleared by atomic stores, never
 * by the memset. */
_Static_assert(offsetof(struct ccdma_swiotlb, first_area_shift) < offsetof(struct ccdma_swiotlb, name),
               "the fields read without a lock are not cleared by memset");

static void pool_clear(struct ccdma_swiotlb *pool)
{
    size_t from = offsetof(struct ccdma_swiotlb, name);
    size_t keep = offsetof(struct swiotlb_area, nregions);

    __atomic_store_n(&pool->nareas, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pool->first_bytes, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pool->first_pa, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&pool->first_area_shift, 0, __ATOMIC_RELAXED);
    memset((char *)pool + from, 0, offsetof(struct ccdma_swiotlb, area) - from);
    for (unsigned int a = 0; a < SWIOTLB_MAX_AREAS; a++)
        memset((char *)&pool->area[a] + keep, 0, sizeof(pool->area[a]) - keep);
}

struct ccdma_swiotlb *swiotlb_pool_reserve(const char *name, bool shared)
{
    unsigned long flags[SWIOTLB_MAX_AREAS + 1];
    struct ccdma_swiotlb *pool = NULL;

    flags[0] = ccdma_plat_lock(&swiotlb_lock);
    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++) {
        if (!pools[p].in_use && !pools[p].name) {
            pool = &pools[p];
            lock_areas(pool, flags);
            pool_clear(pool);
            pool->name = name; /* reserved, not yet in use */
            pool->shared = shared || !dma_cc();
            if (!next_pool_id) /* 0 means "no pool" in a device */
                next_pool_id = 1;
            pool->id = next_pool_id++;
            unlock_areas(pool, flags);
            break;
        }
    }
    ccdma_plat_unlock(&swiotlb_lock, flags[0]);
    return pool;
}

void swiotlb_pool_unreserve(struct ccdma_swiotlb *pool)
{
    unsigned long flags[SWIOTLB_MAX_AREAS + 1];

    swiotlb_lock_all(pool, flags);
    pool_clear(pool);
    swiotlb_unlock_all(pool, flags);
}

/* How a chunk of nslots slots is cut between n areas: 2^shift whole
 * segments each, the fewest that cover the chunk, so that an address
 * finds its area with a shift (the last parts may be short or empty). */
static uint32_t part_shift(uint32_t nslots, unsigned int n)
{
    uint32_t nsegs = DMA_DIV_UP(nslots, (uint32_t)DMA_SEG_SLOTS), shift = 0;

    while (((uint64_t)n << shift) < nsegs)
        shift++;
    return shift;
}

static uint32_t part_first_slot(uint32_t nslots, uint32_t shift, unsigned int a)
{
    uint64_t first = ((uint64_t)a << shift) * DMA_SEG_SLOTS;

    return first < nslots ? (uint32_t)first : nslots;
}

static size_t chunk_meta_bytes(uint32_t nslots, unsigned int n)
{
    uint32_t shift = part_shift(nslots, n);
    size_t bytes = region_slots_bytes(nslots);

    for (unsigned int a = 0; a < n; a++)
        bytes += slot_alloc_meta_size(part_first_slot(nslots, shift, a + 1) -
                                      part_first_slot(nslots, shift, a));
    return bytes;
}

/* The pool's areas: the configured number, fewer when the first chunk has
 * fewer segments (an area of no slot would only send its CPU elsewhere). */
static unsigned int pool_areas_for(uint32_t nslots)
{
    uint32_t nsegs = DMA_DIV_UP(nslots, (uint32_t)DMA_SEG_SLOTS);
    unsigned int n = cfg_areas;

    while (n > 1 && n > nsegs)
        n /= 2;
    return n;
}

/* Metadata first, since freeing it needs no conversion; then the one
 * conversion; then zero (the host wiped the pages with a pattern). */
int swiotlb_pool_add_region(struct ccdma_swiotlb *pool, void *va, size_t bytes,
                            bool owned, bool *leaked)
{
    uint32_t nslots = (uint32_t)(bytes >> DMA_SLOT_SHIFT);
    unsigned int n = pool->nchunks ? swiotlb_nareas(pool) : pool_areas_for(nslots);
    size_t meta_bytes = chunk_meta_bytes(nslots, n);
    size_t meta_pages = DMA_DIV_UP(meta_bytes, DMA_PAGE_SIZE);
    uint32_t shift = part_shift(nslots, n);
    unsigned long flags[SWIOTLB_MAX_AREAS + 1];
    struct swiotlb_chunk *c;
    struct region_entry e;
    uint8_t *alloc_meta;
    void *meta;
    int err;

    *leaked = false;
    if (pool->nchunks >= SWIOTLB_MAX_REGIONS)
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

    swiotlb_lock_all(pool, flags);
    c = &pool->chunks[pool->nchunks++];
    *c = (struct swiotlb_chunk){va, bytes, owned, meta, meta_pages};
    alloc_meta = (uint8_t *)meta + region_slots_bytes(nslots);
    /* Every area gets a region for this chunk, at the chunk's index, even
     * an empty one: the table then names the region by chunk and area. */
    for (unsigned int a = 0; a < n; a++) {
        uint32_t first = part_first_slot(nslots, shift, a);
        uint32_t count = part_first_slot(nslots, shift, a + 1) - first;
        struct swiotlb_area *ar = &pool->area[a];
        struct swiotlb_region *r = &ar->regions[ar->nregions];

        r->index = (uint16_t)ar->nregions++;
        r->va = (uint8_t *)va + ((size_t)first << DMA_SLOT_SHIFT);
        r->pa = ccdma_plat_virt_to_phys(r->va);
        r->dma = dma_phys_to_dma(r->pa, pool->shared);
        r->span = count;
        r->slots = (struct swiotlb_slot *)meta + first;
        slot_alloc_init(&r->alloc, count, alloc_meta);
        alloc_meta += slot_alloc_meta_size(count);
    }
    e = (struct region_entry){ccdma_plat_virt_to_phys(va), ccdma_plat_virt_to_phys(va) + bytes,
                              pool, pool->nchunks - 1, shift};
    regions_insert(pool, &e);
    if (pool->nchunks == 1) {
        __atomic_store_n(&pool->first_pa, e.lo, __ATOMIC_RELAXED);
        __atomic_store_n(&pool->first_area_shift, SWIOTLB_SEG_SHIFT + shift, __ATOMIC_RELAXED);
        __atomic_store_n(&pool->first_bytes, bytes, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&pool->nareas, n, __ATOMIC_RELAXED);
    pool->in_use = true;
    pool->live = true;
    swiotlb_unlock_all(pool, flags);
    return CCDMA_OK;
}

/* Slots live in chunk c: taken in its region's bitmaps in every area, less
 * the recently released runs of those regions. */
static size_t chunk_live(const struct ccdma_swiotlb *pool, unsigned int c)
{
    size_t live = 0;

    for (unsigned int a = 0; a < SWIOTLB_MAX_AREAS; a++) {
        const struct swiotlb_area *ar = &pool->area[a];

        if (c >= ar->nregions)
            continue;
        live += ar->regions[c].alloc.used;
        for (unsigned int k = 0; k < ar->nrecent; k++)
            if (ar->recent[k].r->index == c)
                live -= ar->recent[k].nslots;
    }
    return live;
}

/*
 * Give a chunk's memory back (owned) or to its owner (restricted); either
 * way private again, or leaked if that conversion fails. A chunk that
 * still holds live slots (only at shutdown: destroy refuses otherwise) is
 * not given back: a mapping nobody unmapped is most likely one a driver
 * keeps on purpose, for a device that ignored its reset and may still
 * write it. Returned, those pages would be handed out again, to the next
 * ccdma_init() or anyone. An owned chunk is kept for good (counted); a
 * caller's is left shared, and its owner told not to reuse it.
 */
static int chunk_release(struct ccdma_swiotlb *pool, unsigned int idx)
{
    struct swiotlb_chunk *c = &pool->chunks[idx];
    int err = CCDMA_OK;
    size_t live = chunk_live(pool, idx);

    if (live) {
        dma_report("%s: %zu slots still taken at shutdown: the region at %p (%zu KiB) %s",
                   pool->name, live, (void *)c->va, c->bytes >> 10,
                   c->owned ? "is kept for good (a device may still use it)"
                            : "is left as it is; a device may still use it: do not reuse it");
        if (c->owned)
            dma_stat_add(DMA_STAT_KEPT_PAGES, c->bytes / DMA_PAGE_SIZE);
    } else if (c->owned) {
        size_t lost = dma_release_owned(c->va, c->bytes, pool->shared, pool->name);

        pool->leaked_pages += lost;
        err = lost ? CCDMA_EREJECT : CCDMA_OK;
    } else if (pool->shared) {
        err = dma_unshare_owned(c->va, c->bytes);
        if (err) {
            dma_leak(pool->name, c->va, c->bytes, err);
            pool->leaked_pages += c->bytes / DMA_PAGE_SIZE;
        }
    }
    ccdma_plat_pages_free(c->meta, c->meta_pages);
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
 * locks: they may be slow, and nobody else can reach the pool any more;
 * a lookup that found the pool before it retired sees it dying under its
 * area lock and looks no further. */
int swiotlb_pool_destroy(struct ccdma_swiotlb *pool)
{
    unsigned long flags[SWIOTLB_MAX_AREAS + 1];
    int err = CCDMA_OK;

    swiotlb_lock_all(pool, flags);
    if (!pool->dying)
        swiotlb_pool_retire(pool);
    swiotlb_unlock_all(pool, flags);
    for (unsigned int i = 0; i < pool->nchunks; i++) {
        int ret = chunk_release(pool, i);

        if (ret && !err)
            err = ret;
    }
    swiotlb_pool_unreserve(pool);
    return err;
}

/* The areas of each pool: asked, or one per CPU; a power of two, at most
 * SWIOTLB_MAX_AREAS. */
static unsigned int areas_wanted(unsigned int asked)
{
    unsigned int n = asked, p = 1;

    if (!n)
        n = ccdma_plat_cpu_count && ccdma_plat_cpu_id ? ccdma_plat_cpu_count() : 1;
    while (p * 2 <= n && p * 2 <= SWIOTLB_MAX_AREAS)
        p *= 2;
    return p;
}

int dma_swiotlb_init(size_t shared_bytes, size_t private_bytes, bool dynamic,
                     unsigned int areas)
{
    int err;

    memset(pools, 0, sizeof(pools));
    cfg_areas = areas_wanted(areas);
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
        /* A pool another poll is growing keeps its request for later. */
        go = pool->live && !pool->growing &&
             __atomic_exchange_n(&pool->grow_pending, false, __ATOMIC_RELAXED) &&
             !__atomic_load_n(&pool->grow_disabled, __ATOMIC_RELAXED);
        pool->growing |= go;
        ccdma_plat_unlock(&swiotlb_lock, flags);
        if (!go)
            continue;
        ran++;
        err = pool_grow_region(pool, pool->grow_bytes, pool->grow_limit);
        flags = ccdma_plat_lock(&swiotlb_lock);
        if (err) {
            pool->grow_failed++;
            /* A failed conversion disables growth: do not leak again. */
            if (err != CCDMA_ENOMEM || pool->nchunks >= SWIOTLB_MAX_REGIONS)
                __atomic_store_n(&pool->grow_disabled, true, __ATOMIC_RELAXED);
        } else {
            pool->grown++;
        }
        pool->growing = false;
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
    unsigned long flags[SWIOTLB_MAX_AREAS + 1];
    struct ccdma_swiotlb *locked;

    if (!pool || !out)
        return CCDMA_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!swiotlb_pool_in_table(pool))
        return CCDMA_EINVAL;
    /* One of the table's entries, so not const storage: only its locks
     * are written. */
    locked = (struct ccdma_swiotlb *)(uintptr_t)pool;
    swiotlb_lock_all(locked, flags);
    if (!swiotlb_pool_live(pool)) {
        swiotlb_unlock_all(locked, flags);
        return CCDMA_EINVAL;
    }
    out->name = pool->name;
    out->shared = pool->shared;
    out->restricted = pool->restricted;
    out->dynamic = pool->dynamic;
    out->regions = pool->nchunks;
    out->start = UINT64_MAX;
    for (unsigned int a = 0; a < SWIOTLB_MAX_AREAS; a++) {
        const struct swiotlb_area *ar = &pool->area[a];

        out->maps += ar->maps;
        out->allocs += ar->allocs;
        out->overflows += ar->overflows;
        for (unsigned int i = 0; i < ar->nregions; i++) {
            const struct swiotlb_region *r = &ar->regions[i];
            uint32_t longest = slot_alloc_longest(&r->alloc);
            ccdma_phys_t end = r->pa + ((ccdma_phys_t)r->alloc.nslots << DMA_SLOT_SHIFT);

            if (r->pa < out->start)
                out->start = r->pa;
            if (end > out->end)
                out->end = end;
            out->nslots += r->alloc.nslots;
            out->segment_probes += r->alloc.probes;
            out->free_runs += slot_alloc_free_runs(&r->alloc);
            if (longest > out->longest_free_run)
                out->longest_free_run = longest;
        }
        /* A recently released run counts as a run of its own (the bitmaps
         * still hold it taken until a miss gives it back). */
        out->free_runs += ar->nrecent;
        for (unsigned int k = 0; k < ar->nrecent; k++)
            if (ar->recent[k].nslots > out->longest_free_run)
                out->longest_free_run = ar->recent[k].nslots;
    }
    /* Where the pool may reach: its end, unless it may still grow, when a
     * device's mask must be checked against the growth limit. */
    out->limit = pool->dynamic && !__atomic_load_n(&pool->grow_disabled, __ATOMIC_RELAXED)
                     ? pool->grow_limit
                     : out->end - 1;
    out->used = __atomic_load_n(&pool->used, __ATOMIC_RELAXED);
    out->high_water = __atomic_load_n(&pool->high_water, __ATOMIC_RELAXED);
    out->full = __atomic_load_n(&pool->full, __ATOMIC_RELAXED);
    out->grown = pool->grown;
    out->grow_failed = pool->grow_failed;
    out->leaked_pages = pool->leaked_pages;
    swiotlb_unlock_all(locked, flags);
    return CCDMA_OK;
}

void ccdma_swiotlb_reset_high_water(struct ccdma_swiotlb *pool)
{
    unsigned long flags;

    if (!pool)
        return;
    flags = ccdma_plat_lock(&swiotlb_lock);
    if (swiotlb_pool_live(pool))
        __atomic_store_n(&pool->high_water, __atomic_load_n(&pool->used, __ATOMIC_RELAXED),
                         __ATOMIC_RELAXED);
    ccdma_plat_unlock(&swiotlb_lock, flags);
}
