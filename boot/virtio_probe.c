/* SPDX-License-Identifier: MIT */
/*
 * Finding virtio devices, over both transports: every virtio,mmio window in
 * the DTB is identified (an empty slot reads device ID 0), and every
 * function on the root bus of the PCI host bridge is looked at; every
 * block device (up to BOOT_MAX_BLK) and the first rng found are probed. What was found and
 * negotiated is printed, so a boot log shows each device, its features and
 * why one was refused.
 *
 * PCI memory is assigned only from the bridge's DT windows, which the DT
 * parser has already checked against RAM; each BAR a driver uses is mapped
 * as Device memory (through the unprotected alias in a realm) only once it
 * is placed.
 */
#include <inttypes.h>
#include <stdio.h>

#include <ccdma/errors.h>
#include <ccdma/virtio_spec.h>

#include "boot/devices.h"
#include "boot/irq.h"
#include "arch/pgtable.h"
#include "boot/runtime.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio_pci.h"

#define LEGACY_IN_REALM "legacy virtio-mmio in a realm (-global virtio-mmio.force-legacy=false)"

/* At most this many functions are looked at on the root bus. */
#define PCI_MAX_FUNCTIONS 64u

struct boot_virtio boot_virtio;

struct ccdma_blk *boot_blk(unsigned int i)
{
    return i == 0 ? &boot_virtio.blk : &boot_virtio.blk_more[i - 1];
}

/* Map [base, base + size) as device memory, or say why not. */
static int map_device(uint64_t base, uint64_t size, const char *what)
{
    uint64_t b = base & ~(uint64_t)(CCDMA_PAGE_SIZE - 1);
    uint64_t end = (base + size + CCDMA_PAGE_SIZE - 1) & ~(uint64_t)(CCDMA_PAGE_SIZE - 1);

    /* In a realm the alias is address | shared bit: a window at or above
     * the bit has none. The CPU must reach it at all, too (AArch32). */
    if (size == 0 || end < b || end - 1 > UINTPTR_MAX || (rt.realm && end > rt.shared_bit) ||
        mmu_map(b, b | rt.shared_bit, end - b, MMU_DEVICE) != 0) {
        printf("ccdma: %s at 0x%llx+0x%llx cannot be mapped: not used\n", what,
               (unsigned long long)base, (unsigned long long)size);
        return CCDMA_EFAULT;
    }
    return 0;
}

static void print_features(const char *where, const struct ccdma_virtio_dev *vdev)
{
    printf("ccdma: %s:   features", where);
    for (unsigned int bit = 0; bit < 64; bit++)
        if (vdev->features & CCDMA_VIRTIO_BIT(bit))
            printf(" %s", ccdma_virtio_feature_name(vdev->id.device_id, bit));
    printf(" (offered 0x%llx)\n", (unsigned long long)vdev->device_features);
}

static void report(const char *where, const char *what, int err,
                   const struct ccdma_virtio_dev *vdev)
{
    if (err) {
        printf("ccdma: %s: %s not used: %s%s%s\n", where, what, ccdma_strerror(err),
               vdev->broken_why ? " - " : "", vdev->broken_why ? vdev->broken_why : "");
        return;
    }
    if (vdev->transport.kind == CCDMA_VIRTIO_MMIO)
        printf("ccdma: %s: %s, virtio-mmio v%" PRIu32 ", ready\n", where, what,
               vdev->id.version);
    else
        printf("ccdma: %s: %s, virtio-pci (modern), ready\n", where, what);
    print_features(where, vdev);
}

static void virtio_irq(void *ctx) { ccdma_virtio_interrupt(ctx); }

/* Complete vq's requests by the interrupt intid, when there is one to use. */
static void route_irq(struct ccdma_virtq *vq, uint32_t intid, bool edge, const char *where)
{
    int err;

    if (intid == 0 || !boot_irq_enabled())
        return;
    err = boot_irq_register(intid, edge, virtio_irq, vq->vdev);
    if (err) {
        printf("ccdma: %s:   INTID %u not used (%s): polled\n", where, (unsigned int)intid,
               ccdma_strerror(err));
        return;
    }
    ccdma_virtq_set_interrupts(vq, true);
    printf("ccdma: %s:   completions by interrupt, INTID %u (%s)\n", where, (unsigned int)intid,
           edge ? "edge" : "level");
}

/* Probe a block device into the next free slot. */
static void attach_blk(const struct ccdma_virtio_transport *t, const char *where, uint32_t intid,
                       bool edge)
{
    struct ccdma_blk *blk = boot_blk(boot_virtio.n_blk);
    int err = ccdma_blk_probe_transport(blk, t);

    report(where, "block", err, &blk->vdev);
    if (boot_virtio.n_blk == 0)
        boot_virtio.blk_err = err;
    if (err)
        return;
    boot_virtio.n_blk++;
    boot_virtio.has_blk = true;
    blk->vdev.dma.force_bounce = boot_dma.force_bounce;
    route_irq(&blk->vq, intid, edge, where);
    printf("ccdma: %s:   capacity %llu sectors%s, %u segments per request\n", where,
           (unsigned long long)ccdma_blk_capacity(blk), blk->read_only ? ", read-only" : "",
           (unsigned int)blk->seg_max);
}

/* Probe every blk (up to BOOT_MAX_BLK) and the first rng; anything else is
 * only reported. intid: the device's interrupt (0: none known). */
static void attach(const struct ccdma_virtio_transport *t, const char *where, uint32_t intid,
                   bool edge)
{
    boot_virtio.transports++;
    if (t->device_id == CCDMA_VIRTIO_ID_BLOCK && boot_virtio.n_blk < BOOT_MAX_BLK) {
        attach_blk(t, where, intid, edge);
    } else if (t->device_id == CCDMA_VIRTIO_ID_BLOCK) {
        printf("ccdma: %s: block device not used: %u are driven already\n", where,
               BOOT_MAX_BLK);
    } else if (t->device_id == CCDMA_VIRTIO_ID_RNG && !boot_virtio.has_rng) {
        boot_virtio.rng_err = ccdma_rng_probe_transport(&boot_virtio.rng, t);
        boot_virtio.has_rng = boot_virtio.rng_err == 0;
        report(where, "rng", boot_virtio.rng_err, &boot_virtio.rng.vdev);
        if (boot_virtio.has_rng) {
            boot_virtio.rng.vdev.dma.force_bounce = boot_dma.force_bounce;
            route_irq(&boot_virtio.rng.vq, intid, edge, where);
        }
    } else {
        printf("ccdma: %s: virtio device %" PRIu32 " has no driver here\n", where,
               t->device_id);
    }
}

static void probe_mmio(void)
{
    for (unsigned int i = 0; i < rt.plat.n_virtio; i++) {
        uintptr_t base = (uintptr_t)rt.plat.virtio[i].base;
        size_t size = (size_t)rt.plat.virtio[i].size;
        struct ccdma_virtio_transport t;
        char where[32];
        int err = ccdma_virtio_mmio_transport(base, size, &t);

        if (err == CCDMA_ENODEV || err == CCDMA_EINVAL)
            continue; /* an empty slot, or no transport there */
        snprintf(where, sizeof(where), "virtio@0x%lx", (unsigned long)base);
        if (err == CCDMA_ENOTSUP && t.id.version == 1) {
            /* Legacy in a realm: say what to change, not just "no". */
            boot_virtio.transports++;
            printf("ccdma: %s: device %" PRIu32 " not used: legacy virtio-mmio (version 1) has "
                   "no VERSION_1 or ACCESS_PLATFORM, so in a realm it cannot be told to use "
                   "shared memory; start QEMU with -global virtio-mmio.force-legacy=false\n",
                   where, t.id.device_id);
            if (t.id.device_id == CCDMA_VIRTIO_ID_BLOCK)
                boot_virtio.blk_why = LEGACY_IN_REALM;
            if (t.id.device_id == CCDMA_VIRTIO_ID_RNG)
                boot_virtio.rng_why = LEGACY_IN_REALM;
            continue;
        }
        if (err) {
            boot_virtio.transports++;
            printf("ccdma: %s: device %" PRIu32 " (v%" PRIu32 ") not used: %s\n", where,
                   t.id.device_id, t.id.version, ccdma_strerror(err));
            continue;
        }
        attach(&t, where, rt.plat.virtio[i].intid, rt.plat.virtio[i].edge);
    }
}

static int pci_function(struct pci_dev *d, void *ctx)
{
    struct ccdma_virtio_transport t;
    char where[32];
    int err;

    (void)ctx;
    boot_virtio.pci_functions++;
    if (d->vendor != VIRTIO_PCI_VENDOR)
        return 0; /* not ours: left exactly as found */
    snprintf(where, sizeof(where), "virtio-pci@%02x:%02x.%x", d->bus, d->dev, d->fn);
    err = pci_dev_enable(d);
    for (unsigned int i = 0; err == 0 && i < PCI_MAX_BARS; i++)
        if (d->bar[i].size)
            err = map_device(d->bar[i].cpu, d->bar[i].size, "PCI BAR");
    if (err == 0)
        err = ccdma_virtio_pci_transport(d, &t);
    if (err) {
        boot_virtio.transports++;
        printf("ccdma: %s: %04x:%04x not used: %s\n", where, d->vendor, d->device,
               ccdma_strerror(err));
        return 0; /* the next function may still be usable */
    }
    for (unsigned int i = 0; i < PCI_MAX_BARS; i++)
        if (d->bar[i].size)
            printf("ccdma: %s:   BAR%u 0x%llx+0x%llx%s\n", where, i,
                   (unsigned long long)d->bar[i].cpu, (unsigned long long)d->bar[i].size,
                   d->assigned[i] ? " (assigned)" : " (as found)");
    /* INTx needs the bridge's interrupt-map, not parsed: polled. */
    attach(&t, where, 0, false);
    return 0;
}

static void probe_pci(void)
{
    const struct dt_pci *p = &rt.plat.pci;
    struct pci_host h = {
        .ecam = (uintptr_t)p->ecam,
        /* Only the root bus is enumerated, so only its space is mapped. */
        .ecam_size = 1u << 20,
        .bus_first = p->bus_first,
        .bus_last = p->bus_first,
        .mem32 = {p->mem32.cpu, p->mem32.pci, p->mem32.size},
        .mem64 = {p->mem64.cpu, p->mem64.pci, p->mem64.size},
    };

    /* A window the CPU cannot address (AArch32) is not assigned from; one
     * above a realm's shared bit was dropped with the tree's other device
     * windows at boot (boot/main.c). */
    if (h.mem64.size && h.mem64.cpu + h.mem64.size - 1 > UINTPTR_MAX)
        h.mem64.size = 0;
    if (h.mem32.size && h.mem32.cpu + h.mem32.size - 1 > UINTPTR_MAX)
        h.mem32.size = 0;
    if (p->ecam > UINTPTR_MAX || map_device(p->ecam, h.ecam_size, "PCI ECAM") != 0)
        return;
    if (pci_host_init(&h) != 0) {
        printf("ccdma: pci: host bridge at 0x%llx refused\n", (unsigned long long)p->ecam);
        return;
    }
    (void)pci_enumerate(&h, PCI_MAX_FUNCTIONS, pci_function, NULL);
    printf("ccdma: pci: ECAM 0x%llx, bus %u: %u functions\n", (unsigned long long)p->ecam,
           (unsigned int)p->bus_first, boot_virtio.pci_functions);
}

void boot_virtio_probe(void)
{
    /* A probe after boot_virtio_remove() (the benchmark restarts the
     * runtime) counts afresh. */
    boot_virtio.transports = boot_virtio.pci_functions = 0;
    boot_virtio.blk_why = boot_virtio.rng_why = NULL;
    boot_virtio.blk_err = boot_virtio.rng_err = CCDMA_ENODEV;
    probe_mmio();
    if (rt.plat.has_pci)
        probe_pci();
}

static void unroute_irq(const struct ccdma_virtio_dev *vdev)
{
    for (unsigned int i = 0; i < rt.plat.n_virtio; i++)
        if (vdev->irq_mode && vdev->transport.kind == CCDMA_VIRTIO_MMIO &&
            rt.plat.virtio[i].base == vdev->base)
            boot_irq_unregister(rt.plat.virtio[i].intid);
}

void boot_virtio_remove(void)
{
    for (unsigned int i = 0; i < boot_virtio.n_blk; i++) {
        unroute_irq(&boot_blk(i)->vdev);
        ccdma_blk_remove(boot_blk(i));
    }
    boot_virtio.n_blk = 0;
    if (boot_virtio.has_rng) {
        unroute_irq(&boot_virtio.rng.vdev);
        ccdma_rng_remove(&boot_virtio.rng);
    }
    boot_virtio.has_blk = boot_virtio.has_rng = false;
}
