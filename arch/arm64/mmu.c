/* SPDX-License-Identifier: MIT */
/*
 * Stage-1 page tables for the EL1 runtime. This file also runs before the
 * MMU is on, so it touches memory only with aligned 64-bit accesses and is
 * built with -fno-tree-loop-distribute-patterns (no hidden memset calls,
 * whose DC ZVA would fault on Device memory).
 */
#include "arch/arm64/mmu.h"

#include <stddef.h>

#include <ccdma/errors.h>

#include "arch/arm64/sysregs.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define ENTRIES 512
#define LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * (3 - (l))) /* l = 1..3 */

#define DESC_VALID (1ull << 0)
#define DESC_TABLE (1ull << 1) /* table at L1/L2, page at L3 */
#define DESC_ATTRIDX(i) ((uint64_t)(i) << 2)
#define DESC_AP_RO (2ull << 6)
#define DESC_SH_INNER (3ull << 8)
#define DESC_AF (1ull << 10)
#define DESC_PXN (1ull << 53)
#define DESC_UXN (1ull << 54)
#define DESC_OA_MASK 0x0000fffffffff000ull

/* MAIR_EL1 index of each attribute class. */
enum { IDX_DEVICE = 0, IDX_NORMAL = 1, IDX_NORMAL_NC = 2 };

extern uint64_t __pgtables_start[], __pgtables_end[];

static unsigned int pool_next;     /* next free table page */
static uint64_t *building_root;    /* tables being built */
static uint64_t *live_root;        /* tables the MMU walks */

static unsigned int pool_pages(void)
{
    return (unsigned int)(((uintptr_t)__pgtables_end - (uintptr_t)__pgtables_start) /
                          PAGE_SIZE);
}

unsigned int mmu_tables_used(void) { return pool_next; }
unsigned int mmu_tables_total(void) { return pool_pages(); }

static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }

bool mmu_enabled(void)
{
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    return sctlr & SCTLR_M;
}

static uint64_t *table_alloc(void)
{
    if (pool_next >= pool_pages())
        return NULL;
    uint64_t *t = (uint64_t *)((uintptr_t)__pgtables_start + pool_next * PAGE_SIZE);
    pool_next++;
    for (unsigned int i = 0; i < ENTRIES; i++)
        ((volatile uint64_t *)t)[i] = 0;
    return t;
}

static uint64_t leaf_bits(enum mmu_attr attr, int level)
{
    uint64_t d = DESC_VALID | DESC_AF | (level == 3 ? DESC_TABLE : 0);
    switch (attr) {
    case MMU_NORMAL:
        return d | DESC_ATTRIDX(IDX_NORMAL) | DESC_SH_INNER;
    case MMU_NORMAL_RO:
        return d | DESC_ATTRIDX(IDX_NORMAL) | DESC_SH_INNER | DESC_AP_RO | DESC_PXN |
               DESC_UXN;
    case MMU_NORMAL_NC:
        return d | DESC_ATTRIDX(IDX_NORMAL_NC) | DESC_SH_INNER | DESC_PXN | DESC_UXN;
    case MMU_DEVICE:
        return d | DESC_ATTRIDX(IDX_DEVICE) | DESC_PXN | DESC_UXN;
    case MMU_UNMAPPED:
    default:
        return 0;
    }
}

/* Break-before-make for an entry the MMU may be walking. */
static void entry_write(volatile uint64_t *e, uint64_t val, uint64_t va, bool live)
{
    if (live && (*e & DESC_VALID)) {
        *e = 0;
        dsb_ish();
        __asm__ volatile("tlbi vaae1is, %0" ::"r"(va >> PAGE_SHIFT) : "memory");
        dsb_ish();
    }
    *e = val;
    if (live) {
        dsb_ish();
        isb();
    }
}

/* Replace a block at level with a table of the next level that maps the
 * same memory the same way, so that part of it can then be changed. */
static int block_split(volatile uint64_t *e, int level, uint64_t va, bool live)
{
    uint64_t *t = table_alloc();
    if (!t)
        return CCDMA_ENOMEM;
    uint64_t block = *e;
    uint64_t child_size = 1ull << LEVEL_SHIFT(level + 1);
    uint64_t attrs = block & ~DESC_OA_MASK & ~(DESC_VALID | DESC_TABLE);
    uint64_t oa = block & DESC_OA_MASK;
    for (unsigned int i = 0; i < ENTRIES; i++)
        ((volatile uint64_t *)t)[i] = attrs | (oa + i * child_size) | DESC_VALID |
                                      (level + 1 == 3 ? DESC_TABLE : 0);
    dsb_ish();
    entry_write(e, (uint64_t)(uintptr_t)t | DESC_VALID | DESC_TABLE,
                va & ~((1ull << LEVEL_SHIFT(level)) - 1), live);
    if (live) {
        /* The old block may sit in the TLB for any address it covered. */
        __asm__ volatile("tlbi vmalle1is" ::: "memory");
        dsb_ish();
        isb();
    }
    return 0;
}

static int map_one(uint64_t *root, uint64_t va, uint64_t pa, uint64_t remaining,
                   enum mmu_attr attr, bool live, uint64_t *mapped)
{
    volatile uint64_t *table = root;
    for (int level = 1; level <= 3; level++) {
        uint64_t shift = LEVEL_SHIFT(level);
        uint64_t size = 1ull << shift;
        volatile uint64_t *e = &table[(va >> shift) & (ENTRIES - 1)];
        bool fits = level > 1 && (va & (size - 1)) == 0 && (pa & (size - 1)) == 0 &&
                    remaining >= size;
        if (level == 3 || fits) {
            uint64_t bits = leaf_bits(attr, level);
            entry_write(e, bits ? (bits | (pa & DESC_OA_MASK)) : 0, va, live);
            *mapped = size;
            return 0;
        }
        if (!(*e & DESC_VALID)) {
            uint64_t *t = table_alloc();
            if (!t)
                return CCDMA_ENOMEM;
            dsb_ish();
            entry_write(e, (uint64_t)(uintptr_t)t | DESC_VALID | DESC_TABLE, va, live);
        } else if (!(*e & DESC_TABLE)) {
            int err = block_split(e, level, va, live);
            if (err)
                return err;
        }
        table = (volatile uint64_t *)(uintptr_t)(*e & DESC_OA_MASK);
    }
    return CCDMA_EINVAL; /* unreachable: level 3 always maps */
}

bool mmu_tables_begin(void)
{
    building_root = table_alloc();
    return building_root != NULL;
}

int mmu_map(uint64_t va, uint64_t pa, uint64_t size, enum mmu_attr attr)
{
    uint64_t *root = building_root ? building_root : live_root;
    bool live = root == live_root && mmu_enabled();

    if (!root || ((va | pa | size) & (PAGE_SIZE - 1)) || size == 0 ||
        va + size > (1ull << MMU_VA_BITS) || va + size < va)
        return CCDMA_EINVAL;
    while (size) {
        uint64_t step;
        int err = map_one(root, va, pa, size, attr, live, &step);
        if (err)
            return err;
        va += step;
        pa += step;
        size -= step;
    }
    return 0;
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
    uint64_t mair = (uint64_t)MAIR_DEVICE_NGNRE << (8 * IDX_DEVICE) |
                    (uint64_t)MAIR_NORMAL_WB << (8 * IDX_NORMAL) |
                    (uint64_t)MAIR_NORMAL_NC << (8 * IDX_NORMAL_NC);
    uint64_t tcr = (64 - MMU_VA_BITS) |       /* T0SZ */
                   (1ull << 8) | (1ull << 10) | /* walks: inner/outer WB WA */
                   (3ull << 12) |              /* inner shareable */
                   (1ull << 23) |              /* EPD1: no TTBR1 walks */
                   ((uint64_t)pa_range_to_ips() << 32);

    live_root = building_root;
    building_root = NULL;
    dsb_ish();
    if (mmu_enabled()) {
        __asm__ volatile("msr ttbr0_el1, %0\n isb\n tlbi vmalle1\n dsb nsh\n isb"
                         ::"r"(live_root) : "memory");
        return;
    }
    uint64_t sctlr;
    __asm__ volatile("msr mair_el1, %0" ::"r"(mair));
    __asm__ volatile("msr tcr_el1, %0" ::"r"(tcr));
    __asm__ volatile("msr ttbr0_el1, %0" ::"r"(live_root));
    __asm__ volatile("isb\n tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
    __asm__ volatile("msr sctlr_el1, %0\n isb" ::"r"(sctlr) : "memory");
}

bool mmu_translate(uint64_t va, uint64_t *pa, uint8_t *mair_attr, unsigned int *fsc)
{
    uint64_t par;
    __asm__ volatile("at s1e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(va));
    if (par & 1) {
        if (fsc)
            *fsc = (par >> 1) & 0x3f;
        return false;
    }
    if (pa)
        *pa = (par & DESC_OA_MASK) | (va & (PAGE_SIZE - 1));
    if (mair_attr)
        *mair_attr = (uint8_t)(par >> 56);
    return true;
}
