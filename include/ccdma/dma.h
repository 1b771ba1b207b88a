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
};

/* Check a device description and register it with dma-debug. */
int ccdma_device_init(struct ccdma_device *dev);

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
};

int ccdma_init(const struct ccdma_config *cfg);

/* Deferred work (pool growth). The runtime calls it between requests, never
 * from inside an allocation. Returns the number of work items run. */
int ccdma_poll(void);

/* Release every pool. Reports (and returns the number of) live allocations
 * and mappings, which are leaks. */
int ccdma_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_DMA_H */
