/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 translation for the EL1 runtime: the AArch64 half of the table
 * code (arch/pgtable.c builds the tables). This file also runs before the
 * MMU is on and is built with -fno-tree-loop-distribute-patterns (no hidden
 * memset calls, whose DC ZVA would fault on Device memory).
 */
#include "arch/arm64/mmu.h"

#include <stddef.h>

#include <ccdma/errors.h>

#include "arch/arm64/sysregs.h"

unsigned int mmu_tables_used(void) { return pgtable_pages_used(); }
unsigned int mmu_tables_total(void) { return pgtable_pages_total(); }

bool mmu_enabled(void)
{
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    return sctlr & SCTLR_M;
}

/* A 64-bit STR is single-copy atomic. */
void pgtable_arch_store(volatile uint64_t *entry, uint64_t value) { *entry = value; }

void pgtable_arch_tlbi_page(uint64_t va)
{
    __asm__ volatile("tlbi vaae1is, %0\n dsb ish" ::"r"(va >> 12) : "memory");
}

void pgtable_arch_tlbi_all(void) { __asm__ volatile("tlbi vmalle1is\n dsb ish" ::: "memory"); }

bool mmu_tables_begin(void) { return pgtable_begin(); }

int mmu_map(uint64_t va, uint64_t pa, uint64_t size, enum mmu_attr attr)
{
    if (va + size > (1ull << MMU_VA_BITS) || va + size < va)
        return CCDMA_EINVAL;
    return pgtable_map(va, pa, size, attr);
}

static unsigned int pa_range_to_ips(void)
{
    uint64_t mmfr0;
    __asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
    unsigned int parange = mmfr0 & 0xf;
    return parange > 6 ? 6 : parange;
}

void mmu_activate(void)
{
    uint64_t mair = PGTABLE_MAIR_VALUE;
    uint64_t tcr = (64 - MMU_VA_BITS) |       /* T0SZ */
                   (1ull << 8) | (1ull << 10) | /* walks: inner/outer WB WA */
                   (3ull << 12) |              /* inner shareable */
                   (1ull << 23) |              /* EPD1: no TTBR1 walks */
                   ((uint64_t)pa_range_to_ips() << 32);
    uint64_t *root = pgtable_commit();

    if (mmu_enabled()) {
        __asm__ volatile("msr ttbr0_el1, %0\n isb\n tlbi vmalle1\n dsb nsh\n isb"
                         ::"r"(root) : "memory");
        return;
    }
    mmu_enable_regime(mair, tcr, (uintptr_t)root);
}

void mmu_enable_regime(uint64_t mair, uint64_t tcr, uint64_t ttbr)
{
    uint64_t sctlr;

    __asm__ volatile("msr mair_el1, %0" ::"r"(mair));
    __asm__ volatile("msr tcr_el1, %0" ::"r"(tcr));
    __asm__ volatile("msr ttbr0_el1, %0" ::"r"(ttbr));
    __asm__ volatile("isb\n tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
    __asm__ volatile("msr sctlr_el1, %0\n isb" ::"r"(sctlr) : "memory");
}

bool mmu_translate(uint64_t va, uint64_t *pa, uint8_t *mair_attr, unsigned int *fsc)
{
    uint64_t par;
    __asm__ volatile("at s1e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(va));
    return pgtable_par_decode(par, va, pa, mair_attr, fsc);
}
