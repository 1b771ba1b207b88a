/* SPDX-License-Identifier: MIT */
/*
 * The PCI host bridge as the host serves it to the realm. The realm
 * reaches the bridge's ECAM and memory windows at shared bit + PA; each
 * access exits here and is replayed on QEMU's bridge with the same width,
 * so the realm enumerates the functions and places the BARs itself, as
 * firmware does on QEMU virt.
 *
 * For each virtio function (virtio 1.2, 4.1) the host reads where its
 * common configuration and notify structures are from the function's own
 * capabilities, and finds the BAR they sit in at each access (the realm
 * may move a BAR at any time). Writes to the common configuration feed the
 * same register shadow as virtio-mmio, and a write to the notify structure
 * is a doorbell: in strict mode every ring and buffer of the newly
 * available chains must lie in memory the realm shared.
 */
#include <stdio.h>

#include <ccdma/virtio_spec.h>

#include "host.h"
#include "virtio_shadow.h"

#define CFG_VENDOR 0x00
#define CFG_DEVICE 0x02
#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_HEADER 0x0e
#define CFG_BAR0 0x10
#define CFG_CAP_PTR 0x34
#define CMD_MEM (1u << 1)
#define STATUS_CAP_LIST (1u << 4)
#define BAR_TYPE_64 0x4u
#define BAR_ADDR_MASK (~0xfull)
#define CAP_WALK_MAX 48u
#define FN_MAX 32u

/* A structure of a function: [offset, offset + len) of BAR bar. */
struct vpci_region {
    bool present;
    uint8_t bar;
    uint32_t offset, len;
};

struct vpci_fn {
    unsigned int dev, fn;
    struct vpci_region common, notify;
    struct vshadow sh;
};

static uint64_t ecam, ecam_size;
static struct dt_pci_window win[2];
static struct vpci_fn fns[FN_MAX];
static unsigned int n_fns;

static uint64_t cfg_pa(const struct vpci_fn *f, unsigned int off)
{
    return ecam + ((uint64_t)f->dev << 15 | (uint64_t)f->fn << 12 | off);
}

static uint32_t cfg_read(const struct vpci_fn *f, unsigned int off, unsigned int size)
{
    return (uint32_t)host_dev_read(cfg_pa(f, off), size);
}

static void read_caps(struct vpci_fn *f)
{
    uint8_t ptr;

    if (!(cfg_read(f, CFG_STATUS, 2) & STATUS_CAP_LIST))
        return;
    ptr = (uint8_t)cfg_read(f, CFG_CAP_PTR, 1);
    for (unsigned int n = 0; ptr >= 0x40 && n < CAP_WALK_MAX; n++) {
        ptr &= (uint8_t)~3u;
        if (cfg_read(f, ptr, 1) == VIRTIO_PCI_CAP_ID) {
            unsigned int type = cfg_read(f, ptr + VIRTIO_PCI_CAP_CFG_TYPE, 1);
            struct vpci_region *r = type == VIRTIO_PCI_CAP_COMMON_CFG   ? &f->common
                                    : type == VIRTIO_PCI_CAP_NOTIFY_CFG ? &f->notify
                                                                        : NULL;
            if (r != NULL && !r->present) {
                r->present = true;
                r->bar = (uint8_t)cfg_read(f, ptr + VIRTIO_PCI_CAP_BAR, 1);
                r->offset = cfg_read(f, ptr + VIRTIO_PCI_CAP_OFFSET, 4);
                r->len = cfg_read(f, ptr + VIRTIO_PCI_CAP_LENGTH, 4);
            }
        }
        ptr = (uint8_t)cfg_read(f, ptr + 1, 1);
    }
}

void pci_emul_init(const struct dt_platform *dt)
{
    if (!dt->has_pci)
        return;
    if (dt->pci.ecam + dt->pci.ecam_size > EL2_DEVICE_TOP) {
        printf("monitor: PCI ECAM at 0x%llx is outside the device space: not offered "
               "(QEMU virt: highmem=off puts it below 1 GiB)\n",
               (unsigned long long)dt->pci.ecam);
        return;
    }
    ecam = dt->pci.ecam;
    ecam_size = dt->pci.ecam_size;
    win[0] = dt->pci.mem32;
    win[1] = dt->pci.mem64;
    for (unsigned int i = 0; i < 2; i++)
        if (win[i].size && win[i].cpu + win[i].size > EL2_DEVICE_TOP)
            win[i].size = 0;
    /* The root bus only: the realm's driver enumerates no further. */
    for (unsigned int dev = 0; dev < 32 && n_fns < FN_MAX; dev++) {
        unsigned int nfn = 1;

        for (unsigned int fn = 0; fn < nfn && n_fns < FN_MAX; fn++) {
            struct vpci_fn f = {.dev = dev, .fn = fn};
            uint32_t vendor = cfg_read(&f, CFG_VENDOR, 2);

            if (vendor == 0xffff || vendor == 0)
                continue;
            if (fn == 0 && (cfg_read(&f, CFG_HEADER, 1) & 0x80))
                nfn = 8;
            if (vendor != VIRTIO_PCI_VENDOR)
                continue;
            read_caps(&f);
            vshadow_reset(&f.sh);
            fns[n_fns++] = f;
        }
    }
    printf("monitor: PCI ECAM 0x%llx+0x%llx served, %u virtio functions on bus 0\n",
           (unsigned long long)ecam, (unsigned long long)ecam_size, n_fns);
}

/* Where region r is now, from the live BAR: false while it decodes nothing. */
static bool region_at(const struct vpci_fn *f, const struct vpci_region *r, uint64_t *pa)
{
    uint32_t lo;
    uint64_t base;

    if (!r->present || r->bar > 5 || !(cfg_read(f, CFG_COMMAND, 2) & CMD_MEM))
        return false;
    lo = cfg_read(f, CFG_BAR0 + 4u * r->bar, 4);
    base = lo & BAR_ADDR_MASK;
    if ((lo & 0x6u) == BAR_TYPE_64 && r->bar < 5)
        base |= (uint64_t)cfg_read(f, CFG_BAR0 + 4u * r->bar + 4, 4) << 32;
    if (base == 0)
        return false;
    *pa = base + r->offset;
    return true;
}

static bool in_region(const struct vpci_fn *f, const struct vpci_region *r,
                      const struct mmio_access *a, uint64_t *off)
{
    uint64_t at;

    if (!region_at(f, r, &at) || a->pa < at || a->pa - at >= r->len)
        return false;
    *off = a->pa - at;
    return true;
}

/* The shadow's register for a common-configuration field, and its width. */
static bool common_reg(uint64_t off, uint32_t *reg, unsigned int *width)
{
    static const struct { uint32_t off, reg; unsigned int width; } map[] = {
        {VIRTIO_PCI_COMMON_STATUS, VIRTIO_MMIO_STATUS, 1},
        {VIRTIO_PCI_COMMON_Q_SELECT, VIRTIO_MMIO_QUEUE_SEL, 2},
        {VIRTIO_PCI_COMMON_Q_SIZE, VIRTIO_MMIO_QUEUE_NUM, 2},
        {VIRTIO_PCI_COMMON_Q_ENABLE, VIRTIO_MMIO_QUEUE_READY, 2},
        {VIRTIO_PCI_COMMON_Q_DESCLO, VIRTIO_MMIO_QUEUE_DESC_LOW, 4},
        {VIRTIO_PCI_COMMON_Q_DESCHI, VIRTIO_MMIO_QUEUE_DESC_HIGH, 4},
        {VIRTIO_PCI_COMMON_Q_AVAILLO, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 4},
        {VIRTIO_PCI_COMMON_Q_AVAILHI, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 4},
        {VIRTIO_PCI_COMMON_Q_USEDLO, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 4},
        {VIRTIO_PCI_COMMON_Q_USEDHI, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 4},
    };

    for (unsigned int i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (off < map[i].off + map[i].width && map[i].off < off + *width) {
            if (off != map[i].off || *width != map[i].width)
                return false; /* overlaps the field without being it */
            *reg = map[i].reg;
            return true;
        }
    }
    *reg = UINT32_MAX; /* not shadowed */
    return true;
}

static void where_of(const struct vpci_fn *f, char *buf, size_t n)
{
    snprintf(buf, n, "virtio-pci at 00:%02x.%x", f->dev, f->fn);
}

/* A write to f's common configuration: false when it must not reach the
 * device (a width that would change a shadowed field unseen). */
static bool common_write(struct vpci_fn *f, uint64_t off, const struct mmio_access *a)
{
    unsigned int width = a->size, queue;
    uint32_t reg;

    if (!common_reg(off, &reg, &width)) {
        printf("monitor: virtio-pci common config write of %u bytes at +0x%llx refused: "
               "not one field\n", a->size, (unsigned long long)off);
        return false;
    }
    /* QEMU takes only 1 for queue_enable; anything else leaves the queue
     * as it was, so the shadow keeps it too. */
    if (reg == VIRTIO_MMIO_QUEUE_READY && a->value != 1)
        return true;
    if (reg != UINT32_MAX)
        (void)vshadow_write(&f->sh, reg, (uint32_t)a->value, &queue);
    return true;
}

static void notify_write(struct vpci_fn *f, const struct mmio_access *a,
                         const struct host_policy *p)
{
    char where[48];

    if (!p->strict) {
        host_cnt.notifies_unchecked++;
        return;
    }
    /* Without VIRTIO_F_NOTIF_CONFIG_DATA the value is the queue index,
     * and that is what QEMU acts on, whatever the offset. */
    where_of(f, where, sizeof(where));
    host_virtio_doorbell(&f->sh, (unsigned int)(a->value & 0xffff), where, p);
}

static bool in_window(uint64_t pa, unsigned int size)
{
    for (unsigned int i = 0; i < 2; i++)
        if (win[i].size && pa >= win[i].cpu && pa - win[i].cpu <= win[i].size - size)
            return true;
    return false;
}

bool pci_emulate(struct mmio_access *a, const struct host_policy *p)
{
    bool cfg = ecam_size && a->pa >= ecam && a->pa - ecam < ecam_size;
    uint64_t off;

    if (a->size > 4 || (a->pa & (a->size - 1)) || (!cfg && !in_window(a->pa, a->size)))
        return false;
    host_cnt.mmio_pci++;
    if (a->write && !cfg) {
        for (unsigned int i = 0; i < n_fns; i++) {
            struct vpci_fn *f = &fns[i];

            if (in_region(f, &f->common, a, &off)) {
                if (!common_write(f, off, a))
                    return false;
                break;
            }
            if (in_region(f, &f->notify, a, &off)) {
                notify_write(f, a, p);
                break;
            }
        }
    }
    if (a->write)
        host_dev_write(a->pa, a->size, a->value);
    else
        a->value = host_dev_read(a->pa, a->size);
    return true;
}

bool pci_exit_sweep(unsigned int *queues, unsigned int *chains)
{
    bool ok = true;

    for (unsigned int i = 0; i < n_fns; i++) {
        char where[48];

        where_of(&fns[i], where, sizeof(where));
        ok &= host_virtio_sweep(&fns[i].sh, where, queues, chains);
    }
    return ok;
}
