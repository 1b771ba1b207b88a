/* SPDX-License-Identifier: MIT */
/*
 * Atomic pools: memory converted ahead of time, for coherent allocations
 * that must not convert at call time (CCDMA_ALLOC_ATOMIC).
 *
 * Each pool has exactly one state (rule 5). With CC active there is a
 * shared pool, for devices that cannot reach private memory, and a private
 * pool; an allocation takes the pool of the state it needs or fails, and
 * never falls back to the other one (rule 6). With CC inactive there is one
 * pool, which counts as shared.
 *
 * A pool is a list of chunks. Allocations are whole pages, aligned to their
 * page order by physical address, like every coherent allocation. When a
 * pool runs low (under a quarter free) or refuses a request, growth is
 * flagged; ccdma_poll() does it later, outside any allocation, because it
 * converts memory. Chunk metadata lives in a private page of its own, not in
 * the chunk: the host can write shared memory and must not steer the
 * allocator.
 */
#include "dma_internal.h"

#define POOL_DEFAULT_BYTES ((size_t)256 << 10)
#define POOL_GROWTH_FACTOR 16u

/*
 * Two bitmaps of CHUNK_WORDS words each follow the header in the metadata
 * page: `used` (page taken) and `head` (page starts an allocation). An
 * allocation is its head page and the used, non-head pages after it, so
 * the bitmaps record every allocation's start and length: a free must name
 * exactly one (the physical address finds the chunk; this finds the
 * allocation), or it would release a neighbour's pages or the tail of its
 * own.
 */
struct pool_chunk {
    struct pool_chunk *next;
    uint8_t *va;
    ccdma_phys_t pa;
    size_t npages;
    size_t nfree;
    uint64_t bits[]; /* used[CHUNK_WORDS], then head[CHUNK_WORDS] */
};

#define CHUNK_WORDS ((DMA_PAGE_SIZE - sizeof(struct pool_chunk)) / 16)
#define CHUNK_MAX_PAGES (CHUNK_WORDS * 64)

struct atomic_pool {
    bool exists;
    bool shared;
    bool grow_pending;
    bool grow_disabled;
    struct pool_chunk *chunks;
    size_t total_pages;
    size_t free_pages;
    size_t max_pages;
    uint64_t allocs, failures, grown, grow_failed, leaked_pages;
    struct dma_ratelimit rl;
};

enum { POOL_PRIVATE, POOL_SHARED, POOL_COUNT };

static struct atomic_pool pools[POOL_COUNT];
static ccdma_lock_t pool_lock = CCDMA_LOCK_INIT;
struct dma_bounds dma_pool_private_bounds = {UINT64_MAX, 0};

static struct atomic_pool *pool_for_state(bool shared)
{
    struct atomic_pool *pool = &pools[(shared || !dma_cc()) ? POOL_SHARED : POOL_PRIVATE];

    return pool->exists ? pool : NULL;
}

/* ---- bitmap helpers ------------------------------------------------------- */

static bool page_used(const struct pool_chunk *c, size_t i)
{
    return (c->bits[i / 64] >> (i % 64)) & 1;
}

static bool page_head(const struct pool_chunk *c, size_t i)
{
    return (c->bits[CHUNK_WORDS + i / 64] >> (i % 64)) & 1;
}

/* Take or give back the allocation [first, first + n): its pages and its
 * start mark. */
static void mark_pages(struct pool_chunk *c, size_t first, size_t n, bool used)
{
    for (size_t i = first; i < first + n; i++) {
        if (used)
            c->bits[i / 64] |= 1ull << (i % 64);
        else
            c->bits[i / 64] &= ~(1ull << (i % 64));
    }
    if (used)
        c->bits[CHUNK_WORDS + first / 64] |= 1ull << (first % 64);
    else
        c->bits[CHUNK_WORDS + first / 64] &= ~(1ull << (first % 64));
}

/* True when [first, first + n) is exactly one live allocation: a head,
 * then used pages that start nothing, then a page that is free, a head, or
 * the end of the chunk. */
static bool is_allocation(const struct pool_chunk *c, size_t first, size_t n)
{
    if (!n || first >= c->npages || n > c->npages - first)
        return false;
    if (!page_used(c, first) || !page_head(c, first))
        return false;
    for (size_t i = first + 1; i < first + n; i++)
        if (!page_used(c, i) || page_head(c, i))
            return false;
    return first + n == c->npages || !page_used(c, first + n) ||
           page_head(c, first + n);
}

static bool range_free(const struct pool_chunk *c, size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++)
        if (page_used(c, i))
            return false;
    return true;
}

static size_t order_pages(size_t npages)
{
    size_t align = 1;

    while (align < npages)
        align *= 2;
    return align;
}

/* First page index in c where npages free pages start at a physical address
 * aligned to their page order; candidates the device can't reach are
 * skipped. Returns c->npages when none fits. */
static size_t chunk_find(const struct pool_chunk *c, size_t npages,
                         const struct ccdma_device *dev, bool shared)
{
    size_t align = order_pages(npages);
    size_t pfn = (size_t)(c->pa / DMA_PAGE_SIZE);
    size_t i = (align - (pfn & (align - 1))) & (align - 1);

    for (; i + npages <= c->npages; i += align) {
        ccdma_phys_t pa = c->pa + i * DMA_PAGE_SIZE;
        ccdma_dma_t dma = ccdma_plat_phys_to_dma(pa, shared);

        if (!range_free(c, i, npages))
            continue;
        if (!dma_capable_limit(dev, dma, npages * DMA_PAGE_SIZE,
                               shared ? CCDMA_ATTR_CC_SHARED : 0, true))
            continue;
        return i;
    }
    return c->npages;
}

/* ---- allocation -------------------------------------------------------------- */

static void note_low(struct atomic_pool *pool)
{
    if (!pool->grow_disabled && pool->total_pages < pool->max_pages &&
        pool->free_pages < pool->total_pages / 4)
        pool->grow_pending = true;
}

int dma_pool_alloc(struct ccdma_device *dev, size_t size, bool shared,
                   unsigned int attrs, void **cpu, ccdma_phys_t *pa)
{
    size_t npages = DMA_DIV_UP(size, DMA_PAGE_SIZE);
    struct atomic_pool *pool = pool_for_state(shared);
    struct pool_chunk *c;
    unsigned long flags;
    bool warn;
    size_t i = 0;

    if (!pool) {
        dma_report("%s: no %s atomic pool; the other state is never used instead",
                   dma_dev_name(dev), shared ? "shared" : "private");
        return CCDMA_ESTATE;
    }
    shared = pool->shared;
    flags = ccdma_plat_lock(&pool_lock);
    for (c = pool->chunks; c; c = c->next) {
        if (c->nfree < npages)
            continue;
        i = chunk_find(c, npages, dev, shared);
        if (i < c->npages)
            break;
    }
    if (!c) {
        pool->failures++;
        if (!pool->grow_disabled && pool->total_pages < pool->max_pages)
            pool->grow_pending = true;
        /* NO_WARN keeps the error, drops the report (and its rate budget). */
        warn = !(attrs & CCDMA_ATTR_NO_WARN) && dma_ratelimit_ok(&pool->rl);
        ccdma_plat_unlock(&pool_lock, flags);
        if (warn)
            dma_report("%s: DMA pool exhausted: no %zu pages in the %s atomic "
                       "pool that the device can reach",
                       dma_dev_name(dev), npages,
                       shared ? "shared" : "private");
        return CCDMA_ENOSPC;
    }
    mark_pages(c, i, npages, true);
    c->nfree -= npages;
    pool->free_pages -= npages;
    pool->allocs++;
    note_low(pool);
    ccdma_plat_unlock(&pool_lock, flags);

    *cpu = c->va + i * DMA_PAGE_SIZE;
    *pa = c->pa + i * DMA_PAGE_SIZE;
    memset(*cpu, 0, npages * DMA_PAGE_SIZE);
    return CCDMA_OK;
}

/* Free by physical address: a caller holding only the handle, or an alias
 * of the CPU address, still finds its chunk. Only an exact live
 * allocation, named with the pool's own encoding, is given back; anything
 * else is EFAULT and changes nothing, with or without dma-debug. */
bool dma_pool_free_phys(ccdma_phys_t pa, size_t size, bool enc_shared, int *err)
{
    size_t npages = DMA_DIV_UP(size, DMA_PAGE_SIZE);
    unsigned long flags = ccdma_plat_lock(&pool_lock);
    struct pool_chunk *c = NULL;
    struct atomic_pool *pool = NULL;
    bool pool_shared = false;

    for (unsigned int p = 0; p < POOL_COUNT && !c; p++) {
        if (!pools[p].exists) /* never made: it has no chunk to match */
            continue;
        for (c = pools[p].chunks; c; c = c->next)
            if (pa >= c->pa && pa - c->pa < c->npages * DMA_PAGE_SIZE)
                break;
        pool = &pools[p];
    }
    if (!c) {
        ccdma_plat_unlock(&pool_lock, flags);
        return false;
    }
    {
        size_t first = (size_t)((pa - c->pa) / DMA_PAGE_SIZE);
        /* Pages are compared, the unit the pool hands out; byte-exact
         * sizes are dma-debug's check. */
        bool ok = (pa & (DMA_PAGE_SIZE - 1)) == 0 && is_allocation(c, first, npages) &&
                  enc_shared == pool->shared;

        pool_shared = pool->shared;
        if (ok) {
            mark_pages(c, first, npages, false);
            c->nfree += npages;
            pool->free_pages += npages;
        }
        *err = ok ? CCDMA_OK : CCDMA_EFAULT;
    }
    ccdma_plat_unlock(&pool_lock, flags);
    if (*err)
        dma_report("free of %#llx+%zu (%s encoding): not the start, size and state "
                   "of an allocation from the %s atomic pool",
                   (unsigned long long)pa, size, enc_shared ? "shared" : "private",
                   pool_shared ? "shared" : "private");
    return true;
}

/* ---- growth -------------------------------------------------------------------- */

/*
 * Add a chunk of up to npages. The order steps down when the page allocator
 * has no run that long. Cleanup is exact at each step: the chunk's pages are
 * freed if they were never converted, unconverted and freed if metadata fails
 * after the conversion, and leaked only when a conversion itself fails
 * (rule 7).
 */
static int pool_expand(struct atomic_pool *pool, size_t npages)
{
    size_t granule_pages = ccdma_plat_share_granule() / DMA_PAGE_SIZE;
    size_t bytes, leaked;
    struct pool_chunk *meta;
    unsigned long flags;
    uint8_t *va = NULL;
    int err;

    if (npages > CHUNK_MAX_PAGES)
        npages = CHUNK_MAX_PAGES;
    for (; npages >= granule_pages; npages /= 2) {
        va = dma_pages_alloc_convertible(npages * DMA_PAGE_SIZE, UINT64_MAX);
        if (va)
            break;
    }
    if (!va)
        return CCDMA_ENOMEM;
    bytes = dma_granule_round(npages * DMA_PAGE_SIZE);
    npages = bytes / DMA_PAGE_SIZE;

    if (pool->shared) {
        err = dma_share_owned(va, bytes);
        if (err) {
            dma_leak(pool->shared ? "the shared atomic pool" : "the private atomic pool",
                     va, bytes, err);
            pool->leaked_pages += npages;
            return err;
        }
    }
    meta = ccdma_plat_pages_alloc(1, UINT64_MAX);
    if (!meta) {
        leaked = dma_release_owned(va, bytes, pool->shared, "the shared atomic pool");
        pool->leaked_pages += leaked;
        return CCDMA_ENOMEM;
    }
    memset(meta, 0, DMA_PAGE_SIZE);
    memset(va, 0, bytes);
    meta->va = va;
    meta->pa = ccdma_plat_virt_to_phys(va);
    meta->npages = npages;
    meta->nfree = npages;

    flags = ccdma_plat_lock(&pool_lock);
    meta->next = pool->chunks;
    pool->chunks = meta;
    pool->total_pages += npages;
    pool->free_pages += npages;
    if (!pool->shared)
        dma_private_widen(&dma_pool_private_bounds, meta->pa, bytes);
    ccdma_plat_unlock(&pool_lock, flags);
    return CCDMA_OK;
}

bool dma_pool_private_slow(ccdma_phys_t pa, size_t size)
{
    const struct pool_chunk *c;
    unsigned long flags;
    bool found = false;

    flags = ccdma_plat_lock(&pool_lock);
    for (c = pools[POOL_PRIVATE].chunks; c && !found; c = c->next)
        found = pa + size > c->pa && pa < c->pa + c->npages * DMA_PAGE_SIZE;
    ccdma_plat_unlock(&pool_lock, flags);
    return found;
}

int dma_pool_poll(void)
{
    int ran = 0;

    for (unsigned int p = 0; p < POOL_COUNT; p++) {
        struct atomic_pool *pool = &pools[p];
        unsigned long flags = ccdma_plat_lock(&pool_lock);
        size_t grow = pool->total_pages;
        bool go = pool->exists && pool->grow_pending && !pool->grow_disabled;
        int err;

        pool->grow_pending = false;
        if (grow > pool->max_pages - pool->total_pages)
            grow = pool->max_pages - pool->total_pages;
        ccdma_plat_unlock(&pool_lock, flags);
        if (!go || !grow)
            continue;
        ran++;
        /* Doubling, as Linux does: the pool grows by its current size. */
        err = pool_expand(pool, grow);
        flags = ccdma_plat_lock(&pool_lock);
        if (err) {
            pool->grow_failed++;
            if (err != CCDMA_ENOMEM)
                pool->grow_disabled = true; /* never leak twice */
        } else {
            pool->grown++;
        }
        ccdma_plat_unlock(&pool_lock, flags);
        if (err)
            dma_report("%s atomic pool: growth failed (%s)",
                       pool->shared ? "shared" : "private", ccdma_strerror(err));
    }
    return ran;
}

/* ---- setup and teardown ----------------------------------------------------------- */

static int pool_create(struct atomic_pool *pool, bool shared, size_t bytes,
                       size_t max_bytes)
{
    int err;

    memset(pool, 0, sizeof(*pool));
    pool->shared = shared;
    pool->max_pages = max_bytes / DMA_PAGE_SIZE;
    err = pool_expand(pool, DMA_DIV_UP(bytes, DMA_PAGE_SIZE));
    if (err) {
        dma_report("failed to set up the %s atomic pool (%s)",
                   shared ? "shared" : "private", ccdma_strerror(err));
        return err;
    }
    if (pool->max_pages < pool->total_pages)
        pool->max_pages = pool->total_pages;
    pool->exists = true;
    return CCDMA_OK;
}

/*
 * A chunk that still holds allocations at shutdown is kept for good: its
 * owner never freed them, most likely because a device that ignored its
 * reset may still use them (a driver keeps such memory on purpose), and
 * returned to the page allocator the pages would be handed out again, to
 * the next ccdma_init() or anyone, with that device still writing them.
 * Kept, they are counted and reported; their metadata page goes.
 */
static void pool_destroy(struct atomic_pool *pool)
{
    const char *name = pool->shared ? "the shared atomic pool" : "the private atomic pool";
    struct pool_chunk *c = pool->chunks, *next;

    if (pool->exists && pool->free_pages != pool->total_pages)
        dma_report("%s atomic pool: %zu pages still allocated at shutdown",
                   pool->shared ? "shared" : "private",
                   pool->total_pages - pool->free_pages);
    for (; c; c = next) {
        next = c->next;
        if (c->nfree != c->npages) {
            dma_stat_add(DMA_STAT_KEPT_PAGES, c->npages);
            dma_report("%s: a %zu-page chunk with allocations still live at shutdown is "
                       "kept for good (a device may still use them)", name, c->npages);
        } else {
            dma_release_owned(c->va, c->npages * DMA_PAGE_SIZE, pool->shared, name);
        }
        ccdma_plat_pages_free(c, 1);
    }
    memset(pool, 0, sizeof(*pool));
}

int dma_pool_init(size_t bytes, size_t max_bytes)
{
    int err;

    if (!bytes)
        bytes = POOL_DEFAULT_BYTES;
    bytes = dma_granule_round(bytes);
    if (!max_bytes)
        max_bytes = bytes * POOL_GROWTH_FACTOR;
    memset(pools, 0, sizeof(pools));
    dma_bounds_reset(&dma_pool_private_bounds);
    err = pool_create(&pools[POOL_SHARED], true, bytes, max_bytes);
    if (err)
        return err;
    if (dma_cc()) {
        err = pool_create(&pools[POOL_PRIVATE], false, bytes, max_bytes);
        if (err) {
            pool_destroy(&pools[POOL_SHARED]);
            return err;
        }
    }
    return CCDMA_OK;
}

void dma_pool_shutdown(void)
{
    for (unsigned int p = 0; p < POOL_COUNT; p++)
        pool_destroy(&pools[p]);
}

int ccdma_atomic_pool_stats(bool shared, struct ccdma_pool_stats *out)
{
    struct atomic_pool *pool;
    unsigned long flags;

    if (!out)
        return CCDMA_EINVAL;
    memset(out, 0, sizeof(*out));
    pool = &pools[(shared || !dma_cc()) ? POOL_SHARED : POOL_PRIVATE];
    flags = ccdma_plat_lock(&pool_lock);
    out->exists = pool->exists;
    out->shared = pool->shared;
    out->size = pool->total_pages * DMA_PAGE_SIZE;
    out->avail = pool->free_pages * DMA_PAGE_SIZE;
    for (struct pool_chunk *c = pool->chunks; c; c = c->next)
        out->chunks++;
    out->grow_pending = pool->grow_pending;
    out->allocs = pool->allocs;
    out->failures = pool->failures;
    out->grown = pool->grown;
    out->grow_failed = pool->grow_failed;
    out->leaked_pages = pool->leaked_pages;
    ccdma_plat_unlock(&pool_lock, flags);
    return pool->exists ? CCDMA_OK : CCDMA_ENODEV;
}
