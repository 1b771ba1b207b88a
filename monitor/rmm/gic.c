/* SPDX-License-Identifier: MIT */
/*
 * A REC's GICv3 virtual CPU interface (IHI 0069, the ICH_* registers), as
 * TF-RMM's lib/gic keeps it: the host's list registers and the bits of
 * ICH_HCR_EL2 it may set are checked at REC entry and loaded, the REC's
 * own VMCR and active priorities follow it from entry to entry, and at
 * exit everything goes back into the exit's gicv3_* fields with the
 * interface disabled, so a list register of the realm's never reaches the
 * host. Without a GICv3 CPU interface (GICv2) there is nothing to load,
 * and no list register is looked at.
 */
#include "arch/arm64/sysregs.h"
#include "el2_sysreg.h"
#include "rmm.h"

#define ICH_HCR_EN (1ull << 0)
#define ICH_HCR_VSGIEOICOUNT (1ull << 8)
#define ICH_HCR_DVIM (1ull << 15)
/* UIE, LRENPIE, NPIE, VGrp0EIE/DIE, VGrp1EIE/DIE, TDIR: the host's. */
#define ICH_HCR_NS_MASK (0x7full << 1 | 1ull << 14)
#define ICH_HCR_EOICOUNT_MASK (0x1full << 27)

#define ICH_LR_STATE_MASK (3ull << 62)
#define ICH_LR_HW (1ull << 61)
#define ICH_LR_PRIORITY(lr) ((unsigned int)((lr) >> 48) & 0xffu)
#define ICH_LR_PINTID_MASK (0x1fffull << 32)
#define ICH_LR_EOI (1ull << 41)
#define ICH_LR_VINTID(lr) ((lr) & 0xffffffffull)

#define VTR_LISTREGS(v) ((unsigned int)(v) & 0x1fu)
#define VTR_IDBITS(v) ((unsigned int)((v) >> 23) & 7u)
#define VTR_PREBITS(v) (((unsigned int)((v) >> 26) & 7u) + 1u)
#define VTR_PRIBITS(v) (((unsigned int)((v) >> 29) & 7u) + 1u)
#define PFR0_GIC(v) (((v) >> 24) & 0xfu)

#define MAX_SPI 1019u
#define MIN_LPI 8192u

static struct {
    bool present;
    unsigned int nr_lrs;  /* implemented list registers, minus one */
    unsigned int nr_aprs; /* ICH_AP<n>R registers, minus one */
    uint64_t max_vintid;
    unsigned int pri_res0;
} virt;

void rmm_gic_probe(void)
{
    uint64_t vtr;

    if (PFR0_GIC(read_sysreg(id_aa64pfr0_el1)) == 0)
        return;
    vtr = read_sysreg(s3_4_c12_c11_1); /* ICH_VTR_EL2 */
    virt.present = true;
    virt.nr_lrs = VTR_LISTREGS(vtr);
    if (virt.nr_lrs >= RMI_REC_GIC_NUM_LRS)
        virt.nr_lrs = RMI_REC_GIC_NUM_LRS - 1;
    /* 5 preemption bits: one APR each; 6: two; 7: four. */
    virt.nr_aprs = VTR_PREBITS(vtr) > 5 ? (1u << (VTR_PREBITS(vtr) - 5)) - 1 : 0;
    virt.max_vintid = VTR_IDBITS(vtr) == 0 ? (1ull << 16) - 1 : (1ull << 24) - 1;
    virt.pri_res0 = (1u << (8 - VTR_PRIBITS(vtr))) - 1;
}

unsigned int rmm_gic_num_lrs(void)
{
    return virt.nr_lrs;
}

void rmm_gic_rec_init(struct rmm_gic_state *g)
{
    *g = (struct rmm_gic_state){.hcr = ICH_HCR_EN | ICH_HCR_VSGIEOICOUNT | ICH_HCR_DVIM};
}

static bool vintid_valid(uint64_t intid)
{
    return intid <= MAX_SPI || (intid >= MIN_LPI && intid <= virt.max_vintid);
}

/* The list registers this CPU has: none without a virtual interface. */
static unsigned int implemented_lrs(void)
{
    return virt.present ? virt.nr_lrs + 1 : 0;
}

bool rmm_gic_entry_valid(const struct rmi_rec_entry *entry)
{
    unsigned int n = implemented_lrs();

    if (entry->gicv3_hcr & ~ICH_HCR_NS_MASK)
        return false;
    /* Registers beyond the implemented ones are not looked at (nor
     * loaded), as TF-RMM treats them. */
    for (unsigned int i = 0; i < n; i++) {
        uint64_t lr = entry->gicv3_lrs[i];

        if (!(lr & ICH_LR_STATE_MASK))
            continue;
        if ((lr & ICH_LR_HW) || (ICH_LR_PRIORITY(lr) & virt.pri_res0) ||
            (lr & ICH_LR_PINTID_MASK & ~ICH_LR_EOI) || !vintid_valid(ICH_LR_VINTID(lr)))
            return false;
        for (unsigned int j = i + 1; j < n; j++)
            if ((entry->gicv3_lrs[j] & ICH_LR_STATE_MASK) &&
                ICH_LR_VINTID(entry->gicv3_lrs[j]) == ICH_LR_VINTID(lr))
                return false;
    }
    return true;
}

void rmm_gic_from_entry(struct rmm_gic_state *g, const struct rmi_rec_entry *entry)
{
    for (unsigned int i = 0; i < implemented_lrs(); i++)
        g->lrs[i] = entry->gicv3_lrs[i];
    g->hcr = (g->hcr & ~ICH_HCR_NS_MASK) | (entry->gicv3_hcr & ICH_HCR_NS_MASK);
}

void rmm_gic_to_exit(const struct rmm_gic_state *g, struct rmi_rec_exit *exit)
{
    for (unsigned int i = 0; i < implemented_lrs(); i++)
        exit->gicv3_lrs[i] = g->lrs[i];
    exit->gicv3_misr = g->misr;
    exit->gicv3_vmcr = g->vmcr;
    exit->gicv3_hcr = g->hcr & (ICH_HCR_EOICOUNT_MASK | ICH_HCR_NS_MASK);
}

/* The list registers by number: each is its own system register. */
#define LR_CASES(X)                                                                   \
    X(0, s3_4_c12_c12_0) X(1, s3_4_c12_c12_1) X(2, s3_4_c12_c12_2) X(3, s3_4_c12_c12_3) \
    X(4, s3_4_c12_c12_4) X(5, s3_4_c12_c12_5) X(6, s3_4_c12_c12_6) X(7, s3_4_c12_c12_7) \
    X(8, s3_4_c12_c13_0) X(9, s3_4_c12_c13_1) X(10, s3_4_c12_c13_2)                    \
    X(11, s3_4_c12_c13_3) X(12, s3_4_c12_c13_4) X(13, s3_4_c12_c13_5)                  \
    X(14, s3_4_c12_c13_6) X(15, s3_4_c12_c13_7)
#define APR_CASES(X)                                                                  \
    X(0, s3_4_c12_c8_0, s3_4_c12_c9_0) X(1, s3_4_c12_c8_1, s3_4_c12_c9_1)             \
    X(2, s3_4_c12_c8_2, s3_4_c12_c9_2) X(3, s3_4_c12_c8_3, s3_4_c12_c9_3)

#define LR_READ(n, reg) case n: return read_sysreg(reg);
#define LR_WRITE(n, reg) case n: write_sysreg(reg, v); return;
#define APR_READ(n, r0, r1) case n: g->ap0r[n] = read_sysreg(r0); g->ap1r[n] = read_sysreg(r1); return;
#define APR_WRITE(n, r0, r1) case n: write_sysreg(r0, g->ap0r[n]); write_sysreg(r1, g->ap1r[n]); return;

static uint64_t lr_read(unsigned int n)
{
    switch (n) { LR_CASES(LR_READ) default: return 0; }
}

static void lr_write(unsigned int n, uint64_t v)
{
    switch (n) { LR_CASES(LR_WRITE) default: return; }
}

static void apr_read(struct rmm_gic_state *g, unsigned int n)
{
    switch (n) { APR_CASES(APR_READ) default: return; }
}

static void apr_write(const struct rmm_gic_state *g, unsigned int n)
{
    switch (n) { APR_CASES(APR_WRITE) default: return; }
}

void rmm_gic_restore(const struct rmm_gic_state *g)
{
    if (!virt.present)
        return;
    for (unsigned int i = 0; i <= virt.nr_aprs; i++)
        apr_write(g, i);
    for (unsigned int i = 0; i <= virt.nr_lrs; i++)
        lr_write(i, g->lrs[i]);
    write_sysreg(s3_4_c12_c11_7, g->vmcr); /* ICH_VMCR_EL2 */
    write_sysreg(s3_4_c12_c11_0, g->hcr);  /* ICH_HCR_EL2 */
    isb();
}

void rmm_gic_save(struct rmm_gic_state *g)
{
    if (!virt.present)
        return;
    for (unsigned int i = 0; i <= virt.nr_aprs; i++)
        apr_read(g, i);
    for (unsigned int i = 0; i <= virt.nr_lrs; i++)
        g->lrs[i] = lr_read(i);
    g->vmcr = read_sysreg(s3_4_c12_c11_7);
    g->hcr = read_sysreg(s3_4_c12_c11_0);
    g->misr = read_sysreg(s3_4_c12_c11_2); /* ICH_MISR_EL2 */
    /* The host's own interrupts see no virtual interface, and no list
     * register of this REC's stays live for the next one. */
    write_sysreg(s3_4_c12_c11_0, g->hcr & ~ICH_HCR_EN);
    for (unsigned int i = 0; i <= virt.nr_lrs; i++)
        lr_write(i, 0);
    isb();
}
