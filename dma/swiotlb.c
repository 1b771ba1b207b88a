/* SPDX-License-Identifier: MIT */
/*
 * Bounce pools (swiotlb).
 *
 * A pool is memory of exactly one state, shared or private (rule 5), cut in
 * 2 KiB slots grouped in 128-slot segments; one mapping never crosses a
 * segment. A device bounces through its restricted pool if it has one, or
 * through the default pool of the state it needs, and a pool of the other
 * state is never a fallback: that is an ESTATE error (rules 5 and 6).
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
 *    never copied toward the device by sync_for_device (C2).
 *  - Padding (alignment slack before and after the data) is zeroed and
 *    never copied anywhere.
 */
#include <inttypes.h>

#include "dma_internal.h"
#include "slot_alloc.h"

#define SWIOTLB_MAX_POOLS 16u
#define SWIOTLB_MAX_REGIONS 8u
#define SWIOTLB_DEFAULT_BYTES ((size_t)4 << 20)
/* Default pools sit low so that 32-bit devices reach them. */
#define SWIOTLB_DEFAULT_LIMIT 0xffffffffull

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

struct swiotlb_region {
    uint8_t *va;
    ccdma_phys_t pa;
    size_t bytes;
    bool owned;         /* pages from the allocator (not a caller's region) */
    struct slot_alloc alloc;
    struct swiotlb_slot *slots;
    void *meta;
    size_t meta_pages;
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

/* One lock for pool lists, slot metadata, statistics, device references
 * and pool lifetime. Copies between the caller's buffer and a slot run
 * outside it: the slot belongs to the mapping until the mapping's owner
 * unmaps it, and a pool with taken slots cannot be destroyed.
 *
 * Pool lifetime: a pool is reserved (name set), then in use. Destroy sets
 * `dying` under this lock, and only when no slot is taken and no device
 * holds a reference; from then on every lookup below skips the pool, so the
 * destroyer alone touches its regions until it clears the slot. */
static ccdma_lock_t swiotlb_lock = CCDMA_LOCK_INIT;
static struct ccdma_swiotlb pools[SWIOTLB_MAX_POOLS];
/* Not reset by dma_swiotlb_init(): a device registered before a shutdown
 * must not match a pool created after it. */
static uint32_t next_pool_id = 1;
static struct ccdma_swiotlb *default_shared;
static struct ccdma_swiotlb *default_private;
static struct dma_ratelimit misc_rl;

static bool dir_to_device(enum ccdma_dir dir)
{
    return dir == CCDMA_TO_DEVICE || dir == CCDMA_BIDIRECTIONAL;
}

static bool dir_from_device(enum ccdma_dir dir)
{
    return dir == CCDMA_FROM_DEVICE || dir == CCDMA_BIDIRECTIONAL;
}

static size_t region_slots_bytes(uint32_t nslots)
{
    return DMA_ALIGN_UP((size_t)nslots * sizeof(struct swiotlb_slot), (size_t)8);
}

/* ---- layout --------------------------------------------------------------- */

/*
 * align: the first slot's address has these bits clear (2 KiB at least; a
 * page for streaming mappings of a page or more, the legacy guarantee;
 * the allocation's page order for coherent allocations).
 * min_mask: the bounce address keeps these low bits of the original. Those
 * under `align` become an offset into the first slots (the padding, which is
 * freed with the mapping, C5d); those above it must match in the first slot's
 * own address.
 */
static int bounce_layout(uint64_t min_mask, ccdma_phys_t orig, size_t size,
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

/* ---- lookup (swiotlb_lock held) ---------------------------------------------- */

/* A pool that maps, allocates and can be looked up: in use, not dying.
 * The pointer comes from callers, so it is checked against the table by
 * equality first (a stale or foreign pointer is just "not live"). */
static bool pool_live(const struct ccdma_swiotlb *pool)
{
    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++)
        if (pool == &pools[p])
            return pool->in_use && !pool->dying;
    return false;
}

static struct ccdma_swiotlb *pool_by_id(uint32_t id)
{
    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++)
        if (id && pools[p].id == id && pools[p].in_use && !pools[p].dying)
            return &pools[p];
    return NULL;
}

static struct ccdma_swiotlb *pool_of(ccdma_phys_t pa, struct swiotlb_region **rp)
{
    for (unsigned int p = 0; p < SWIOTLB_MAX_POOLS; p++) {
        struct ccdma_swiotlb *pool = &pools[p];

        if (!pool->in_use || pool->dying)
            continue;
        for (unsigned int i = 0; i < pool->nregions; i++) {
            struct swiotlb_region *r = &pool->regions[i];

            if (pa >= r->pa && pa - r->pa < r->bytes) {
                *rp = r;
                return pool;
            }
        }
    }
    return NULL;
}

/* First slot of the allocation that covers pa, or -1 if its slot is free. */
static int64_t first_slot(const struct swiotlb_region *r, ccdma_phys_t pa)
{
    uint32_t j = (uint32_t)((pa - r->pa) >> DMA_SLOT_SHIFT);

    if (slot_alloc_is_free(&r->alloc, j))
        return -1;
    return (int64_t)j - r->slots[j].back;
}

static ccdma_phys_t data_pa(const struct swiotlb_region *r, uint32_t first)
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
    struct ccdma_swiotlb *pool = pool_of(pa, &r);
    int64_t first;

    if (!pool || ccdma_plat_phys_to_dma(pa, pool->shared) != addr)
        return NULL;
    first = first_slot(r, pa);
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

    if (!s || data_pa(*rp, (uint32_t)(s - (*rp)->slots)) !=
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

static int64_t pool_take(struct ccdma_swiotlb *pool, const struct bounce_layout *l,
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

static void pool_account(struct ccdma_swiotlb *pool, uint32_t nslots)
{
    pool->used += nslots;
    if (pool->used > pool->high_water)
        pool->high_water = pool->used;
}

static void record_slots(struct swiotlb_region *r, uint32_t first,
                         const struct bounce_layout *l, enum slot_kind kind)
{
    struct swiotlb_slot *s = &r->slots[first];

    for (uint32_t k = 0; k < l->nslots; k++)
        r->slots[first + k].back = (uint16_t)k;
    s->kind = (uint8_t)kind;
    s->nslots = (uint16_t)l->nslots;
    s->data_off = l->data_off;
}

static void release_slots(struct ccdma_swiotlb *pool, struct swiotlb_region *r,
                          uint32_t first)
{
    uint32_t n = r->slots[first].nslots;

    memset(&r->slots[first], 0, (size_t)n * sizeof(r->slots[0]));
    if (!slot_alloc_release(&r->alloc, first, n))
        dma_report("%s: slots %" PRIu32 "+%" PRIu32 " were not taken", pool->name, first, n);
    pool->used -= n;
}

static void report_full(struct ccdma_swiotlb *pool, size_t size,
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
static struct ccdma_swiotlb *pool_for_device_locked(const struct ccdma_device *dev,
                                                    const char **why)
{
    bool need = dma_dev_needs_shared(dev);
    struct ccdma_swiotlb *pool;

    if (dev->restricted_pool) {
        pool = dev->restricted_pool;
        if (!dev->restricted_ref || !pool_live(pool) || pool->id != dev->restricted_ref) {
            *why = "its restricted pool is released, destroyed or being destroyed";
            return NULL;
        }
    } else {
        pool = need ? default_shared : default_private;
        if (!pool || !pool_live(pool)) {
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

/* Unlocks swiotlb_lock, then reports a refused pool choice (rate-limited). */
static void unlock_refused(const struct ccdma_device *dev, const char *why,
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

/* ---- device references on restricted pools ------------------------------------------ */

int dma_swiotlb_device_get(struct ccdma_device *dev)
{
    struct ccdma_swiotlb *want = dev->restricted_pool, *old = NULL;
    bool need = dma_dev_needs_shared(dev);
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    bool state_ok = true;
    const char *pname = NULL;

    if (want && !pool_live(want)) {
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
            old = pool_by_id(dev->restricted_ref);
        if (want && want->id != dev->restricted_ref)
            want->refs++;
        if (old && old->refs)
            old->refs--;
        dev->restricted_ref = want ? want->id : 0;
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
    struct ccdma_swiotlb *pool = pool_by_id(dev->restricted_ref);

    /* A pool gone since (only shutdown destroys a referenced pool) has no
     * count to drop. */
    if (pool && pool->refs)
        pool->refs--;
    dev->restricted_ref = 0;
    ccdma_plat_unlock(&swiotlb_lock, flags);
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
    pool = pool_for_device_locked(dev, &why);
    if (!pool) {
        unlock_refused(dev, why, flags);
        return CCDMA_ESTATE;
    }
    if (size > dma_swiotlb_max_mapping(dev) ||
        bounce_layout(dev->min_align_mask, orig_pa, size, 0, &l)) {
        ccdma_plat_unlock(&swiotlb_lock, flags);
        dma_report("%s: a %zu-byte mapping exceeds the bounce maximum of %zu",
                   dma_dev_name(dev), size,
                   dma_swiotlb_max_mapping(dev));
        return CCDMA_EINVAL;
    }
    idx = pool_take(pool, &l, &r);
    if (idx < 0) {
        report_full(pool, size, l.nslots, attrs);
        ccdma_plat_unlock(&swiotlb_lock, flags);
        return CCDMA_ENOSPC;
    }
    record_slots(r, (uint32_t)idx, &l, SLOT_MAP);
    r->slots[idx].orig = orig;
    r->slots[idx].size = (uint32_t)size;
    r->slots[idx].dir = (uint8_t)dir;
    r->slots[idx].dev_id = dev->debug_id;
    pool_account(pool, l.nslots);
    ccdma_plat_unlock(&swiotlb_lock, flags);

    start = r->va + ((size_t)idx << DMA_SLOT_SHIFT);
    tlb_pa = r->pa + ((ccdma_phys_t)idx << DMA_SLOT_SHIFT) + l.data_off;
    /* The address takes the pool's encoding, whatever the caller's memory
     * was: the device reads the pool, not the caller's pages (A4.20). */
    dma = ccdma_plat_phys_to_dma(tlb_pa, pool->shared);
    if (!ccdma_capable(dev, dma, size, pool->shared ? CCDMA_ATTR_CC_SHARED : 0)) {
        flags = ccdma_plat_lock(&swiotlb_lock);
        pool->overflows++;
        release_slots(pool, r, (uint32_t)idx);
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
    if (pool_of(pa, &r)) {
        int64_t first = first_slot(r, pa);

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
    release_slots(pool, r, first);
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
    start = data_pa(r, (uint32_t)(s - r->slots));
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

/* ---- coherent allocations from restricted pools ------------------------------------- */

int dma_swiotlb_alloc(struct ccdma_device *dev, size_t size, void **cpu,
                      ccdma_phys_t *pa, bool *shared)
{
    size_t bytes = DMA_ALIGN_UP(size, DMA_PAGE_SIZE), align = DMA_PAGE_SIZE;
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct bounce_layout l;
    unsigned long flags;
    const char *why;
    uint8_t *va;
    int64_t idx;

    /* Aligned to the allocation's page order, like every coherent
     * allocation (C5b): the DMA API promises it. */
    while (align < bytes)
        align *= 2;
    if (align > DMA_SEG_BYTES || bounce_layout(0, 0, bytes, align - 1, &l))
        return CCDMA_EINVAL;

    /* As for a mapping: choose (reference, state) and take under one
     * hold of the lock. */
    flags = ccdma_plat_lock(&swiotlb_lock);
    pool = pool_for_device_locked(dev, &why);
    if (!pool) {
        unlock_refused(dev, why, flags);
        return CCDMA_ESTATE;
    }
    idx = pool_take(pool, &l, &r);
    if (idx < 0) {
        report_full(pool, size, l.nslots, 0);
        ccdma_plat_unlock(&swiotlb_lock, flags);
        return CCDMA_ENOSPC;
    }
    record_slots(r, (uint32_t)idx, &l, SLOT_ALLOC);
    r->slots[idx].size = (uint32_t)size;
    pool_account(pool, l.nslots);
    pool->allocs++;
    *shared = pool->shared;
    ccdma_plat_unlock(&swiotlb_lock, flags);

    /* The pool was made shared once, at creation: no conversion here, which
     * is what the double-conversion bug got wrong (C14). The host may have
     * written the slots since their last scrub, so zero them. */
    va = r->va + ((size_t)idx << DMA_SLOT_SHIFT);
    memset(va, 0, (size_t)l.nslots * DMA_SLOT_SIZE);
    *cpu = va;
    *pa = r->pa + ((ccdma_phys_t)idx << DMA_SLOT_SHIFT);
    return CCDMA_OK;
}

bool dma_swiotlb_free_phys(ccdma_phys_t pa, size_t size, bool enc_shared, int *err)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    struct ccdma_swiotlb *pool;
    struct swiotlb_region *r;
    struct swiotlb_slot *s;
    const char *name;
    int64_t first;

    pool = pool_of(pa, &r);
    if (!pool) {
        ccdma_plat_unlock(&swiotlb_lock, flags);
        return false;
    }
    name = pool->name; /* for the report, after the lock */
    first = first_slot(r, pa);
    s = first >= 0 ? &r->slots[first] : NULL;
    /* The handle must carry the pool's own encoding: one that disagrees
     * names memory in a state it is not in, so it is not this allocation. */
    if (!s || s->kind != SLOT_ALLOC || data_pa(r, (uint32_t)first) != pa ||
        enc_shared != pool->shared) {
        *err = CCDMA_EFAULT;
    } else if (s->size != size) {
        *err = CCDMA_EINVAL;
    } else {
        memset(r->va + ((size_t)first << DMA_SLOT_SHIFT), 0,
               (size_t)s->nslots * DMA_SLOT_SIZE);
        release_slots(pool, r, (uint32_t)first);
        *err = CCDMA_OK;
    }
    ccdma_plat_unlock(&swiotlb_lock, flags);
    if (*err)
        dma_report("free of %#llx+%zu (%s encoding): not an allocation of bounce pool %s",
                   (unsigned long long)pa, size, enc_shared ? "shared" : "private", name);
    return true;
}

/* ---- pools and regions ------------------------------------------------------------ */

static struct ccdma_swiotlb *pool_reserve(const char *name, bool shared)
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

static void pool_unreserve(struct ccdma_swiotlb *pool)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);

    memset(pool, 0, sizeof(*pool));
    ccdma_plat_unlock(&swiotlb_lock, flags);
}

/*
 * Add [va, va+bytes) to pool. Metadata first, since freeing it needs no
 * conversion; then the one conversion; then zero (the host wiped the pages
 * with a pattern). On a failed conversion the memory is leaked (*leaked),
 * and the caller must not free it.
 */
static int pool_add_region(struct ccdma_swiotlb *pool, void *va, size_t bytes,
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
    ccdma_plat_unlock(&swiotlb_lock, flags);
    return CCDMA_OK;
}

/* Give a region's memory back (owned) or to its owner (restricted); either
 * way private again, or leaked if that conversion fails. */
static int region_release(struct ccdma_swiotlb *pool, struct swiotlb_region *r)
{
    int err = CCDMA_OK;

    if (r->owned) {
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
    err = pool_add_region(pool, va, dma_granule_round(bytes), true, &leaked);
    if (err && !leaked)
        ccdma_plat_pages_free(va, dma_granule_round(bytes) / DMA_PAGE_SIZE);
    return err;
}

static int pool_create_default(const char *name, bool shared, size_t bytes,
                               bool dynamic, struct ccdma_swiotlb **out)
{
    struct ccdma_swiotlb *pool = pool_reserve(name, shared);
    int err;

    if (!pool)
        return CCDMA_ENOMEM;
    bytes = dma_granule_round(bytes);
    err = pool_grow_region(pool, bytes, SWIOTLB_DEFAULT_LIMIT);
    if (err) {
        dma_report("failed to set up default bounce pool %s (%s), disabling it",
                   name, ccdma_strerror(err));
        pool_unreserve(pool);
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
static int pool_destroy(struct ccdma_swiotlb *pool)
{
    unsigned long flags = ccdma_plat_lock(&swiotlb_lock);
    int err = CCDMA_OK;

    pool->dying = true;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    for (unsigned int i = 0; i < pool->nregions; i++) {
        int ret = region_release(pool, &pool->regions[i]);

        if (ret && !err)
            err = ret;
    }
    pool_unreserve(pool);
    return err;
}

int dma_swiotlb_init(size_t shared_bytes, size_t private_bytes, bool dynamic)
{
    int err;

    memset(pools, 0, sizeof(pools));
    memset(&misc_rl, 0, sizeof(misc_rl));
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
            pool_destroy(default_shared);
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
        if (pool->used)
            dma_report("%s: %zu slots still taken at shutdown", pool->name,
                       pool->used);
        if (pool->restricted)
            dma_report("%s: restricted pool not destroyed before shutdown; "
                       "its memory is returned private", pool->name);
        pool_destroy(pool);
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
    if (!pool_live(pool)) {
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

        if (r->pa < out->start)
            out->start = r->pa;
        if (r->pa + r->bytes > out->end)
            out->end = r->pa + r->bytes;
        out->nslots += r->alloc.nslots;
        out->segment_probes += r->alloc.probes;
    }
    /* Where the pool may reach: its end, unless it may still grow (C22). */
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
    if (pool_live(pool))
        pool->high_water = pool->used;
    ccdma_plat_unlock(&swiotlb_lock, flags);
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
    pool = pool_reserve(name, shared);
    if (!pool)
        return CCDMA_ENOMEM;
    pool->restricted = true;
    err = pool_add_region(pool, va, size, false, &leaked);
    if (err) {
        pool_unreserve(pool);
        return err;
    }
    *out = pool;
    return CCDMA_OK;
}

/*
 * The check and the retirement are one critical section: a map or an
 * allocation either took its slots before it (EBUSY) or chooses the pool
 * after it and is refused. Devices that still hold the pool would be left
 * with a dangling pool, or one that a later create reuses, so they make
 * the destroy EBUSY too until ccdma_device_release().
 */
int ccdma_swiotlb_restricted_destroy(struct ccdma_swiotlb *pool)
{
    const char *name;
    unsigned long flags;
    unsigned int refs;
    size_t used;

    if (!pool)
        return CCDMA_EINVAL;
    flags = ccdma_plat_lock(&swiotlb_lock);
    if (!pool_live(pool) || !pool->restricted) {
        ccdma_plat_unlock(&swiotlb_lock, flags);
        return CCDMA_EINVAL;
    }
    name = pool->name; /* the pool may be gone once the lock is dropped */
    used = pool->used;
    refs = pool->refs;
    if (!used && !refs)
        pool->dying = true;
    ccdma_plat_unlock(&swiotlb_lock, flags);
    if (used || refs) {
        dma_report("restricted pool %s: not destroyed: %zu slots taken, %u devices "
                   "still hold it (ccdma_device_release)", name, used, refs);
        return CCDMA_EBUSY;
    }
    return pool_destroy(pool);
}
