/* SPDX-License-Identifier: MIT */
/* Private to drivers/virtio: register map, ring layout, and the functions
 * the transport, ring and accessor files give each other. */
#ifndef CCDMA_VIRTIO_INTERNAL_H
#define CCDMA_VIRTIO_INTERNAL_H

#include <ccdma/virtio.h>

/* virtio is little-endian; the ring accessors store and load natively. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "drivers/virtio assumes a little-endian CPU"
#endif

/* ---- virtio-mmio version 2 registers (virtio 1.2, 4.2.2) --------------------- */

#define VIRTIO_MMIO_MAGIC 0x000u
#define VIRTIO_MMIO_VERSION 0x004u
#define VIRTIO_MMIO_DEVICE_ID 0x008u
#define VIRTIO_MMIO_VENDOR_ID 0x00cu
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010u
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014u
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020u
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024u
#define VIRTIO_MMIO_QUEUE_SEL 0x030u
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034u
#define VIRTIO_MMIO_QUEUE_NUM 0x038u
#define VIRTIO_MMIO_QUEUE_READY 0x044u
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050u
#define VIRTIO_MMIO_STATUS 0x070u
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080u
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084u
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090u
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094u
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0u
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4u
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fcu
#define VIRTIO_MMIO_CONFIG 0x100u

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u /* "virt" */

#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

/* ---- Split ring layout (virtio 1.2, 2.7) --------------------------------------- */

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

struct vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[]; /* num entries, then used_event */
};

struct vring_used_elem {
    uint32_t id;
    uint32_t len;
};

struct vring_used {
    uint16_t flags;
    uint16_t idx;
    struct vring_used_elem ring[]; /* num entries, then avail_event */
};

#define VRING_DESC_BYTES(num) (sizeof(struct vring_desc) * (size_t)(num))
#define VRING_AVAIL_BYTES(num) (6u + 2u * (size_t)(num))
#define VRING_USED_BYTES(num) (6u + sizeof(struct vring_used_elem) * (size_t)(num))

/* Private per-descriptor state (ccdma_virtq.st). */
enum {
    VQ_FREE = 0,
    VQ_HEAD_INFLIGHT, /* chain head lent to the device */
    VQ_HEAD_DONE,     /* chain head seen in the used ring, not yet reclaimed */
    VQ_BODY,          /* a later descriptor of a lent chain */
};

/* ---- Transport, for the ring code (virtio_mmio.c) -------------------------------- */

/* Select queue index and return QueueNumMax, or a negative code if the
 * queue is unavailable or already live. */
int virtio_mmio_queue_max(struct ccdma_virtio_dev *vdev, uint16_t index);
void virtio_mmio_queue_enable(struct ccdma_virtio_dev *vdev, uint16_t index,
                              uint16_t num, ccdma_dma_t desc, ccdma_dma_t avail,
                              ccdma_dma_t used);
void virtio_mmio_notify(struct ccdma_virtio_dev *vdev, uint16_t index);

/* Deadline for a wait that starts now, saturating. */
uint64_t virtio_deadline(const struct ccdma_virtio_dev *vdev);

/* ---- The shared-memory accessor layer (virtq_shared.c) ------------------------------
 * Every access to ring memory goes through these, and every read of memory
 * the device may write is one load whose result the caller keeps. */

void vq_sh_init(struct ccdma_virtq *vq);
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
