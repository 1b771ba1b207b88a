/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 translation for the AArch32 runtime (PL1, SVC mode) with LPAE:
 * TTBCR.EAE=1, long descriptors, an identity map of the 32-bit address space
 * (TTBR0 covers all 4 GiB, walks from level 1), 4 KiB pages and 2 MiB blocks
 * split on demand. The MMU interface (arch/pgtable.h) is the one AArch64
 * implements, so boot/main.c serves both; the tables are arch/pgtable.c's.
 */
#ifndef CCDMA_ARM_MMU_H
#define CCDMA_ARM_MMU_H

#include "arch/pgtable.h" /* the MMU interface, enum mmu_attr, MAIR_* */

#define MMU_VA_BITS 32

#include <stdint.h>

/* The MMU on over a regime another CPU built: MAIR0/1 (as one 64-bit
 * value), TTBCR and TTBR0, as a secondary takes the boot CPU's. */
void mmu_enable_regime(uint64_t mair, uint64_t ttbcr, uint64_t ttbr0);

#endif /* CCDMA_ARM_MMU_H */
