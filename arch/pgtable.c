/* SPDX-License-Identifier: MIT */
/* Long-descriptor table building, shared by arch/arm64 and arch/arm. */
#include "arch/pgtable.h"

#include <stddef.h>

#include <ccdma/errors.h>

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
#define DESC_XN (1ull << 54) /* UXN on AArch64 */

extern uint64_t __pgtables_start[], __pgtables_end[];

static unsigned int pool_next;     /* next free table page */
static uint64_t *building_root;    /* tables being built */
static uint64_t *live_root;        /* tables the MMU walks */

/* Both architectures spell these the same way. */
static inline void dsb_ish(void) { __asm__ volatile("dsb ish" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }

unsigned int pgtable_pages_total(void)
{
    return (unsigned int)(((uintptr_t)__pgtables_end - (uintptr_t)__pgtables_start) /
                          PAGE_SIZE);
}

unsigned int pgtable_pages_used(void) { return pool_next; }

static uint64_t *table_alloc(void)
{
    if (pool_next >= pgtable_pages_total())
        return NULL;
    uint64_t *t = (uint64_t *)((uintptr_t)__pgtables_start + (uintptr_t)pool_next * 4096u);
    pool_next++;
    for (unsigned int i = 0; i < ENTRIES; i++)
        pgtable_arch_store(&t[i], 0);
    return t;
}

static uint64_t leaf_bits(enum mmu_attr attr, int level)
{
    uint64_t d = DESC_VALID | DESC_AF | (level == 3 ? DESC_TABLE : 0);
    switch (attr) {
    case MMU_NORMAL:
        return d | DESC_ATTRIDX(PGTABLE_IDX_NORMAL) | DESC_SH_INNER;
    case MMU_NORMAL_RO:
        return d | DESC_ATTRIDX(PGTABLE_IDX_NORMAL) | DESC_SH_INNER | DESC_AP_RO | DESC_PXN |
               DESC_XN;
    case MMU_NORMAL_NC:
        return d | DESC_ATTRIDX(PGTABLE_IDX_NORMAL_NC) | DESC_SH_INNER | DESC_PXN | DESC_XN;
    case MMU_DEVICE:
        return d | DESC_ATTRIDX(PGTABLE_IDX_DEVICE) | DESC_PXN | DESC_XN;
    case MMU_UNMAPPED:
    default:
        return 0;
    }
}

static uint64_t table_desc(const uint64_t *t)
{
    return (uint64_t)(uintptr_t)t | DESC_VALID | DESC_TABLE;
}

/* Break-before-make for an entry the MMU may be walking. An entry above
 * level 3 (a block, or a table) may sit in the TLB for every page it covers,
 * so its break invalidates them all before the new entry is made. */
static void entry_write(volatile uint64_t *e, uint64_t val, uint64_t va, int level,
                        bool live)
{
    if (live && (*e & DESC_VALID)) {
        pgtable_arch_store(e, 0);
        dsb_ish();
        if (level < 3)
            pgtable_arch_tlbi_all();
        else
            pgtable_arch_tlbi_page(va);
    }
    pgtable_arch_store(e, val);
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
    uint64_t attrs = block & ~PGTABLE_OA_MASK & ~(DESC_VALID | DESC_TABLE);
    uint64_t oa = block & PGTABLE_OA_MASK;
    for (unsigned int i = 0; i < ENTRIES; i++)
        pgtable_arch_store(&t[i], attrs | (oa + i * child_size) | DESC_VALID |
                                      (level + 1 == 3 ? DESC_TABLE : 0));
    dsb_ish();
    entry_write(e, table_desc(t), va & ~((1ull << LEVEL_SHIFT(level)) - 1), level, live);
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
        /* A block never replaces a table: that would orphan the table and
         * leave its pages' TLB entries behind. Map through it instead. */
        bool is_table = level < 3 && (*e & DESC_VALID) && (*e & DESC_TABLE);
        bool fits = level > 1 && !is_table && (va & (size - 1)) == 0 &&
                    (pa & (size - 1)) == 0 && remaining >= size;
        if (level == 3 || fits) {
            uint64_t bits = leaf_bits(attr, level);
            entry_write(e, bits ? (bits | (pa & PGTABLE_OA_MASK)) : 0, va, level, live);
            *mapped = size;
            return 0;
        }
        if (!(*e & DESC_VALID)) {
            uint64_t *t = table_alloc();
            if (!t)
                return CCDMA_ENOMEM;
            dsb_ish();
            entry_write(e, table_desc(t), va, level, live);
        } else if (!(*e & DESC_TABLE)) {
            int err = block_split(e, level, va, live);
            if (err)
                return err;
        }
        table = (volatile uint64_t *)(uintptr_t)(*e & PGTABLE_OA_MASK);
    }
    return CCDMA_EINVAL; /* unreachable: level 3 always maps */
}

bool pgtable_begin(void)
{
    building_root = table_alloc();
    return building_root != NULL;
}

int pgtable_map(uint64_t va, uint64_t pa, uint64_t size, enum mmu_attr attr)
{
    uint64_t *root = building_root ? building_root : live_root;
    bool live = root == live_root && mmu_enabled();

    if (!root || ((va | pa | size) & (PAGE_SIZE - 1)) || size == 0 || va + size < va)
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

bool pgtable_par_decode(uint64_t par, uint64_t va, uint64_t *pa, uint8_t *mair_attr,
                        unsigned int *fsc)
{
    if (par & 1) {
        if (fsc)
            *fsc = (par >> 1) & 0x3f;
        return false;
    }
    if (pa)
        *pa = (par & PGTABLE_OA_MASK) | (va & (PAGE_SIZE - 1));
    if (mair_attr)
        *mair_attr = (uint8_t)(par >> 56);
    return true;
}

uint64_t *pgtable_commit(void)
{
    live_root = building_root;
    building_root = NULL;
    dsb_ish();
    return live_root;
}
