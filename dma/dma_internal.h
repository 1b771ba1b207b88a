/* SPDX-License-Identifier: MIT */
/*
 * Internal interfaces between the dma/ files. Nothing here is visible to
 * drivers: include/ccdma/dma.h is their whole view.
 */
#ifndef CCDMA_DMA_INTERNAL_H
#define CCDMA_DMA_INTERNAL_H

#include <ccdma/dma.h>

#include <string.h>

/*
 * Internal allocation attribute. The allocation entry point sets it when the
 * device cannot reach private memory, and it then travels with the request
 * through direct, pool and swiotlb: "the pages this path owns must be
 * shared". It lies outside CCDMA_ATTR_PUBLIC_MASK, so a caller who passes it
 * gets EINVAL like any other unknown bit (design rule 4).
 */
#define CCDMA_ATTR__ALLOC_SHARED (1u << 16)

/*
 * Internal unmap attribute: the mapping is being unwound because the
 * request it belongs to failed before the device was told of it (a
 * scatter-gather list that could not be mapped whole). A bounce then takes
 * back the bytes it copied toward the device: "all or nothing" leaves
 * nothing shown.
 */
#define CCDMA_ATTR__UNWIND (1u << 17)

#define DMA_SLOT_SHIFT 11u
#define DMA_SLOT_SIZE (1u << DMA_SLOT_SHIFT)
#define DMA_SEG_SLOTS CCDMA_SWIOTLB_SEGMENT_SLOTS
#define DMA_SEG_BYTES ((size_t)DMA_SLOT_SIZE * DMA_SEG_SLOTS)
#define DMA_PAGE_SIZE ((size_t)CCDMA_PAGE_SIZE)

/* The largest min_align_mask a device may have: 64 KiB - 1 still leaves a
 * 192 KiB bounce mapping; anything wider would eat the whole segment. */
#define DMA_MAX_MIN_ALIGN_MASK 0xffffu

#define DMA_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define DMA_DIV_UP(x, a) (((x) + (a) - 1) / (a))

/* ---- bounds that a lock-free reader may test ------------------------------ */

/*
 * [lo, hi) covering a set of ranges that only their owner (under its lock)
 * changes. The bounds only widen while the set lives, so a reader without
 * the lock that finds an address outside knows it is in none of them; one
 * inside takes the lock and asks.
 */
struct dma_bounds {
    ccdma_phys_t lo, hi;
};

static inline void dma_bounds_reset(struct dma_bounds *b)
{
    __atomic_store_n(&b->lo, UINT64_MAX, __ATOMIC_RELAXED);
    __atomic_store_n(&b->hi, 0, __ATOMIC_RELAXED);
}

static inline void dma_bounds_widen(struct dma_bounds *b, ccdma_phys_t pa, size_t bytes)
{
    if (pa < __atomic_load_n(&b->lo, __ATOMIC_RELAXED))
        __atomic_store_n(&b->lo, pa, __ATOMIC_RELAXED);
    if (pa + bytes > __atomic_load_n(&b->hi, __ATOMIC_RELAXED))
        __atomic_store_n(&b->hi, pa + bytes, __ATOMIC_RELAXED);
}

static inline bool dma_bounds_may_hold(const struct dma_bounds *b, ccdma_phys_t pa, size_t size)
{
    return pa + size > __atomic_load_n(&b->lo, __ATOMIC_RELAXED) &&
           pa < __atomic_load_n(&b->hi, __ATOMIC_RELAXED);
}

/* One bound over all the memory the layer keeps private (the private
 * atomic pool, private bounce pools, direct allocations left private), so
 * that a CC_SHARED claim outside it is settled by two compares. It widens
 * with each of theirs and is reset only by ccdma_init(), when none lives.
 * Their owners hold different locks, so each end moves by compare and
 * swap: a plain load and store could lose one owner's widening. */
extern struct dma_bounds dma_private_bounds;

static inline void dma_private_widen(struct dma_bounds *b, ccdma_phys_t pa, size_t bytes)
{
    ccdma_phys_t lo = __atomic_load_n(&dma_private_bounds.lo, __ATOMIC_RELAXED);
    ccdma_phys_t hi = __atomic_load_n(&dma_private_bounds.hi, __ATOMIC_RELAXED);

    dma_bounds_widen(b, pa, bytes);
    while (pa < lo && !__atomic_compare_exchange_n(&dma_private_bounds.lo, &lo, pa, true,
                                                   __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    while (pa + bytes > hi && !__atomic_compare_exchange_n(&dma_private_bounds.hi, &hi,
                                                           pa + bytes, true, __ATOMIC_RELAXED,
                                                           __ATOMIC_RELAXED))
        ;
}

/* ---- report.c: the one way dma/ prints ------------------------------------ */

void dma_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dma_report_set_quiet(bool quiet);
uint64_t dma_report_count(void);

/* At most `burst` reports per `interval_ns`; the rest are only counted. */
struct dma_ratelimit {
    uint64_t window_start;
    uint32_t in_window;
    uint32_t suppressed;
};
bool dma_ratelimit_ok(struct dma_ratelimit *rl);

/* ---- runtime.c and device.c: state every path reads ------------------------ */

/* Whether memory is private by default is fixed for the runtime's life:
 * ccdma_init() reads it from the platform once, so the hot paths test a
 * flag instead of calling the seam each time. Before init (a device
 * described early) the platform answers. */
extern bool dma_rt_ready;
extern bool dma_rt_cc;

static inline bool dma_initialised(void)
{
    return dma_rt_ready;
}

/* What the API's leaf paths need of the runtime, in one flag: initialised,
 * with the platform's linear map (one that does not start at address 0, so
 * that NULL is never inside it), and dma-debug off. dma_fast_update() sets
 * it whenever one of these changes. */
extern bool dma_fast_ok;
void dma_fast_update(void);

static inline bool dma_cc(void)
{
    return dma_rt_ready ? dma_rt_cc : ccdma_plat_cc_active();
}

static inline bool dma_dev_ready(const struct ccdma_device *dev)
{
    return dev && dev->debug_id != 0;
}

static inline bool dma_dev_reaches(const struct ccdma_device *dev, bool shared)
{
    if (!dma_cc())
        return dev->reach_private || dev->reach_shared;
    return shared ? dev->reach_shared : dev->reach_private;
}

/* The state a bounce or atomic pool must have to serve dev: a device that
 * cannot reach private memory needs shared pools; one that can (T=1) must
 * keep private data private, so it needs private pools. */
static inline bool dma_needs_shared_under(bool cc, const struct ccdma_device *dev)
{
    return !cc || !dev->reach_private;
}

static inline bool dma_dev_needs_shared(const struct ccdma_device *dev)
{
    return dma_needs_shared_under(dma_cc(), dev);
}

/* dma_dev_needs_shared() where the runtime is known to be up. */
static inline bool dma_dev_needs_shared_up(const struct ccdma_device *dev)
{
    return dma_needs_shared_under(dma_rt_cc, dev);
}

/* dma_dev_reaches(dev, dma_dev_needs_shared(dev)) without asking about CC:
 * under CC a device that reaches private memory is given private pools and
 * any other shared ones; without CC either reach will do. */
static inline bool dma_dev_reaches_its_pools(const struct ccdma_device *dev)
{
    return dev->reach_private || dev->reach_shared;
}

/* 0 is "no limit": taken one down, it wraps to the top and loses every
 * comparison, and the result taken one up is 0 only when both are. */
static inline uint64_t dma_min_not_zero(uint64_t a, uint64_t b)
{
    uint64_t am = a - 1, bm = b - 1;

    return (am < bm ? am : bm) + 1;
}

/* The highest address dev can reach for streaming or coherent DMA. */
static inline uint64_t dma_dev_limit(const struct ccdma_device *dev, bool coherent)
{
    uint64_t mask = dev->dma_mask;

    if (coherent && dev->coherent_dma_mask)
        mask = dev->coherent_dma_mask;
    return dma_min_not_zero(mask, dev->bus_limit);
}

static inline bool dma_within(const struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                              bool coherent)
{
    uint64_t limit = dma_dev_limit(dev, coherent);

    if (!limit || size - 1 > UINT64_MAX - addr)
        return false;
    return addr + (size - 1) <= limit;
}

/* dma_within() for streaming, on a path whose caller has seen dev's
 * dma_mask is not 0: the last byte under the mask, and under the bus
 * limit if any. */
static inline bool dma_within_mask_set(const struct ccdma_device *dev, ccdma_dma_t addr,
                                       size_t size)
{
    ccdma_dma_t last = addr + (size - 1);

    return last >= addr && last <= dev->dma_mask && (!dev->bus_limit || last <= dev->bus_limit);
}

/* ccdma_capable() for an address the DMA layer encoded itself, in the
 * state `shared`: the reach and the limit only. */
static inline bool dma_reaches(const struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                               bool shared)
{
    return dma_dev_reaches(dev, shared) && dma_within(dev, addr, size, false);
}

/* The platform's linear map and encodings as arithmetic
 * (ccdma_plat_linear_describe), read by ccdma_init(); `on` is false when the
 * platform gave none, and then every translation is a seam call. */
struct dma_linear {
    bool on;
    struct ccdma_plat_linear d;
};
extern struct dma_linear dma_lin;

/* The encoding by the platform's description, for callers that know it is
 * on (dma_lin.on, or dma_fast_ok, which implies it). */
static inline ccdma_dma_t dma_lin_encode(ccdma_phys_t pa, bool shared)
{
    return pa | (shared ? dma_lin.d.shared_bits : dma_lin.d.private_bits);
}

static inline ccdma_phys_t dma_lin_decode(ccdma_dma_t addr)
{
    return addr & ~dma_lin.d.enc_mask;
}

static inline bool dma_lin_is_shared(ccdma_dma_t addr)
{
    return (addr & dma_lin.d.enc_mask) == dma_lin.d.shared_bits;
}

static inline ccdma_dma_t dma_phys_to_dma(ccdma_phys_t pa, bool shared)
{
    if (__builtin_expect(dma_lin.on, 1))
        return dma_lin_encode(pa, shared);
    return ccdma_plat_phys_to_dma(pa, shared);
}

static inline ccdma_phys_t dma_dma_to_phys(ccdma_dma_t addr)
{
    if (__builtin_expect(dma_lin.on, 1))
        return dma_lin_decode(addr);
    return ccdma_plat_dma_to_phys(addr);
}

static inline bool dma_dma_is_shared(ccdma_dma_t addr)
{
    if (__builtin_expect(dma_lin.on, 1))
        return dma_lin_is_shared(addr);
    return ccdma_plat_dma_is_shared(addr);
}

/* The linear-map CPU address of pa, or NULL. */
static inline void *dma_phys_to_virt(ccdma_phys_t pa)
{
    if (__builtin_expect(dma_lin.on, 1) && pa - dma_lin.d.pa_base < dma_lin.d.size)
        return (void *)(dma_lin.d.va_base + (uintptr_t)(pa - dma_lin.d.pa_base));
    return ccdma_plat_phys_to_virt(pa);
}

/* Canonical physical address of a linear-map CPU range, or EFAULT. Only
 * linear-map memory has a physical address. Inside the platform's window
 * that is arithmetic; elsewhere the round trip is the portable test: a
 * stack or heap pointer outside the linear map does not survive. The
 * linear map is contiguous and page-granular, so both ends settle the
 * whole range, and one settles a range within one page. */
static inline int dma_virt_to_phys(const void *va, size_t size, ccdma_phys_t *pa)
{
    const uint8_t *last = (const uint8_t *)va + size - 1;
    uintptr_t off = (uintptr_t)va - dma_lin.d.va_base;
    ccdma_phys_t p;

    if (!va || !size)
        return CCDMA_EINVAL;
    if (__builtin_expect(dma_lin.on, 1) && off < dma_lin.d.size &&
        size <= dma_lin.d.size - off) {
        *pa = dma_lin.d.pa_base + off;
        return CCDMA_OK;
    }
    p = ccdma_plat_virt_to_phys(va);
    if (ccdma_plat_phys_to_virt(p) != va)
        return CCDMA_EFAULT;
    if ((((uintptr_t)va ^ (uintptr_t)last) >= CCDMA_PAGE_SIZE) &&
        ccdma_plat_phys_to_virt(p + size - 1) != last)
        return CCDMA_EFAULT;
    *pa = p;
    return CCDMA_OK;
}

/* ---- device.c: devices, encodings, reach ----------------------------------- */

const char *dma_dev_name(const struct ccdma_device *dev);
bool dma_capable_limit(const struct ccdma_device *dev, ccdma_dma_t addr,
                       size_t size, unsigned int attrs, bool coherent);

/* ---- runtime.c: counters shared by the layers ------------------------------ */

enum dma_stat {
    DMA_STAT_DIRECT_MAPS,
    DMA_STAT_BOUNCED_MAPS,
    DMA_STAT_MAP_FAILURES,
    DMA_STAT_COHERENT_ALLOCS,
    DMA_STAT_CONVERSIONS,
    DMA_STAT_LEAKED_PAGES,
    DMA_STAT_LEAK_EVENTS,
    DMA_STAT_KEPT_PAGES,     /* not reset by ccdma_init(): kept since boot */
    DMA_STAT_COUNT,
};
/* Relaxed atomic counters: every mapping counts itself, and a lock round
 * trip would cost a direct mapping as much as the mapping does. A reader
 * sees each counter exact, not all of them at one instant. */
extern uint64_t dma_stats[DMA_STAT_COUNT];

static inline void dma_stat_add(enum dma_stat which, uint64_t n)
{
    __atomic_fetch_add(&dma_stats[which], n, __ATOMIC_RELAXED);
}

/* ---- convert.c: owned memory changing state -------------------------------- */

/* Size rounded up to the share granule: what conversions work on. */
size_t dma_granule_round(size_t bytes);
/* Pages for memory that may be converted: granule-aligned, and
 * dma_granule_round(bytes) long. */
void *dma_pages_alloc_convertible(size_t bytes, ccdma_phys_t phys_limit);
int dma_share_owned(void *va, size_t bytes);
int dma_unshare_owned(void *va, size_t bytes);
/* Return owned shared memory: unshare and free it, or leak it when the
 * conversion fails. Returns the pages leaked (0 when freed). */
size_t dma_release_owned(void *va, size_t bytes, bool shared, const char *what);
/* Count and report memory that must never be reused. */
void dma_leak(const char *what, const void *va, size_t bytes, int err);

/* ---- direct.c (the streaming map and unmap are inline, in direct.h) ---------- */

int dma_direct_sync(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                    enum ccdma_dir dir, bool for_cpu);
int dma_direct_alloc(struct ccdma_device *dev, size_t size, unsigned int flags,
                     unsigned int attrs, void **cpu, ccdma_dma_t *handle);
int dma_direct_free(struct ccdma_device *dev, size_t size, void *cpu,
                    ccdma_dma_t handle);

/* ---- coherent.c: the record of direct coherent allocations ------------------ */

/*
 * Every coherent allocation that came from the page allocator is recorded
 * here (the pools keep their own records), so that a free is checked
 * against what the allocation did, never against what the caller says.
 */
struct dma_coherent_rec;
int dma_coherent_init(void);
void dma_coherent_shutdown(void);
/* A record for an allocation about to be made, or NULL (ENOMEM). Taken
 * before the pages, so nothing converted ever needs undoing for lack of
 * one. */
struct dma_coherent_rec *dma_coherent_reserve(void);
void dma_coherent_cancel(struct dma_coherent_rec *rec);
/* [pa, pa + bytes) was taken for a request of `size` bytes, and converted
 * to shared when `shared`. */
void dma_coherent_commit(struct dma_coherent_rec *rec, ccdma_phys_t pa,
                         size_t bytes, size_t size, bool shared);
/* Forget the allocation that starts at pa, if size (in pages) and the
 * handle's encoding (enc_shared) agree with the record; return its extent
 * and state. Otherwise EFAULT, with a report, and nothing changes. */
int dma_coherent_forget(ccdma_phys_t pa, size_t size, bool enc_shared,
                        size_t *bytes, bool *shared);
/* True when [pa, pa+size) overlaps a live direct allocation left private.
 * Inline: a CC_SHARED mapping asks it, and the bounds answer almost all. */
extern struct dma_bounds dma_coherent_private_bounds;
bool dma_coherent_private_slow(ccdma_phys_t pa, size_t size);

static inline bool dma_coherent_private(ccdma_phys_t pa, size_t size)
{
    return dma_bounds_may_hold(&dma_coherent_private_bounds, pa, size) &&
           dma_coherent_private_slow(pa, size);
}

/* ---- pool.c: atomic pools -------------------------------------------------- */

int dma_pool_init(size_t bytes, size_t max_bytes);
void dma_pool_shutdown(void);
int dma_pool_alloc(struct ccdma_device *dev, size_t size, bool shared,
                   unsigned int attrs, void **cpu, ccdma_phys_t *pa);
/* Free by physical address. Returns false when pa is in no atomic pool.
 * Otherwise *err: 0, or EFAULT (nothing changed) unless pa starts a live
 * allocation of exactly that many pages and enc_shared (the handle's
 * encoding) is the pool's state. */
bool dma_pool_free_phys(ccdma_phys_t pa, size_t size, bool enc_shared, int *err);
int dma_pool_poll(void);
/* True when [pa, pa+size) overlaps a chunk of the private atomic pool. */
extern struct dma_bounds dma_pool_private_bounds;
bool dma_pool_private_slow(ccdma_phys_t pa, size_t size);

static inline bool dma_pool_private(ccdma_phys_t pa, size_t size)
{
    return dma_bounds_may_hold(&dma_pool_private_bounds, pa, size) &&
           dma_pool_private_slow(pa, size);
}

/* ---- swiotlb.c: bounce pools ------------------------------------------------- */

int dma_swiotlb_init(size_t shared_bytes, size_t private_bytes, bool dynamic,
                     unsigned int areas);
void dma_swiotlb_shutdown(void);
int dma_swiotlb_poll(void);
size_t dma_swiotlb_max_mapping(const struct ccdma_device *dev);
/* A bounce mapping's direction and (public) attributes travel packed in
 * one argument, so that the call from the API's leaf path is a tail call. */
#define DMA_HOW(dir, attrs) (((attrs) & 0xffu) | ((unsigned int)(dir) << 8))
_Static_assert((CCDMA_ATTR_PUBLIC_MASK & ~0xffu) == 0, "DMA_HOW carries 8 attribute bits");
#define DMA_HOW_DIR(how) ((enum ccdma_dir)(((how) >> 8) & 0xfu))
#define DMA_HOW_ATTRS(how) ((how) & 0xffu)
/* Counts the mapping (bounced, or failed) in the layer's statistics. */
int dma_swiotlb_map(struct ccdma_device *dev, void *orig, ccdma_phys_t orig_pa,
                    size_t size, unsigned int how, ccdma_dma_t *out);
/* What unmap and sync return for an address that is no bounce mapping's
 * business: outside every bounce pool, or inside a coherent allocation of
 * a restricted pool (memory that may be mapped like any other). Anything
 * else in a pool must be a live mapping of that device (EFAULT otherwise). */
#define DMA_SWIOTLB_NOT_MINE 1
/* [lo, hi) covers every bounce region, so that an address outside needs no
 * lock to be known direct. Each bound only widens before a region becomes
 * usable and narrows only after one is retired, so a live mapping's address
 * always passes; read without the lock (swiotlb_pool.c writes them). */
extern ccdma_phys_t dma_swiotlb_bounds_lo, dma_swiotlb_bounds_hi;

static inline bool dma_swiotlb_may_own(ccdma_phys_t pa)
{
    return pa >= __atomic_load_n(&dma_swiotlb_bounds_lo, __ATOMIC_RELAXED) &&
           pa < __atomic_load_n(&dma_swiotlb_bounds_hi, __ATOMIC_RELAXED);
}
/* pa and shared: dma_dma_to_phys(addr) and dma_dma_is_shared(addr), which
 * the caller has worked out already. not_mine: what to return for an
 * address that is no bounce mapping's business (DMA_SWIOTLB_NOT_MINE, or
 * the caller's own answer for it, so that it can call in tail position). */
int dma_swiotlb_unmap(struct ccdma_device *dev, ccdma_dma_t addr, ccdma_phys_t pa,
                      bool shared, unsigned int attrs, int not_mine);
int dma_swiotlb_sync(struct ccdma_device *dev, ccdma_dma_t addr,
                     size_t size, enum ccdma_dir dir, bool for_cpu);
/* From dev's restricted pool, which must be live and held by dev (ESTATE
 * otherwise); *shared is the pool's state. */
int dma_swiotlb_alloc(struct ccdma_device *dev, size_t size, void **cpu,
                      ccdma_phys_t *pa, bool *shared);
/* Returns false when pa is in no bounce pool. Otherwise *err: 0, EFAULT
 * (not the start of an allocation, or enc_shared is not the pool's state)
 * or EINVAL (another size). */
bool dma_swiotlb_free_phys(ccdma_phys_t pa, size_t size, bool enc_shared, int *err);
/* True when [pa, pa+size) overlaps a region of a private bounce pool. */
extern struct dma_bounds dma_swiotlb_private_bounds;
bool dma_swiotlb_private_slow(ccdma_phys_t pa, size_t size);

static inline bool dma_swiotlb_private(ccdma_phys_t pa, size_t size)
{
    return dma_bounds_may_hold(&dma_swiotlb_private_bounds, pa, size) &&
           dma_swiotlb_private_slow(pa, size);
}
/* Take dev's reference on dev->restricted_pool (moving one it already
 * holds on another pool): EINVAL for a pool that is not live, ESTATE for a
 * pool of the other state; nothing changes on failure. */
int dma_swiotlb_device_get(struct ccdma_device *dev);
/* Drop the reference dev holds, if any. */
void dma_swiotlb_device_put(struct ccdma_device *dev);

/* ---- debug.c: dma-debug ---------------------------------------------------- */

enum dma_debug_type {
    DMA_DEBUG_SINGLE = 1,
    DMA_DEBUG_SG,
    DMA_DEBUG_RESOURCE,
    DMA_DEBUG_COHERENT,
};

void dma_debug_init(bool enabled);
/* Reports every live entry as a leak; returns how many there were. */
int dma_debug_shutdown(void);
/* The hooks are inline, so that with dma-debug off a mapping pays one
 * test of this flag and no call. */
extern bool dma_debug_enabled;
void dma_debug_record(const struct ccdma_device *dev, enum dma_debug_type type,
                      ccdma_dma_t dma, ccdma_phys_t pa, size_t size,
                      enum ccdma_dir dir);
int dma_debug_release(const struct ccdma_device *dev, enum dma_debug_type type,
                      ccdma_dma_t dma, size_t size, enum ccdma_dir dir,
                      bool size_must_match);
int dma_debug_check_sync(const struct ccdma_device *dev, ccdma_dma_t dma,
                         size_t size, enum ccdma_dir dir);

static inline void dma_debug_map(const struct ccdma_device *dev, enum dma_debug_type type,
                                 ccdma_dma_t dma, ccdma_phys_t pa, size_t size,
                                 enum ccdma_dir dir)
{
    if (__atomic_load_n(&dma_debug_enabled, __ATOMIC_RELAXED))
        dma_debug_record(dev, type, dma, pa, size, dir);
}

/* 0: found and forgotten (wrong size or direction only reported);
 * EFAULT: unknown or foreign (refuse); EINVAL: wrong type (refuse). */
static inline int dma_debug_unmap(const struct ccdma_device *dev, enum dma_debug_type type,
                                  ccdma_dma_t dma, size_t size, enum ccdma_dir dir,
                                  bool size_must_match)
{
    if (!__atomic_load_n(&dma_debug_enabled, __ATOMIC_RELAXED))
        return CCDMA_OK;
    return dma_debug_release(dev, type, dma, size, dir, size_must_match);
}

/* False, with a report, when the platform says some page of [va,
 * va+size) is not shared: a CC_SHARED claim that is not true. */
bool dma_debug_check_shared(const struct ccdma_device *dev, const void *va, ccdma_phys_t pa,
                            size_t size);

static inline bool dma_debug_shared_claim(const struct ccdma_device *dev, const void *va,
                                          ccdma_phys_t pa, size_t size)
{
    if (!__atomic_load_n(&dma_debug_enabled, __ATOMIC_RELAXED))
        return true;
    return dma_debug_check_shared(dev, va, pa, size);
}

/* 0: inside a live mapping; EFAULT: none covers it; EINVAL: out of range. */
static inline int dma_debug_sync(const struct ccdma_device *dev, ccdma_dma_t dma,
                                 size_t size, enum ccdma_dir dir)
{
    if (!__atomic_load_n(&dma_debug_enabled, __ATOMIC_RELAXED))
        return CCDMA_OK;
    return dma_debug_check_sync(dev, dma, size, dir);
}

#endif /* CCDMA_DMA_INTERNAL_H */
