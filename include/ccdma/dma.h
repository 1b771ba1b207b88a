/* SPDX-License-Identifier: MIT */
/*
 * The ccdma DMA API: direct, pool and bounce (swiotlb) layers for guests
 * whose memory is private by default.
 *
 * Vocabulary. "Shared" memory is memory the host can already read and write.
 * "Private" memory is not. A mapping never converts memory; only allocation
 * paths, which own their pages, convert. Every pool has exactly one state.
 *
 * Every call returns 0 (or a count) on success and a negative CCDMA_E* code
 * on failure, and a failed call leaves no partial state behind.
 */
#ifndef CCDMA_DMA_H
#define CCDMA_DMA_H

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ccdma_dir {
    CCDMA_BIDIRECTIONAL = 0,
    CCDMA_TO_DEVICE = 1,
    CCDMA_FROM_DEVICE = 2,
};

/* ---- Mapping attributes (the only bits callers may pass) ------------------ */

/* Skip CPU cache maintenance and the bounce copy-back at unmap/sync. */
#define CCDMA_ATTR_SKIP_CPU_SYNC (1u << 0)
/* The caller's memory is already shared: use the shared encoding in place.
 * Valid for mappings only; an allocation that passes it fails with EINVAL. */
#define CCDMA_ATTR_CC_SHARED (1u << 1)
/* The address is device MMIO, not RAM: no cache maintenance, never bounced. */
#define CCDMA_ATTR_MMIO (1u << 2)
/* Fail rather than print a warning when a pool is full (the error remains). */
#define CCDMA_ATTR_NO_WARN (1u << 3)

#define CCDMA_ATTR_PUBLIC_MASK                                                 \
    (CCDMA_ATTR_SKIP_CPU_SYNC | CCDMA_ATTR_CC_SHARED | CCDMA_ATTR_MMIO |      \
     CCDMA_ATTR_NO_WARN)

/* ---- Allocation flags ---------------------------------------------------- */

/* The caller cannot wait for a memory conversion: serve from a pre-converted
 * atomic pool of the needed state, or fail. */
#define CCDMA_ALLOC_ATOMIC (1u << 0)

/* ---- Devices --------------------------------------------------------------- */

struct ccdma_swiotlb; /* a bounce pool */

struct ccdma_device {
    const char *name;
    uint64_t dma_mask;          /* streaming mappings; 0 = device cannot DMA */
    uint64_t coherent_dma_mask; /* coherent allocations; 0 = same as dma_mask */
    uint64_t bus_limit;         /* interconnect limit; 0 = none */
    bool coherent;              /* false: cache maintenance by direction */
    bool reach_private;         /* can reach private memory (accepted T=1) */
    bool reach_shared;          /* can reach shared memory (T=0 and T=1) */
    bool force_bounce;          /* bounce every streaming mapping */
    struct ccdma_swiotlb *restricted_pool; /* bounce only through this pool */
    uint64_t min_align_mask;    /* low address bits a bounce must preserve */
    uint32_t debug_id;          /* set by ccdma_device_init(); dma-debug key */
    /* Set by ccdma_device_init() and ccdma_device_release(), never by the
     * caller (zero it with the rest of a new description): the restricted
     * pool instance this device holds a reference on. */
    uint32_t restricted_ref;
};

/* Check a device description and register it with dma-debug. A device with
 * a restricted pool takes a reference on it, which keeps the pool from
 * being destroyed (EBUSY) until ccdma_device_release(). Init again after
 * changing restricted_pool: the reference moves with it. */
int ccdma_device_init(struct ccdma_device *dev);

/* The device no longer uses its restricted pool: drop the reference taken
 * by ccdma_device_init(). It can still unmap and free what it holds; new
 * mappings and allocations through that pool fail with ESTATE until it is
 * initialised again. A device without a restricted pool has nothing to
 * drop. EINVAL for a device that was never initialised. */
int ccdma_device_release(struct ccdma_device *dev);

/* A normal virtio-like device: coherent, shared-only when CC is active,
 * reaching everything otherwise. */
void ccdma_device_default(struct ccdma_device *dev, const char *name,
                          uint64_t dma_mask);

/* ---- Encoding and capability ------------------------------------------------ */

ccdma_dma_t ccdma_phys_to_dma(const struct ccdma_device *dev, ccdma_phys_t pa,
                              bool shared);
ccdma_phys_t ccdma_dma_to_phys(const struct ccdma_device *dev, ccdma_dma_t addr);

/* True when dev can reach [addr, addr+size) with the encoding in addr, the
 * state that encoding denotes (attrs) and its mask and bus limit. */
bool ccdma_capable(const struct ccdma_device *dev, ccdma_dma_t addr,
                   size_t size, unsigned int attrs);

/* The largest size one streaming mapping can have for dev. */
size_t ccdma_max_mapping_size(const struct ccdma_device *dev);

/* ---- Streaming mappings -------------------------------------------------------- */

int ccdma_map_single(struct ccdma_device *dev, void *va, size_t size,
                     enum ccdma_dir dir, unsigned int attrs, ccdma_dma_t *out);
int ccdma_unmap_single(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                       enum ccdma_dir dir, unsigned int attrs);
int ccdma_sync_for_cpu(struct ccdma_device *dev, ccdma_dma_t addr, size_t size,
                       enum ccdma_dir dir);
int ccdma_sync_for_device(struct ccdma_device *dev, ccdma_dma_t addr,
                          size_t size, enum ccdma_dir dir);

/* Device MMIO (peer-to-peer): never bounced. */
int ccdma_map_resource(struct ccdma_device *dev, ccdma_phys_t pa, size_t size,
                       enum ccdma_dir dir, unsigned int attrs, ccdma_dma_t *out);
int ccdma_unmap_resource(struct ccdma_device *dev, ccdma_dma_t addr,
                         size_t size, enum ccdma_dir dir, unsigned int attrs);

struct ccdma_sg {
    void *va;
    size_t len;
    ccdma_dma_t dma_addr; /* out */
    size_t dma_len;       /* out */
};

/* Map every entry or none: returns nents, or a negative code with all
 * entries already unwound. */
int ccdma_map_sg(struct ccdma_device *dev, struct ccdma_sg *sg, int nents,
                 enum ccdma_dir dir, unsigned int attrs);
int ccdma_unmap_sg(struct ccdma_device *dev, struct ccdma_sg *sg, int nents,
                   enum ccdma_dir dir, unsigned int attrs);
int ccdma_sync_sg_for_cpu(struct ccdma_device *dev, struct ccdma_sg *sg,
                          int nents, enum ccdma_dir dir);
int ccdma_sync_sg_for_device(struct ccdma_device *dev, struct ccdma_sg *sg,
                             int nents, enum ccdma_dir dir);

/* ---- Coherent allocations --------------------------------------------------------- */

/*
 * Allocate zeroed memory that both the CPU and dev can use at once. When dev
 * cannot reach private memory the pages are converted to shared (or come from
 * a shared atomic pool with CCDMA_ALLOC_ATOMIC). attrs takes no public
 * mapping attribute: CC_SHARED or MMIO here is EINVAL.
 */
int ccdma_alloc_coherent(struct ccdma_device *dev, size_t size,
                         unsigned int flags, unsigned int attrs, void **cpu,
                         ccdma_dma_t *handle);
int ccdma_free_coherent(struct ccdma_device *dev, size_t size, void *cpu,
                        ccdma_dma_t handle);

/* True when a coherent allocation's memory is shared with the host. */
bool ccdma_coherent_is_shared(const struct ccdma_device *dev, ccdma_dma_t handle);

/* ---- Runtime ---------------------------------------------------------------------------- */

struct ccdma_config {
    size_t swiotlb_bytes;      /* default bounce pool; 0 = default size */
    bool swiotlb_dynamic;      /* grow the default pool when it runs out */
    size_t atomic_pool_bytes;  /* each atomic pool; 0 = default size */
    bool debug;                /* dma-debug tracking and reports */
    size_t swiotlb_private_bytes; /* private default bounce pool for accepted
                                   * (T=1) devices that are addressing-limited;
                                   * 0 = none (they get ESTATE) */
    size_t atomic_pool_max_bytes; /* growth cap per atomic pool; 0 = 16x size */
    bool quiet;                   /* count reports but do not print them */
    unsigned int swiotlb_areas;   /* areas per bounce pool, each with its own
                                   * lock; a CPU maps from its own area first
                                   * (ccdma_plat_cpu_id). 0 = one per CPU
                                   * (ccdma_plat_cpu_count), 1 = one lock;
                                   * rounded down to a power of two, at most
                                   * 8, fewer for a pool of fewer segments */
};

int ccdma_init(const struct ccdma_config *cfg);

/* Deferred work (pool growth). The runtime calls it between requests, never
 * from inside an allocation. Returns the number of work items run. */
int ccdma_poll(void);

/* Release every pool. Reports (and returns the number of) live allocations
 * and mappings, which are leaks. */
int ccdma_shutdown(void);

/* ---- Observability ------------------------------------------------------------------ */

/* Written to a DMA address out-parameter when a call fails. */
#define CCDMA_DMA_ADDR_INVALID (~(ccdma_dma_t)0)

/* Bounce geometry: 2 KiB slots, and one mapping never crosses a segment. */
#define CCDMA_SWIOTLB_SLOT_SIZE 2048u
#define CCDMA_SWIOTLB_SEGMENT_SLOTS 128u

/* True when addr is a live bounce mapping of dev (the data is a copy). */
bool ccdma_is_bounced(const struct ccdma_device *dev, ccdma_dma_t addr);

/* The default bounce pool of the given state, or NULL when there is none.
 * With CC inactive there is one pool and it counts as shared. */
struct ccdma_swiotlb *ccdma_swiotlb_default(bool shared);

struct ccdma_swiotlb_stats {
    const char *name;
    bool shared;              /* the pool's one state */
    bool restricted;          /* a per-device pool */
    bool dynamic;             /* may grow in ccdma_poll() */
    unsigned int regions;     /* memory blocks (1 + growth) */
    ccdma_phys_t start;       /* lowest physical address of any region */
    ccdma_phys_t end;         /* one past the highest */
    ccdma_phys_t limit;       /* highest physical address the pool may ever
                               * use: end - 1, or the growth limit if dynamic */
    size_t nslots;            /* slots in every region */
    size_t used;              /* slots now taken, padding included */
    size_t high_water;        /* most slots ever taken at once */
    uint64_t maps;            /* successful bounce mappings */
    uint64_t allocs;          /* successful ccdma_alloc_coherent() from it */
    uint64_t full;            /* requests refused with ENOSPC */
    uint64_t overflows;       /* bounce addresses the device could not reach */
    uint64_t segment_probes;  /* segments the slot search examined */
    size_t free_runs;         /* maximal runs of free slots (fragmentation) */
    size_t longest_free_run;  /* in slots; no mapping can take more */
    uint64_t grown;           /* regions added by growth */
    uint64_t grow_failed;     /* growth attempts that failed */
    uint64_t leaked_pages;    /* pages lost to failed conversions */
};

int ccdma_swiotlb_get_stats(const struct ccdma_swiotlb *pool,
                            struct ccdma_swiotlb_stats *out);
/* Restart the high-water mark from the current use (not from zero: it must
 * never read lower than what is live). */
void ccdma_swiotlb_reset_high_water(struct ccdma_swiotlb *pool);

/*
 * A restricted bounce pool over [va, va+size): memory the caller owns (for
 * example a firmware-reserved region), private, from ccdma_plat_pages_alloc
 * or the linear map. va and size must be aligned to the share granule, since
 * sharing less than a granule would expose its neighbours (EINVAL). With CC
 * active a shared pool is converted here, once; devices then bounce through
 * it and allocate coherent memory from it without any further conversion.
 */
int ccdma_swiotlb_restricted_create(const char *name, void *va, size_t size,
                                    bool shared, struct ccdma_swiotlb **out);
/* Give the memory back, private again. EBUSY while slots are taken or a
 * device still holds the pool (ccdma_device_release() first); the check and
 * the retirement are atomic, so a concurrent map either finished first
 * (EBUSY) or fails with ESTATE. If the conversion back fails the memory is
 * quarantined: do not reuse it. */
int ccdma_swiotlb_restricted_destroy(struct ccdma_swiotlb *pool);

struct ccdma_pool_stats {
    bool exists;
    bool shared;              /* the pool's one state */
    size_t size;              /* bytes in every chunk */
    size_t avail;             /* bytes free */
    unsigned int chunks;
    bool grow_pending;        /* ccdma_poll() will grow it */
    uint64_t allocs;
    uint64_t failures;        /* requests refused (ENOSPC, ERANGE) */
    uint64_t grown;           /* chunks added by ccdma_poll() */
    uint64_t grow_failed;
    uint64_t leaked_pages;    /* pages lost to failed conversions */
};

/* The atomic pool of the given state (CC inactive: one pool, shared). */
int ccdma_atomic_pool_stats(bool shared, struct ccdma_pool_stats *out);

struct ccdma_dma_stats {
    uint64_t direct_maps;     /* streaming mappings without a copy */
    uint64_t bounced_maps;    /* streaming mappings through a bounce pool */
    uint64_t map_failures;
    uint64_t coherent_allocs; /* direct (converting) coherent allocations */
    uint64_t conversions;     /* share and unshare calls made by dma/ */
    uint64_t leaked_pages;    /* pages leaked after a failed conversion, all layers */
    uint64_t leak_events;
    uint64_t kept_pages;      /* pool pages a device may still use, kept for good at
                               * ccdma_shutdown(): never reused, counted since boot */
    uint64_t reports;         /* lines through the report function */
};

void ccdma_get_stats(struct ccdma_dma_stats *out);

/* dma-debug counters: one per kind of report, so tests can assert one. */
struct ccdma_debug_counters {
    bool enabled;
    uint64_t errors;           /* every report below */
    uint64_t double_unmap;     /* unmap or free of something already gone */
    uint64_t foreign_unmap;    /* never mapped, or another device's mapping */
    uint64_t wrong_size;       /* unmap or free with another size */
    uint64_t wrong_dir;        /* unmap or sync with another direction */
    uint64_t wrong_type;       /* e.g. unmap_single of a coherent handle */
    uint64_t sync_unmapped;    /* sync of an address no mapping covers */
    uint64_t sync_out_of_range;/* sync past the end of its mapping */
    uint64_t overlap;          /* overlaps a live mapping, incompatible dir */
    uint64_t false_shared;     /* CC_SHARED mapping of pages that are not shared */
    uint64_t leaks;            /* live at ccdma_shutdown() */
    uint64_t live;             /* entries tracked now */
    uint64_t max_live;
};

void ccdma_debug_get_counters(struct ccdma_debug_counters *out);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_DMA_H */
