/* SPDX-License-Identifier: MIT */
/*
 * The EL2 program's own stage-1 map (EL2 regime, one VA range): an
 * identity map, so that libfdt, picolibc and the RMM run on Normal memory.
 * With the MMU off every data access is Device-nGnRnE, where an unaligned
 * access or a DC ZVA faults on hardware.
 *
 * First map: the device space below RAM as one Device-nGnRE block, the DTB
 * window and the image (less the stack's guard page). Then every RAM range
 * the DTB vouches for, 2 MiB blocks where aligned and pages at the edges,
 * so that memory the DTB reserves (TF-A's RMM carve-out) stays unmapped.
 * Invalid -> valid needs no TLB maintenance; nothing is ever unmapped.
 * The first map is built with the MMU off: aligned 64-bit stores only.
 */
#include "arch/arm64/sysregs.h"
#include "el2.h"
#include "el2_sysreg.h"

#define ENTRIES 512
#define L1_SHIFT 30
#define L2_SHIFT 21
#define L3_SHIFT 12
#define SZ_2M (1ull << L2_SHIFT)
#define SZ_4K (1ull << L3_SHIFT)
#define VA_BITS 39 /* level-1 start: 512 GiB of identity */

#define DESC_VALID (1ull << 0)
#define DESC_TABLE (1ull << 1) /* a table at L1/L2, a page at L3 */
#define DESC_ATTRIDX(i) ((uint64_t)(i) << 2)
#define DESC_AP1_RES1 (1ull << 6) /* AP[1] is RES1 in the EL2 regime */
#define DESC_SH_INNER (3ull << 8)
#define DESC_AF (1ull << 10)
#define DESC_XN (1ull << 54)
#define DESC_OA_MASK 0x0000fffffffff000ull

enum { IDX_DEVICE = 0, IDX_NORMAL = 1 };
#define MAIR_VALUE (0x04ull << (8 * IDX_DEVICE) | 0xffull << (8 * IDX_NORMAL))

#define TCR_EL2_RES1 ((1ull << 31) | (1ull << 23))
#define TCR_WALK_WBWA ((1ull << 8) | (1ull << 10))
#define TCR_SH0_INNER (3ull << 12)
#define TCR_PS_SHIFT 16

/* L2 tables for the GiBs of RAM (4 GiB below the 4 GiB line on virt) and
 * L3 tables for the unaligned edges of ranges. */
#define TABLES 24

static uint64_t l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t tables[TABLES][ENTRIES] __attribute__((aligned(4096)));
static unsigned int tables_used;

extern char __image_start[], __image_end[], __stack_guard[], __stack_bottom[];

static volatile uint64_t *next_level(volatile uint64_t *e)
{
    if (!(*e & DESC_VALID)) {
        if (tables_used == TABLES)
            el2_fatal("the EL2 map needs more page tables than mmu.c has");
        *e = (uint64_t)(uintptr_t)tables[tables_used++] | DESC_VALID | DESC_TABLE;
    }
    return (volatile uint64_t *)(uintptr_t)(*e & DESC_OA_MASK);
}

static uint64_t normal(uint64_t pa, bool page)
{
    return pa | DESC_VALID | (page ? DESC_TABLE : 0) | DESC_ATTRIDX(IDX_NORMAL) |
           DESC_AP1_RES1 | DESC_SH_INNER | DESC_AF;
}

static void map_normal(uint64_t base, uint64_t top)
{
    base &= ~(SZ_4K - 1);
    top = (top + SZ_4K - 1) & ~(SZ_4K - 1);
    while (base < top) {
        volatile uint64_t *l2 = next_level(&l1[(base >> L1_SHIFT) % ENTRIES]);
        volatile uint64_t *e2 = &l2[(base >> L2_SHIFT) % ENTRIES];

        if (!(base & (SZ_2M - 1)) && top - base >= SZ_2M && !(*e2 & DESC_VALID)) {
            *e2 = normal(base, false);
            base += SZ_2M;
            continue;
        }
        if ((*e2 & (DESC_VALID | DESC_TABLE)) == DESC_VALID) {
            base += SZ_2M - (base & (SZ_2M - 1)); /* already a block */
            continue;
        }
        next_level(e2)[(base >> L3_SHIFT) % ENTRIES] = normal(base, true);
        base += SZ_4K;
    }
}

static uint64_t pa_range(void)
{
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

    return parange > 5 ? 5 : parange; /* 48 bits: no LPA descriptors here */
}

void el2_mmu_enable(void)
{
    uint64_t sctlr;

    l1[0] = DESC_VALID | DESC_ATTRIDX(IDX_DEVICE) | DESC_AP1_RES1 | DESC_AF | DESC_XN;
    map_normal(EL2_DTB_PA, EL2_DTB_PA + EL2_DTB_MAX);
    map_normal((uintptr_t)__image_start, (uintptr_t)__stack_guard);
    map_normal((uintptr_t)__stack_bottom, (uintptr_t)__image_end);

    write_sysreg(mair_el2, MAIR_VALUE);
    write_sysreg(tcr_el2, TCR_EL2_RES1 | (64 - VA_BITS) | TCR_WALK_WBWA | TCR_SH0_INNER |
                              pa_range() << TCR_PS_SHIFT);
    write_sysreg(ttbr0_el2, (uintptr_t)l1);
    __asm__ volatile("dsb ish\n isb\n tlbi alle2\n ic iallu\n dsb ish\n isb" ::: "memory");
    sctlr = read_sysreg(sctlr_el2);
    sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
    sctlr &= ~(uint64_t)(SCTLR_A | SCTLR_WXN);
    write_sysreg(sctlr_el2, sctlr);
    isb();
}

void el2_mmu_map_ram(uint64_t base, uint64_t size)
{
    if (base >= 1ull << VA_BITS || size > (1ull << VA_BITS) - base)
        return; /* beyond this identity map: such RAM stays unused */
    map_normal(base, base + size);
    dsb(ishst);
    isb();
}
