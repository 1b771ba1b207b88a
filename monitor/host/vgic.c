/* SPDX-License-Identifier: MIT */
/*
 * Which virtual interrupt the realm gets, and when. After every exit the
 * host reads the REC's list registers back (an interrupt whose register
 * went invalid was EOI'd), and before every entry it fills free ones:
 *
 *   SGIs       the realm's ICC_SGI1R_EL1 writes, which trap (HCR_EL2.IMO)
 *              and exit to the host; pending for each target REC
 *   PPIs 27/30 the EL1 virtual and physical timers: level, up while the
 *              exit's CNTV_CTL/CNTP_CTL say the output is asserted
 *   SPIs       a virtio-mmio device's physical interrupt, forwarded: the
 *              physical line is enabled at the host's GIC only while the
 *              realm has the SPI enabled and none is in flight; when it
 *              fires (an IRQ exit) the host disables it and makes the
 *              virtual SPI pending, and enables it again once the realm's
 *              EOI shows in the list register, as KVM forwards a level
 *              interrupt it cannot map with the HW bit (which RMI forbids)
 *
 * Each goes into a list register pending, Group 1, at the priority the
 * realm gave it, only while the realm has it enabled. An interrupt the
 * realm has not enabled, or one already in a list register, waits.
 */
#include <stdio.h>
#include <string.h>

#include "el2_sysreg.h"
#include "vgic.h"

#define INTID_VTIMER 27u
#define INTID_PTIMER 30u
#define HOSTILE_INTID 33u /* QEMU virt's UART SPI, which the realm never enables */

#define LR_STATE_MASK (3ull << 62)
#define LR_PENDING (1ull << 62)
#define LR_GROUP1 (1ull << 60)
#define LR_PRIORITY_SHIFT 48
#define LR_VINTID(lr) ((uint32_t)(lr))
/* GICv3 implements at least 5 bits of virtual priority; the rest are
 * RES0 in a list register, and TF-RMM refuses an LR that sets them. */
#define LR_PRIORITY_MASK 0xf8u

#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u

#define GICD_CTLR 0x0
#define GICD_CTLR_RWP (1u << 31)
#define GICD_TYPER 0x4
#define GICD_IGROUPR 0x80
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_IPRIORITYR 0x400
#define GICD_IROUTER 0x6000
#define LINE_PRIORITY 0x80u

/* ICC_SGI1R_EL1 as ESR_EL2's ISS names it: op0 3, op2 5, op1 0, CRn 12,
 * CRm 11, a write. */
#define ISS_SYSREG_MASK 0x3ffc1eu
#define ISS_SGI1R 0x3a3016u
#define ISS_READ 1u

struct vgic vgic;

static uint64_t phys_dist;

static uint32_t rd32(uint64_t pa) { return *(volatile uint32_t *)(uintptr_t)pa; }
static void wr32(uint64_t pa, uint32_t v) { *(volatile uint32_t *)(uintptr_t)pa = v; }

static void set_bit(uint32_t *map, unsigned int intid) { map[intid / 32] |= 1u << (intid % 32); }
static void clear_bit(uint32_t *map, unsigned int intid)
{
    map[intid / 32] &= ~(1u << (intid % 32));
}

/* The host's GIC: a forwarded SPI to Group 1, routed to this CPU, off. */
static void line_setup(unsigned int intid)
{
    uint64_t mpidr = read_sysreg(mpidr_el1);
    uint64_t route = (mpidr & 0xffffffull) | ((mpidr >> 32) & 0xff) << 32;

    wr32(phys_dist + GICD_ICENABLER + intid / 32 * 4, 1u << (intid % 32));
    /* RAZ/WI from the Non-secure side where TF-A owns the groups, which
     * it leaves Non-secure Group 1. */
    wr32(phys_dist + GICD_IGROUPR + intid / 32 * 4,
         rd32(phys_dist + GICD_IGROUPR + intid / 32 * 4) | 1u << (intid % 32));
    *(volatile uint8_t *)(uintptr_t)(phys_dist + GICD_IPRIORITYR + intid) = LINE_PRIORITY;
    wr32(phys_dist + GICD_IROUTER + intid * 8, (uint32_t)route);
    wr32(phys_dist + GICD_IROUTER + intid * 8 + 4, (uint32_t)(route >> 32));
}

void vgic_sync_line(unsigned int intid)
{
    bool on = vgic_bit(vgic.enabled, intid) && !vgic_bit(vgic.in_flight, intid) &&
              !vgic_bit(vgic.level, intid);

    if (!vgic_bit(vgic.forwarded, intid))
        return;
    wr32(phys_dist + (on ? GICD_ISENABLER : GICD_ICENABLER) + intid / 32 * 4,
         1u << (intid % 32));
    while (rd32(phys_dist + GICD_CTLR) & GICD_CTLR_RWP)
        ;
}

void vgic_init(const struct el2_machine *m, unsigned int nr_lrs, const struct host_policy *p)
{
    const struct dt_platform *dt = &m->dt;
    uint32_t typer;

    if (dt->gic.version != 3)
        return;
    phys_dist = dt->gic.dist.base;
    typer = rd32(phys_dist + GICD_TYPER);
    vgic.nr_intids = 32u * ((typer & 0x1fu) + 1u);
    if (vgic.nr_intids > VGIC_NR_INTIDS)
        vgic.nr_intids = VGIC_NR_INTIDS & ~31u;
    vgic.dist = dt->gic.dist.base;
    vgic.rdist = dt->gic.cpu.base;
    vgic.rdist_size = dt->gic.cpu.size;
    vgic.nr_lrs = nr_lrs > RMI_REC_GIC_NUM_LRS ? RMI_REC_GIC_NUM_LRS : nr_lrs;
    for (unsigned int i = 0; i < HOST_MAX_RECS; i++)
        vgic.cpu[i].asleep = true;
    for (unsigned int i = 0; i < dt->n_virtio; i++) {
        unsigned int intid = dt->virtio[i].intid;

        if (intid < 32 || intid >= vgic.nr_intids)
            continue;
        set_bit(vgic.forwarded, intid);
        line_setup(intid);
    }
    vgic.storm = p->virq_storm;
    vgic.unknown = p->virq_unknown;
    vgic.on = true;
    printf("monitor: vgic: GICv3 distributor and %u redistributors emulated, %u INTIDs, %u list "
           "registers\n", realm.n_recs, vgic.nr_intids, vgic.nr_lrs);
}

bool vgic_physical(unsigned int intid)
{
    if (!vgic.on || intid >= vgic.nr_intids || !vgic_bit(vgic.forwarded, intid))
        return false;
    set_bit(vgic.level, intid);
    vgic_sync_line(intid); /* off until the realm has taken it */
    host_cnt.vgic_lines++;
    return true;
}


bool vgic_sysreg_write(uint64_t esr, uint64_t v)
{
    uint32_t base, sgi = (uint32_t)(v >> 24) & 0xf;

    if (!vgic.on || (esr & ISS_SYSREG_MASK) != ISS_SGI1R || (esr & ISS_READ))
        return false;
    host_cnt.vgic_sgis++;
    if (v & (1ull << 40)) { /* IRM: every PE but the one that wrote */
        for (unsigned int i = 0; i < realm.n_recs; i++)
            if (i != realm.cur)
                vgic.cpu[i].pending0 |= 1u << sgi;
        return true;
    }
    /* Aff3 [55:48], Aff2 [39:32], Aff1 [23:16], RS [47:44], targets [15:0]. */
    base = (uint32_t)((v >> 48) & 0xff) << 24 | (uint32_t)((v >> 32) & 0xff) << 16 |
           (uint32_t)((v >> 16) & 0xff) << 8;
    for (unsigned int t = 0; t < 16; t++) {
        int r;

        if (!(v & (1u << t)))
            continue;
        r = host_rec_of_affinity(base | (uint32_t)(((v >> 44) & 0xf) * 16 + t));
        if (r >= 0)
            vgic.cpu[r].pending0 |= 1u << sgi;
    }
    return true;
}

static bool timer_up(uint64_t ctl)
{
    return (ctl & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) == (CTL_ENABLE | CTL_ISTATUS);
}

void vgic_exit(unsigned int rec, const struct rmi_rec_exit *e)
{
    struct vgic_cpu *c = &vgic.cpu[rec];
    uint32_t live[VGIC_WORDS] = {0};

    if (!vgic.on)
        return;
    for (unsigned int i = 0; i < vgic.nr_lrs; i++) {
        uint64_t lr = e->gicv3_lrs[i];

        /* What the exit says, not what was entered: the RMM checked the
         * entry's, and a register the realm touched only goes invalid. */
        c->lrs[i] = lr;
        if ((lr & LR_STATE_MASK) && LR_VINTID(lr) < vgic.nr_intids)
            set_bit(live, LR_VINTID(lr));
    }
    for (unsigned int w = 1; w < VGIC_WORDS; w++) {
        uint32_t done = c->spis[w] & ~live[w];

        for (unsigned int b = 0; done; b++, done >>= 1) {
            if (!(done & 1))
                continue;
            clear_bit(c->spis, w * 32 + b);
            clear_bit(vgic.in_flight, w * 32 + b);
            host_cnt.vgic_eois++;
            vgic_sync_line(w * 32 + b);
        }
    }
    c->level0 &= ~(1u << INTID_VTIMER | 1u << INTID_PTIMER);
    if (timer_up(e->cntv_ctl))
        c->level0 |= 1u << INTID_VTIMER;
    if (timer_up(e->cntp_ctl))
        c->level0 |= 1u << INTID_PTIMER;
}

static int free_lr(const struct vgic_cpu *c)
{
    for (unsigned int i = 0; i < vgic.nr_lrs; i++)
        if (!(c->lrs[i] & LR_STATE_MASK))
            return (int)i;
    return -1;
}

static int lr_of(const struct vgic_cpu *c, unsigned int intid)
{
    for (unsigned int i = 0; i < vgic.nr_lrs; i++)
        if ((c->lrs[i] & LR_STATE_MASK) && LR_VINTID(c->lrs[i]) == intid)
            return (int)i;
    return -1;
}

static bool put(struct vgic_cpu *c, unsigned int intid, uint8_t prio)
{
    int i = free_lr(c);

    if (i < 0) {
        host_cnt.vgic_lrs_full++;
        return false;
    }
    c->lrs[i] = LR_PENDING | LR_GROUP1 | (uint64_t)(prio & LR_PRIORITY_MASK) << LR_PRIORITY_SHIFT |
                intid;
    host_cnt.vgic_injected++;
    return true;
}

static unsigned int spi_target(unsigned int intid)
{
    uint64_t r = vgic.route[intid];
    int t = host_rec_of_affinity(host_affinity(r));

    /* IRM (any PE) or a route to no REC: the boot vCPU takes it. */
    return (r & (1ull << 31)) || t < 0 ? 0 : (unsigned int)t;
}

/* ccdma.inject=virq_storm: whatever the realm's enables say, every device
 * SPI it ever enabled is pending again at each entry (a storm its disable
 * cannot stop); virq_unknown: so is one SPI it never enabled. Only what
 * RMI lets a host do: valid list registers, one per vINTID. */
static void misbehave(struct vgic_cpu *c)
{
    for (unsigned int w = 1; vgic.storm && w < vgic.nr_intids / 32; w++) {
        uint32_t lines = vgic.ever_enabled[w] & vgic.forwarded[w];

        for (unsigned int b = 0; lines; b++, lines >>= 1) {
            int i;

            if (!(lines & 1))
                continue;
            if ((i = lr_of(c, w * 32 + b)) >= 0)
                c->lrs[i] |= LR_PENDING;
            else
                put(c, w * 32 + b, vgic.prio[w * 32 + b]);
            host_cnt.vgic_hostile++;
        }
    }
    if (vgic.unknown && lr_of(c, HOSTILE_INTID) < 0 && put(c, HOSTILE_INTID, 0xa0))
        host_cnt.vgic_hostile++;
}

void vgic_entry(unsigned int rec, struct rmi_rec_entry *entry)
{
    struct vgic_cpu *c = &vgic.cpu[rec];
    uint32_t want;

    if (!vgic.on)
        return;
    /* A timer's interrupt still only pending when its output dropped (the
     * realm stopped the timer first) is withdrawn, as its line would be. */
    for (unsigned int i = 0; i < vgic.nr_lrs; i++) {
        uint32_t intid = LR_VINTID(c->lrs[i]);

        if ((c->lrs[i] & LR_STATE_MASK) == LR_PENDING &&
            (intid == INTID_VTIMER || intid == INTID_PTIMER) && !(c->level0 & (1u << intid)))
            c->lrs[i] = 0;
    }
    want = (c->pending0 | c->level0) & c->enabled0;
    for (unsigned int intid = 0; want; intid++, want >>= 1) {
        int i;

        if (!(want & 1))
            continue;
        /* An edge that comes again while the last one is active: the
         * register holds both (active and pending), and the realm takes
         * it again on its EOI; one still pending absorbs it. A level is
         * in one register at most. */
        if ((i = lr_of(c, intid)) >= 0) {
            if (c->pending0 & (1u << intid)) {
                c->lrs[i] |= LR_PENDING;
                c->pending0 &= ~(1u << intid);
            }
            continue;
        }
        if (put(c, intid, c->prio[intid]))
            c->pending0 &= ~(1u << intid);
    }
    if (vgic.ctlr & 2u) { /* EnableGrp1 */
        for (unsigned int w = 1; w < vgic.nr_intids / 32; w++) {
            uint32_t ready = vgic.level[w] & vgic.enabled[w] & ~vgic.in_flight[w];

            for (unsigned int b = 0; ready; b++, ready >>= 1) {
                unsigned int intid = w * 32 + b;

                if (!(ready & 1) || spi_target(intid) != rec || lr_of(c, intid) >= 0 ||
                    !put(c, intid, vgic.prio[intid]))
                    continue;
                clear_bit(vgic.level, intid);
                set_bit(vgic.in_flight, intid);
                set_bit(c->spis, intid);
            }
        }
    }
    if ((vgic.storm || vgic.unknown) && rec == 0)
        misbehave(c);
    entry->gicv3_hcr = 0;
    memcpy(entry->gicv3_lrs, c->lrs, sizeof(entry->gicv3_lrs));
}
