/* SPDX-License-Identifier: MIT */
/*
 * The DMA API entry points: argument checks, the attribute rules, the
 * dma-debug hooks, then direct (which bounces when it must).
 *
 * Attribute rules. Callers pass only CCDMA_ATTR_PUBLIC_MASK bits.
 *  - CC_SHARED and MMIO describe mappings. An allocation that passes either
 *    fails with EINVAL, and so does one that passes the internal allocation
 *    attribute or any unknown bit: the shared/private decision for an
 *    allocation is the DMA layer's alone (rule 4).
 *  - MMIO goes through ccdma_map_resource(); ccdma_map_single() refuses it.
 *    MMIO is never bounced (rule 9).
 */
#include "direct.h"

static inline bool dir_valid(enum ccdma_dir dir)
{
    return (unsigned int)dir <= CCDMA_FROM_DEVICE;
}

/* The common case is one test of everything that must hold; the reason
 * for a failure is worked out only then. */
static inline int check_device(const struct ccdma_device *dev)
{
    if (__builtin_expect(dma_initialised() && dev && dev->debug_id && dev->dma_mask, 1))
        return CCDMA_OK;
    if (!dma_initialised() || !dev)
        return CCDMA_EINVAL;
    if (!dma_dev_ready(dev)) {
        dma_report("%s: not initialised with ccdma_device_init()",
                   dma_dev_name(dev));
        return CCDMA_EINVAL;
    }
    return CCDMA_ENODEV;
}

static inline int check_mapping(const struct ccdma_device *dev, size_t size,
                         enum ccdma_dir dir, unsigned int attrs)
{
    int err = check_device(dev);

    if (err)
        return err;
    if (!size || !dir_valid(dir) || (attrs & ~CCDMA_ATTR_PUBLIC_MASK))
        return CCDMA_EINVAL;
    return CCDMA_OK;
}

/* ---- single and scatter-gather ------------------------------------------------ */

/*
 * CC_SHARED is the caller's word that the memory is shared (rule 1). It is
 * taken, but not against what the layer knows: memory it owns and keeps
 * private (the private atomic pool, private bounce pools, direct
 * allocations left private) is refused. dma-debug asks the platform for
 * the state of every page as well.
 */
/* Whether check_shared_claim() has anything to look at: the bounds of
 * what the layer keeps private, tested inline, answer almost every claim. */
static inline bool shared_claim_to_check(ccdma_phys_t pa, size_t size)
{
    return dma_bounds_may_hold(&dma_private_bounds, pa, size) ||
           __atomic_load_n(&dma_debug_enabled, __ATOMIC_RELAXED);
}

static __attribute__((noinline)) int check_shared_claim(const struct ccdma_device *dev, const void *va,
                              ccdma_phys_t pa, size_t size)
{
    const char *why = NULL;

    if (dma_pool_private(pa, size))
        why = "the private atomic pool";
    else if (dma_swiotlb_private(pa, size))
        why = "a private bounce pool";
    else if (dma_coherent_private(pa, size))
        why = "a private coherent allocation";
    else if (!dma_debug_shared_claim(dev, va, pa, size))
        return CCDMA_EINVAL;
    if (why) {
        dma_report("%s: CC_SHARED mapping of %#llx+%zu, which lies in %s: refused",
                   dma_dev_name(dev), (unsigned long long)pa, size, why);
        return CCDMA_EINVAL;
    }
    return CCDMA_OK;
}

/* The bounce half of a map, with dma-debug's record. */
static __attribute__((noinline)) int map_bounced(struct ccdma_device *dev, void *va,
                                                 ccdma_phys_t pa, size_t size, enum ccdma_dir dir,
                                                 unsigned int attrs, enum dma_debug_type type,
                                                 ccdma_dma_t *out)
{
    ccdma_dma_t dma;
    int err = dma_swiotlb_map(dev, va, pa, size, DMA_HOW(dir, attrs), &dma);

    if (err)
        return err;
    dma_debug_map(dev, type, dma, pa, size, dir);
    *out = dma;
    return CCDMA_OK;
}

static inline __attribute__((always_inline)) int map_one(struct ccdma_device *dev, void *va,
                                                         size_t size, enum ccdma_dir dir,
                                                         unsigned int attrs,
                                                         enum dma_debug_type type,
                                                         ccdma_dma_t *out)
{
    ccdma_phys_t pa;
    ccdma_dma_t dma;
    int err;

    err = dma_virt_to_phys(va, size, &pa);
    if (!err && (attrs & CCDMA_ATTR_CC_SHARED) && dma_cc() && shared_claim_to_check(pa, size))
        err = check_shared_claim(dev, va, pa, size);
    if (err) {
        dma_stat_add(DMA_STAT_MAP_FAILURES, 1);
        return err;
    }
    if (!dma_direct_try(dev, va, pa, size, attrs, &dma))
        return map_bounced(dev, va, pa, size, dir, attrs, type, out);
    dma_stat_add(DMA_STAT_DIRECT_MAPS, 1);
    dma_debug_map(dev, type, dma, pa, size, dir);
    *out = dma;
    return CCDMA_OK;
}

static inline __attribute__((always_inline)) int unmap_one(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                     enum ccdma_dir dir, unsigned int attrs,
                     enum dma_debug_type type)
{
    int err = dma_debug_unmap(dev, type, addr, size, dir, false);

    if (err)
        return err;
    return dma_direct_unmap(dev, addr, size, dir, attrs);
}

static inline int sync_one(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                    enum ccdma_dir dir, bool for_cpu)
{
    int err = dma_debug_sync(dev, addr, size, dir);

    if (err)
        return err;
    return dma_direct_sync(dev, addr, size, dir, for_cpu);
}

/* The common case passes one combined test; only a call that fails it
 * goes through the checks one by one, for the right error and report.
 * call_ok() is the part that does not ask whether the runtime is up (the
 * leaf paths' dma_fast_ok says so), device_ok() that and the size. */
static inline bool device_ok(const struct ccdma_device *dev, enum ccdma_dir dir,
                             unsigned int attrs)
{
    return dev && dev->debug_id && dev->dma_mask && dir_valid(dir) &&
           !(attrs & (~CCDMA_ATTR_PUBLIC_MASK | CCDMA_ATTR_MMIO));
}

static inline bool call_ok(const struct ccdma_device *dev, size_t size, enum ccdma_dir dir,
                           unsigned int attrs)
{
    return size && device_ok(dev, dir, attrs);
}

static inline bool args_ok(const struct ccdma_device *dev, size_t size, enum ccdma_dir dir,
                           unsigned int attrs)
{
    return dma_initialised() && call_ok(dev, size, dir, attrs);
}

static __attribute__((noinline, cold)) int map_single_refused(struct ccdma_device *dev,
                                                              void *va, size_t size,
                                                              enum ccdma_dir dir,
                                                              unsigned int attrs,
                                                              const ccdma_dma_t *out)
{
    int err = check_mapping(dev, size, dir, attrs);

    if (err)
        return err;
    if (!va || !out)
        return CCDMA_EINVAL;
    if (attrs & CCDMA_ATTR_MMIO) {
        dma_report("%s: MMIO passed to ccdma_map_single(); use ccdma_map_resource()",
                   dma_dev_name(dev));
        return CCDMA_EINVAL;
    }
    return CCDMA_EINVAL; /* not reached: args_ok() failed for one of the above */
}

/* Everything but the common case of ccdma_map_single(), out of line. */
static __attribute__((noinline)) int map_single_general(struct ccdma_device *dev, void *va,
                                                        size_t size, enum ccdma_dir dir,
                                                        unsigned int attrs, ccdma_dma_t *out)
{
    if (!out || !va || !args_ok(dev, size, dir, attrs)) {
        if (out)
            *out = CCDMA_DMA_ADDR_INVALID;
        return map_single_refused(dev, va, size, dir, attrs, out);
    }
    *out = CCDMA_DMA_ADDR_INVALID;
    return map_one(dev, va, size, dir, attrs, DMA_DEBUG_SINGLE, out);
}

/* dma_dev_reaches() for the leaf path, where the runtime is up: without
 * CC either reach will do, as there. */
static inline bool leaf_reaches(const struct ccdma_device *dev, bool shared)
{
    if (!dma_rt_cc)
        return dev->reach_private || dev->reach_shared;
    return shared ? dev->reach_shared : dev->reach_private;
}

/*
 * The common cases as a leaf function, like Linux's dma_direct_map_page:
 * the arguments, the linear map, the reach, the encoding, and done. A
 * private buffer goes on to the bounce with what was worked out here;
 * anything else (a pointer outside the platform's window, a CC_SHARED
 * claim the bounds cannot settle, dma-debug, cache maintenance) takes the
 * general path, which checks everything again in full.
 */
int ccdma_map_single(struct ccdma_device *dev, void *va, size_t size,
                     enum ccdma_dir dir, unsigned int attrs, ccdma_dma_t *out)
{
    uintptr_t off = (uintptr_t)va - dma_lin.d.va_base;
    ccdma_phys_t pa;
    ccdma_dma_t dma;
    bool shared;

    /* No test of va against NULL: dma_fast_ok holds only for a window that
     * does not start at 0, so NULL falls outside it. Nor of size against
     * 0: size - 1 wraps, and the window test refuses it. */
    if (__builtin_expect(!__atomic_load_n(&dma_fast_ok, __ATOMIC_RELAXED) || !out ||
                         !device_ok(dev, dir, attrs) || off >= dma_lin.d.size ||
                         size - 1 >= dma_lin.d.size - off, 0))
        return map_single_general(dev, va, size, dir, attrs, out);
    pa = dma_lin.d.pa_base + off;
    shared = (attrs & CCDMA_ATTR_CC_SHARED) || !dma_rt_cc;
    if ((attrs & CCDMA_ATTR_CC_SHARED) && dma_rt_cc &&
        dma_bounds_may_hold(&dma_private_bounds, pa, size))
        return map_single_general(dev, va, size, dir, attrs, out);
    /* dma_swiotlb_map() sets *out, to CCDMA_DMA_ADDR_INVALID on failure. */
    if (dev->force_bounce || dev->restricted_pool || !(shared || dev->reach_private))
        return dma_swiotlb_map(dev, va, pa, size, DMA_HOW(dir, attrs), out);
    dma = dma_lin_encode(pa, shared);
    if (!leaf_reaches(dev, shared) || !dma_within_mask_set(dev, dma, size))
        return dma_swiotlb_map(dev, va, pa, size, DMA_HOW(dir, attrs), out);
    if (!dev->coherent && !(attrs & CCDMA_ATTR_SKIP_CPU_SYNC))
        return map_single_general(dev, va, size, dir, attrs, out);
    dma_stat_add(DMA_STAT_DIRECT_MAPS, 1);
    *out = dma;
    return CCDMA_OK;
}

static __attribute__((noinline)) int unmap_single_general(struct ccdma_device *dev,
                                                          ccdma_dma_t addr, size_t size,
                                                          enum ccdma_dir dir,
                                                          unsigned int attrs)
{
    if (!args_ok(dev, size, dir, attrs)) {
        int err = check_mapping(dev, size, dir, attrs);

        return err ? err : CCDMA_EINVAL; /* MMIO */
    }
    return unmap_one(dev, addr, size, dir, attrs, DMA_DEBUG_SINGLE);
}

/* A coherent device's direct mapping has nothing to undo: the leaf path
 * only makes sure the address is none of the bounce pools' business. */
int ccdma_unmap_single(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                       enum ccdma_dir dir, unsigned int attrs)
{
    ccdma_phys_t pa;

    if (__builtin_expect(!__atomic_load_n(&dma_fast_ok, __ATOMIC_RELAXED) ||
                         !call_ok(dev, size, dir, attrs) || !dev->coherent, 0))
        return unmap_single_general(dev, addr, size, dir, attrs);
    pa = dma_lin_decode(addr);
    if (dma_swiotlb_may_own(pa))
        return dma_swiotlb_unmap(dev, addr, pa, dma_lin_is_shared(addr), attrs, CCDMA_OK);
    return CCDMA_OK;
}

int ccdma_sync_for_cpu(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                       enum ccdma_dir dir)
{
    int err = check_mapping(dev, size, dir, 0);

    return err ? err : sync_one(dev, addr, size, dir, true);
}

int ccdma_sync_for_device(struct ccdma_device *dev, ccdma_dma_t addr,
                          size_t size, enum ccdma_dir dir)
{
    int err = check_mapping(dev, size, dir, 0);

    return err ? err : sync_one(dev, addr, size, dir, false);
}

static int check_sg(struct ccdma_device *dev, const struct ccdma_sg *sg,
                    int nents, enum ccdma_dir dir, unsigned int attrs)
{
    int err = check_mapping(dev, 1, dir, attrs);

    if (err)
        return err;
    if (!sg || nents <= 0 || (attrs & CCDMA_ATTR_MMIO))
        return CCDMA_EINVAL;
    for (int i = 0; i < nents; i++)
        if (!sg[i].va || !sg[i].len)
            return CCDMA_EINVAL;
    return CCDMA_OK;
}

int ccdma_map_sg(struct ccdma_device *dev, struct ccdma_sg *sg, int nents,
                 enum ccdma_dir dir, unsigned int attrs)
{
    int err = check_sg(dev, sg, nents, dir, attrs);

    if (err)
        return err;
    for (int i = 0; i < nents; i++) {
        err = map_one(dev, sg[i].va, sg[i].len, dir, attrs, DMA_DEBUG_SG,
                      &sg[i].dma_addr);
        if (err) {
            /* All or nothing. The device never saw the earlier entries, so
             * there is nothing to copy back: unwind without a sync, and
             * take back what was copied toward it. */
            sg[i].dma_addr = CCDMA_DMA_ADDR_INVALID;
            sg[i].dma_len = 0;
            while (--i >= 0) {
                unmap_one(dev, sg[i].dma_addr, sg[i].dma_len, dir,
                          attrs | CCDMA_ATTR_SKIP_CPU_SYNC | CCDMA_ATTR__UNWIND, DMA_DEBUG_SG);
                sg[i].dma_addr = CCDMA_DMA_ADDR_INVALID;
                sg[i].dma_len = 0;
            }
            return err;
        }
        sg[i].dma_len = sg[i].len;
    }
    return nents;
}

int ccdma_unmap_sg(struct ccdma_device *dev, struct ccdma_sg *sg, int nents,
                   enum ccdma_dir dir, unsigned int attrs)
{
    int err = check_sg(dev, sg, nents, dir, attrs), first = CCDMA_OK;

    if (err)
        return err;
    /* Every entry, even after a failure: one bad entry must not strand
     * the slots of the others. */
    for (int i = 0; i < nents; i++) {
        err = unmap_one(dev, sg[i].dma_addr, sg[i].dma_len, dir, attrs, DMA_DEBUG_SG);
        if (err && !first)
            first = err;
    }
    return first;
}

static int sync_sg(struct ccdma_device *dev, struct ccdma_sg *sg, int nents,
                   enum ccdma_dir dir, bool for_cpu)
{
    int err = check_sg(dev, sg, nents, dir, 0), first = CCDMA_OK;

    if (err)
        return err;
    for (int i = 0; i < nents; i++) {
        err = sync_one(dev, sg[i].dma_addr, sg[i].dma_len, dir, for_cpu);
        if (err && !first)
            first = err;
    }
    return first;
}

int ccdma_sync_sg_for_cpu(struct ccdma_device *dev, struct ccdma_sg *sg,
                          int nents, enum ccdma_dir dir)
{
    return sync_sg(dev, sg, nents, dir, true);
}

int ccdma_sync_sg_for_device(struct ccdma_device *dev, struct ccdma_sg *sg,
                             int nents, enum ccdma_dir dir)
{
    return sync_sg(dev, sg, nents, dir, false);
}

/* ---- MMIO ---------------------------------------------------------------------------- */

int ccdma_map_resource(struct ccdma_device *dev, ccdma_phys_t pa, size_t size,
                       enum ccdma_dir dir, unsigned int attrs, ccdma_dma_t *out)
{
    bool shared = (attrs & CCDMA_ATTR_CC_SHARED) || !dma_cc();
    ccdma_dma_t dma;
    int err;

    if (out)
        *out = CCDMA_DMA_ADDR_INVALID;
    err = check_mapping(dev, size, dir, attrs);
    if (err)
        return err;
    if (!out || size - 1 > UINT64_MAX - pa)
        return CCDMA_EINVAL;
    /* A device that must bounce everything cannot take MMIO, which never
     * bounces. */
    if (dev->force_bounce || dev->restricted_pool) {
        dma_report("%s: MMIO cannot be mapped for a device that must bounce",
                   dma_dev_name(dev));
        return CCDMA_ENOTSUP;
    }
    /* In a realm, peer MMIO is private unless the caller says it is
     * shared: no guessing either way. */
    dma = dma_phys_to_dma(pa, shared);
    if (!ccdma_capable(dev, dma, size, shared ? CCDMA_ATTR_CC_SHARED : 0)) {
        dma_report("%s: MMIO %#llx+%zu (%s) is beyond its reach; MMIO is never "
                   "bounced", dma_dev_name(dev),
                   (unsigned long long)pa, size, shared ? "shared" : "private");
        return CCDMA_ERANGE;
    }
    dma_stat_add(DMA_STAT_DIRECT_MAPS, 1);
    dma_debug_map(dev, DMA_DEBUG_RESOURCE, dma, pa, size, dir);
    *out = dma;
    return CCDMA_OK;
}

int ccdma_unmap_resource(struct ccdma_device *dev, ccdma_dma_t addr,
                         size_t size, enum ccdma_dir dir, unsigned int attrs)
{
    int err = check_mapping(dev, size, dir, attrs);

    if (err)
        return err;
    /* No cache maintenance and no bounce: there is nothing else to undo. */
    return dma_debug_unmap(dev, DMA_DEBUG_RESOURCE, addr, size, dir, false);
}

/* ---- coherent ---------------------------------------------------------------------- */

int ccdma_alloc_coherent(struct ccdma_device *dev, size_t size,
                         unsigned int flags, unsigned int attrs, void **cpu,
                         ccdma_dma_t *handle)
{
    ccdma_dma_t dma;
    void *va;
    int err;

    if (cpu)
        *cpu = NULL;
    if (handle)
        *handle = CCDMA_DMA_ADDR_INVALID;
    err = check_device(dev);
    if (err)
        return err;
    if (!size || !cpu || !handle || (flags & ~CCDMA_ALLOC_ATOMIC))
        return CCDMA_EINVAL;
    if (attrs & (CCDMA_ATTR_CC_SHARED | CCDMA_ATTR_MMIO | ~CCDMA_ATTR_PUBLIC_MASK)) {
        dma_report("%s: allocation attrs %#x: CC_SHARED and MMIO describe "
                   "mappings, and the shared/private choice of an allocation "
                   "is made by the DMA layer", dma_dev_name(dev),
                   attrs);
        return CCDMA_EINVAL;
    }
    /* The decision travels as the internal attribute (rule 4). */
    if (dma_cc() && !dev->reach_private)
        attrs |= CCDMA_ATTR__ALLOC_SHARED;

    err = dma_direct_alloc(dev, size, flags, attrs, &va, &dma);
    if (err)
        return err; /* nothing recorded: a failed allocation has no handle */
    dma_debug_map(dev, DMA_DEBUG_COHERENT, dma, ccdma_plat_virt_to_phys(va),
                  size, CCDMA_BIDIRECTIONAL);
    *cpu = va;
    *handle = dma;
    return CCDMA_OK;
}

int ccdma_free_coherent(struct ccdma_device *dev, size_t size, void *cpu,
                        ccdma_dma_t handle)
{
    int err = check_device(dev);

    if (err)
        return err;
    if (!size || !cpu)
        return CCDMA_EINVAL;
    if (dma_phys_to_virt(dma_dma_to_phys(handle)) != cpu) {
        dma_report("%s: free of %p with handle %#llx, which are not the same memory",
                   dma_dev_name(dev), cpu,
                   (unsigned long long)handle);
        return CCDMA_EFAULT;
    }
    err = dma_debug_unmap(dev, DMA_DEBUG_COHERENT, handle, size,
                          CCDMA_BIDIRECTIONAL, true);
    if (err)
        return err;
    return dma_direct_free(dev, size, cpu, handle);
}
