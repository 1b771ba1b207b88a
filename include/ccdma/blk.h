/* SPDX-License-Identifier: MIT */
/*
 * A small block API over virtio-blk.
 *
 * Addresses are in 512-byte sectors (virtio's unit, whatever the device's
 * block size). Transfers are whole sectors. A request that does not fit the
 * disk fails with CCDMA_EINVAL before anything reaches the device; one with
 * more segments or larger segments than the device takes is split into
 * several device requests (a failure part-way leaves the earlier ones
 * done). A write to a read-only device (VIRTIO_BLK_F_RO) fails with
 * CCDMA_EROFS and posts nothing. Requests are synchronous (polled, bounded by the device's
 * time budget).
 *
 * Buffers are ordinary private memory by default: in a realm they bounce
 * through a shared pool. A buffer from ccdma_alloc_coherent() on
 * ccdma_blk_dma_device() is already shared: pass CCDMA_BLK_SHARED and it is
 * used in place. ccdma_blk_last_path() tells which way the last request went.
 *
 * The device is untrusted: the data read is what the host stored. Protect
 * integrity and confidentiality above this layer.
 */
#ifndef CCDMA_BLK_H
#define CCDMA_BLK_H

#include <ccdma/virtio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CCDMA_BLK_SECTOR_SIZE 512u

/* Request flags. */
#define CCDMA_BLK_SHARED (1u << 0) /* the buffers are shared (coherent) memory */

/* Most data segments in one call (a device request takes at most seg_max
 * of them; header and status take two more descriptors). */
#define CCDMA_BLK_MAX_SEGS (CCDMA_VIRTQ_MAX - 2u)

struct ccdma_blk_seg {
    void *buf;
    size_t len; /* a multiple of CCDMA_BLK_SECTOR_SIZE */
};

struct ccdma_blk_stats {
    uint64_t reads, writes, flushes;
    uint64_t errors;           /* requests that failed */
    uint64_t segs_direct;      /* data segments used in place */
    uint64_t segs_bounced;     /* data segments that bounced */
    uint64_t used_without_status; /* reads whose used length left out the status byte */
    uint64_t split;            /* calls carried by more than one device request */
};

struct ccdma_blk {
    struct ccdma_virtio_dev vdev;
    struct ccdma_virtq vq;
    uint64_t capacity;        /* sectors */
    uint32_t seg_max;         /* data segments per request */
    uint32_t size_max;        /* bytes per segment */
    bool read_only;
    void *hdr;                /* coherent: request header, then status byte */
    ccdma_dma_t hdr_dma;
    bool hdr_shared;          /* the coherent block is shared memory */
    enum ccdma_io_path last_path;
    struct ccdma_blk_stats stats;
    /* One request at a time (one header block): callers on several CPUs
     * take turns through `busy` (atomic). */
    bool busy;
};

/*
 * Probe the virtio-blk device behind the virtio-mmio window [base, base+size)
 * (from the DTB): negotiate, read and check the config, set up the queue.
 * Returns 0, or CCDMA_ENODEV (not a usable blk device), CCDMA_ENOTSUP
 * (legacy transport), CCDMA_EPROTO (bad config), CCDMA_ETIMEDOUT, or a DMA
 * layer error. On failure nothing stays allocated.
 */
int ccdma_blk_probe(struct ccdma_blk *blk, uintptr_t base, size_t size);
/* The same, behind any transport (virtio-mmio or virtio-pci). */
int ccdma_blk_probe_transport(struct ccdma_blk *blk, const struct ccdma_virtio_transport *t);
/* Reset the device and free everything probe allocated. */
void ccdma_blk_remove(struct ccdma_blk *blk);

/* Capacity in 512-byte sectors. */
uint64_t ccdma_blk_capacity(const struct ccdma_blk *blk);

int ccdma_blk_read(struct ccdma_blk *blk, uint64_t sector, void *buf,
                   size_t len, unsigned int flags);
int ccdma_blk_write(struct ccdma_blk *blk, uint64_t sector, const void *buf,
                    size_t len, unsigned int flags);
/* Multi-segment: the segments are consecutive on disk from sector. */
int ccdma_blk_readv(struct ccdma_blk *blk, uint64_t sector,
                    const struct ccdma_blk_seg *segs, unsigned int nsegs,
                    unsigned int flags);
int ccdma_blk_writev(struct ccdma_blk *blk, uint64_t sector,
                     const struct ccdma_blk_seg *segs, unsigned int nsegs,
                     unsigned int flags);
/* Make completed writes durable (a no-op when the device has no cache to
 * flush, i.e. did not offer VIRTIO_BLK_F_FLUSH). */
int ccdma_blk_flush(struct ccdma_blk *blk);

/* The DMA device to allocate shared buffers on (ccdma_alloc_coherent). */
struct ccdma_device *ccdma_blk_dma_device(struct ccdma_blk *blk);

/* How the data of the last successful request travelled. */
enum ccdma_io_path ccdma_blk_last_path(const struct ccdma_blk *blk);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_BLK_H */
