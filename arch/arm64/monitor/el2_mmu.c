/* SPDX-License-Identifier: MIT */
/*
 * The monitor's own stage-1 translation (EL2 regime, one VA range): an
 * identity map, so that libfdt, picolibc and the model run on Normal
 * memory. With the MMU off every data access is Device-nGnRnE, where an
 * unaligned access or a DC ZVA faults on hardware (QEMU does not model
 * that, so only this map makes the monitor correct off QEMU).
 *
 * Only what the layout names is mapped Normal, and RAM only once the DTB
 * has vouched for it: first the host DTB and the monitor image, then (after
 * the layout check) the poison window and realm RAM. The device space
 * below RAM is one Device-nGnRE block. Built with the MMU off: aligned
 * 64-bit stores only, no library calls.
 */
#include "arch/arm64/sysregs.h"
#include "boot/runtime.h"
#include "monitor.h"

#define ENTRIES 512
#define L1_SHIFT 30
#define L2_SHIFT 21
#define BLOCK_2M (1ull << L2_SHIFT)
#define VA_BITS 39 /* level-1 start: 512 GiB of identity is plenty */

#define DESC_VALID (1ull << 0)
#define DESC_TABLE (1ull << 1)
#define DESC_ATTRIDX(i) ((uint64_t)(i) << 2)
/* AP[1] is RES1 in the EL2 regime (TF-A's AP_ONE_VA_RANGE_RES1). */
#define DESC_AP1_RES1 (1ull << 6)
#define DESC_SH_INNER (3ull << 8)
#define DESC_AF (1ull << 10)
#define DESC_XN (1ull << 54)

enum { IDX_DEVICE = 0, IDX_NORMAL = 1 };
#define MAIR_VALUE (0x04ull << (8 * IDX_DEVICE) | 0xffull << (8 * IDX_NORMAL))

#define TCR_EL2_RES1 ((1ull << 31) | (1ull << 23))
#define TCR_WALK_WBWA ((1ull << 8) | (1ull << 10)) /* IRGN0, ORGN0 */
#define TCR_SH0_INNER (3ull << 12)
#define TCR_PS_SHIFT 16

/* One L2 table per GiB that holds Normal memory. Everything mapped Normal
 * lies in [NORMAL_LO, NORMAL_HI):
 *   - the host DTB, inside the poison window (monitor_layout.h asserts it);
 *   - the poison window itself;
 *   - the monitor image: from CCDMA_MONITOR_BASE >= MON_POISON_TOP
 *     (monitor_layout.h) to __image_end <= CCDMA_REALM_PAYLOAD_PA - 2 MiB
 *     = MON_REALM_RAM_PA (linker/monitor.ld's ASSERT, with the payload PA
 *     asserted in monitor_layout.h);
 *   - realm RAM.
 * Both ends are 2 MiB aligned, so widening to blocks stays inside, and the
 * GiBs that range touches bound the tables needed. The image end is a link-
 * time value the compiler cannot see, and the proof holds only as long as
 * every map_normal() call is one of the above, so map_normal() also checks
 * the count before it takes a table. */
#define NORMAL_LO MON_POISON_BASE
#define NORMAL_HI (MON_REALM_RAM_PA + MON_REALM_RAM_SIZE)
#define GIB_SPAN(lo, hi) (((((hi) - 1) >> L1_SHIFT) - ((lo) >> L1_SHIFT)) + 1)
#define L2_TABLES 3

_Static_assert(MON_HOST_DTB_PA >= NORMAL_LO && MON_HOST_DTB_PA + MON_HOST_DTB_MAX <= NORMAL_HI &&
                   MON_POISON_TOP <= NORMAL_HI && CCDMA_MONITOR_BASE >= NORMAL_LO &&
                   MON_REALM_RAM_PA >= NORMAL_LO,
               "every Normal range of the EL2 map lies in [NORMAL_LO, NORMAL_HI)");
_Static_assert(NORMAL_LO % BLOCK_2M == 0 && NORMAL_HI % BLOCK_2M == 0,
               "2 MiB widening stays inside [NORMAL_LO, NORMAL_HI)");
_Static_assert(GIB_SPAN(NORMAL_LO, NORMAL_HI) <= L2_TABLES,
               "the layout needs more level-2 tables than el2_mmu.c has");
_Static_assert(NORMAL_HI <= 1ull << VA_BITS, "the identity map does not reach the layout");

static uint64_t l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t l2[L2_TABLES][ENTRIES] __attribute__((aligned(4096)));
static unsigned int l2_used;

extern char __image_start[], __image_end[];

/* Report and stop, usable with the MMU off: byte stores into the console's
 * early buffer (flushed through semihosting by runtime_exit), no printf. */
static noreturn void mmu_fail(const char *why)
{
    for (const char *p = why; *p != '\0'; p++)
        console_putc(*p);
    runtime_exit(1);
}

static uint64_t block_normal(uint64_t pa)
{
    return pa | DESC_VALID | DESC_ATTRIDX(IDX_NORMAL) | DESC_AP1_RES1 |
           DESC_SH_INNER | DESC_AF;
}

static uint64_t block_device(uint64_t pa)
{
    return pa | DESC_VALID | DESC_ATTRIDX(IDX_DEVICE) | DESC_AP1_RES1 | DESC_AF |
           DESC_XN;
}

/* Map [base, top), widened to 2 MiB blocks, Normal write-back. */
static void map_normal(uint64_t base, uint64_t top)
{
    base &= ~(BLOCK_2M - 1);
    top = (top + BLOCK_2M - 1) & ~(BLOCK_2M - 1);
    for (uint64_t pa = base; pa < top; pa += BLOCK_2M) {
        volatile uint64_t *e1 = &l1[pa >> L1_SHIFT];
        volatile uint64_t *t;

        if (!(*e1 & DESC_VALID)) {
            /* Proven above for the layout's ranges; a call beyond them
             * must stop here, not write past l2[]. */
            if (l2_used == L2_TABLES)
                mmu_fail("monitor: FATAL: the EL2 map needs more than L2_TABLES level-2 "
                         "tables (a Normal range outside the layout)\n");
            *e1 = (uint64_t)(uintptr_t)l2[l2_used++] | DESC_VALID | DESC_TABLE;
        }
        t = (volatile uint64_t *)(uintptr_t)(*e1 & ~0xfffull & ((1ull << 48) - 1));
        t[(pa >> L2_SHIFT) & (ENTRIES - 1)] = block_normal(pa);
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

    /* Everything below RAM is MMIO on virt (flash, GIC, UART, virtio, PCIe
     * windows): Device memory is never accessed speculatively. */
    l1[0] = block_device(0);
    map_normal(MON_HOST_DTB_PA, MON_HOST_DTB_PA + MON_HOST_DTB_MAX);
    map_normal((uintptr_t)__image_start, (uintptr_t)__image_end);

    write_sysreg(mair_el2, MAIR_VALUE);
    write_sysreg(tcr_el2, TCR_EL2_RES1 | (64 - VA_BITS) | TCR_WALK_WBWA |
                              TCR_SH0_INNER | pa_range() << TCR_PS_SHIFT);
    write_sysreg(ttbr0_el2, (uintptr_t)l1);
    __asm__ volatile("dsb ish\n isb\n tlbi alle2\n ic iallu\n dsb ish\n isb"
                     ::: "memory");
    sctlr = read_sysreg(sctlr_el2);
    sctlr |= SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA;
    sctlr &= ~(uint64_t)(SCTLR_A | SCTLR_WXN);
    write_sysreg(sctlr_el2, sctlr);
    __asm__ volatile("isb" ::: "memory");
}

void el2_mmu_map_realm_ram(void)
{
    map_normal(MON_POISON_BASE, MON_POISON_TOP);
    map_normal(MON_REALM_RAM_PA, MON_REALM_RAM_PA + MON_REALM_RAM_SIZE);
    /* Invalid -> valid needs no TLB maintenance, only ordering. */
    __asm__ volatile("dsb ishst\n isb" ::: "memory");
}
