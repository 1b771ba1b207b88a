/* SPDX-License-Identifier: MIT */
/*
 * Exceptions the RMM makes the realm take at EL1, built the way the
 * hardware would have taken them and as TF-RMM's runtime/core/inject_exp.c
 * builds them: ESR_EL1 from the ESR_EL2 of the trap with the class moved
 * to the realm's view, FSC = synchronous external abort and EA set, FnV
 * and S1PTW cleared, every other ISS field kept; ELR, SPSR and FAR_EL1 as
 * the trap left them; the realm resumes at its vector in EL1h with DAIF
 * masked. The REC's EL1 registers are the CPU's whenever this runs.
 */
#include "arch/arm64/exception.h"
#include "arch/arm64/sysregs.h"
#include "el2_sysreg.h"
#include "rmm.h"

#define ESR_EC_MASK (0x3full << ESR_EC_SHIFT)
#define ESR_FSC_MASK 0x3full
#define ESR_EA (1ull << 9)
#define ESR_FNV (1ull << 10)
#define FSC_SEA 0x10ull

#define SPSR_MODE_MASK 0xfull
#define SPSR_MODE_EL0T 0x0ull
#define SPSR_MODE_EL1T 0x4ull
#define SPSR_MODE_EL1H 0x5ull
#define SPSR_NRW_AARCH32 (1ull << 4)
#define SPSR_NZCV (0xfull << 28)
#define SPSR_PAN (1ull << 22)
#define SPSR_DIT (1ull << 24)
#define SPSR_TCO (1ull << 25)
#define SPSR_SSBS (1ull << 12)
#define SPSR_ALLINT (1ull << 13)

#define SCTLR_SPAN (1ull << 23)
#define SCTLR_DSSBS (1ull << 44)
#define SCTLR_SPINTMASK (1ull << 62)

#define VEC_CUR_SP0 0x000
#define VEC_CUR_SPX 0x200
#define VEC_LOWER_A64 0x400
#define VEC_LOWER_A32 0x600

static uint64_t field(uint64_t reg, unsigned int shift)
{
    return (reg >> shift) & 0xf;
}

static uint64_t vector(uint64_t vbar, uint64_t spsr)
{
    if (spsr & SPSR_NRW_AARCH32)
        return vbar + VEC_LOWER_A32;
    switch (spsr & SPSR_MODE_MASK) {
    case SPSR_MODE_EL1H: return vbar + VEC_CUR_SPX;
    case SPSR_MODE_EL1T: return vbar + VEC_CUR_SP0;
    default: return vbar + VEC_LOWER_A64;
    }
}

/* PSTATE on taking an exception to EL1 (Arm ARM, AArch64.TakeException),
 * for the features this CPU has. */
static uint64_t entry_pstate(uint64_t old, uint64_t sctlr)
{
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
    uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1);
    uint64_t p = SPSR_MASK_ALL | SPSR_EL1H | (old & SPSR_NZCV);

    if (field(pfr1, 4) && (sctlr & SCTLR_DSSBS))
        p |= SPSR_SSBS;
    if (field(pfr1, 36) && !(sctlr & SCTLR_SPINTMASK))
        p |= SPSR_ALLINT;
    if (field(mmfr1, 20) && !(sctlr & SCTLR_SPAN))
        p |= SPSR_PAN;
    if (field(pfr0, 48))
        p |= old & SPSR_DIT;
    if (field(pfr1, 8) >= 2)
        p |= SPSR_TCO;
    return p;
}

static void take(struct rmm_rec *rec, uint64_t esr_el1, bool far_valid)
{
    uint64_t sctlr = read_sysreg(sctlr_el1);

    if (far_valid)
        write_sysreg(far_el1, rec->regs.far);
    write_sysreg(elr_el1, rec->regs.pc);
    write_sysreg(spsr_el1, rec->regs.pstate);
    write_sysreg(esr_el1, esr_el1);
    rec->regs.pc = vector(read_sysreg(vbar_el1), rec->regs.pstate);
    rec->regs.pstate = entry_pstate(rec->regs.pstate, sctlr);
}

void inject_sync_abort(struct rmm_rec *rec, uint64_t esr_el2)
{
    uint64_t esr = esr_el2 & ~(ESR_EC_MASK | ESR_FSC_MASK | ESR_FNV | ESR_S1PTW);
    uint64_t ec = esr_ec(esr_el2);

    /* An abort from EL1 is a current-EL one for the realm. */
    if ((rec->regs.pstate & SPSR_MODE_MASK) != SPSR_MODE_EL0T)
        ec += 1;
    take(rec, esr | ec << ESR_EC_SHIFT | FSC_SEA | ESR_EA, true);
    rmm_cnt.sea_injected++;
}

void inject_undef(struct rmm_rec *rec)
{
    take(rec, ESR_IL | (uint64_t)EC_UNKNOWN << ESR_EC_SHIFT, false);
    rmm_cnt.undef_injected++;
}
