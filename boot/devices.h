/* SPDX-License-Identifier: MIT */
/* The runtime's DMA layers and devices, as brought up at boot. */
#ifndef CCDMA_BOOT_DEVICES_H
#define CCDMA_BOOT_DEVICES_H

#include <stdbool.h>

#include <ccdma/dma.h>

struct boot_dma {
    int init_err;             /* ccdma_init() result */
    struct ccdma_config cfg;  /* what it was given */
    bool force_bounce;        /* ccdma.force_bounce=1: every device bounces */
    unsigned int dma_bits;    /* ccdma.dma_bits=N: device DMA masks */
};

extern struct boot_dma boot_dma;

/* A device description for tests and drivers: the platform default (a
 * virtio-like, shared-only device in a realm) plus the boot options. */
void boot_dma_device(struct ccdma_device *dev, const char *name);

#endif
