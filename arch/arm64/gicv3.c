/* SPDX-License-Identifier: MIT */
/*
 * GICv3 (Arm GIC Architecture Specification v3/v4, IHI 0069): affinity
 * routing, the distributor and this CPU's redistributor in memory, the CPU
 * interface in the ICC_* system registers (enabled for EL1 by the EL2 and
 * EL3 steps of boot/head.S). One security state: everything in Group 1.
 */
#include "arch/gic.h"

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ICPENDR 0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)

#define GICR_FRAME 0x20000u /* RD_base + SGI_base, 64 KiB each */
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_TYPER_LAST (1ull << 4)
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)
#define SGI_BASE 0x10000u
#define GICR_IGROUPR0 (SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (SGI_BASE + 0x0100)
#define GICR_ICENABLER0 (SGI_BASE + 0x0180)
#define GICR_IPRIORITYR (SGI_BASE + 0x0400)
#define GICR_ICFGR1 (SGI_BASE + 0x0c04)

#define PRIORITY_DEFAULT 0xa0u
#define SPIN_LIMIT 1000000u

static uint32_t rd(uintptr_t a) { return ccdma_plat_mmio_read32(a); }
static void wr(uintptr_t a, uint32_t v) { ccdma_plat_mmio_write32(a, v); }

static bool wait_clear(uintptr_t a, uint32_t bits)
{
    for (unsigned int i = 0; i < SPIN_LIMIT; i++)
        if (!(rd(a) & bits))
            return true;
    return false;
}

/* GICR_TYPER[63:32] and the routing value: Aff3.Aff2.Aff1.Aff0. */
static uint32_t affinity_of(uint64_t mpidr)
{
    return (uint32_t)((mpidr >> 32 & 0xff) << 24 | (mpidr & 0xffffff));
}

static uintptr_t find_rdist(uintptr_t region, size_t size, uint64_t mpidr)
{
    for (size_t off = 0; off + GICR_FRAME <= size; off += GICR_FRAME) {
        uint64_t typer = (uint64_t)rd(region + off + GICR_TYPER) |
                         (uint64_t)rd(region + off + GICR_TYPER + 4) << 32;

        if ((uint32_t)(typer >> 32) == affinity_of(mpidr))
            return region + off;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return 0;
}

int gicv3_init(struct gic *g, uintptr_t rdist_region, size_t size, uint64_t self_mpidr)
{
    uint32_t typer = rd(g->dist + GICD_TYPER);
    uint64_t sre;

    if (typer == UINT32_MAX)
        return CCDMA_ENODEV;
    g->cpu = find_rdist(rdist_region, size, self_mpidr);
    if (g->cpu == 0)
        return CCDMA_ENODEV;
    g->nr_irqs = 32u * ((typer & 0x1fu) + 1u);
    if (g->nr_irqs > GIC_MAX_INTID + 1)
        g->nr_irqs = GIC_MAX_INTID + 1;

    wr(g->dist + GICD_CTLR, 0);
    if (!wait_clear(g->dist + GICD_CTLR, GICD_CTLR_RWP))
        return CCDMA_ETIMEDOUT;
    for (uint32_t i = 32; i < g->nr_irqs; i += 32) {
        wr(g->dist + GICD_ICENABLER + i / 8, UINT32_MAX);
        wr(g->dist + GICD_ICPENDR + i / 8, UINT32_MAX);
        wr(g->dist + GICD_IGROUPR + i / 8, UINT32_MAX);
    }
    wr(g->dist + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
    if (!wait_clear(g->dist + GICD_CTLR, GICD_CTLR_RWP))
        return CCDMA_ETIMEDOUT;

    /* Wake this CPU's redistributor, then its SGIs and PPIs to Group 1. */
    wr(g->cpu + GICR_WAKER, rd(g->cpu + GICR_WAKER) & ~WAKER_PROCESSOR_SLEEP);
    if (!wait_clear(g->cpu + GICR_WAKER, WAKER_CHILDREN_ASLEEP))
        return CCDMA_ETIMEDOUT;
    wr(g->cpu + GICR_ICENABLER0, UINT32_MAX);
    wr(g->cpu + GICR_IGROUPR0, UINT32_MAX);

    __asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre)); /* ICC_SRE_EL1 */
    __asm__ volatile("msr S3_0_C12_C12_5, %0\n isb" ::"r"(sre | 1));
    __asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));
    if (!(sre & 1))
        return CCDMA_ENODEV; /* no system register access from EL1 */
    __asm__ volatile("msr S3_0_C4_C6_0, %0" ::"r"((uint64_t)0xf0)); /* ICC_PMR_EL1 */
    __asm__ volatile("msr S3_0_C12_C12_3, xzr");                   /* ICC_BPR1_EL1 */
    __asm__ volatile("msr S3_0_C12_C12_7, %0\n isb" ::"r"((uint64_t)1)); /* ICC_IGRPEN1_EL1 */
    return 0;
}

int gicv3_enable(struct gic *g, uint32_t intid, bool edge)
{
    uint64_t mpidr;

    if (intid >= g->nr_irqs)
        return CCDMA_EINVAL;
    if (intid < 32) {
        ccdma_plat_mmio_write8(g->cpu + GICR_IPRIORITYR + intid, PRIORITY_DEFAULT);
        if (intid >= 16) {
            uint32_t cfg = rd(g->cpu + GICR_ICFGR1);
            cfg &= ~(2u << ((intid - 16) * 2));
            cfg |= (edge ? 2u : 0u) << ((intid - 16) * 2);
            wr(g->cpu + GICR_ICFGR1, cfg);
        }
        wr(g->cpu + GICR_ISENABLER0, 1u << intid);
        return 0;
    }
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    ccdma_plat_mmio_write8(g->dist + GICD_IPRIORITYR + intid, PRIORITY_DEFAULT);
    uint32_t cfg = rd(g->dist + GICD_ICFGR + intid / 16 * 4);
    cfg &= ~(2u << (intid % 16 * 2));
    cfg |= (edge ? 2u : 0u) << (intid % 16 * 2);
    wr(g->dist + GICD_ICFGR + intid / 16 * 4, cfg);
    uint64_t route = (mpidr & 0xffffffull) | ((mpidr >> 32 & 0xff) << 32);
    wr(g->dist + GICD_IROUTER + intid * 8, (uint32_t)route);
    wr(g->dist + GICD_IROUTER + intid * 8 + 4, (uint32_t)(route >> 32));
    wr(g->dist + GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
    return 0;
}

void gicv3_disable(struct gic *g, uint32_t intid)
{
    if (intid < 32)
        wr(g->cpu + GICR_ICENABLER0, 1u << intid);
    else if (intid < g->nr_irqs)
        wr(g->dist + GICD_ICENABLER + intid / 32 * 4, 1u << (intid % 32));
}

uint32_t gicv3_ack(struct gic *g, uint32_t *token)
{
    uint64_t iar;

    (void)g;
    __asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
    __asm__ volatile("dsb sy" ::: "memory");
    *token = (uint32_t)iar;
    return (uint32_t)iar & 0xffffffu;
}

void gicv3_eoi(struct gic *g, uint32_t token)
{
    (void)g;
    __asm__ volatile("msr S3_0_C12_C12_1, %0\n isb" ::"r"((uint64_t)token)); /* ICC_EOIR1_EL1 */
}

void gicv3_sgi_self(struct gic *g, uint32_t sgi)
{
    uint64_t mpidr, v;

    (void)g;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    /* ICC_SGI1R_EL1: Aff3 [55:48], Aff2 [39:32], INTID [27:24], Aff1
     * [23:16], target list [15:0] (a bit per Aff0 value below 16). */
    v = (mpidr >> 32 & 0xff) << 48 | (mpidr >> 16 & 0xff) << 32 | (uint64_t)(sgi & 0xf) << 24 |
        (mpidr >> 8 & 0xff) << 16 | 1ull << (mpidr & 0xf);
    __asm__ volatile("msr S3_0_C12_C11_5, %0\n isb" ::"r"(v));
}

void gicv3_mask_all(struct gic *g)
{
    (void)g;
    __asm__ volatile("msr S3_0_C4_C6_0, xzr\n isb"); /* ICC_PMR_EL1 */
}
