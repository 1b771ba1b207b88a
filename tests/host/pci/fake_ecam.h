/* SPDX-License-Identifier: MIT */
/*
 * A fake ECAM for bus 0 on the host MMIO model: type-0 functions with real
 * BAR sizing (all ones reads back the size mask), a command register, and
 * a capability list. A virtio function's BAR 0, once placed and decoding,
 * serves the virtio-pci common, ISR, device and notify structures by
 * translating each access onto a virtio fake device's virtio-mmio
 * registers (tests/host/virtio/fake_virtio.c).
 */
#ifndef CCDMA_TEST_FAKE_ECAM_H
#define CCDMA_TEST_FAKE_ECAM_H

#include <stdbool.h>
#include <stdint.h>

#include "fake_virtio.h"

#define ECAM_BASE 0x30000000u
#define ECAM_SIZE (1u << 20)
#define ECAM_DEVS 8u

/* The virtio structures in BAR 0 (16 KiB). */
#define VBAR_SIZE 0x4000u
#define VBAR_COMMON 0x0000u
#define VBAR_ISR 0x1000u
#define VBAR_DEVICE 0x2000u
#define VBAR_NOTIFY 0x3000u

struct fake_fn {
    bool present;
    uint8_t cfg[4096];
    uint64_t bar_size[6];      /* 0: not implemented */
    bool bar_is64[6];
    struct fake_dev *virtio;   /* served behind BAR 0, or NULL */
    uintptr_t mapped_at;       /* where BAR 0 is registered (0: not) */
    uint16_t notify_off;       /* what queue_notify_off reads */
    uint32_t bar_mask_lie;     /* non-zero: BAR 0 answers this mask */
};

extern struct fake_fn fake_fns[ECAM_DEVS];
extern unsigned int ecam_cfg_writes;

void fake_ecam_init(void);
void fake_ecam_fini(void);
/* A plain function (not virtio) at dev. */
struct fake_fn *fake_fn_plain(unsigned int dev, uint16_t vendor, uint16_t device);
/* A modern virtio function at dev over the fake device d, with the four
 * standard capabilities (notify multiplier 4). */
struct fake_fn *fake_fn_virtio(unsigned int dev, struct fake_dev *d, uint16_t pci_device);
/* Capability helpers for hostile layouts: the byte offset of the nth
 * virtio capability (0-based), to edit. */
uint8_t fake_fn_cap(const struct fake_fn *f, unsigned int n);

#endif /* CCDMA_TEST_FAKE_ECAM_H */
