/* SPDX-License-Identifier: MIT */
/*
 * virtio-pci, the modern interface (virtio 1.2, 4.1): the structures the
 * vendor capabilities locate, and the register map of the common config
 * under the shared operations of virtio_dev.c. Polled: the ISR status and
 * MSI-X are left alone (no vector is assigned).
 *
 * The capabilities and every register are the device's to answer, and in
 * a realm the host's: each structure is checked against the BAR it names
 * before it is used, and a queue's notify offset against the notify
 * structure before the queue is programmed.
 */
#include "virtio_pci.h"
#include "virtio_internal.h"

#include <string.h>

#define PCI_SUBSYS_DEVICE 0x2e

/* ---- Capabilities ------------------------------------------------------------------- */

struct cap_loc {
    bool found;
    uintptr_t addr;
    size_t len;
};

/* A structure [offset, offset + length) of BAR bar, as a CPU address. */
static int locate(const struct pci_dev *d, uint8_t bar, uint32_t offset, uint32_t length,
                  struct cap_loc *out)
{
    const struct pci_bar *b;

    if (bar >= PCI_MAX_BARS)
        return CCDMA_EPROTO;
    b = &d->bar[bar];
    if (b->size == 0 || length == 0 || offset > b->size || length > b->size - offset ||
        b->cpu + offset > UINTPTR_MAX - length)
        return CCDMA_EPROTO;
    out->found = true;
    out->addr = (uintptr_t)(b->cpu + offset);
    out->len = length;
    return 0;
}

static bool notify_mul_ok(uint32_t mul)
{
    /* 4.1.4.4: an even power of two, or 0 (every queue shares one doorbell). */
    return mul == 0 || (mul >= 2 && (mul & (mul - 1)) == 0);
}

int ccdma_virtio_pci_transport(const struct pci_dev *d, struct ccdma_virtio_transport *t)
{
    struct cap_loc loc[VIRTIO_PCI_CAP_DEVICE_CFG + 1] = {0};
    uint32_t mul = 0;
    unsigned int visited = 0;
    uint8_t cap = 0;
    int err;

    if (d == NULL || t == NULL)
        return CCDMA_EINVAL;
    memset(t, 0, sizeof(*t));
    if (d->vendor != VIRTIO_PCI_VENDOR)
        return CCDMA_ENODEV;
    if (d->device >= VIRTIO_PCI_DEVICE_MODERN && d->device <= VIRTIO_PCI_DEVICE_MODERN + 0x3f)
        t->device_id = d->device - VIRTIO_PCI_DEVICE_MODERN;
    else if (d->device >= VIRTIO_PCI_DEVICE_LEGACY_FIRST &&
             d->device <= VIRTIO_PCI_DEVICE_LEGACY_LAST)
        t->device_id = pci_cfg_read16(d, PCI_SUBSYS_DEVICE);
    else
        return CCDMA_ENODEV;

    /* Virtio 1.2 section 4.1.4: the first capability of each type the driver can use wins. */
    while ((err = pci_find_cap(d, VIRTIO_PCI_CAP_ID, cap, &cap)) == 0) {
        uint8_t len = pci_cfg_read8(d, cap + VIRTIO_PCI_CAP_LEN);
        uint8_t type = pci_cfg_read8(d, cap + VIRTIO_PCI_CAP_CFG_TYPE);

        /* Each search restarts from the last hit, so a list that loops
         * through capabilities already taken would never end: bound the
         * whole walk by what configuration space can hold. */
        if (++visited > PCI_CAP_MAX_WALK)
            return CCDMA_EPROTO;
        if (type == 0 || type > VIRTIO_PCI_CAP_DEVICE_CFG || loc[type].found)
            continue;
        if (len < VIRTIO_PCI_CAP_MIN_LEN ||
            (type == VIRTIO_PCI_CAP_NOTIFY_CFG && len < VIRTIO_PCI_NOTIFY_CAP_MIN_LEN))
            return CCDMA_EPROTO;
        err = locate(d, pci_cfg_read8(d, cap + VIRTIO_PCI_CAP_BAR),
                     pci_cfg_read32(d, cap + VIRTIO_PCI_CAP_OFFSET),
                     pci_cfg_read32(d, cap + VIRTIO_PCI_CAP_LENGTH), &loc[type]);
        if (err)
            return err;
        if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
            mul = pci_cfg_read32(d, cap + VIRTIO_PCI_CAP_NOTIFY_MULT);
    }
    if (err != CCDMA_ENODEV)
        return err;
    if (!loc[VIRTIO_PCI_CAP_COMMON_CFG].found)
        return CCDMA_ENOTSUP; /* legacy I/O interface only */
    if (!loc[VIRTIO_PCI_CAP_NOTIFY_CFG].found || !loc[VIRTIO_PCI_CAP_ISR_CFG].found ||
        loc[VIRTIO_PCI_CAP_COMMON_CFG].len < VIRTIO_PCI_COMMON_MIN_LEN ||
        (loc[VIRTIO_PCI_CAP_COMMON_CFG].addr & 3u) || (loc[VIRTIO_PCI_CAP_NOTIFY_CFG].addr & 1u) ||
        (loc[VIRTIO_PCI_CAP_DEVICE_CFG].addr & 3u) || !notify_mul_ok(mul))
        return CCDMA_EPROTO;

    t->kind = CCDMA_VIRTIO_PCI;
    t->base = loc[VIRTIO_PCI_CAP_COMMON_CFG].addr;
    t->size = loc[VIRTIO_PCI_CAP_COMMON_CFG].len;
    t->pci = (struct ccdma_virtio_pci_regions){
        .common = loc[VIRTIO_PCI_CAP_COMMON_CFG].addr,
        .common_len = loc[VIRTIO_PCI_CAP_COMMON_CFG].len,
        .notify = loc[VIRTIO_PCI_CAP_NOTIFY_CFG].addr,
        .notify_len = loc[VIRTIO_PCI_CAP_NOTIFY_CFG].len,
        .notify_mul = mul,
        .isr = loc[VIRTIO_PCI_CAP_ISR_CFG].addr,
        .device = loc[VIRTIO_PCI_CAP_DEVICE_CFG].addr,
        .device_len = loc[VIRTIO_PCI_CAP_DEVICE_CFG].len,
    };
    return 0;
}

/* ---- The common configuration ------------------------------------------------------- */

static uintptr_t common(const struct ccdma_virtio_dev *vdev, uint32_t off)
{
    return vdev->transport.pci.common + off;
}

static uint32_t pci_get_status(const struct ccdma_virtio_dev *vdev)
{
    return ccdma_plat_mmio_read8(common(vdev, VIRTIO_PCI_COMMON_STATUS));
}

static void pci_set_status(struct ccdma_virtio_dev *vdev, uint32_t status)
{
    ccdma_plat_mmio_write8(common(vdev, VIRTIO_PCI_COMMON_STATUS), (uint8_t)status);
}

static uint32_t pci_get_features(struct ccdma_virtio_dev *vdev, unsigned int sel)
{
    ccdma_plat_mmio_write32(common(vdev, VIRTIO_PCI_COMMON_DFSELECT), sel);
    return ccdma_plat_mmio_read32(common(vdev, VIRTIO_PCI_COMMON_DF));
}

static void pci_set_features(struct ccdma_virtio_dev *vdev, unsigned int sel, uint32_t bits)
{
    ccdma_plat_mmio_write32(common(vdev, VIRTIO_PCI_COMMON_GFSELECT), sel);
    ccdma_plat_mmio_write32(common(vdev, VIRTIO_PCI_COMMON_GF), bits);
}

static int pci_queue_max(struct ccdma_virtio_dev *vdev, uint16_t index)
{
    uint16_t nq = ccdma_plat_mmio_read16(common(vdev, VIRTIO_PCI_COMMON_NUMQ));
    uint16_t size;

    if (index >= nq || index >= CCDMA_VIRTIO_PCI_QUEUES)
        return CCDMA_ENODEV;
    ccdma_plat_mmio_write16(common(vdev, VIRTIO_PCI_COMMON_Q_SELECT), index);
    /* Just reset: a queue that claims to be live is lying. */
    if (ccdma_plat_mmio_read16(common(vdev, VIRTIO_PCI_COMMON_Q_ENABLE)) != 0)
        return CCDMA_EPROTO;
    size = ccdma_plat_mmio_read16(common(vdev, VIRTIO_PCI_COMMON_Q_SIZE));
    return size == 0 ? CCDMA_ENODEV : (int)size;
}

static void wr64(const struct ccdma_virtio_dev *vdev, uint32_t lo_off, uint64_t v)
{
    /* 4.1.3.1: a 64-bit field may be written as two 32-bit halves. */
    ccdma_plat_mmio_write32(common(vdev, lo_off), (uint32_t)v);
    ccdma_plat_mmio_write32(common(vdev, lo_off + 4), (uint32_t)(v >> 32));
}

static int pci_queue_enable(struct ccdma_virtio_dev *vdev, uint16_t index, uint16_t num,
                            ccdma_dma_t desc, ccdma_dma_t avail, ccdma_dma_t used)
{
    const struct ccdma_virtio_pci_regions *r = &vdev->transport.pci;
    uint64_t off;

    if (index >= CCDMA_VIRTIO_PCI_QUEUES)
        return CCDMA_EINVAL;
    ccdma_plat_mmio_write16(common(vdev, VIRTIO_PCI_COMMON_Q_SELECT), index);
    /* The doorbell is checked before the queue is given anything. */
    off = (uint64_t)ccdma_plat_mmio_read16(common(vdev, VIRTIO_PCI_COMMON_Q_NOFF)) *
          r->notify_mul;
    if (off > r->notify_len || r->notify_len - off < sizeof(uint16_t))
        return CCDMA_EPROTO;
    vdev->notify_addr[index] = r->notify + (uintptr_t)off;
    ccdma_plat_mmio_write16(common(vdev, VIRTIO_PCI_COMMON_Q_SIZE), num);
    wr64(vdev, VIRTIO_PCI_COMMON_Q_DESCLO, desc);
    wr64(vdev, VIRTIO_PCI_COMMON_Q_AVAILLO, avail);
    wr64(vdev, VIRTIO_PCI_COMMON_Q_USEDLO, used);
    ccdma_plat_mmio_write16(common(vdev, VIRTIO_PCI_COMMON_Q_ENABLE), 1);
    return 0;
}

static void pci_notify(struct ccdma_virtio_dev *vdev, uint16_t index)
{
    if (index < CCDMA_VIRTIO_PCI_QUEUES && vdev->notify_addr[index])
        ccdma_plat_mmio_write16(vdev->notify_addr[index], index);
}

static uint32_t pci_config_generation(const struct ccdma_virtio_dev *vdev)
{
    return ccdma_plat_mmio_read8(common(vdev, VIRTIO_PCI_COMMON_CFGGENERATION));
}

static uint32_t pci_config_read32(const struct ccdma_virtio_dev *vdev, size_t off)
{
    return ccdma_plat_mmio_read32(vdev->transport.pci.device + off);
}

static uint32_t pci_ack_interrupt(struct ccdma_virtio_dev *vdev)
{
    /* Reading the ISR status clears it (4.1.4.5). */
    return ccdma_plat_mmio_read8(vdev->transport.pci.isr);
}

const struct virtio_transport_ops virtio_pci_ops = {
    .get_status = pci_get_status,
    .set_status = pci_set_status,
    .get_features = pci_get_features,
    .set_features = pci_set_features,
    .queue_max = pci_queue_max,
    .queue_enable = pci_queue_enable,
    .notify = pci_notify,
    .config_generation = pci_config_generation,
    .config_read32 = pci_config_read32,
    .ack_interrupt = pci_ack_interrupt,
};
