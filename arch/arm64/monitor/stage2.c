/* SPDX-License-Identifier: MIT */
/*
 * Stage 2 for the realm: 32-bit IPA, 4 KiB granule, start level 1, every
 * mapping a 4 KiB page so that each granule follows its RIPAS alone.
 *
 *   protected RAM  IPA 0x4000_0000 + n  -> realm RAM PA, only while RIPAS RAM
 *   its alias      IPA | shared bit     -> the same PA, only while EMPTY
 *                                          (execute-never: fetches from
 *                                          unprotected IPAs abort)
 *   the UART       shared bit + PA      -> its PA, Device-nGnRE, XN
 *   virtio-mmio    never mapped: every access traps and is emulated
 *
 * All tables exist from boot (RAM and alias alike), so a RIPAS change only
 * rewrites leaf entries and never allocates.
 */
#include "boot/runtime.h"
#include "monitor.h"

#define ENTRIES 512
#define PAGE_SHIFT 12
#define LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * (3 - (l)))
#define L2_SPAN (1ull << LEVEL_SHIFT(2))

#define S2_VALID (1ull << 0)
#define S2_TABLE (1ull << 1) /* table at L1/L2, page at L3 */
#define S2_MEMATTR_NORMAL_WB (0xfull << 2)
#define S2_MEMATTR_DEVICE_NGNRE (0x1ull << 2)
#define S2_AP_RW (3ull << 6)
#define S2_SH_INNER (3ull << 8)
#define S2_AF (1ull << 10)
#define S2_XN (1ull << 54)
#define S2_OA_MASK 0x0000fffffffff000ull

#define PAGE_RAM (S2_VALID | S2_TABLE | S2_MEMATTR_NORMAL_WB | S2_AP_RW | S2_SH_INNER | S2_AF)
#define PAGE_ALIAS (PAGE_RAM | S2_XN)
#define PAGE_DEVICE (S2_VALID | S2_TABLE | S2_MEMATTR_DEVICE_NGNRE | S2_AP_RW | S2_AF | S2_XN)

/* VTCR_EL2: T0SZ 32, SL0 = level 1, walks inner/outer WBWA, inner
 * shareable, TG0 4 KiB, PS from the CPU (at least 40 bits on virt). */
#define VTCR_RES1 (1ull << 31)
#define VTCR_T0SZ (64 - MON_IPA_WIDTH)
#define VTCR_SL0_L1 (1ull << 6)
#define VTCR_WALK_WBWA ((1ull << 8) | (1ull << 10))
#define VTCR_SH0_INNER (3ull << 12)
#define VTCR_PS_SHIFT 16
#define VTTBR_VMID(v) ((uint64_t)(v) << 48)
#define REALM_VMID 1

/* Above this many granules one TLBI by VMID beats TLBIs by IPA. */
#define TLBI_BY_IPA_MAX 32

/* L1 + an L2 per GiB in use (RAM, device space, alias) + L3 for every
 * 2 MiB of RAM and of its alias + a few for device pages. */
#define DEVICE_L3_TABLES 4
#define POOL_PAGES (1 + 3 + 2 * (MON_REALM_RAM_SIZE / L2_SPAN) + DEVICE_L3_TABLES)

static uint64_t pool[POOL_PAGES][ENTRIES] __attribute__((aligned(4096)));
static unsigned int pool_used;

_Static_assert(MON_IPA_WIDTH - LEVEL_SHIFT(1) <= 9, "level-1 start needs IPA <= 39 bits");

static uint64_t *table_alloc(void)
{
    if (pool_used == POOL_PAGES)
        runtime_fail_stop("monitor: stage-2 table pool exhausted");
    return pool[pool_used++]; /* .bss: already zero */
}

/* The L3 entry for ipa, creating tables on the way when create is set;
 * NULL when a table is missing and create is not. */
static volatile uint64_t *leaf(uint64_t ipa, bool create)
{
    uint64_t *table = pool[0];

    for (int level = 1; level < 3; level++) {
        uint64_t *e = &table[(ipa >> LEVEL_SHIFT(level)) & (ENTRIES - 1)];

        if (!(*e & S2_VALID)) {
            if (!create)
                return NULL;
            *e = (uint64_t)(uintptr_t)table_alloc() | S2_VALID | S2_TABLE;
        }
        table = (uint64_t *)(uintptr_t)(*e & S2_OA_MASK);
    }
    return &table[(ipa >> PAGE_SHIFT) & (ENTRIES - 1)];
}

bool stage2_is_mapped(uint64_t ipa)
{
    volatile uint64_t *e = ipa < (1ull << MON_IPA_WIDTH) ? leaf(ipa, false) : NULL;

    return e != NULL && (*e & S2_VALID);
}

void stage2_init(const struct dt_platform *p)
{
    pool_used = 1; /* pool[0] is the level-1 table */
    for (uint64_t ipa = MON_REALM_RAM_IPA; ipa < MON_REALM_RAM_IPA + MON_REALM_RAM_SIZE;
         ipa += MON_GRANULE) {
        *leaf(ipa, true) = realm_pa(ipa) | PAGE_RAM;
        (void)leaf(ipa | MON_SHARED_BIT, true); /* table only: not shared yet */
    }
    /* The console: the realm writes it directly, as a host would let it
     * (its output is not secret, and trapping every byte buys nothing). */
    if (p->has_uart) {
        for (uint64_t off = 0; off < p->uart.size; off += MON_GRANULE)
            *leaf(MON_SHARED_BIT + p->uart.base + off, true) =
                (p->uart.base + off) | PAGE_DEVICE;
    }
    __asm__ volatile("dsb ishst" ::: "memory");
}

void stage2_activate(void)
{
    uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

    write_sysreg(vtcr_el2, VTCR_RES1 | VTCR_T0SZ | VTCR_SL0_L1 | VTCR_WALK_WBWA |
                               VTCR_SH0_INNER | (parange > 5 ? 5 : parange) << VTCR_PS_SHIFT);
    write_sysreg(vttbr_el2, (uintptr_t)pool[0] | VTTBR_VMID(REALM_VMID));
    __asm__ volatile("isb\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
}

static void set_entries(uint64_t ipa, unsigned int ripas, bool make)
{
    volatile uint64_t *prot = leaf(ipa, false);
    volatile uint64_t *alias = leaf(ipa | MON_SHARED_BIT, false);
    uint64_t pa = realm_pa(ipa);

    if (make) {
        if (ripas == RSI_RIPAS_RAM)
            *prot = pa | PAGE_RAM;
        else if (ripas == RSI_RIPAS_EMPTY)
            *alias = pa | PAGE_ALIAS;
        return;
    }
    if (ripas != RSI_RIPAS_RAM)
        *prot = 0;
    if (ripas != RSI_RIPAS_EMPTY)
        *alias = 0;
}

/*
 * Break-before-make over the whole run: first every mapping the new RIPAS
 * forbids goes, then the TLBs forget them, then the allowed alias appears.
 * The realm is stopped meanwhile, so it never sees a half-changed range.
 */
void stage2_on_ripas_change(void *ctx, uint64_t base, uint64_t top,
                            unsigned int ripas)
{
    uint64_t n = (top - base) / MON_GRANULE;

    (void)ctx;
    if (base < MON_REALM_RAM_IPA || top > MON_REALM_RAM_IPA + MON_REALM_RAM_SIZE ||
        base >= top)
        runtime_fail_stop("monitor: RIPAS change outside realm RAM (model bug)");
    for (uint64_t ipa = base; ipa < top; ipa += MON_GRANULE)
        set_entries(ipa, ripas, false);
    __asm__ volatile("dsb ishst" ::: "memory");
    if (n <= TLBI_BY_IPA_MAX) {
        for (uint64_t ipa = base; ipa < top; ipa += MON_GRANULE) {
            __asm__ volatile("tlbi ipas2e1is, %0" ::"r"(ipa >> PAGE_SHIFT) : "memory");
            __asm__ volatile("tlbi ipas2e1is, %0"
                             ::"r"((ipa | MON_SHARED_BIT) >> PAGE_SHIFT) : "memory");
        }
        /* Combined stage-1+2 entries are not tagged by IPA. */
        __asm__ volatile("dsb ish\n tlbi vmalle1is" ::: "memory");
    } else {
        __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    }
    __asm__ volatile("dsb ish\n isb" ::: "memory");
    for (uint64_t ipa = base; ipa < top; ipa += MON_GRANULE)
        set_entries(ipa, ripas, true);
    __asm__ volatile("dsb ishst\n isb" ::: "memory");
}
