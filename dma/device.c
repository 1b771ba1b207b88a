/* SPDX-License-Identifier: MIT */
/*
 * Devices, DMA address encodings and the capability check.
 *
 * A device answers two questions (design rule 3): can it reach private
 * memory, and can it reach shared memory. A normal virtio device (T=0)
 * reaches shared memory only; an accepted T=1 device reaches both. With CC
 * inactive the distinction disappears: every page counts as shared and a
 * device that reaches anything reaches everything.
 */
#include "dma_internal.h"

static uint32_t next_debug_id = 1;
static ccdma_lock_t device_lock = CCDMA_LOCK_INIT;

const char *dma_dev_name(const struct ccdma_device *dev)
{
    return dev && dev->name ? dev->name : "device";
}

static bool is_low_mask(uint64_t m)
{
    return (m & (m + 1)) == 0;
}

int ccdma_device_init(struct ccdma_device *dev)
{
    unsigned long flags;
    int err;

    if (!dev)
        return CCDMA_EINVAL;
    if (!is_low_mask(dev->min_align_mask) ||
        dev->min_align_mask > DMA_MAX_MIN_ALIGN_MASK) {
        dma_report("%s: min_align_mask %#llx must be 2^k-1 and at most %#x",
                   dma_dev_name(dev),
                   (unsigned long long)dev->min_align_mask,
                   DMA_MAX_MIN_ALIGN_MASK);
        return CCDMA_EINVAL;
    }
    if (dev->dma_mask && !dev->reach_private && !dev->reach_shared) {
        dma_report("%s: a device that DMAs must reach private or shared memory",
                   dma_dev_name(dev));
        return CCDMA_EINVAL;
    }
    /* Last, since it is the one step with an effect: the state check and
     * the reference are taken under the bounce pools' lock, so the pool
     * cannot be destroyed between them. */
    err = dma_swiotlb_device_get(dev);
    if (err)
        return err;
    flags = ccdma_plat_lock(&device_lock);
    if (!dev->debug_id)
        dev->debug_id = next_debug_id++;
    ccdma_plat_unlock(&device_lock, flags);
    return CCDMA_OK;
}

int ccdma_device_release(struct ccdma_device *dev)
{
    if (!dma_dev_ready(dev))
        return CCDMA_EINVAL;
    /* The device keeps its dma-debug id: its live mappings and allocations
     * must still be unmapped and freed by it. */
    dma_swiotlb_device_put(dev);
    return CCDMA_OK;
}

void ccdma_device_default(struct ccdma_device *dev, const char *name,
                          uint64_t dma_mask)
{
    if (!dev)
        return;
    memset(dev, 0, sizeof(*dev));
    dev->name = name;
    dev->dma_mask = dma_mask;
    dev->coherent = true;
    dev->reach_private = !dma_cc();
    dev->reach_shared = true;
}

ccdma_dma_t ccdma_phys_to_dma(const struct ccdma_device *dev, ccdma_phys_t pa,
                              bool shared)
{
    (void)dev; /* no per-device DMA ranges yet: the encoding is global */
    return ccdma_plat_phys_to_dma(pa, shared);
}

ccdma_phys_t ccdma_dma_to_phys(const struct ccdma_device *dev, ccdma_dma_t addr)
{
    (void)dev;
    return ccdma_plat_dma_to_phys(addr);
}

bool dma_capable_limit(const struct ccdma_device *dev, ccdma_dma_t addr,
                       size_t size, unsigned int attrs, bool coherent)
{
    bool shared = (attrs & CCDMA_ATTR_CC_SHARED) != 0;

    if (!dev || !size || addr == CCDMA_DMA_ADDR_INVALID)
        return false;
    /* The encoding must be the one the attrs describe, and the device must
     * reach memory in that state: a private address for a T=0 device is
     * "not capable", and that is what sends it to a bounce (rule 6). */
    if (dma_cc()) {
        if (dma_dma_is_shared(addr) != shared)
            return false;
    } else {
        shared = true;
    }
    return dma_dev_reaches(dev, shared) && dma_within(dev, addr, size, coherent);
}

bool ccdma_capable(const struct ccdma_device *dev, ccdma_dma_t addr,
                   size_t size, unsigned int attrs)
{
    return dma_capable_limit(dev, addr, size, attrs, false);
}

/* Conservative: a device that might ever bounce gets the bounce limit. */
static bool dev_may_bounce(const struct ccdma_device *dev)
{
    if (dev->force_bounce || dev->restricted_pool)
        return true;
    if (dma_cc() && !(dev->reach_private && dev->reach_shared))
        return true;
    return dma_dev_limit(dev, false) != UINT64_MAX;
}

size_t ccdma_max_mapping_size(const struct ccdma_device *dev)
{
    if (!dev)
        return 0;
    if (!dev_may_bounce(dev))
        return SIZE_MAX;
    return dma_swiotlb_max_mapping(dev);
}
