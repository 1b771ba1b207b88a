/* SPDX-License-Identifier: MIT */
/*
 * The EL2 controls around a REC: what the RMM programs before it runs the
 * realm and puts back for the host afterwards, the realm's EL1 registers
 * switched between RECs, and the ID registers a realm reads through
 * HCR_EL2.TID3, sanitised as TF-RMM's runtime/core/sysregs.c does.
 */
#include "arch/arm64/sysregs.h"
#include "el2_sysreg.h"
#include "rmm.h"

#define HCR_PTW (1ull << 2)
#define HCR_BSU_IS (1ull << 10)
#define HCR_TWI (1ull << 13)
#define HCR_TWE (1ull << 14)
#define HCR_TID3 (1ull << 18)
#define HCR_APK (1ull << 40)
#define HCR_API (1ull << 41)
#define HCR_FWB (1ull << 46)
#define HCR_HOST ((uint64_t)HCR_RW)

#define VTCR_RES1 (1ull << 31)
#define VTCR_IRGN0_WBWA (1ull << 8)
#define VTCR_ORGN0_WBWA (1ull << 10)
#define VTCR_SH0_INNER (3ull << 12)
#define VTCR_PS_SHIFT 16
#define VTCR_VS_16BIT (1ull << 19)
#define VTTBR_VMID_SHIFT 48

#define CNTHCTL_EL1PCTEN_EL1PCEN 3u
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)

static uint64_t field(uint64_t v, unsigned int shift)
{
    return (v >> shift) & 0xf;
}

bool rmm_has_fwb(void)
{
    return field(read_sysreg(id_aa64mmfr2_el1), 40) != 0;
}

/* VTCR_EL2.SL0 for a 4 KiB granule: level 2 -> 0, 1 -> 1, 0 -> 2. */
static uint64_t vtcr_for(const struct s2_ctx *s2)
{
    uint64_t ps = read_sysreg(id_aa64mmfr0_el1) & 0xf;
    uint64_t sl0 = (uint64_t)(2 - s2->level_start);
    uint64_t v = VTCR_RES1 | (64 - s2->ipa_bits) | sl0 << 6 | VTCR_IRGN0_WBWA |
                 VTCR_ORGN0_WBWA | VTCR_SH0_INNER | (ps > 5 ? 5 : ps) << VTCR_PS_SHIFT;

    if (field(read_sysreg(id_aa64mmfr1_el1), 4) == 2)
        v |= VTCR_VS_16BIT;
    return v;
}

static uint64_t hcr_for(const struct rmm_rec *rec)
{
    uint64_t isar1 = read_sysreg(id_aa64isar1_el1);
    uint64_t hcr = HCR_VM | HCR_SWIO | HCR_PTW | HCR_FMO | HCR_IMO | HCR_AMO | HCR_BSU_IS |
                   HCR_TSC | HCR_TID3 | HCR_RW;

    if (rmm_has_fwb())
        hcr |= HCR_FWB;
    /* Pointer authentication is the realm's own: do not trap its keys. */
    if (field(isar1, 4) || field(isar1, 8) || field(isar1, 24) || field(isar1, 28))
        hcr |= HCR_API | HCR_APK;
    if (rec->trap_wfi)
        hcr |= HCR_TWI;
    if (rec->trap_wfe)
        hcr |= HCR_TWE;
    return hcr;
}

void rmm_el2_enter_realm(const struct rmm_rec *rec)
{
    const struct s2_ctx *s2 = &rec->realm->s2;

    write_sysreg(vtcr_el2, vtcr_for(s2));
    write_sysreg(vttbr_el2, s2->rtt_base | (uint64_t)s2->vmid << VTTBR_VMID_SHIFT);
    write_sysreg(hcr_el2, hcr_for(rec));
    /* FP/SIMD untrapped; SVE and SME trapped (RES1 bits TZ, TSM). */
    write_sysreg(cptr_el2, CPTR_EL2_RES1);
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN_EL1PCEN);
    write_sysreg(cntvoff_el2, 0);
    write_sysreg(mdcr_el2, PMCR_N(read_sysreg(pmcr_el0)));
    write_sysreg(hstr_el2, 0);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    write_sysreg(vmpidr_el2, rec->mpidr);
    isb();
}

void rmm_el2_exit_realm(void)
{
    write_sysreg(hcr_el2, HCR_HOST);
    isb();
}

/* ---- The realm's EL1 registers ---------------------------------------------------- */

static struct rmm_rec *loaded;

#define EL1_REGS(X)                                                             \
    X(sctlr, sctlr_el1) X(ttbr0, ttbr0_el1) X(ttbr1, ttbr1_el1) X(tcr, tcr_el1) \
    X(mair, mair_el1) X(amair, amair_el1) X(vbar, vbar_el1)                     \
    X(contextidr, contextidr_el1) X(tpidr_el1, tpidr_el1)                       \
    X(tpidrro_el0, tpidrro_el0) X(sp_el0, sp_el0) X(sp_el1, sp_el1)             \
    X(elr, elr_el1) X(spsr, spsr_el1) X(esr, esr_el1) X(far, far_el1)           \
    X(afsr0, afsr0_el1) X(afsr1, afsr1_el1) X(par, par_el1) X(cpacr, cpacr_el1) \
    X(cntkctl, cntkctl_el1) X(csselr, csselr_el1) X(mdscr, mdscr_el1)           \
    X(cntv_ctl, cntv_ctl_el0) X(cntv_cval, cntv_cval_el0)                       \
    X(cntp_ctl, cntp_ctl_el0) X(cntp_cval, cntp_cval_el0)

#define SAVE(field, reg) r->field = read_sysreg(reg);
#define LOAD(field, reg) write_sysreg(reg, r->field);

static void save_el1(struct rmm_el1_regs *r) { EL1_REGS(SAVE) }
static void load_el1(const struct rmm_el1_regs *r) { EL1_REGS(LOAD) isb(); }

void rmm_el1_switch_to(struct rmm_rec *rec)
{
    if (loaded == rec)
        return;
    if (loaded != NULL)
        save_el1(&loaded->el1);
    load_el1(&rec->el1);
    loaded = rec;
}

void rmm_el1_save(struct rmm_rec *rec)
{
    if (loaded != rec)
        return;
    save_el1(&rec->el1);
    loaded = NULL;
}

/* ---- ID registers ------------------------------------------------------------------- */

#define MASK4(shift) (0xfull << (shift))
#define DFR0_CLEAR (MASK4(4) | MASK4(16) | MASK4(24) | MASK4(28) | MASK4(32) | MASK4(40) | \
                    MASK4(44) | MASK4(52) | MASK4(56))
#define DFR1_CLEAR (MASK4(36) | MASK4(48))
#define PFR0_CLEAR (MASK4(32) | MASK4(40) | MASK4(44)) /* SVE, MPAM, AMU */
#define PFR1_CLEAR (MASK4(8) | MASK4(16) | MASK4(24))  /* MTE, MPAM_frac, SME */

/* The ID register space op0 = 3, op1 = 0, CRn = 0, CRm = 1..7. Only the
 * AArch64 registers TF-RMM lets through have a value; every other encoding
 * reads as zero, as TF-RMM answers it. */
uint64_t rmm_sanitised_id_reg(unsigned int op0, unsigned int op1, unsigned int crn,
                              unsigned int crm, unsigned int op2, bool *known)
{
    *known = op0 == 3 && op1 == 0 && crn == 0 && crm >= 1 && crm <= 7;
    if (!*known)
        return 0;
    switch (crm << 3 | op2) {
    case 4 << 3 | 0: return read_sysreg(id_aa64pfr0_el1) & ~PFR0_CLEAR;
    case 4 << 3 | 1: return read_sysreg(id_aa64pfr1_el1) & ~PFR1_CLEAR;
    case 5 << 3 | 0: return read_sysreg(id_aa64dfr0_el1) & ~DFR0_CLEAR;
    case 5 << 3 | 1: return read_sysreg(id_aa64dfr1_el1) & ~DFR1_CLEAR;
    case 5 << 3 | 4: return read_sysreg(id_aa64afr0_el1);
    case 5 << 3 | 5: return read_sysreg(id_aa64afr1_el1);
    case 6 << 3 | 0: return read_sysreg(id_aa64isar0_el1);
    case 6 << 3 | 1: return read_sysreg(id_aa64isar1_el1);
    case 7 << 3 | 0: return read_sysreg(id_aa64mmfr0_el1);
    case 7 << 3 | 1: return read_sysreg(id_aa64mmfr1_el1);
    case 7 << 3 | 2: return read_sysreg(id_aa64mmfr2_el1);
    default: return 0;
    }
}
