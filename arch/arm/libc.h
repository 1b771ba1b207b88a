/* SPDX-License-Identifier: MIT */
/* newlib's per-boot setup (arch/arm/syscalls.c). */
#ifndef CCDMA_ARM_LIBC_H
#define CCDMA_ARM_LIBC_H

/* Unbuffered stdio, so nothing is lost when a fault ends the run. */
void arm_libc_init(void);

#endif /* CCDMA_ARM_LIBC_H */
