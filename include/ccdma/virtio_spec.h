/* SPDX-License-Identifier: MIT */
/*
 * Numbers and layouts from the virtio 1.2 specification that both sides of
 * a virtio device use: the virtio-mmio register map (4.2.2), device status
 * bits (2.1) and the split virtqueue (2.7). The runtime's driver and the
 * host's doorbell check include it; neither owns it.
 */
#ifndef CCDMA_VIRTIO_SPEC_H
#define CCDMA_VIRTIO_SPEC_H

#include <stddef.h>
#include <stdint.h>

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
#define VIRTQ_DESC_F_INDIRECT 4u
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

#endif /* CCDMA_VIRTIO_SPEC_H */
