/* SPDX-License-Identifier: MIT */
/*
 * Long-descriptor translation tables, 4 KiB granule, shared by both
 * architectures: AArch64 stage 1 (VMSAv8-64) and AArch32 LPAE store the same
 * descriptors (levels 1-3 = 1 GiB, 2 MiB, 4 KiB; AttrIndx, AP, SH, AF,
 * PXN/XN at the same bits). They differ only in how a descriptor is stored
 * single-copy atomically and how the TLB is invalidated, which
 * arch/<arch>/mmu.c provides through the pgtable_arch_*() hooks below, with
 * mmu_enabled(). Every change to a live entry is break-before-make. The
 * MMU interface built on it (mmu_map() and friends) is declared here too,
 * so both architectures implement the same one.
 *
 * This code also runs before the MMU is on: it touches tables only through
 * pgtable_arch_store() (aligned 64-bit stores, no compiler-made memset).
 */
#ifndef CCDMA_ARCH_PGTABLE_H
#define CCDMA_ARCH_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

enum mmu_attr {
    MMU_NORMAL = 0,    /* Normal write-back, read/write, executable */
    MMU_NORMAL_RO,     /* Normal write-back, read-only */
    MMU_NORMAL_NC,     /* Normal non-cacheable */
    MMU_DEVICE,        /* Device-nGnRE, never executable */
    MMU_UNMAPPED,      /* no translation: accesses fault */
};

/* MAIR attribute encodings, also what the PAR reports after an AT lookup;
 * the same bytes on both architectures (ARMv7 calls 0x04 "Device"). */
#define MAIR_DEVICE_NGNRE 0x04
#define MAIR_NORMAL_WB 0xff
#define MAIR_NORMAL_NC 0x44

/* Which MAIR slot each class uses; the arch programs MAIR accordingly. */
enum { PGTABLE_IDX_DEVICE = 0, PGTABLE_IDX_NORMAL = 1, PGTABLE_IDX_NORMAL_NC = 2 };

#define PGTABLE_MAIR_VALUE                                                      \
    ((uint64_t)MAIR_DEVICE_NGNRE << (8 * PGTABLE_IDX_DEVICE) |                  \
     (uint64_t)MAIR_NORMAL_WB << (8 * PGTABLE_IDX_NORMAL) |                     \
     (uint64_t)MAIR_NORMAL_NC << (8 * PGTABLE_IDX_NORMAL_NC))

/* Output-address bits of a descriptor (and of the PAR). */
#define PGTABLE_OA_MASK 0x0000fffffffff000ull

/* ---- The MMU interface boot code and tests use; arch/<arch>/mmu.c
 * implements it (arch/<arch>/mmu.h adds MMU_VA_BITS). ---- */

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
/* Output address and MAIR attribute of va's stage-1 translation (an AT
 * instruction and the 64-bit PAR). Returns false (and the fault status in
 * *fsc) if it does not translate. */
bool mmu_translate(uint64_t va, uint64_t *pa, uint8_t *mair_attr, unsigned int *fsc);
/* Table pages used so far, out of the pool. */
unsigned int mmu_tables_used(void);
unsigned int mmu_tables_total(void);

/* ---- The table core (arch/pgtable.c) ---- */

/* Start a fresh root in the pool (__pgtables_start..__pgtables_end). */
bool pgtable_begin(void);
/* Map [va, va+size) to pa with attr, in the tables being built, or in the
 * live ones (break-before-make when the MMU is on). Page-aligned arguments,
 * va range already checked by the caller. Returns 0 or a CCDMA_E* code. */
int pgtable_map(uint64_t va, uint64_t pa, uint64_t size, enum mmu_attr attr);
/* The tables being built become the live ones; returns their root. */
uint64_t *pgtable_commit(void);
unsigned int pgtable_pages_used(void);
unsigned int pgtable_pages_total(void);
/* mmu_translate()'s answer from a 64-bit-format PAR (the same layout on
 * both architectures: F, FST, PA, ATTR). */
bool pgtable_par_decode(uint64_t par, uint64_t va, uint64_t *pa, uint8_t *mair_attr,
                        unsigned int *fsc);

/* ---- Provided by the architecture, for the core ---- */
/* Store a descriptor as one single-copy-atomic 64-bit write. */
void pgtable_arch_store(volatile uint64_t *entry, uint64_t value);
/* Invalidate the TLB entries for one page (every ASID, inner shareable)
 * and wait for completion. */
void pgtable_arch_tlbi_page(uint64_t va);
/* Invalidate the whole stage-1 TLB (inner shareable) and wait. */
void pgtable_arch_tlbi_all(void);

#endif /* CCDMA_ARCH_PGTABLE_H */
