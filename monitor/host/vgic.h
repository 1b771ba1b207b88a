/* SPDX-License-Identifier: MIT */
/*
 * The realm's GICv3 as this host emulates it, KVM's vgic in small: the
 * distributor and one redistributor per REC are emulated MMIO
 * (vgic_mmio.c), the CPU interface is the hardware's virtual one, and an
 * interrupt reaches the realm through the list registers of its REC's
 * next entry (vgic.c).
 */
#ifndef CCDMA_MONITOR_HOST_VGIC_H
#define CCDMA_MONITOR_HOST_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "host.h"

#define VGIC_NR_INTIDS 1020u /* SGIs, PPIs and SPIs: no extended ranges, no LPIs */
#define VGIC_WORDS ((VGIC_NR_INTIDS + 31) / 32)

/* A REC's redistributor, and its list registers as the last exit gave them. */
struct vgic_cpu {
    uint32_t enabled0; /* SGIs and PPIs enabled (GICR_ISENABLER0) */
    uint32_t pending0; /* SGIs raised and set-pending writes, not yet in a list register */
    uint32_t level0;   /* PPIs whose line is up: the EL1 timers at the last exit */
    uint32_t cfg1;     /* GICR_ICFGR1 */
    uint8_t prio[32];
    bool asleep;       /* GICR_WAKER.ProcessorSleep */
    uint64_t lrs[RMI_REC_GIC_NUM_LRS];
    uint32_t spis[VGIC_WORDS]; /* SPIs in its list registers */
};

struct vgic {
    bool on;
    uint64_t dist, rdist, rdist_size; /* the windows, at the host's PAs */
    unsigned int nr_intids;           /* what GICD_TYPER reports */
    unsigned int nr_lrs;              /* list registers the RMM offers */
    uint32_t ctlr;
    uint32_t enabled[VGIC_WORDS];
    uint32_t cfg[VGIC_WORDS * 2];
    uint32_t forwarded[VGIC_WORDS]; /* SPIs that are a device's physical line */
    uint32_t level[VGIC_WORDS];     /* ... whose line was seen up and not yet taken */
    uint32_t in_flight[VGIC_WORDS]; /* ... in a list register of some REC */
    bool storm, unknown;            /* ccdma.inject=virq_storm, virq_unknown */
    uint32_t ever_enabled[VGIC_WORDS];
    uint8_t prio[VGIC_NR_INTIDS];
    uint64_t route[VGIC_NR_INTIDS];
    struct vgic_cpu cpu[HOST_MAX_RECS];
};

extern struct vgic vgic;

static inline bool vgic_bit(const uint32_t *map, unsigned int intid)
{
    return (map[intid / 32] >> (intid % 32)) & 1u;
}

/* The physical line of a forwarded SPI on or off, as the realm's enable
 * and the interrupt's flight allow (vgic.c). */
void vgic_sync_line(unsigned int intid);

#endif /* CCDMA_MONITOR_HOST_VGIC_H */
