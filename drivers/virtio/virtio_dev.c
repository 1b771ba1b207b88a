/* SPDX-License-Identifier: MIT */
/*
 * What every virtio transport shares: reset, the status state machine,
 * feature negotiation and config reads inside one generation (virtio 1.2,
 * 2.1 and 3.1). The registers themselves are the transport's
 * (virtio_mmio.c, virtio_pci.c).
 *
 * Every register value is host-controlled. The driver keeps its own copy of
 * the status it wrote and never builds a new status from what it reads.
 */
#include "virtio_internal.h"

#include <string.h>

/* A config read that keeps changing is a hostile or broken device; a real
 * one settles at once, so a few retries are plenty. */
#define CONFIG_READ_TRIES 8u

static void set_status(struct ccdma_virtio_dev *vdev, uint32_t status)
{
    vdev->status = status;
    vdev->ops->set_status(vdev, status);
}

uint64_t virtio_deadline(const struct ccdma_virtio_dev *vdev)
{
    uint64_t now = ccdma_plat_time_ns();
    return vdev->budget_ns > UINT64_MAX - now ? UINT64_MAX : now + vdev->budget_ns;
}

int ccdma_virtio_reset(struct ccdma_virtio_dev *vdev)
{
    set_status(vdev, 0);
    /* virtio 1.2, 4.1.4.3.2 and 4.2.3.1: wait for the status to read 0
     * before reuse. */
    uint64_t deadline = virtio_deadline(vdev);
    while (vdev->ops->get_status(vdev) != 0) {
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

static const struct virtio_transport_ops *ops_of(const struct ccdma_virtio_transport *t)
{
    switch (t->kind) {
    case CCDMA_VIRTIO_MMIO: return t->id.version == 1 ? &virtio_mmio_legacy_ops : &virtio_mmio_ops;
    case CCDMA_VIRTIO_PCI: return &virtio_pci_ops;
    default: return NULL;
    }
}

int ccdma_virtio_init_transport(struct ccdma_virtio_dev *vdev,
                                const struct ccdma_virtio_transport *t, uint32_t expect_id,
                                uint64_t device_ok, const char *name)
{
    if (vdev == NULL || t == NULL)
        return CCDMA_EINVAL;
    memset(vdev, 0, sizeof(*vdev));
    vdev->ops = ops_of(t);
    if (vdev->ops == NULL)
        return CCDMA_EINVAL;
    vdev->legacy = t->kind == CCDMA_VIRTIO_MMIO && t->id.version == 1;
    /* ccdma_virtio_mmio_transport refuses legacy in a realm; a transport
     * built by hand must not slip past it. */
    if (vdev->legacy && ccdma_plat_cc_active())
        return CCDMA_ENOTSUP;
    vdev->transport = *t;
    vdev->base = t->base;
    vdev->size = t->size;
    vdev->id = t->id;
    vdev->id.device_id = t->device_id;
    vdev->config_len = t->kind == CCDMA_VIRTIO_MMIO ? t->size - VIRTIO_MMIO_CONFIG
                                                    : t->pci.device_len;
    vdev->budget_ns = CCDMA_VIRTIO_DEFAULT_BUDGET_NS;
    /* Identity first, without touching the status: a device that is not
     * ours stays exactly as it was. */
    if (t->device_id == CCDMA_VIRTIO_ID_NONE || t->device_id != expect_id)
        return CCDMA_ENODEV;

    ccdma_device_default(&vdev->dma, name, UINT64_MAX);
    int err = ccdma_device_init(&vdev->dma);
    if (err)
        return err;

    err = ccdma_virtio_reset(vdev);
    if (err)
        return err;
    set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(vdev, vdev->status | VIRTIO_STATUS_DRIVER);

    vdev->device_features = (uint64_t)vdev->ops->get_features(vdev, 0) |
                            (uint64_t)vdev->ops->get_features(vdev, 1) << 32;
    /* Legacy devices predate VERSION_1 (virtio 1.2, 6.1). */
    uint64_t required = vdev->legacy ? 0 : CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_VERSION_1);
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
    if (vdev->legacy)
        vdev->features &= 0xffffffffu; /* legacy features are 32 bits */
    vdev->ops->set_features(vdev, 0, (uint32_t)vdev->features);
    vdev->ops->set_features(vdev, 1, (uint32_t)(vdev->features >> 32));
    /* FEATURES_OK is not part of the legacy interface (virtio 1.2, 3.1.2). */
    if (vdev->legacy)
        return 0;
    set_status(vdev, vdev->status | VIRTIO_STATUS_FEATURES_OK);
    if ((vdev->ops->get_status(vdev) & VIRTIO_STATUS_FEATURES_OK) == 0)
        return init_fail(vdev, CCDMA_ENODEV);
    return 0;
}

int ccdma_virtio_init(struct ccdma_virtio_dev *vdev, uintptr_t base,
                      size_t size, uint32_t expect_id, uint64_t device_ok,
                      const char *name)
{
    struct ccdma_virtio_transport t;

    if (vdev == NULL)
        return CCDMA_EINVAL;
    memset(vdev, 0, sizeof(*vdev));
    int err = ccdma_virtio_mmio_transport(base, size, &t);
    if (err)
        return err;
    return ccdma_virtio_init_transport(vdev, &t, expect_id, device_ok, name);
}

void ccdma_virtio_interrupt(struct ccdma_virtio_dev *vdev)
{
    /* What the device says it raised is only counted: the waiter checks
     * the used ring itself, so a lying status loses nothing. */
    if (vdev->ops->ack_interrupt(vdev) != 0)
        vdev->irqs++;
    else
        vdev->irqs_foreign++;
    __atomic_store_n(&vdev->irq_pending, 1, __ATOMIC_RELEASE);
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
    size_t room = vdev->config_len;
    if (words == NULL || nwords == 0 || (off & 3u) != 0 || off > room ||
        nwords > (room - off) / 4)
        return CCDMA_EINVAL;
    for (unsigned int t = 0; t < CONFIG_READ_TRIES; t++) {
        uint32_t gen = vdev->ops->config_generation(vdev);
        for (size_t i = 0; i < nwords; i++)
            words[i] = vdev->ops->config_read32(vdev, off + 4 * i);
        if (vdev->ops->config_generation(vdev) == gen)
            return 0;
    }
    return CCDMA_EPROTO;
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
