/* SPDX-License-Identifier: MIT */
/*
 * Exceptions the monitor makes the realm take at EL1, the way the hardware
 * would have taken them: ESR/FAR/ELR/SPSR_EL1 written, then the realm
 * resumes at its vector (VBAR_EL1 + the offset for the EL and stack it was
 * on) in EL1h with DAIF masked. An RMM does the same for an access to an
 * EMPTY or unshared IPA (RMM spec A5.2.9, TF-RMM inject_sync_idabort), and
 * for an HVC (A4.5: the realm sees an Unknown exception).
 */
#include "arch/arm64/sysregs.h"
#include "boot/runtime.h"
#include "monitor.h"

#define ISS_EA (1ull << 9)
#define ISS_CM (1ull << 8)
#define ISS_WNR (1ull << 6)
#define FSC_SEA 0x10

#define SPSR_M_MASK 0x1full
#define SPSR_M_AARCH32 0x10ull
#define SPSR_M_EL0T 0x0ull
#define SPSR_M_EL1T 0x4ull
#define SPSR_M_EL1H 0x5ull
#define SPSR_PAN (1ull << 22)
#define SPSR_SSBS (1ull << 12)

#define SCTLR_SPAN (1ull << 23)
#define SCTLR_DSSBS (1ull << 44)

/* Offsets of the synchronous vectors in the table at VBAR_EL1. */
#define VEC_CUR_SP0 0x000
#define VEC_CUR_SPX 0x200
#define VEC_LOWER_A64 0x400
#define VEC_LOWER_A32 0x600

/* PSTATE on entry to EL1: EL1h, DAIF masked, PAN and SSBS as SCTLR_EL1
 * says where the CPU has them (Arm ARM, "Exception entry"). */
static uint64_t entry_pstate(uint64_t old)
{
    uint64_t sctlr = read_sysreg(sctlr_el1);
    uint64_t p = SPSR_MASK_ALL | SPSR_EL1H;

    if ((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf) /* FEAT_PAN */
        p |= (sctlr & SCTLR_SPAN) ? (old & SPSR_PAN) : SPSR_PAN;
    if ((read_sysreg(id_aa64pfr1_el1) >> 4) & 0xf) /* FEAT_SSBS */
        p |= (sctlr & SCTLR_DSSBS) ? SPSR_SSBS : 0;
    return p;
}

/* Vector offset for the realm's state at the trap; lower is set when the
 * exception comes from EL0 (the ESR then names a lower-EL class). */
static uint64_t vector_offset(uint64_t spsr, bool *lower)
{
    *lower = true;
    if (spsr & SPSR_M_AARCH32)
        return VEC_LOWER_A32;
    switch (spsr & SPSR_M_MASK) {
    case SPSR_M_EL0T:
        return VEC_LOWER_A64;
    case SPSR_M_EL1T:
        *lower = false;
        return VEC_CUR_SP0;
    case SPSR_M_EL1H:
        *lower = false;
        return VEC_CUR_SPX;
    default: /* an EL2 mode in SPSR_EL2 from a lower-EL trap cannot be */
        runtime_fail_stop("monitor: trap from the realm with an impossible SPSR");
    }
}

static void take_to_el1(struct exc_frame *f, uint64_t esr_ec_cur, uint64_t esr_ec_lower,
                        uint64_t iss, uint64_t elr_el1, bool far_valid)
{
    bool lower;
    uint64_t off = vector_offset(f->spsr, &lower);
    uint64_t ec = lower ? esr_ec_lower : esr_ec_cur;

    write_sysreg(esr_el1, ec << ESR_EC_SHIFT | (f->esr & ESR_IL) | iss);
    if (far_valid)
        write_sysreg(far_el1, f->far);
    write_sysreg(elr_el1, elr_el1);
    write_sysreg(spsr_el1, f->spsr);
    f->elr = read_sysreg(vbar_el1) + off;
    f->spsr = entry_pstate(f->spsr);
}

void inject_sea(struct exc_frame *f)
{
    unsigned int ec = esr_ec(f->esr);

    if (ec == EC_DABT_LOWER)
        take_to_el1(f, EC_DABT_CUR, EC_DABT_LOWER,
                    ISS_EA | (f->esr & (ISS_CM | ISS_WNR)) | FSC_SEA, f->elr, true);
    else
        take_to_el1(f, EC_IABT_CUR, EC_IABT_LOWER, ISS_EA | FSC_SEA, f->elr, true);
    mon.cnt.faults_injected++;
}

void inject_undef_hvc(struct exc_frame *f)
{
    /* HVC is exception-generating: ELR_EL2 is past it, ELR_EL1 must point
     * at it, as for any undefined instruction. */
    take_to_el1(f, EC_UNKNOWN, EC_UNKNOWN, 0, f->elr - 4, false);
    mon.cnt.undef_injected++;
}

bool inject_target_is_vector(uint64_t va)
{
    uint64_t vbar = read_sysreg(vbar_el1);

    return va == vbar + VEC_CUR_SP0 || va == vbar + VEC_CUR_SPX ||
           va == vbar + VEC_LOWER_A64 || va == vbar + VEC_LOWER_A32;
}
