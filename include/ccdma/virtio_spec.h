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
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060u
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064u
#define VIRTIO_MMIO_STATUS 0x070u
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080u
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084u
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090u
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094u
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0u
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4u
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fcu
/* Legacy (version 1) registers, virtio 1.2, 4.2.4: one contiguous ring
 * area at QueuePFN * GuestPageSize, the used ring at QueueAlign. */
#define VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE 0x028u
#define VIRTIO_MMIO_LEGACY_QUEUE_ALIGN 0x03cu
#define VIRTIO_MMIO_LEGACY_QUEUE_PFN 0x040u
#define VIRTIO_MMIO_LEGACY_PAGE 4096u
#define VIRTIO_MMIO_CONFIG 0x100u

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u /* "virt" */

/* ---- virtio-pci (virtio 1.2, 4.1) ---------------------------------------------- */

#define VIRTIO_PCI_VENDOR 0x1af4u
#define VIRTIO_PCI_DEVICE_MODERN 0x1040u    /* + device type (4.1.2.1) */
#define VIRTIO_PCI_DEVICE_LEGACY_FIRST 0x1000u /* transitional: 0x1000..0x103f, */
#define VIRTIO_PCI_DEVICE_LEGACY_LAST 0x103fu  /* type in the subsystem device ID */

/* struct virtio_pci_cap, a vendor-specific capability (4.1.4). */
#define VIRTIO_PCI_CAP_ID 0x09u
#define VIRTIO_PCI_CAP_LEN 2u
#define VIRTIO_PCI_CAP_CFG_TYPE 3u
#define VIRTIO_PCI_CAP_BAR 4u
#define VIRTIO_PCI_CAP_OFFSET 8u
#define VIRTIO_PCI_CAP_LENGTH 12u
#define VIRTIO_PCI_CAP_NOTIFY_MULT 16u /* struct virtio_pci_notify_cap */
#define VIRTIO_PCI_CAP_MIN_LEN 16u
#define VIRTIO_PCI_NOTIFY_CAP_MIN_LEN 20u

#define VIRTIO_PCI_CAP_COMMON_CFG 1u
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2u
#define VIRTIO_PCI_CAP_ISR_CFG 3u
#define VIRTIO_PCI_CAP_DEVICE_CFG 4u

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT 0x00u /* le32 */
#define VIRTIO_PCI_COMMON_DF 0x04u       /* le32 */
#define VIRTIO_PCI_COMMON_GFSELECT 0x08u /* le32 */
#define VIRTIO_PCI_COMMON_GF 0x0cu       /* le32 */
#define VIRTIO_PCI_COMMON_MSIX 0x10u     /* le16 */
#define VIRTIO_PCI_COMMON_NUMQ 0x12u     /* le16 */
#define VIRTIO_PCI_COMMON_STATUS 0x14u   /* u8 */
#define VIRTIO_PCI_COMMON_CFGGENERATION 0x15u /* u8 */
#define VIRTIO_PCI_COMMON_Q_SELECT 0x16u /* le16 */
#define VIRTIO_PCI_COMMON_Q_SIZE 0x18u   /* le16 */
#define VIRTIO_PCI_COMMON_Q_MSIX 0x1au   /* le16 */
#define VIRTIO_PCI_COMMON_Q_ENABLE 0x1cu /* le16 */
#define VIRTIO_PCI_COMMON_Q_NOFF 0x1eu   /* le16 */
#define VIRTIO_PCI_COMMON_Q_DESCLO 0x20u /* le64 as two le32 */
#define VIRTIO_PCI_COMMON_Q_DESCHI 0x24u
#define VIRTIO_PCI_COMMON_Q_AVAILLO 0x28u
#define VIRTIO_PCI_COMMON_Q_AVAILHI 0x2cu
#define VIRTIO_PCI_COMMON_Q_USEDLO 0x30u
#define VIRTIO_PCI_COMMON_Q_USEDHI 0x34u
#define VIRTIO_PCI_COMMON_MIN_LEN 0x38u  /* through queue_device */
#define VIRTIO_PCI_NO_VECTOR 0xffffu

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
/* The legacy layout (virtio 1.2, 2.7.2 "Legacy Interfaces"): descriptors,
 * then the avail ring, then the used ring at the next aligned boundary. */
#define VRING_LEGACY_ALIGN(x) (((x) + VIRTIO_MMIO_LEGACY_PAGE - 1) & ~(size_t)(VIRTIO_MMIO_LEGACY_PAGE - 1))
#define VRING_LEGACY_USED_OFF(num) VRING_LEGACY_ALIGN(VRING_DESC_BYTES(num) + VRING_AVAIL_BYTES(num))
#define VRING_LEGACY_BYTES(num) (VRING_LEGACY_USED_OFF(num) + VRING_LEGACY_ALIGN(VRING_USED_BYTES(num)))

#endif /* CCDMA_VIRTIO_SPEC_H */
