/* SPDX-License-Identifier: MIT */
/*
 * PCI through an ECAM window (PCI Express Base, "Enhanced Configuration
 * Access Mechanism"; the DT's pci-host-ecam-generic): the devices of the
 * root bus, their memory BARs and their capability lists. Enough for
 * virtio-pci on QEMU virt and kvmtool; bridges are not configured, so a
 * device behind one is not seen.
 *
 * Configuration space is the VMM's to answer, and in a realm the host's:
 * every value read is checked before it is used (a capability pointer, a
 * BAR's size, where a BAR lies).
 */
#ifndef CCDMA_DRIVERS_PCI_H
#define CCDMA_DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_BARS 6
/* A standard capability is at least 4 bytes in 0x40..0xff: a walk of the
 * list meets 48 at most. */
#define PCI_CAP_MAX_WALK 48u

/* One window of the host bridge's DT `ranges`: PCI bus addresses
 * [pci, pci + size) appear to the CPU at [cpu, cpu + size). */
struct pci_window {
    uint64_t cpu, pci, size;
};

/* BARs placed over the whole root bus (32 functions of six would be 192;
 * a realm's few devices use a handful). */
#define PCI_MAX_PLACED 64u

struct pci_host {
    uintptr_t ecam;              /* CPU address of bus_first's configuration space */
    uint64_t ecam_size;
    unsigned int bus_first, bus_last;
    struct pci_window mem32;     /* 32-bit memory: where BARs are assigned first */
    struct pci_window mem64;     /* 64-bit memory (size 0: none) */
    uint64_t next32, next64;     /* assignment cursors, PCI addresses */
    /* Every BAR range in use, kept or assigned, so that no two overlap. */
    struct { uint64_t pci, size; unsigned int owner; } placed[PCI_MAX_PLACED];
    unsigned int n_placed;
};

struct pci_bar {
    uint64_t pci;  /* bus address */
    uint64_t cpu;  /* where the CPU reaches it */
    uint64_t size; /* 0: not implemented (or an I/O BAR, which is not used) */
    bool is64;
};

struct pci_dev {
    struct pci_host *host;
    unsigned int bus, dev, fn;
    uint16_t vendor, device;
    uint8_t irq_pin;                   /* 1..4 = INTA..INTD, 0 none */
    struct pci_bar bar[PCI_MAX_BARS];
    bool assigned[PCI_MAX_BARS];       /* this driver placed it (else: used as found) */
};

/* Configuration space accesses, each one access of its width. off is
 * checked against the 4 KiB function space and the width's alignment; a
 * bad one reads all ones and writes nothing. */
uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned int off);
uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned int off);
uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned int off);
void pci_cfg_write16(const struct pci_dev *d, unsigned int off, uint16_t v);
void pci_cfg_write32(const struct pci_dev *d, unsigned int off, uint32_t v);

/* Check a host description before use: ECAM large enough for its buses,
 * windows that do not wrap. Sets the assignment cursors. */
int pci_host_init(struct pci_host *h);

/* Call fn for each function present on the root bus, in order; stops and
 * returns fn's error if it returns one. At most max functions are seen. */
int pci_enumerate(struct pci_host *h, unsigned int max,
                  int (*fn)(struct pci_dev *d, void *ctx), void *ctx);

/* Size the memory BARs (memory decoding off meanwhile), keep each one the
 * VMM placed inside a window, assign the others from the windows, then turn
 * on memory decoding and bus mastering. CCDMA_ENOSPC when a window is full,
 * CCDMA_EPROTO for a BAR that answers nonsense. */
int pci_dev_enable(struct pci_dev *d);

/* The offset of the first capability of id at or after start (0: from the
 * list head), walked with a bound and checked for loops and stray
 * pointers. CCDMA_ENODEV when none, CCDMA_EPROTO for a broken list. */
int pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t start, uint8_t *off);

#endif /* CCDMA_DRIVERS_PCI_H */
