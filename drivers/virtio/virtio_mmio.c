/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio version 2 transport: identity checks, reset, the status state
 * machine, feature negotiation, queue registers and config space.
 *
 * Every register value is host-controlled. The driver keeps its own copy of
 * the status it wrote and never builds a new status from what it reads.
 */
#include "virtio_internal.h"

#include <string.h>

/* A config read that keeps changing is a hostile or broken device; a real
 * one settles at once, so a few retries are plenty. */
#define CONFIG_READ_TRIES 8u

static uint32_t rd32(const struct ccdma_virtio_dev *vdev, uint32_t off)
{
    return ccdma_plat_mmio_read32(vdev->base + off);
}

static void wr32(const struct ccdma_virtio_dev *vdev, uint32_t off, uint32_t v)
{
    ccdma_plat_mmio_write32(vdev->base + off, v);
}

static void set_status(struct ccdma_virtio_dev *vdev, uint32_t status)
{
    vdev->status = status;
    wr32(vdev, VIRTIO_MMIO_STATUS, status);
}

uint64_t virtio_deadline(const struct ccdma_virtio_dev *vdev)
{
    uint64_t now = ccdma_plat_time_ns();
    return vdev->budget_ns > UINT64_MAX - now ? UINT64_MAX : now + vdev->budget_ns;
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

int ccdma_virtio_reset(struct ccdma_virtio_dev *vdev)
{
    set_status(vdev, 0);
    /* virtio 1.2, 4.2.3.1: wait for the status to read 0 before reuse. */
    uint64_t deadline = virtio_deadline(vdev);
    while (rd32(vdev, VIRTIO_MMIO_STATUS) != 0) {
        if (ccdma_plat_time_ns() >= deadline) {
            /* Kept, not just returned: until a reset completes the device
             * may go on using what it was given, and the code that would
             * unmap or free that memory (the request path, remove) must
             * know, whoever asked for the reset. */
            vdev->reset_failed = true;
            return CCDMA_ETIMEDOUT;
        }
        ccdma_plat_relax();
    }
    vdev->reset_failed = false;
    return 0;
}

void ccdma_virtio_break(struct ccdma_virtio_dev *vdev, int err, const char *why)
{
    if (vdev->state == CCDMA_VIRTIO_BROKEN)
        return;
    vdev->state = CCDMA_VIRTIO_BROKEN;
    vdev->broken_err = err;
    vdev->broken_why = why;
    /* Tell the host we gave up, then reset so the device stops using the
     * rings and buffers. A device that ignores the reset may still DMA into
     * them: a direct mapping (plain mode, shared buffers) or a bounce slot
     * that would be handed out again. The outcome stays in reset_failed;
     * the request path and remove then keep that memory instead of giving
     * it back. */
    set_status(vdev, vdev->status | VIRTIO_STATUS_FAILED);
    (void)ccdma_virtio_reset(vdev);
}

/* Give up during bring-up: FAILED, as the spec asks (3.1.1). */
static int init_fail(struct ccdma_virtio_dev *vdev, int err)
{
    set_status(vdev, vdev->status | VIRTIO_STATUS_FAILED);
    return err;
}

static uint64_t read_device_features(struct ccdma_virtio_dev *vdev)
{
    wr32(vdev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint64_t lo = rd32(vdev, VIRTIO_MMIO_DEVICE_FEATURES);
    wr32(vdev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t hi = rd32(vdev, VIRTIO_MMIO_DEVICE_FEATURES);
    return lo | (hi << 32);
}

static void write_driver_features(struct ccdma_virtio_dev *vdev, uint64_t f)
{
    wr32(vdev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    wr32(vdev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
    wr32(vdev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    wr32(vdev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

int ccdma_virtio_init(struct ccdma_virtio_dev *vdev, uintptr_t base,
                      size_t size, uint32_t expect_id, uint64_t device_ok,
                      const char *name)
{
    if (vdev == NULL)
        return CCDMA_EINVAL;
    memset(vdev, 0, sizeof(*vdev));
    vdev->base = base;
    vdev->size = size;
    vdev->budget_ns = CCDMA_VIRTIO_DEFAULT_BUDGET_NS;

    /* Identity first, without touching the status: a slot that is not
     * ours stays exactly as it was. */
    int err = ccdma_virtio_mmio_identify(base, size, &vdev->id);
    if (err)
        return err;
    if (vdev->id.version == 1)
        return CCDMA_ENOTSUP; /* legacy: cannot negotiate VERSION_1 */
    if (vdev->id.version != 2 || vdev->id.device_id == CCDMA_VIRTIO_ID_NONE ||
        vdev->id.device_id != expect_id)
        return CCDMA_ENODEV;

    ccdma_device_default(&vdev->dma, name, UINT64_MAX);
    err = ccdma_device_init(&vdev->dma);
    if (err)
        return err;

    err = ccdma_virtio_reset(vdev);
    if (err)
        return err;
    set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(vdev, vdev->status | VIRTIO_STATUS_DRIVER);

    vdev->device_features = read_device_features(vdev);
    uint64_t required = CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_VERSION_1);
    /* In a realm the device reaches only shared memory, so it must agree to
     * use platform DMA addresses; one that will not is not used. */
    if (ccdma_plat_cc_active())
        required |= CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM);
    if ((vdev->device_features & required) != required)
        return init_fail(vdev, CCDMA_ENODEV);

    /* Only what the hardened paths handle: no indirect, event-idx or packed. */
    uint64_t accept = CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_VERSION_1) |
                      CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM) | device_ok;
    vdev->features = vdev->device_features & accept;
    write_driver_features(vdev, vdev->features);
    set_status(vdev, vdev->status | VIRTIO_STATUS_FEATURES_OK);
    if ((rd32(vdev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0)
        return init_fail(vdev, CCDMA_ENODEV);
    return 0;
}

int ccdma_virtio_ready(struct ccdma_virtio_dev *vdev)
{
    set_status(vdev, vdev->status | VIRTIO_STATUS_DRIVER_OK);
    vdev->state = CCDMA_VIRTIO_READY;
    return 0;
}

int ccdma_virtio_config_read(struct ccdma_virtio_dev *vdev, size_t off,
                             uint32_t *words, size_t nwords)
{
    size_t room = vdev->size - VIRTIO_MMIO_CONFIG;
    if (words == NULL || nwords == 0 || (off & 3u) != 0 || off > room ||
        nwords > (room - off) / 4)
        return CCDMA_EINVAL;
    for (unsigned int t = 0; t < CONFIG_READ_TRIES; t++) {
        uint32_t gen = rd32(vdev, VIRTIO_MMIO_CONFIG_GENERATION);
        for (size_t i = 0; i < nwords; i++)
            words[i] = rd32(vdev, (uint32_t)(VIRTIO_MMIO_CONFIG + off + 4 * i));
        if (rd32(vdev, VIRTIO_MMIO_CONFIG_GENERATION) == gen)
            return 0;
    }
    return CCDMA_EPROTO;
}

int virtio_mmio_queue_max(struct ccdma_virtio_dev *vdev, uint16_t index)
{
    wr32(vdev, VIRTIO_MMIO_QUEUE_SEL, index);
    /* Just reset: a queue that claims to be live is lying. */
    if (rd32(vdev, VIRTIO_MMIO_QUEUE_READY) != 0)
        return CCDMA_EPROTO;
    uint32_t max = rd32(vdev, VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0)
        return CCDMA_ENODEV;
    return max > UINT16_MAX ? UINT16_MAX : (int)max;
}

void virtio_mmio_queue_enable(struct ccdma_virtio_dev *vdev, uint16_t index,
                              uint16_t num, ccdma_dma_t desc, ccdma_dma_t avail,
                              ccdma_dma_t used)
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
}

void virtio_mmio_notify(struct ccdma_virtio_dev *vdev, uint16_t index)
{
    wr32(vdev, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

const char *ccdma_virtio_feature_name(uint32_t device_id, unsigned int bit)
{
    switch (bit) {
    case CCDMA_VIRTIO_F_INDIRECT_DESC: return "INDIRECT_DESC";
    case CCDMA_VIRTIO_F_EVENT_IDX: return "EVENT_IDX";
    case CCDMA_VIRTIO_F_VERSION_1: return "VERSION_1";
    case CCDMA_VIRTIO_F_ACCESS_PLATFORM: return "ACCESS_PLATFORM";
    case CCDMA_VIRTIO_F_RING_PACKED: return "RING_PACKED";
    case CCDMA_VIRTIO_F_RING_RESET: return "RING_RESET";
    default: break;
    }
    if (device_id == CCDMA_VIRTIO_ID_BLOCK) {
        switch (bit) {
        case CCDMA_VIRTIO_BLK_F_SIZE_MAX: return "SIZE_MAX";
        case CCDMA_VIRTIO_BLK_F_SEG_MAX: return "SEG_MAX";
        case CCDMA_VIRTIO_BLK_F_RO: return "RO";
        case CCDMA_VIRTIO_BLK_F_BLK_SIZE: return "BLK_SIZE";
        case CCDMA_VIRTIO_BLK_F_FLUSH: return "FLUSH";
        default: break;
        }
    }
    return NULL;
}
