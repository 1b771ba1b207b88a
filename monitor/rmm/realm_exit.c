/* SPDX-License-Identifier: MIT */
/*
 * What an exception from the realm leads to, as TF-RMM's runtime/core/
 * exit.c decides it:
 *
 *   SMC                      RSI, PSCI or SMC_UNKNOWN (rsi.c, psci.c)
 *   HVC                      an Unknown exception injected
 *   ID register read         answered with the sanitised value
 *   data abort, IPA >= 2^s2sz or RIPAS EMPTY: a synchronous external
 *                            abort injected, no exit
 *   data abort, protected (RIPAS RAM unassigned, or DESTROYED): REC exit,
 *                            syndrome without the access details
 *   data abort, unprotected: REC exit with the access (ISV, SAS, SF, WnR)
 *                            and, for a store, the value in gprs[0]
 *   instruction abort, unprotected, EMPTY or out of range: SEA injected
 *   IRQ, FIQ, SError         REC exit
 *
 * Whatever the host is told passes through one syndrome mask, so nothing
 * about the realm's registers leaks but what emulation needs.
 */
#include "arch/arm64/exception.h"
#include "arch/arm64/sysregs.h"
#include "rmm.h"

#define ESR_EC_MASK (0x3full << ESR_EC_SHIFT)
#define ESR_FSC_MASK 0x3full
#define ESR_EA (1ull << 9)
#define ESR_FNV (1ull << 10)
#define ESR_SET_MASK (3ull << 11)
#define ESR_SAS_MASK (3ull << 22)
#define ESR_WFX_TI (1ull << 0)
#define ESR_NONEMULATED (ESR_EC_MASK | ESR_SET_MASK | ESR_FNV | ESR_EA | ESR_FSC_MASK)
#define ESR_EMULATED (ESR_NONEMULATED | ESR_ISV | ESR_SAS_MASK | ESR_SF | ESR_WNR)
#define ESR_SERROR_MASK ((1ull << 24) | (7ull << 10) | (1ull << 9) | 0x3full)

#define FSC_SEA 0x10u
#define FSC_SEA_TTW_FIRST 0x13u
#define FSC_SEA_TTW_LAST 0x17u
#define FSC_TYPE_MASK 0x3cu
#define FSC_TRANSLATION 0x04u
#define XZR 31

#define EC_SVE 0x19
#define EC_SME 0x1d

struct rmm_counters rmm_cnt;

static uint64_t fault_ipa(const struct rmm_rec *rec)
{
    return RMI_HPFAR_IPA(rec->regs.hpfar);
}

/* RIPAS of a protected IPA is EMPTY: TF-RMM's ipa_is_empty(). */
static bool ipa_is_empty(const struct rmm_rec *rec, uint64_t ipa)
{
    struct s2tt_walk w;
    unsigned int ripas;

    if (!realm_addr_in_par(rec->realm, ipa))
        return false;
    s2tt_walk(&rec->realm->s2, ipa, S2TT_PAGE_LEVEL, &w);
    return s2tte_ripas(*s2tt_entry(&w), w.level, &ripas) && ripas == RSI_RIPAS_EMPTY;
}

static bool fsc_is_external(unsigned int fsc)
{
    return fsc == FSC_SEA || (fsc >= FSC_SEA_TTW_FIRST && fsc <= FSC_SEA_TTW_LAST);
}

/* A hardware-reported external abort: shown to the host, the instruction
 * restarts (TF-RMM reports restartable and recoverable ones the same way). */
static enum exit_action external_abort(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    exit->esr = rec->regs.esr & ESR_NONEMULATED;
    return EXIT_TO_HOST;
}

static enum exit_action data_abort(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    uint64_t esr = rec->regs.esr, ipa = fault_ipa(rec);

    if (fsc_is_external(esr_fsc(esr)))
        return external_abort(rec, exit);
    if (ipa >= realm_ipa_size(rec->realm) || ipa_is_empty(rec, ipa)) {
        inject_sync_abort(rec, rec->regs.esr);
        return EXIT_RESUME;
    }
    exit->hpfar = rec->regs.hpfar;
    if (realm_addr_in_par(rec->realm, ipa)) {
        exit->esr = esr & ESR_NONEMULATED;
        return EXIT_TO_HOST;
    }
    /* Unprotected: what the host needs to emulate the access, no more. */
    exit->esr = esr & ESR_EMULATED;
    exit->far = rec->regs.far & GRANULE_MASK;
    if ((esr & ESR_ISV) && (esr & ESR_WNR) && ESR_SRT(esr) != XZR) {
        unsigned int bits = 8u << ESR_SAS(esr);
        uint64_t v = rec->regs.x[ESR_SRT(esr)];

        exit->gprs[0] = bits == 64 ? v : v & ((1ull << bits) - 1);
    }
    return EXIT_TO_HOST;
}

static enum exit_action instruction_abort(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    uint64_t esr = rec->regs.esr, ipa = fault_ipa(rec);

    if (fsc_is_external(esr_fsc(esr)))
        return external_abort(rec, exit);
    if (ipa >= realm_ipa_size(rec->realm) || !realm_addr_in_par(rec->realm, ipa) ||
        ipa_is_empty(rec, ipa)) {
        inject_sync_abort(rec, rec->regs.esr);
        return EXIT_RESUME;
    }
    exit->hpfar = rec->regs.hpfar;
    exit->esr = esr & ESR_NONEMULATED;
    return EXIT_TO_HOST;
}

/* ID registers (HCR_EL2.TID3) get the sanitised value; the GIC's SGI and
 * DIR registers are the host's to emulate; any other register that traps
 * is not there for a realm. */
static enum exit_action sysreg_trap(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    uint64_t esr = rec->regs.esr;
    unsigned int rt = (unsigned int)((esr >> 5) & 0x1f);
    unsigned int crn = (unsigned int)(esr >> 10) & 0xf, crm = (unsigned int)(esr >> 1) & 0xf;
    bool known, read = esr & 1;
    uint64_t v = rmm_sanitised_id_reg((unsigned int)(esr >> 20) & 3, (unsigned int)(esr >> 14) & 7,
                                      crn, crm, (unsigned int)(esr >> 17) & 7, &known);

    if (known && read) {
        if (rt != XZR)
            rec->regs.x[rt] = v;
        rec->regs.pc += 4;
        rmm_cnt.id_reg_traps++;
        return EXIT_RESUME;
    }
    if (crn == 12 && crm == 11 && !read) {
        exit->esr = esr;
        exit->gprs[0] = rt == XZR ? 0 : rec->regs.x[rt];
        rec->regs.pc += 4;
        return EXIT_TO_HOST;
    }
    inject_undef(rec);
    return EXIT_RESUME;
}

static enum exit_action sync_exception(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    uint64_t esr = rec->regs.esr;

    exit->exit_reason = RMI_EXIT_SYNC;
    switch (esr_ec(esr)) {
    case EC_WFX:
        exit->esr = esr & (ESR_EC_MASK | ESR_WFX_TI);
        rec->regs.pc += 4;
        return EXIT_TO_HOST;
    case EC_HVC64:
        inject_undef(rec);
        return EXIT_RESUME;
    case EC_SMC64:
        rec->regs.pc += 4; /* a trapped SMC reports its own address */
        return rsi_handle_smc(rec, exit);
    case EC_SYSREG:
        return sysreg_trap(rec, exit);
    case EC_IABT_LOWER:
        return instruction_abort(rec, exit);
    case EC_DABT_LOWER:
        return data_abort(rec, exit);
    case EC_SVE:
    case EC_SME:
        inject_undef(rec); /* no SVE or SME for realms of this RMM */
        return EXIT_RESUME;
    default:
        /* The host learns only that an unhandled exception happened. */
        return EXIT_TO_HOST;
    }
}

static enum exit_action serror(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    exit->exit_reason = RMI_EXIT_SERROR;
    exit->esr = rec->regs.esr & ESR_SERROR_MASK;
    return EXIT_TO_HOST;
}

enum exit_action realm_handle_exception(struct rmm_rec *rec, enum realm_exception exc,
                                        struct rmi_rec_exit *exit)
{
    enum exit_action a;

    switch (exc) {
    case REALM_EXC_SYNC:
        a = sync_exception(rec, exit);
        break;
    case REALM_EXC_IRQ:
        exit->exit_reason = RMI_EXIT_IRQ;
        return EXIT_TO_HOST;
    case REALM_EXC_FIQ:
        exit->exit_reason = RMI_EXIT_FIQ;
        return EXIT_TO_HOST;
    default:
        a = serror(rec, exit);
        break;
    }
    if (a == EXIT_TO_HOST) {
        /* What the next entry may complete: EMUL_MMIO only after an
         * emulatable abort, INJECT_SEA only after a data abort. */
        rec->last_exit.esr = rec->regs.esr;
        if (!(exit->esr & ESR_ISV))
            rec->last_exit.esr &= ~ESR_ISV;
        rec->last_exit.far = rec->regs.far;
        rec->last_exit.hpfar = rec->regs.hpfar;
    }
    return a;
}
