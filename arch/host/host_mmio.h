/* SPDX-License-Identifier: MIT */
/*
 * Host port: device registers. ccdma_plat_mmio_read32/write32/read8 on the
 * host route each access that falls in a registered window to that window's
 * fake device, and ccdma_plat_relax() lets every registered device make
 * progress (the way a real device works while the CPU polls).
 *
 * An access outside every window (or misaligned) is what a real bus would
 * fault on: it is counted as stray, reads return all ones, writes are
 * dropped. Tests check host_mmio_strays() stays 0.
 *
 * Registration is for test set-up; it is not synchronised against accesses
 * from other threads.
 */
#ifndef CCDMA_HOST_MMIO_H
#define CCDMA_HOST_MMIO_H

#include <ccdma/platform.h>

struct host_mmio_ops {
    /* off is the byte offset in the window, 4-aligned for 32-bit access. */
    uint32_t (*read32)(void *ctx, uint64_t off);
    void (*write32)(void *ctx, uint64_t off, uint32_t value);
    uint8_t (*read8)(void *ctx, uint64_t off); /* NULL: a byte of read32 */
    void (*write8)(void *ctx, uint64_t off, uint8_t value); /* NULL: a stray */
    uint16_t (*read16)(void *ctx, uint64_t off);            /* NULL: a stray */
    void (*write16)(void *ctx, uint64_t off, uint16_t value); /* NULL: a stray */
    void (*relax)(void *ctx);                  /* NULL: no background work */
};

#define HOST_MMIO_MAX_WINDOWS 32

/* Claim [base, base+size) for a device. CCDMA_EINVAL for an empty, wrapping
 * or overlapping window or missing callbacks, CCDMA_ENOSPC when full. */
int host_mmio_register(uintptr_t base, size_t size,
                       const struct host_mmio_ops *ops, void *ctx);
/* Release the window starting at base (CCDMA_EFAULT if none). */
int host_mmio_unregister(uintptr_t base);

/* Accesses that hit no window, or were misaligned, since the last reset. */
uint64_t host_mmio_strays(void);
void host_mmio_reset_strays(void);

#endif /* CCDMA_HOST_MMIO_H */
