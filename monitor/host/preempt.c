/* SPDX-License-Identifier: MIT */
/*
 * Time slices for the RECs. The host runs every REC on its one physical
 * CPU, and a REC that waits with WFE never exits on QEMU (TCG's WFE is a
 * yield that no HCR_EL2.TWE traps), so the host takes the CPU back with
 * the EL2 physical timer (CNTHP, PPI 26; Arm BSA's hypervisor timer), as a
 * KVM host's own timer preempts a vCPU.
 *
 * The host runs with IRQs masked: the timer's interrupt stays pending at
 * the GIC until a REC runs, which the RMM then ends with RMI_EXIT_IRQ (the
 * emulated RMM, HCR_EL2.IMO) or IRQ/FIQ (TF-RMM: TF-A leaves CNTHP to the
 * Non-secure world, and a Non-secure interrupt in the Realm state is
 * taken to R-EL2). The host acknowledges it after the exit.
 *
 * The same exit brings the realm's own interrupts: its EL1 timers' PPIs
 * and the device lines the virtual GIC forwards (vgic.c), which are
 * handed over there.
 *
 * GICv3 only (system-register CPU interface, GICv3 architecture
 * specification IHI 0069): under TF-A the distributor and the
 * redistributor's groups are the firmware's and already set, where a
 * plain boot at EL2 has a GIC with one security state nobody set up.
 */
#include <stdio.h>

#include "el2_sysreg.h"
#include "host.h"

#define TIMER_PPI 26u
#define VTIMER_PPI 27u
#define PTIMER_PPI 30u
#define INTID_SPURIOUS 1020u

#define GICD_CTLR 0x0
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ENABLE_G1 (1u << 1) /* EnableGrp1 (DS=1), EnableGrp1A (NS view) */
#define GICD_CTLR_ARE (1u << 4)       /* ARE (DS=1), ARE_NS (NS view) */
#define GICR_FRAME 0x20000ull
#define GICR_WAKER 0x14
#define GICR_TYPER 0x8
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI 0x10000ull
#define GICR_IGROUPR0 0x80
#define GICR_ISENABLER0 0x100
#define GICR_IPRIORITYR 0x400

#define ICC_SRE_SRE 1u
#define ICC_SRE_ENABLE (1u << 3)
#define TIMER_PRIORITY 0x80u
#define CNTHP_CTL_ENABLE 1u

/* Long enough that the switches cost little, short enough that a REC
 * waiting for another one does not wait long. */
#define SLICE_US 1000u
#define SHORT_SLICE_SHIFT 2 /* a quarter slice for a REC that looks idle */

static bool ready;
static uint64_t slice_ticks;
/* The host's own slice timer, and the realm's EL1 timers: enabled here so
 * that one firing ends a REC's WFI with an IRQ exit, which the virtual GIC
 * then injects. */
static const unsigned int host_ppis[] = {TIMER_PPI, VTIMER_PPI, PTIMER_PPI};

static uint32_t rd32(uint64_t pa) { return *(volatile uint32_t *)(uintptr_t)pa; }
static void wr32(uint64_t pa, uint32_t v) { *(volatile uint32_t *)(uintptr_t)pa = v; }

/* This CPU's redistributor: the frame whose GICR_TYPER names its affinity. */
static uint64_t find_redistributor(const struct dt_gic *g)
{
    uint32_t aff = host_affinity(read_sysreg(mpidr_el1));

    for (uint64_t f = g->cpu.base; f + GICR_FRAME <= g->cpu.base + g->cpu.size; f += GICR_FRAME) {
        uint64_t typer = rd32(f + GICR_TYPER) | (uint64_t)rd32(f + GICR_TYPER + 4) << 32;

        if ((uint32_t)(typer >> 32) == aff)
            return f;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return 0;
}

bool preempt_init(const struct el2_machine *m)
{
    const struct dt_gic *g = &m->dt.gic;
    uint64_t rd;
    uint32_t ctlr;

    if (g->version != 3 || g->dist.base + g->dist.size > EL2_DEVICE_TOP ||
        g->cpu.base + g->cpu.size > EL2_DEVICE_TOP) {
        printf("monitor: no GICv3 for the host's time slices: the realm gets one vCPU\n");
        return false;
    }
    if ((rd = find_redistributor(g)) == 0) {
        printf("monitor: no redistributor for this CPU: the realm gets one vCPU\n");
        return false;
    }
    ctlr = rd32(g->dist.base + GICD_CTLR);
    if (!(ctlr & GICD_CTLR_ARE) || !(ctlr & GICD_CTLR_ENABLE_G1)) {
        wr32(g->dist.base + GICD_CTLR, ctlr | GICD_CTLR_ARE);
        while (rd32(g->dist.base + GICD_CTLR) & GICD_CTLR_RWP)
            ;
        wr32(g->dist.base + GICD_CTLR, ctlr | GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
        while (rd32(g->dist.base + GICD_CTLR) & GICD_CTLR_RWP)
            ;
    }
    if (rd32(rd + GICR_WAKER) & GICR_WAKER_SLEEP) {
        wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
        while (rd32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
            ;
    }
    /* Group 1 (RAZ/WI from the Non-secure side where TF-A owns groups,
     * and already so), a middle priority, enabled. */
    for (unsigned int i = 0; i < sizeof(host_ppis) / sizeof(host_ppis[0]); i++) {
        unsigned int ppi = host_ppis[i];

        wr32(rd + GICR_SGI + GICR_IGROUPR0, rd32(rd + GICR_SGI + GICR_IGROUPR0) | 1u << ppi);
        *(volatile uint8_t *)(uintptr_t)(rd + GICR_SGI + GICR_IPRIORITYR + ppi) = TIMER_PRIORITY;
        wr32(rd + GICR_SGI + GICR_ISENABLER0, 1u << ppi);
    }
    write_sysreg(s3_4_c12_c9_5, read_sysreg(s3_4_c12_c9_5) | ICC_SRE_SRE | ICC_SRE_ENABLE);
    isb();
    write_sysreg(s3_0_c4_c6_0, 0xff); /* ICC_PMR_EL1: let every priority through */
    write_sysreg(s3_0_c12_c12_7, 1);  /* ICC_IGRPEN1_EL1 */
    write_sysreg(cnthp_ctl_el2, 0);
    isb();
    slice_ticks = read_sysreg(cntfrq_el0) / 1000000u * SLICE_US;
    if (slice_ticks == 0)
        slice_ticks = 1;
    ready = true;
    printf("monitor: time slices of %u us for the RECs (CNTHP, PPI %u, GICv3)\n", SLICE_US,
           TIMER_PPI);
    return true;
}

void preempt_arm(bool short_slice)
{
    if (!ready)
        return;
    write_sysreg(cnthp_tval_el2, short_slice ? slice_ticks >> SHORT_SLICE_SHIFT : slice_ticks);
    write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
    isb();
}

bool preempt_take(void)
{
    bool ended = false;

    if (!ready)
        return false;
    for (;;) {
        uint32_t intid = (uint32_t)read_sysreg(s3_0_c12_c12_0) & 0xffffff; /* ICC_IAR1_EL1 */

        if (intid >= INTID_SPURIOUS) {
            if (!ended)
                host_cnt.irqs_spurious++;
            break;
        }
        if (intid == TIMER_PPI) {
            write_sysreg(cnthp_ctl_el2, 0);
            isb();
            ended = true;
        } else if (intid == VTIMER_PPI || intid == PTIMER_PPI) {
            /* The realm's timer, still up until the RMM masks it at the
             * next entry: what the exit's CNT*_CTL say is what counts
             * (vgic.c), and taking it again now would never end. */
            host_cnt.irqs_timer++;
            write_sysreg(s3_0_c12_c12_1, intid);
            isb();
            break;
        } else if (!vgic_physical(intid)) {
            host_cnt.irqs_other++; /* nothing else is enabled: counted, dropped */
        }
        write_sysreg(s3_0_c12_c12_1, intid); /* ICC_EOIR1_EL1 */
        isb();
    }
    if (ended)
        host_cnt.slices_ended++;
    return ended;
}
