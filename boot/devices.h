/* SPDX-License-Identifier: MIT */
/* The runtime's DMA layers and devices, as brought up at boot. */
#ifndef CCDMA_BOOT_DEVICES_H
#define CCDMA_BOOT_DEVICES_H

#include <stdbool.h>

#include <ccdma/blk.h>
#include <ccdma/dma.h>
#include <ccdma/virtio.h>

struct boot_dma {
    int init_err;             /* ccdma_init() result */
    struct ccdma_config cfg;  /* what it was given */
    bool force_bounce;        /* ccdma.force_bounce=1: every device bounces */
    unsigned int dma_bits;    /* ccdma.dma_bits=N: device DMA masks */
};

extern struct boot_dma boot_dma;

/* Block devices driven at once; more are reported and left alone. */
#define BOOT_MAX_BLK 4u

/* The virtio devices found on the transports the DTB lists. */
struct boot_virtio {
    unsigned int transports;  /* virtio devices found, over either transport */
    unsigned int pci_functions; /* functions on the PCI root bus */
    bool has_blk, has_rng;    /* has_blk: n_blk > 0 */
    int blk_err, rng_err;     /* probe results (0 when present and ready) */
    const char *blk_why, *rng_why; /* why none was used, when known (or NULL) */
    unsigned int n_blk;       /* block devices ready: blk, then blk_more[] */
    struct ccdma_blk blk;     /* the first block device */
    struct ccdma_blk blk_more[BOOT_MAX_BLK - 1];
    struct ccdma_rng rng;     /* the first rng */
};

/* Block device i (< boot_virtio.n_blk) in probe order. */
struct ccdma_blk *boot_blk(unsigned int i);

extern struct boot_virtio boot_virtio;

/* Identify every virtio-mmio transport and virtio-pci function, and probe
 * blk and rng on them. */
void boot_virtio_probe(void);
/* Reset the devices and free their rings (before the DMA layers go). */
void boot_virtio_remove(void);

/* A device description for tests and drivers: the platform default (a
 * virtio-like, shared-only device in a realm) plus the boot options. */
void boot_dma_device(struct ccdma_device *dev, const char *name);

#endif
