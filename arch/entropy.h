/* SPDX-License-Identifier: MIT */
/*
 * Random numbers the host can neither read nor choose, from the CPU itself
 * (arch/arm64/entropy.c: FEAT_RNG's RNDR). Everything else a boot could
 * draw on (the counter, MIDR, the DTB's rng-seed, a virtio-rng) comes from
 * the host or is visible to it, and is only ever mixed in after these.
 */
#ifndef CCDMA_ARCH_ENTROPY_H
#define CCDMA_ARCH_ENTROPY_H

#include <stdint.h>

/* 64 random bits into *out: 0; CCDMA_ENOTSUP where the CPU has no such
 * source; CCDMA_EIO when it had none to give after a few tries. */
int arch_entropy_read(uint64_t *out);

#endif /* CCDMA_ARCH_ENTROPY_H */
