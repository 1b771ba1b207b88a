/* SPDX-License-Identifier: MIT */
/*
 * The AArch32 (LPAE) half of the table code: descriptor stores, TLB
 * maintenance and the CP15 programming. Runs before the MMU is on too, so
 * it is built with -fno-tree-loop-distribute-patterns like boot/main.c.
 */
#include "arch/arm/mmu.h"

#include <ccdma/errors.h>

#include "arch/arm/sysregs.h"

#define PAGE_SIZE 4096ull

unsigned int mmu_tables_used(void) { return pgtable_pages_used(); }
unsigned int mmu_tables_total(void) { return pgtable_pages_total(); }

static uint32_t sctlr_read(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
    return v;
}

bool mmu_enabled(void) { return sctlr_read() & SCTLR_M; }

/* LPAE makes a doubleword-aligned STRD single-copy atomic; a plain 64-bit
 * C store may be split into two STRs, which a walker could see half done. */
void pgtable_arch_store(volatile uint64_t *entry, uint64_t value)
{
    __asm__ volatile("strd %Q1, %R1, [%0]" ::"r"(entry), "r"(value) : "memory");
}

void pgtable_arch_tlbi_page(uint64_t va)
{
    /* TLBIMVAAIS: by MVA, all ASIDs, inner shareable. */
    __asm__ volatile("mcr p15, 0, %0, c8, c3, 3\n dsb ish"
                     ::"r"((uint32_t)va & ~(uint32_t)(PAGE_SIZE - 1)) : "memory");
}

void pgtable_arch_tlbi_all(void)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c3, 0\n dsb ish" ::"r"(0) : "memory"); /* TLBIALLIS */
}

bool mmu_tables_begin(void) { return pgtable_begin(); }

int mmu_map(uint64_t va, uint64_t pa, uint64_t size, enum mmu_attr attr)
{
    /* 40-bit output addresses: LPAE's physical address size. */
    if (va + size > (1ull << MMU_VA_BITS) || va + size < va || pa + size > (1ull << 40))
        return CCDMA_EINVAL;
    return pgtable_map(va, pa, size, attr);
}

static void ttbr0_write(uint64_t v)
{
    __asm__ volatile("mcrr p15, 0, %Q0, %R0, c2" ::"r"(v));
}

static void tlb_flush_local(void)
{
    __asm__ volatile("isb\n mcr p15, 0, %0, c8, c7, 0\n dsb nsh\n isb" ::"r"(0) : "memory");
}

void mmu_enable_regime(uint64_t mair, uint64_t ttbcr, uint64_t ttbr0)
{
    uint32_t sctlr;

    __asm__ volatile("mcr p15, 0, %0, c10, c2, 0" ::"r"((uint32_t)mair));         /* MAIR0 */
    __asm__ volatile("mcr p15, 0, %0, c10, c2, 1" ::"r"((uint32_t)(mair >> 32))); /* MAIR1 */
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" ::"r"((uint32_t)ttbcr));         /* TTBCR */
    ttbr0_write(ttbr0);
    /* Domains do not apply to long descriptors; DACR is set for clarity. */
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(0x55555555u));             /* DACR: client */
    tlb_flush_local();
    __asm__ volatile("mcr p15, 0, %0, c7, c5, 0" ::"r"(0) : "memory");            /* ICIALLU */
    sctlr = sctlr_read();
    sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_Z;
    sctlr &= ~(SCTLR_A | SCTLR_WXN);
    __asm__ volatile("dsb\n mcr p15, 0, %0, c1, c0, 0\n isb" ::"r"(sctlr) : "memory");
}

void mmu_activate(void)
{
    uint32_t ttbcr = TTBCR_EAE | /* T0SZ = 0: TTBR0 covers 4 GiB */
                     TTBCR_IRGN0_WBWA | TTBCR_ORGN0_WBWA | TTBCR_SH0_INNER |
                     TTBCR_EPD1; /* no TTBR1 walks */
    uint64_t root = (uint64_t)(uintptr_t)pgtable_commit();

    if (mmu_enabled()) {
        ttbr0_write(root);
        tlb_flush_local();
        return;
    }
    mmu_enable_regime(PGTABLE_MAIR_VALUE, ttbcr, root);
}

bool mmu_translate(uint64_t va, uint64_t *pa, uint8_t *mair_attr, unsigned int *fsc)
{
    uint32_t lo, hi;

    if (va >> MMU_VA_BITS) {
        if (fsc)
            *fsc = 0; /* not a 32-bit address: nothing to ask the MMU */
        return false;
    }
    __asm__ volatile("mcr p15, 0, %2, c7, c8, 0\n isb\n mrrc p15, 0, %0, %1, c7"
                     : "=r"(lo), "=r"(hi) : "r"((uint32_t)va) : "memory"); /* ATS1CPR, PAR */
    return pgtable_par_decode((uint64_t)hi << 32 | lo, va, pa, mair_attr, fsc);
}
