/* SPDX-License-Identifier: MIT */
/* Private to drivers/virtio: the functions the transport, ring and
 * accessor files give each other. The register map and the ring layout
 * are the specification's (ccdma/virtio_spec.h). */
#ifndef CCDMA_VIRTIO_INTERNAL_H
#define CCDMA_VIRTIO_INTERNAL_H

#include <ccdma/virtio.h>
#include <ccdma/virtio_spec.h>

/* virtio is little-endian; the ring accessors store and load natively. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "drivers/virtio assumes a little-endian CPU"
#endif

/* Private per-descriptor state (ccdma_virtq.st). */
enum {
    VQ_FREE = 0,
    VQ_HEAD_INFLIGHT, /* chain head lent to the device */
    VQ_HEAD_DONE,     /* chain head seen in the used ring, not yet reclaimed */
    VQ_BODY,          /* a later descriptor of a lent chain */
};

/* ---- Transport operations (virtio_mmio.c, virtio_pci.c) ---------------------------
 * What differs between transports; the status machine, negotiation and the
 * config generation loop above them are written once (virtio_dev.c). Every
 * value a getter returns is the device's, unchecked. */

struct virtio_transport_ops {
    uint32_t (*get_status)(const struct ccdma_virtio_dev *vdev);
    void (*set_status)(struct ccdma_virtio_dev *vdev, uint32_t status);
    /* One 32-bit half (sel 0 or 1) of the device's or the driver's features. */
    uint32_t (*get_features)(struct ccdma_virtio_dev *vdev, unsigned int sel);
    void (*set_features)(struct ccdma_virtio_dev *vdev, unsigned int sel, uint32_t bits);
    /* Select queue index and return its maximum size, or a negative code if
     * the queue is unavailable or claims to be live already. */
    int (*queue_max)(struct ccdma_virtio_dev *vdev, uint16_t index);
    /* Program and enable the selected queue; a negative code when the
     * device's answer (a notify offset) cannot be used. */
    int (*queue_enable)(struct ccdma_virtio_dev *vdev, uint16_t index, uint16_t num,
                        ccdma_dma_t desc, ccdma_dma_t avail, ccdma_dma_t used);
    void (*notify)(struct ccdma_virtio_dev *vdev, uint16_t index);
    uint32_t (*config_generation)(const struct ccdma_virtio_dev *vdev);
    /* A 32-bit word of device config at off, inside config_len. */
    uint32_t (*config_read32)(const struct ccdma_virtio_dev *vdev, size_t off);
    /* Acknowledge the device's interrupt (virtio 1.2, 4.1.4.5 and 4.2.2):
     * what it raised, as read (0: not this device). */
    uint32_t (*ack_interrupt)(struct ccdma_virtio_dev *vdev);
};

extern const struct virtio_transport_ops virtio_mmio_ops;
extern const struct virtio_transport_ops virtio_mmio_legacy_ops;
extern const struct virtio_transport_ops virtio_pci_ops;

/* Deadline for a wait that starts now, saturating. */
uint64_t virtio_deadline(const struct ccdma_virtio_dev *vdev);

/* ---- The shared-memory accessor layer (virtq_shared.c) ------------------------------
 * Every access to ring memory goes through these, and every read of memory
 * the device may write is one load whose result the caller keeps. */

void vq_sh_init(struct ccdma_virtq *vq);
/* The avail ring's flags: interrupts wanted or not (a hint to the device). */
void vq_sh_set_interrupts(struct ccdma_virtq *vq, bool on);
void vq_sh_write_desc(struct ccdma_virtq *vq, uint16_t i,
                      const struct ccdma_virtq_shadow *d);
void vq_sh_write_avail(struct ccdma_virtq *vq, uint16_t slot, uint16_t head);
/* Write barrier, then avail.idx = idx. */
void vq_sh_publish_avail(struct ccdma_virtq *vq, uint16_t idx);
/* used.idx, read once, followed by a read barrier. */
uint16_t vq_sh_used_idx(struct ccdma_virtq *vq);
/* One used element, each field read once. */
void vq_sh_used_elem(struct ccdma_virtq *vq, uint16_t slot, uint32_t *id,
                     uint32_t *len);
/* A byte the device wrote into a request buffer (blk status). */
uint8_t vq_sh_dev_u8(const void *p);
/* A new decision over device-written memory starts (one harvest of the
 * used ring): the double-fetch check's window. Nothing outside hook builds. */
#if defined(CCDMA_VIRTQ_HOOKS) && CCDMA_VIRTQ_HOOKS
void vq_sh_decision(struct ccdma_virtq *vq);
#else
#define vq_sh_decision(vq) ((void)(vq))
#endif

#endif /* CCDMA_VIRTIO_INTERNAL_H */
