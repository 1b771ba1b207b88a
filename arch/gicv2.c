/* SPDX-License-Identifier: MIT */
/*
 * GICv2 (Arm GIC Architecture Specification v2, IHI 0048B): distributor
 * and CPU interface, both memory-mapped, so this is the same on AArch64
 * and AArch32. Also the version dispatch of arch/gic.h.
 */
#include "arch/gic.h"

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICPENDR 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_IIDR 0x0fc

#define CTLR_ENABLE_GRP0_GRP1 0x3u
#define PRIORITY_DEFAULT 0xa0u
#define PMR_ALLOW_ALL 0xf0u
#define SGIR_TO_SELF (2u << 24)

static uint32_t rd(uintptr_t base, uint32_t off) { return ccdma_plat_mmio_read32(base + off); }
static void wr(uintptr_t base, uint32_t off, uint32_t v) { ccdma_plat_mmio_write32(base + off, v); }

int gicv2_init(struct gic *g)
{
    uint32_t typer = rd(g->dist, GICD_TYPER);

    /* A CPU interface that reads all ones or zero everywhere is not there. */
    if (typer == UINT32_MAX || rd(g->cpu, GICC_IIDR) == 0 || rd(g->cpu, GICC_IIDR) == UINT32_MAX)
        return CCDMA_ENODEV;
    g->nr_irqs = 32u * ((typer & 0x1fu) + 1u);
    if (g->nr_irqs > GIC_MAX_INTID + 1)
        g->nr_irqs = GIC_MAX_INTID + 1;
    wr(g->dist, GICD_CTLR, 0);
    for (uint32_t i = 0; i < g->nr_irqs; i += 32) {
        wr(g->dist, GICD_ICENABLER + i / 8, UINT32_MAX);
        wr(g->dist, GICD_ICPENDR + i / 8, UINT32_MAX);
        /* One security state: group 0 interrupts are IRQs. */
        wr(g->dist, GICD_IGROUPR + i / 8, 0);
    }
    wr(g->dist, GICD_CTLR, CTLR_ENABLE_GRP0_GRP1);
    wr(g->cpu, GICC_PMR, PMR_ALLOW_ALL);
    wr(g->cpu, GICC_CTLR, CTLR_ENABLE_GRP0_GRP1);
    return 0;
}

int gicv2_enable(struct gic *g, uint32_t intid, bool edge)
{
    uint32_t cfg;

    if (intid >= g->nr_irqs)
        return CCDMA_EINVAL;
    ccdma_plat_mmio_write8(g->dist + GICD_IPRIORITYR + intid, PRIORITY_DEFAULT);
    if (intid >= 32) {
        /* ITARGETSR of an SGI/PPI is read-only: the reading CPU's own bit. */
        ccdma_plat_mmio_write8(g->dist + GICD_ITARGETSR + intid,
                               ccdma_plat_mmio_read8(g->dist + GICD_ITARGETSR + 0));
        cfg = rd(g->dist, GICD_ICFGR + intid / 16 * 4);
        cfg &= ~(2u << (intid % 16 * 2));
        cfg |= (edge ? 2u : 0u) << (intid % 16 * 2);
        wr(g->dist, GICD_ICFGR + intid / 16 * 4, cfg);
    }
    wr(g->dist, GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
    return 0;
}

void gicv2_disable(struct gic *g, uint32_t intid)
{
    if (intid < g->nr_irqs)
        wr(g->dist, GICD_ICENABLER + intid / 32 * 4, 1u << (intid % 32));
}

uint32_t gicv2_ack(struct gic *g, uint32_t *token)
{
    *token = rd(g->cpu, GICC_IAR);
    return *token & 0x3ffu;
}

void gicv2_eoi(struct gic *g, uint32_t token) { wr(g->cpu, GICC_EOIR, token); }

void gicv2_sgi_self(struct gic *g, uint32_t sgi) { wr(g->dist, GICD_SGIR, SGIR_TO_SELF | (sgi & 0xf)); }

void gicv2_mask_all(struct gic *g) { wr(g->cpu, GICC_PMR, 0); }

/* ---- Version dispatch ------------------------------------------------------------- */

/* GICv3's CPU interface is AArch64 system registers here (arch/arm64/gicv3.c);
 * the AArch32 machine has a GICv2. */
#if defined(__aarch64__)
#define V3(call, otherwise) call
#else
#define V3(call, otherwise) otherwise
#endif

int gic_init(struct gic *g, unsigned int version, uintptr_t dist, uintptr_t cpu,
             size_t cpu_size, uint64_t self_mpidr)
{
    *g = (struct gic){.version = version, .dist = dist, .cpu = cpu};
    (void)cpu_size;
    (void)self_mpidr;
    if (version == 2)
        return gicv2_init(g);
    if (version == 3)
        return V3(gicv3_init(g, cpu, cpu_size, self_mpidr), CCDMA_ENOTSUP);
    return CCDMA_ENOTSUP;
}

int gic_enable(struct gic *g, uint32_t intid, bool edge)
{
    return g->version == 3 ? V3(gicv3_enable(g, intid, edge), CCDMA_ENOTSUP)
                           : gicv2_enable(g, intid, edge);
}

void gic_disable(struct gic *g, uint32_t intid)
{
    if (g->version == 3)
        V3(gicv3_disable(g, intid), (void)0);
    else
        gicv2_disable(g, intid);
}

uint32_t gic_ack(struct gic *g, uint32_t *token)
{
    return g->version == 3 ? V3(gicv3_ack(g, token), GIC_SPURIOUS) : gicv2_ack(g, token);
}

void gic_eoi(struct gic *g, uint32_t token)
{
    if (g->version == 3)
        V3(gicv3_eoi(g, token), (void)0);
    else
        gicv2_eoi(g, token);
}

void gic_sgi_self(struct gic *g, uint32_t sgi)
{
    if (g->version == 3)
        V3(gicv3_sgi_self(g, sgi), (void)0);
    else
        gicv2_sgi_self(g, sgi);
}

void gic_mask_all(struct gic *g)
{
    if (g->version == 3)
        V3(gicv3_mask_all(g), (void)0);
    else
        gicv2_mask_all(g);
}
