/* SPDX-License-Identifier: MIT */
#include "fake_ecam.h"

#include <string.h>

#include <ccdma/virtio_spec.h>

#include "host_mmio.h"

struct fake_fn fake_fns[ECAM_DEVS];
unsigned int ecam_cfg_writes;

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* ---- BAR 0 of a virtio function: virtio-pci onto virtio-mmio --------------------- */

static uint32_t mmio_rd(struct fake_fn *f, uint32_t off) { return fake_mmio_ops()->read32(f->virtio, off); }
static void mmio_wr(struct fake_fn *f, uint32_t off, uint32_t v) { fake_mmio_ops()->write32(f->virtio, off, v); }

/* The common configuration field at off, as the virtio-mmio register. */
static int common_reg(uint64_t off, bool write)
{
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT: return VIRTIO_MMIO_DEVICE_FEATURES_SEL;
    case VIRTIO_PCI_COMMON_DF: return VIRTIO_MMIO_DEVICE_FEATURES;
    case VIRTIO_PCI_COMMON_GFSELECT: return VIRTIO_MMIO_DRIVER_FEATURES_SEL;
    case VIRTIO_PCI_COMMON_GF: return VIRTIO_MMIO_DRIVER_FEATURES;
    case VIRTIO_PCI_COMMON_STATUS: return VIRTIO_MMIO_STATUS;
    case VIRTIO_PCI_COMMON_CFGGENERATION: return VIRTIO_MMIO_CONFIG_GENERATION;
    case VIRTIO_PCI_COMMON_Q_SELECT: return VIRTIO_MMIO_QUEUE_SEL;
    case VIRTIO_PCI_COMMON_Q_SIZE: return write ? VIRTIO_MMIO_QUEUE_NUM : VIRTIO_MMIO_QUEUE_NUM_MAX;
    case VIRTIO_PCI_COMMON_Q_ENABLE: return VIRTIO_MMIO_QUEUE_READY;
    case VIRTIO_PCI_COMMON_Q_DESCLO: return VIRTIO_MMIO_QUEUE_DESC_LOW;
    case VIRTIO_PCI_COMMON_Q_DESCHI: return VIRTIO_MMIO_QUEUE_DESC_HIGH;
    case VIRTIO_PCI_COMMON_Q_AVAILLO: return VIRTIO_MMIO_QUEUE_DRIVER_LOW;
    case VIRTIO_PCI_COMMON_Q_AVAILHI: return VIRTIO_MMIO_QUEUE_DRIVER_HIGH;
    case VIRTIO_PCI_COMMON_Q_USEDLO: return VIRTIO_MMIO_QUEUE_DEVICE_LOW;
    case VIRTIO_PCI_COMMON_Q_USEDHI: return VIRTIO_MMIO_QUEUE_DEVICE_HIGH;
    default: return -1;
    }
}

static uint32_t bar_read(struct fake_fn *f, uint64_t off)
{
    if (off < VBAR_ISR) {
        if (off == VIRTIO_PCI_COMMON_NUMQ)
            return 1;
        if (off == VIRTIO_PCI_COMMON_Q_NOFF)
            return f->notify_off;
        if (off == VIRTIO_PCI_COMMON_MSIX || off == VIRTIO_PCI_COMMON_Q_MSIX)
            return VIRTIO_PCI_NO_VECTOR;
        int r = common_reg(off, false);
        return r < 0 ? 0 : mmio_rd(f, (uint32_t)r);
    }
    if (off == VBAR_ISR) {
        uint32_t st = mmio_rd(f, VIRTIO_MMIO_INTERRUPT_STATUS);
        if (st)
            mmio_wr(f, VIRTIO_MMIO_INTERRUPT_ACK, st);
        return st;
    }
    if (off >= VBAR_DEVICE && off < VBAR_NOTIFY)
        return mmio_rd(f, (uint32_t)(VIRTIO_MMIO_CONFIG + off - VBAR_DEVICE));
    return 0;
}

static void bar_write(struct fake_fn *f, uint64_t off, uint32_t v)
{
    if (off < VBAR_ISR) {
        int r = common_reg(off, true);
        if (r >= 0)
            mmio_wr(f, (uint32_t)r, v);
    } else if (off >= VBAR_NOTIFY) {
        mmio_wr(f, VIRTIO_MMIO_QUEUE_NOTIFY, v);
    }
}

static uint32_t b_read32(void *c, uint64_t o) { return bar_read(c, o); }
static void b_write32(void *c, uint64_t o, uint32_t v) { bar_write(c, o, v); }
static uint8_t b_read8(void *c, uint64_t o) { return (uint8_t)bar_read(c, o); }
static void b_write8(void *c, uint64_t o, uint8_t v) { bar_write(c, o, v); }
static uint16_t b_read16(void *c, uint64_t o) { return (uint16_t)bar_read(c, o); }
static void b_write16(void *c, uint64_t o, uint16_t v) { bar_write(c, o, v); }
static void b_relax(void *c) { fake_process(((struct fake_fn *)c)->virtio); }

static const struct host_mmio_ops bar_ops = {
    .read32 = b_read32, .write32 = b_write32, .read8 = b_read8, .write8 = b_write8,
    .read16 = b_read16, .write16 = b_write16, .relax = b_relax,
};

/* BAR 0 decodes where it is placed while memory decoding is on. */
static void remap(struct fake_fn *f)
{
    uint64_t at = (get32(f->cfg + 0x10) & ~0xfu) | (uint64_t)get32(f->cfg + 0x14) << 32;
    bool on = (f->cfg[0x04] & 2) && at != 0;

    if (!f->virtio || (on && f->mapped_at == at) || (!on && !f->mapped_at))
        return;
    if (f->mapped_at)
        host_mmio_unregister(f->mapped_at);
    f->mapped_at = 0;
    if (on && host_mmio_register((uintptr_t)at, VBAR_SIZE, &bar_ops, f) == 0)
        f->mapped_at = (uintptr_t)at;
}

/* ---- Configuration space ---------------------------------------------------------- */

static struct fake_fn *fn_at(uint64_t off, unsigned int *reg)
{
    unsigned int dev = (unsigned int)(off >> 15) & 31, fn = (unsigned int)(off >> 12) & 7;

    *reg = (unsigned int)(off & 0xfff);
    return dev < ECAM_DEVS && fn == 0 && fake_fns[dev].present ? &fake_fns[dev] : NULL;
}

static uint32_t cfg_read(uint64_t off, unsigned int width)
{
    unsigned int reg;
    struct fake_fn *f = fn_at(off, &reg);
    uint32_t v = 0;

    if (f == NULL)
        return UINT32_MAX; /* no function: all ones, as a real bus answers */
    memcpy(&v, f->cfg + reg, width);
    return v;
}

static void cfg_write(uint64_t off, unsigned int width, uint32_t v)
{
    unsigned int reg;
    struct fake_fn *f = fn_at(off, &reg);

    ecam_cfg_writes++;
    if (f == NULL)
        return;
    if (reg >= 0x10 && reg < 0x28 && width == 4) {
        unsigned int i = (reg - 0x10) / 4;
        bool upper = i > 0 && f->bar_is64[i - 1];
        uint64_t size = upper ? f->bar_size[i - 1] : f->bar_size[i];
        uint32_t flags = upper ? 0 : (f->bar_is64[i] ? 0x4u : 0u);
        uint32_t mask;

        if (size == 0) {
            put32(f->cfg + reg, 0);
            return;
        }
        mask = upper ? (uint32_t)(~(size - 1) >> 32) : (uint32_t)~(size - 1);
        if (!upper && i == 0 && f->bar_mask_lie)
            mask = f->bar_mask_lie;
        put32(f->cfg + reg, (v & mask) | flags);
        remap(f);
        return;
    }
    if (reg < 0x10 && reg != 0x04)
        return; /* ids and header: read-only */
    memcpy(f->cfg + reg, &v, width);
    if (reg == 0x04)
        remap(f);
}

static uint32_t e_read32(void *c, uint64_t o) { (void)c; return cfg_read(o, 4); }
static void e_write32(void *c, uint64_t o, uint32_t v) { (void)c; cfg_write(o, 4, v); }
static uint8_t e_read8(void *c, uint64_t o) { (void)c; return (uint8_t)cfg_read(o, 1); }
static void e_write8(void *c, uint64_t o, uint8_t v) { (void)c; cfg_write(o, 1, v); }
static uint16_t e_read16(void *c, uint64_t o) { (void)c; return (uint16_t)cfg_read(o, 2); }
static void e_write16(void *c, uint64_t o, uint16_t v) { (void)c; cfg_write(o, 2, v); }

static const struct host_mmio_ops ecam_ops = {
    .read32 = e_read32, .write32 = e_write32, .read8 = e_read8, .write8 = e_write8,
    .read16 = e_read16, .write16 = e_write16,
};

void fake_ecam_init(void)
{
    memset(fake_fns, 0, sizeof(fake_fns));
    ecam_cfg_writes = 0;
    host_mmio_register(ECAM_BASE, ECAM_SIZE, &ecam_ops, NULL);
}

void fake_ecam_fini(void)
{
    for (unsigned int i = 0; i < ECAM_DEVS; i++)
        if (fake_fns[i].mapped_at)
            host_mmio_unregister(fake_fns[i].mapped_at);
    host_mmio_unregister(ECAM_BASE);
}

struct fake_fn *fake_fn_plain(unsigned int dev, uint16_t vendor, uint16_t device)
{
    struct fake_fn *f = &fake_fns[dev];

    memset(f, 0, sizeof(*f));
    f->present = true;
    put16(f->cfg + 0x00, vendor);
    put16(f->cfg + 0x02, device);
    return f;
}

static void add_cap(struct fake_fn *f, uint8_t at, uint8_t next, uint8_t type, uint32_t offset,
                    uint32_t length)
{
    f->cfg[at] = VIRTIO_PCI_CAP_ID;
    f->cfg[at + 1] = next;
    f->cfg[at + 2] = type == VIRTIO_PCI_CAP_NOTIFY_CFG ? 20 : 16;
    f->cfg[at + 3] = type;
    f->cfg[at + 4] = 0; /* BAR 0 */
    put32(f->cfg + at + 8, offset);
    put32(f->cfg + at + 12, length);
    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
        put32(f->cfg + at + 16, 4);
}

struct fake_fn *fake_fn_virtio(unsigned int dev, struct fake_dev *d, uint16_t pci_device)
{
    struct fake_fn *f = fake_fn_plain(dev, VIRTIO_PCI_VENDOR, pci_device);

    f->virtio = d;
    f->bar_size[0] = VBAR_SIZE;
    f->bar_is64[0] = true;
    put32(f->cfg + 0x10, 0x4); /* 64-bit memory, unplaced */
    put16(f->cfg + 0x2e, (uint16_t)d->device_id); /* subsystem: the virtio type */
    put16(f->cfg + 0x06, 1u << 4);                 /* capability list */
    f->cfg[0x34] = 0x40;
    add_cap(f, 0x40, 0x50, VIRTIO_PCI_CAP_COMMON_CFG, VBAR_COMMON, VIRTIO_PCI_COMMON_MIN_LEN);
    add_cap(f, 0x50, 0x60, VIRTIO_PCI_CAP_ISR_CFG, VBAR_ISR, 4);
    add_cap(f, 0x60, 0x70, VIRTIO_PCI_CAP_DEVICE_CFG, VBAR_DEVICE, 0x40);
    add_cap(f, 0x70, 0x00, VIRTIO_PCI_CAP_NOTIFY_CFG, VBAR_NOTIFY, 0x1000);
    return f;
}

uint8_t fake_fn_cap(const struct fake_fn *f, unsigned int n)
{
    (void)f;
    return (uint8_t)(0x40 + 0x10 * n);
}
