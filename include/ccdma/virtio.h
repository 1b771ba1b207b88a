/* SPDX-License-Identifier: MIT */
/*
 * Minimal, hardened virtio: the virtio-mmio (version 2) transport, the split
 * virtqueue and virtio-rng. virtio-blk is in <ccdma/blk.h>.
 *
 * Threat model. The host (and so the device) is untrusted: it controls the
 * MMIO registers, the config space and every byte of shared memory, which
 * includes the rings. The driver therefore
 *   - keeps a private shadow of every descriptor, the free list and the
 *     in-flight state, and never reads the shared descriptor table or avail
 *     ring back;
 *   - reads each device-written ring field once, through one accessor layer
 *     (drivers/virtio/virtq_shared.c), then validates the copy;
 *   - bounds every wait with a time budget;
 *   - on a protocol violation resets the device and fences it off: every
 *     later request fails with CCDMA_EBROKEN;
 *   - gives memory the device was handed back (unmap, free) only once the
 *     device gave it back or a reset completed: a device that ignores the
 *     reset keeps those mappings and rings for good (leaked on purpose,
 *     counted in the queue's stats, reported on the console).
 *
 * Memory. No allocator: callers provide the structures below (private
 * memory: static or stack). Rings come from ccdma_alloc_coherent() and every
 * buffer goes through ccdma_map_single(); the driver never encodes a DMA
 * address itself.
 *
 * Concurrency. A device is driven by one caller at a time; callers that
 * share one serialise around it. Completion is by polling.
 *
 * Boot. For each "virtio,mmio" node of the DTB, with base the CPU address
 * the platform mapped for reg (the unprotected alias in a realm) and size
 * the reg size:
 *     struct ccdma_virtio_mmio_id id;
 *     if (ccdma_virtio_mmio_identify(base, size, &id) == 0) switch (id.device_id) {
 *     case CCDMA_VIRTIO_ID_BLOCK: err = ccdma_blk_probe(&blk, base, size); break;
 *     case CCDMA_VIRTIO_ID_RNG:   err = ccdma_rng_probe(&rng, base, size); break;
 *     }                           // CCDMA_VIRTIO_ID_NONE: an empty slot
 * and report vdev.features bit by bit with ccdma_virtio_feature_name().
 * Probing only changes the device's status once identity checks passed.
 */
#ifndef CCDMA_VIRTIO_H
#define CCDMA_VIRTIO_H

#include <ccdma/dma.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Device ids and feature bits (virtio 1.2) ----------------------------- */

#define CCDMA_VIRTIO_ID_NONE 0u /* an empty virtio-mmio slot */
#define CCDMA_VIRTIO_ID_BLOCK 2u
#define CCDMA_VIRTIO_ID_RNG 4u

#define CCDMA_VIRTIO_F_INDIRECT_DESC 28u
#define CCDMA_VIRTIO_F_EVENT_IDX 29u
#define CCDMA_VIRTIO_F_VERSION_1 32u
#define CCDMA_VIRTIO_F_ACCESS_PLATFORM 33u
#define CCDMA_VIRTIO_F_RING_PACKED 34u
#define CCDMA_VIRTIO_F_RING_RESET 40u

/* virtio-blk device bits (5.2.3); the driver accepts SIZE_MAX, SEG_MAX, RO
 * and FLUSH. */
#define CCDMA_VIRTIO_BLK_F_SIZE_MAX 1u
#define CCDMA_VIRTIO_BLK_F_SEG_MAX 2u
#define CCDMA_VIRTIO_BLK_F_RO 5u
#define CCDMA_VIRTIO_BLK_F_BLK_SIZE 6u
#define CCDMA_VIRTIO_BLK_F_FLUSH 9u

#define CCDMA_VIRTIO_BIT(b) (1ull << (b))

/* Descriptors per queue this driver uses (a power of two). A device that
 * offers more gets this many; one that offers fewer gets the largest power
 * of two it allows. */
#define CCDMA_VIRTQ_MAX 64u

/* Default bound on any wait for the device (reset, one request). */
#define CCDMA_VIRTIO_DEFAULT_BUDGET_NS 2000000000ull

/* ---- Transport and device ---------------------------------------------------- */

enum ccdma_virtio_state {
    CCDMA_VIRTIO_UNUSED = 0, /* not probed, or removed */
    CCDMA_VIRTIO_READY,      /* DRIVER_OK: requests may be issued */
    CCDMA_VIRTIO_BROKEN,     /* fenced off after a protocol violation or timeout */
};

/* What the header of a virtio-mmio slot says, read without touching its
 * status (so scanning the 32 QEMU slots changes nothing). */
struct ccdma_virtio_mmio_id {
    uint32_t magic;
    uint32_t version;   /* 1 legacy, 2 modern */
    uint32_t device_id; /* CCDMA_VIRTIO_ID_NONE: empty slot */
    uint32_t vendor_id;
};

enum ccdma_virtio_transport_kind {
    CCDMA_VIRTIO_MMIO = 1, /* virtio-mmio version 2 (virtio 1.2, 4.2) */
    CCDMA_VIRTIO_PCI,      /* virtio-pci, modern interface (virtio 1.2, 4.1) */
};

/* Where a virtio-pci function's structures are, as CPU addresses inside
 * its memory BARs: found from its capabilities and checked against the
 * BARs (ccdma_virtio_pci_transport, drivers/virtio/virtio_pci.h). */
struct ccdma_virtio_pci_regions {
    uintptr_t common;
    size_t common_len;
    uintptr_t notify;
    size_t notify_len;
    uint32_t notify_mul; /* queue_notify_off multiplier */
    uintptr_t isr;
    uintptr_t device;    /* 0 when the function has no device config */
    size_t device_len;
};

/* One device's transport, found at boot and handed to a driver's probe. */
struct ccdma_virtio_transport {
    enum ccdma_virtio_transport_kind kind;
    uint32_t device_id;  /* virtio device type (CCDMA_VIRTIO_ID_*) */
    uintptr_t base;      /* mmio: the register window; pci: the common config */
    size_t size;
    struct ccdma_virtio_mmio_id id; /* mmio only */
    struct ccdma_virtio_pci_regions pci; /* pci only */
};

struct virtio_transport_ops;

/* Queues per virtio-pci device this driver sets up (blk and rng use one). */
#define CCDMA_VIRTIO_PCI_QUEUES 4u

struct ccdma_virtio_dev {
    uintptr_t base;             /* the transport's address, for reports */
    size_t size;
    struct ccdma_virtio_mmio_id id; /* device_id for both transports */
    struct ccdma_virtio_transport transport;
    const struct virtio_transport_ops *ops;
    size_t config_len;          /* bytes of device config space the transport gives */
    uint64_t device_features;   /* offered (64 bits) */
    uint64_t features;          /* negotiated */
    uint64_t budget_ns;         /* bound on every wait; probe sets the default */
    uint32_t status;            /* the status the driver last wrote (never read back) */
    enum ccdma_virtio_state state;
    int broken_err;             /* the error that broke it (CCDMA_E*) */
    const char *broken_why;     /* a short static reason, for reports */
    struct ccdma_device dma;    /* the device as the DMA layer sees it */
    /* The last reset never read back 0. Until one does, the device may
     * still use every ring and buffer it was given, so none of that
     * memory is unmapped or freed (see ccdma_virtio_request, remove). */
    bool reset_failed;
    /* A legacy virtio-mmio device (version 1, plain mode only): no
     * VERSION_1, no FEATURES_OK, one contiguous ring area by page number. */
    bool legacy;
    uintptr_t notify_addr[CCDMA_VIRTIO_PCI_QUEUES]; /* pci: each queue's doorbell */
    /* Completion by interrupt (set by whoever routes the device's line to
     * ccdma_virtio_interrupt): waits sleep until it fires instead of
     * spinning. Polling stays the fallback: every wait still checks. */
    bool irq_mode;
    uint32_t irq_pending;       /* set by the interrupt, cleared by a wait */
    uint64_t irqs;              /* interrupts taken that the device raised */
    uint64_t irqs_foreign;      /* interrupts on its line it did not raise */
};

/* The device's interrupt handler: acknowledge it and wake its waiter. */
void ccdma_virtio_interrupt(struct ccdma_virtio_dev *vdev);

/* Read the identity registers at base. Returns 0 (also for an empty slot),
 * CCDMA_EINVAL for a bad window, CCDMA_ENODEV for a bad magic. */
int ccdma_virtio_mmio_identify(uintptr_t base, size_t size,
                               struct ccdma_virtio_mmio_id *out);

/* The virtio-mmio transport at [base, base + size): identity read as for
 * ccdma_virtio_mmio_identify. A legacy (version 1) one is used in plain
 * mode only: CCDMA_ENOTSUP in a realm, where it could not negotiate
 * VERSION_1 or ACCESS_PLATFORM. CCDMA_ENODEV for an empty slot or an
 * unknown version. */
int ccdma_virtio_mmio_transport(uintptr_t base, size_t size,
                                struct ccdma_virtio_transport *t);

/*
 * Bring up a transport as far as FEATURES_OK: check the device type
 * (expect_id), reset, ACKNOWLEDGE|DRIVER, and negotiate. As
 * ccdma_virtio_init otherwise.
 */
int ccdma_virtio_init_transport(struct ccdma_virtio_dev *vdev,
                                const struct ccdma_virtio_transport *t, uint32_t expect_id,
                                uint64_t device_ok, const char *name);

/*
 * Bring up the virtio-mmio transport at base as far as FEATURES_OK: check
 * the window, magic, version and device id (expect_id), reset,
 * ACKNOWLEDGE|DRIVER, and negotiate. The driver accepts VERSION_1 (required), ACCESS_PLATFORM
 * (required when ccdma_plat_cc_active()) and the bits in device_ok. Legacy
 * transports are refused: CCDMA_ENOTSUP. A device without a required feature,
 * or that refuses FEATURES_OK, gets status FAILED and CCDMA_ENODEV.
 * Also registers vdev->dma with the DMA layer (name is kept by pointer).
 */
int ccdma_virtio_init(struct ccdma_virtio_dev *vdev, uintptr_t base,
                      size_t size, uint32_t expect_id, uint64_t device_ok,
                      const char *name);

/* Set DRIVER_OK once the queues are set up. */
int ccdma_virtio_ready(struct ccdma_virtio_dev *vdev);

/* Fence the device off: BROKEN with err and why, status FAILED, then reset
 * so that it stops using the rings. The first reason is kept. Whether the
 * reset completed is left in vdev->reset_failed. */
void ccdma_virtio_break(struct ccdma_virtio_dev *vdev, int err,
                        const char *why);

/* Reset the device (bounded wait for the status to read 0). Sets
 * vdev->reset_failed when the wait expires (CCDMA_ETIMEDOUT), clears it
 * when the status reads 0. */
int ccdma_virtio_reset(struct ccdma_virtio_dev *vdev);

/*
 * Read nwords consecutive 32-bit words of the device config space starting
 * at byte off (4-aligned), all inside one generation: the read is repeated
 * while ConfigGeneration changes, and fails with CCDMA_EPROTO if it never
 * settles. Values are raw; callers validate them.
 */
int ccdma_virtio_config_read(struct ccdma_virtio_dev *vdev, size_t off,
                             uint32_t *words, size_t nwords);

/* Name of a feature bit of a device type for reports, or NULL if this
 * driver does not know it. */
const char *ccdma_virtio_feature_name(uint32_t device_id, unsigned int bit);

/* ---- Split virtqueue ------------------------------------------------------------ */

/* Private copy of one descriptor as posted. */
struct ccdma_virtq_shadow {
    ccdma_dma_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct ccdma_virtq_stats {
    uint64_t posted;       /* chains made available */
    uint64_t completed;    /* used entries accepted */
    uint64_t len_clamped;  /* used lengths larger than the writable bytes posted */
    uint64_t polls;        /* reads of used.idx */
    /* Memory left to a device whose reset never completed, never
     * given back (dma-debug shows it live; ccdma_shutdown counts it). */
    uint64_t leaked_maps;   /* request buffers left mapped after a failure */
    uint64_t leaked_allocs; /* coherent blocks (rings, blk header) kept at remove */
};

struct ccdma_virtq {
    struct ccdma_virtio_dev *vdev;
    uint16_t index;
    uint16_t num;          /* ring size, a power of two <= CCDMA_VIRTQ_MAX */

    /* Shared with the device (coherent DMA memory). Written by the driver
     * (desc, avail) or read through the accessor layer only (used). */
    void *desc, *avail, *used;
    ccdma_dma_t desc_dma, avail_dma, used_dma;

    /* Private: the truth about what was posted. */
    struct ccdma_virtq_shadow shadow[CCDMA_VIRTQ_MAX];
    uint8_t st[CCDMA_VIRTQ_MAX];        /* per-descriptor state */
    uint32_t wlen[CCDMA_VIRTQ_MAX];     /* per head: device-writable bytes posted */
    uint32_t used_len[CCDMA_VIRTQ_MAX]; /* per head: clamped length once completed */
    uint16_t free_head;
    uint16_t num_free;
    uint16_t avail_idx;  /* next avail.idx to publish */
    uint16_t last_used;  /* used entries consumed so far (mod 2^16) */
    uint16_t inflight;   /* heads lent to the device, not yet seen used */
    struct ccdma_virtq_stats stats;
};

/* One driver buffer of a chain: device-readable ones first. */
struct ccdma_virtq_buf {
    ccdma_dma_t addr;
    uint32_t len;
    bool device_writes;
};

/* Allocate the rings (coherent) and program queue index into the device. */
int ccdma_virtq_setup(struct ccdma_virtq *vq, struct ccdma_virtio_dev *vdev,
                      uint16_t index);
/* Free the rings. The device must be reset first (ccdma_virtio_reset); if
 * that reset did not complete (vdev->reset_failed) the rings are kept for
 * good instead, counted in stats.leaked_allocs. */
void ccdma_virtq_teardown(struct ccdma_virtq *vq);

/* Complete by interrupt (on) or by polling: sets vdev->irq_mode and tells
 * the device through the avail ring's flags. Call on once the device's
 * line reaches ccdma_virtio_interrupt. */
void ccdma_virtq_set_interrupts(struct ccdma_virtq *vq, bool on);

/* Post one chain (readable buffers before writable ones). Returns the head
 * id in *head. CCDMA_ENOSPC when too few descriptors are free. */
int ccdma_virtq_add(struct ccdma_virtq *vq, const struct ccdma_virtq_buf *bufs,
                    unsigned int n, uint16_t *head);
/* Notify the device of new chains. */
void ccdma_virtq_kick(struct ccdma_virtq *vq);
/* Harvest used entries once. Returns how many were accepted, or
 * CCDMA_EBROKEN after breaking the device on a protocol violation. */
int ccdma_virtq_poll(struct ccdma_virtq *vq);
/*
 * Wait (bounded by the device budget) until head completes, then return its
 * descriptors to the free list and its length, clamped to the writable bytes
 * posted, in *len. Timeout: the device is broken, CCDMA_ETIMEDOUT. After a
 * failure the chain's buffers may be unmapped only if !vdev->reset_failed.
 */
int ccdma_virtq_wait(struct ccdma_virtq *vq, uint16_t head, uint32_t *len);

/* ---- Requests over the DMA API ----------------------------------------------------- */

/* Which way a request's buffers reached the device. */
enum ccdma_io_path {
    CCDMA_PATH_NONE = 0,
    CCDMA_PATH_DIRECT,   /* every buffer used in place */
    CCDMA_PATH_BOUNCED,  /* every buffer copied through a bounce pool */
    CCDMA_PATH_MIXED,
};

const char *ccdma_io_path_name(enum ccdma_io_path p);

/* A buffer of a request, in CPU terms. */
struct ccdma_virtio_buf {
    void *va;
    size_t len;
    bool device_writes; /* the device fills it (FROM_DEVICE) */
    bool shared;        /* already shared memory: mapped CCDMA_ATTR_CC_SHARED */
    /* A status the device writes whatever its used length counts (blk's
     * status byte: kvmtool leaves it out): always copied back. */
    bool status;
    bool bounced;       /* out: the DMA layer bounced it */
    bool leaked;        /* out: left mapped for good, see below */
};

/*
 * The whole life of one request: map each buffer (streaming API), post the
 * chain, kick, wait, unmap. Readable buffers must come first. On success
 * *used_len (optional) is the device's length clamped to the writable bytes
 * and *path (optional) says how the buffers travelled. On success only the
 * used bytes of the writable buffers (in order) are copied back, and each
 * status buffer; the rest of a bounced buffer keeps what the caller had.
 * On failure a device-writable buffer is not copied back, and nothing stays mapped,
 * except in one case: the chain reached the device, the request failed
 * (timeout or protocol violation) and the reset that fenced the device off
 * did not complete. The device may then still read and write those
 * buffers, so they stay mapped for good (each marked leaked, counted in
 * vq->stats.leaked_maps, and reported): a bounce slot is never handed out
 * again, and the caller must never reuse a buffer used in place.
 */
int ccdma_virtio_request(struct ccdma_virtq *vq, struct ccdma_virtio_buf *bufs,
                         unsigned int n, uint32_t *used_len,
                         enum ccdma_io_path *path);

/* ---- Shared-memory accessor hook (host test and fuzz builds only) ----------------- */

#if defined(CCDMA_VIRTQ_HOOKS) && CCDMA_VIRTQ_HOOKS
enum ccdma_virtq_field {
    CCDMA_VQF_USED_IDX,  /* slot unused */
    CCDMA_VQF_USED_ID,   /* slot: used ring slot */
    CCDMA_VQF_USED_LEN,
    CCDMA_VQF_DEV_U8,    /* a device-written byte of a request (blk status) */
};

/* Called after every read of device-writable shared memory with the value
 * read; it may replace *value (fuzzing) or count reads (double-fetch
 * checks). NULL hook: no call. */
typedef void (*ccdma_virtq_read_hook)(void *ctx, const void *where,
                                      enum ccdma_virtq_field field,
                                      uint16_t slot, uint32_t *value);
void ccdma_virtq_set_read_hook(ccdma_virtq_read_hook hook, void *ctx);

/* Called when the driver starts one decision over device-written memory:
 * a harvest of vq's used ring (used.idx, then each new entry), and, for
 * blk, the status read that follows it. Each shared field is read at most
 * once between two calls (the double-fetch check's window). */
typedef void (*ccdma_virtq_decision_hook)(void *ctx, const struct ccdma_virtq *vq);
void ccdma_virtq_set_decision_hook(ccdma_virtq_decision_hook hook, void *ctx);
#endif

/* ---- virtio-rng ------------------------------------------------------------------------- */

/* Bytes per rng request; callers loop for more. */
#define CCDMA_RNG_REQ_MAX 4096u

struct ccdma_rng {
    struct ccdma_virtio_dev vdev;
    struct ccdma_virtq vq;
    enum ccdma_io_path last_path;
};

/* Probe the virtio-rng at base (a virtio-mmio window of size bytes), or
 * behind any transport. */
int ccdma_rng_probe(struct ccdma_rng *rng, uintptr_t base, size_t size);
int ccdma_rng_probe_transport(struct ccdma_rng *rng, const struct ccdma_virtio_transport *t);
/* Fill buf with up to len bytes from the device: returns the number of
 * bytes written (<= len and <= CCDMA_RNG_REQ_MAX, possibly 0), or a CCDMA_E*
 * code. shared: buf is shared (coherent) memory, used in place. The host
 * chooses these bytes: mix them into a pool, never use them alone. After a
 * failure with rng->vdev.reset_failed set, a buf used in place (shared, or
 * any buf outside a realm) may still be written by the device: never reuse
 * it (ccdma_virtio_request). */
int ccdma_rng_read(struct ccdma_rng *rng, void *buf, size_t len, bool shared);
/* Reset the device and free everything probe allocated. */
void ccdma_rng_remove(struct ccdma_rng *rng);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_VIRTIO_H */
