/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 translation for the EL1 runtime: an identity map (VA == canonical
 * physical address) whose output may carry the realm's shared bit, so that
 * a shared page keeps its CPU address and is reached through the
 * unprotected alias. 4 KiB granule, 39-bit VA, 1 GiB and 2 MiB blocks split
 * on demand. Every change to a live entry is break-before-make.
 */
#ifndef CCDMA_ARM64_MMU_H
#define CCDMA_ARM64_MMU_H

#include <stdbool.h>
#include <stdint.h>

enum mmu_attr {
    MMU_NORMAL = 0,    /* Normal write-back, read/write, executable */
    MMU_NORMAL_RO,     /* Normal write-back, read-only */
    MMU_NORMAL_NC,     /* Normal non-cacheable */
    MMU_DEVICE,        /* Device-nGnRE, never executable */
    MMU_UNMAPPED,      /* no translation: accesses fault */
};

/* MAIR_EL1 indices, also visible in PAR_EL1.ATTR after an AT instruction. */
#define MAIR_DEVICE_NGNRE 0x04
#define MAIR_NORMAL_WB 0xff
#define MAIR_NORMAL_NC 0x44

#define MMU_VA_BITS 39

/* Start a fresh set of tables (not yet live). Returns false if the table
 * pool is exhausted. */
bool mmu_tables_begin(void);
/* Map [va, va+size) to [pa, pa+size) with attr in the tables being built
 * (or the live ones, with break-before-make). Page-aligned arguments. */
int mmu_map(uint64_t va, uint64_t pa, uint64_t size, enum mmu_attr attr);
/* Install the tables being built and turn the MMU and caches on (or switch
 * to them if it is already on). */
void mmu_activate(void);

bool mmu_enabled(void);
/* Output address and attributes of va's translation via AT S1E1R.
 * Returns false (and the fault status in *fsc) if it does not translate. */
bool mmu_translate(uint64_t va, uint64_t *pa, uint8_t *mair_attr, unsigned int *fsc);

/* Table pages used so far, out of the pool. */
unsigned int mmu_tables_used(void);
unsigned int mmu_tables_total(void);

#endif /* CCDMA_ARM64_MMU_H */
