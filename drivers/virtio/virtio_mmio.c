/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio transport (virtio 1.2, 4.2): the identity checks and the
 * register map under the shared operations of virtio_dev.c. Version 2 is
 * the modern interface; version 1, the legacy one (4.2.4, QEMU's default),
 * is driven in plain mode as U-Boot and Linux drive it, and refused in a
 * realm.
 */
#include "virtio_internal.h"

#include <string.h>

static uint32_t rd32(const struct ccdma_virtio_dev *vdev, uint32_t off)
{
    return ccdma_plat_mmio_read32(vdev->base + off);
}

static void wr32(const struct ccdma_virtio_dev *vdev, uint32_t off, uint32_t v)
{
    ccdma_plat_mmio_write32(vdev->base + off, v);
}

/* The register block must be addressable with aligned 32-bit accesses and
 * hold at least the common registers. */
static int check_window(uintptr_t base, size_t size)
{
    if (base == 0 || (base & 3u) != 0 || size < VIRTIO_MMIO_CONFIG ||
        size > UINTPTR_MAX - base)
        return CCDMA_EINVAL;
    return 0;
}

int ccdma_virtio_mmio_identify(uintptr_t base, size_t size,
                               struct ccdma_virtio_mmio_id *out)
{
    if (out == NULL)
        return CCDMA_EINVAL;
    memset(out, 0, sizeof(*out));
    int err = check_window(base, size);
    if (err)
        return err;
    out->magic = ccdma_plat_mmio_read32(base + VIRTIO_MMIO_MAGIC);
    if (out->magic != VIRTIO_MMIO_MAGIC_VALUE)
        return CCDMA_ENODEV;
    out->version = ccdma_plat_mmio_read32(base + VIRTIO_MMIO_VERSION);
    out->device_id = ccdma_plat_mmio_read32(base + VIRTIO_MMIO_DEVICE_ID);
    out->vendor_id = ccdma_plat_mmio_read32(base + VIRTIO_MMIO_VENDOR_ID);
    return 0;
}

int ccdma_virtio_mmio_transport(uintptr_t base, size_t size,
                                struct ccdma_virtio_transport *t)
{
    if (t == NULL)
        return CCDMA_EINVAL;
    memset(t, 0, sizeof(*t));
    int err = ccdma_virtio_mmio_identify(base, size, &t->id);
    if (err)
        return err;
    /* Legacy has neither VERSION_1 nor ACCESS_PLATFORM: a realm's device
     * could not be told to use shared (platform) DMA addresses. */
    if ((t->id.version != 1 && t->id.version != 2) || t->id.device_id == CCDMA_VIRTIO_ID_NONE)
        return CCDMA_ENODEV; /* an empty slot, either version */
    if (t->id.version == 1 && ccdma_plat_cc_active())
        return CCDMA_ENOTSUP;
    t->kind = CCDMA_VIRTIO_MMIO;
    t->device_id = t->id.device_id;
    t->base = base;
    t->size = size;
    return 0;
}

static uint32_t mmio_get_status(const struct ccdma_virtio_dev *vdev)
{
    return rd32(vdev, VIRTIO_MMIO_STATUS);
}

static void mmio_set_status(struct ccdma_virtio_dev *vdev, uint32_t status)
{
    wr32(vdev, VIRTIO_MMIO_STATUS, status);
}

static uint32_t mmio_get_features(struct ccdma_virtio_dev *vdev, unsigned int sel)
{
    wr32(vdev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
    return rd32(vdev, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void mmio_set_features(struct ccdma_virtio_dev *vdev, unsigned int sel, uint32_t bits)
{
    wr32(vdev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
    wr32(vdev, VIRTIO_MMIO_DRIVER_FEATURES, bits);
}

/* Select queue index, check it is idle by live_reg (QueueReady, or the
 * legacy QueuePFN) and read its maximum size. */
static int queue_max_idle(struct ccdma_virtio_dev *vdev, uint16_t index, uint32_t live_reg)
{
    wr32(vdev, VIRTIO_MMIO_QUEUE_SEL, index);
    /* Just reset: a queue that claims to be live is lying. */
    if (rd32(vdev, live_reg) != 0)
        return CCDMA_EPROTO;
    uint32_t max = rd32(vdev, VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0)
        return CCDMA_ENODEV;
    return max > UINT16_MAX ? UINT16_MAX : (int)max;
}

static int mmio_queue_max(struct ccdma_virtio_dev *vdev, uint16_t index)
{
    return queue_max_idle(vdev, index, VIRTIO_MMIO_QUEUE_READY);
}

static int mmio_queue_enable(struct ccdma_virtio_dev *vdev, uint16_t index, uint16_t num,
                             ccdma_dma_t desc, ccdma_dma_t avail, ccdma_dma_t used)
{
    wr32(vdev, VIRTIO_MMIO_QUEUE_SEL, index);
    wr32(vdev, VIRTIO_MMIO_QUEUE_NUM, num);
    wr32(vdev, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    wr32(vdev, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    wr32(vdev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr32(vdev, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr32(vdev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr32(vdev, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr32(vdev, VIRTIO_MMIO_QUEUE_READY, 1);
    return 0;
}

static void mmio_notify(struct ccdma_virtio_dev *vdev, uint16_t index)
{
    wr32(vdev, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

static uint32_t mmio_config_generation(const struct ccdma_virtio_dev *vdev)
{
    return rd32(vdev, VIRTIO_MMIO_CONFIG_GENERATION);
}

static uint32_t mmio_config_read32(const struct ccdma_virtio_dev *vdev, size_t off)
{
    return rd32(vdev, (uint32_t)(VIRTIO_MMIO_CONFIG + off));
}

static uint32_t mmio_ack_interrupt(struct ccdma_virtio_dev *vdev)
{
    uint32_t st = rd32(vdev, VIRTIO_MMIO_INTERRUPT_STATUS);

    if (st)
        wr32(vdev, VIRTIO_MMIO_INTERRUPT_ACK, st);
    return st;
}

const struct virtio_transport_ops virtio_mmio_ops = {
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = mmio_get_features,
    .set_features = mmio_set_features,
    .queue_max = mmio_queue_max,
    .queue_enable = mmio_queue_enable,
    .notify = mmio_notify,
    .config_generation = mmio_config_generation,
    .config_read32 = mmio_config_read32,
    .ack_interrupt = mmio_ack_interrupt,
};

/* ---- Legacy (version 1) -------------------------------------------------------------- */

static int legacy_queue_max(struct ccdma_virtio_dev *vdev, uint16_t index)
{
    wr32(vdev, VIRTIO_MMIO_LEGACY_GUEST_PAGE_SIZE, VIRTIO_MMIO_LEGACY_PAGE);
    return queue_max_idle(vdev, index, VIRTIO_MMIO_LEGACY_QUEUE_PFN);
}

/* The device finds the three rings from one page number, so they must be
 * the one contiguous area the legacy layout describes. */
static int legacy_queue_enable(struct ccdma_virtio_dev *vdev, uint16_t index, uint16_t num,
                               ccdma_dma_t desc, ccdma_dma_t avail, ccdma_dma_t used)
{
    uint64_t pfn = desc / VIRTIO_MMIO_LEGACY_PAGE;
    if (desc % VIRTIO_MMIO_LEGACY_PAGE != 0 || pfn == 0 || pfn > UINT32_MAX ||
        avail != desc + VRING_DESC_BYTES(num) || used != desc + VRING_LEGACY_USED_OFF(num))
        return CCDMA_EINVAL;
    wr32(vdev, VIRTIO_MMIO_QUEUE_SEL, index);
    wr32(vdev, VIRTIO_MMIO_QUEUE_NUM, num);
    wr32(vdev, VIRTIO_MMIO_LEGACY_QUEUE_ALIGN, VIRTIO_MMIO_LEGACY_PAGE);
    wr32(vdev, VIRTIO_MMIO_LEGACY_QUEUE_PFN, (uint32_t)pfn);
    return 0;
}

/* No generation counter: a config read is taken as it comes, as legacy
 * drivers take it. */
static uint32_t legacy_config_generation(const struct ccdma_virtio_dev *vdev)
{
    (void)vdev;
    return 0;
}

const struct virtio_transport_ops virtio_mmio_legacy_ops = {
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = mmio_get_features,
    .set_features = mmio_set_features,
    .queue_max = legacy_queue_max,
    .queue_enable = legacy_queue_enable,
    .notify = mmio_notify,
    .config_generation = legacy_config_generation,
    .config_read32 = mmio_config_read32,
    .ack_interrupt = mmio_ack_interrupt,
};
