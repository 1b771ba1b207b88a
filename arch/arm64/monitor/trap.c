/* SPDX-License-Identifier: MIT */
/*
 * Every exception taken to EL2 (boot/vectors.S saves a struct exc_frame and
 * calls here). From the realm: SMC (HCR_EL2.TSC) goes to PSCI or the RSI
 * model, HVC becomes an Unknown exception, and stage-2 aborts are either
 * virtio-mmio emulation or an external abort injected into the realm.
 * Anything else is a bug somewhere and ends the run with a report.
 *
 * Around a trap from the realm the monitor keeps the realm's FP/SIMD
 * registers (picolibc may use SIMD) and its TPIDR_EL0 (picolibc's TLS
 * pointer: the monitor's errno must not land in realm memory).
 */
#include <stdio.h>
#include <string.h>

#include "arch/arm64/hostcall.h"
#include "arch/arm64/sysregs.h"
#include "boot/runtime.h"
#include "monitor.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define HOST_CALL_GPRS 8u /* RsiHostCall.gprs[0] */

#define SLOT_LOWER_SYNC 8
#define HPFAR_FIPA(hpfar) ((((hpfar) >> 4) & ((1ull << 40) - 1)) << 12)
#define FSC_STAGE2_LAST 0x0f /* address size, translation, access flag, permission */
#define FSC_TYPE_MASK 0x3c
#define FSC_TRANSLATION 0x04
#define FSC_PERMISSION 0x0c
#define PAR_F 1ull
#define PAR_PA_MASK 0x0000fffffffff000ull
#define REPORTED_INJECTIONS 16

/* ---- SMC ---------------------------------------------------------------------------- */

/* The exit call (arch/arm64/hostcall.h): the model has checked the
 * structure's address (aligned, inside one granule, RIPAS RAM), so it can
 * be read at its PA. */
static void host_call(uint64_t ipa)
{
    uint16_t imm;
    uint64_t verdict;

    realm_mem_read_pa(realm_pa(ipa), &imm, sizeof(imm));
    if (imm != CCDMA_HOSTCALL_EXIT)
        return; /* nothing else is serviced: registers go back unchanged */
    realm_mem_read_pa(realm_pa(ipa) + HOST_CALL_GPRS, &verdict, sizeof(verdict));
    printf("monitor: realm verdict %llu (%s)\n", (unsigned long long)verdict,
           verdict == 0 ? "pass" : "fail");
    /* An exit status is 8 bits: keep every failure non-zero. */
    monitor_finish(verdict == 0 ? 0 : verdict < 256 ? (int)verdict : 1,
                   "RSI_HOST_CALL exit");
}

static void handle_smc(struct exc_frame *f)
{
    uint32_t fid = (uint32_t)f->x[0];
    uint64_t arg = f->x[1];
    struct smccc_regs r;

    f->elr += 4; /* a trapped SMC returns past itself */
    if (fid == PSCI_SYSTEM_OFF || fid == PSCI_SYSTEM_RESET)
        monitor_finish(0, fid == PSCI_SYSTEM_OFF ? "PSCI SYSTEM_OFF" : "PSCI SYSTEM_RESET");
    memcpy(r.x, f->x, sizeof(r.x));
    realm_model_smc(&mon.model, &r);
    memcpy(f->x, r.x, sizeof(r.x));
    if ((fid & ~SMCCC_SVE_HINT) == RSI_HOST_CALL && r.x[0] == RSI_SUCCESS)
        host_call(arg);
}

/* ---- Stage-2 aborts ----------------------------------------------------------------- */

/* Why the realm may not make this access (the RMM spec's A5.2.9 cases). */
static const char *refusal(uint64_t ipa, bool fetch)
{
    if (ipa >= (1ull << MON_IPA_WIDTH))
        return "outside the IPA space";
    if (ipa & MON_SHARED_BIT) {
        if (fetch)
            return "instruction fetch from an unprotected IPA";
        if (realm_model_is_shared(&mon.model, ipa))
            return NULL; /* shared: stage 2 maps the alias */
        return realm_model_in_ram(&mon.model, ipa) ? "unprotected alias of a private page"
                                                   : "unprotected IPA with nothing shared there";
    }
    switch (realm_model_ripas(&mon.model, ipa)) {
    case RSI_RIPAS_EMPTY:
        return realm_model_in_ram(&mon.model, ipa) ? "protected IPA of a shared page (RIPAS EMPTY)"
                                                   : "protected IPA with RIPAS EMPTY";
    case RSI_RIPAS_DESTROYED:
        return "protected IPA with RIPAS DESTROYED";
    default:
        return NULL; /* RIPAS RAM: stage 2 maps it */
    }
}

/*
 * The faulting IPA. HPFAR_EL2 has it for translation, access-flag and
 * address-size faults and for faults on the stage-1 walk; for a stage-2
 * permission fault it may be UNKNOWN (KVM's __get_fault_info), so the
 * realm's own stage 1 translates FAR again (AT S1E1R, PAR_EL1 preserved).
 * False when stage 1 no longer translates it.
 */
static bool fault_ipa(const struct exc_frame *f, uint64_t *ipa)
{
    uint64_t par, saved;

    if ((esr_fsc(f->esr) & FSC_TYPE_MASK) != FSC_PERMISSION || (f->esr & ESR_S1PTW)) {
        *ipa = HPFAR_FIPA(read_sysreg(hpfar_el2)) | (f->far & (MON_GRANULE - 1));
        return true;
    }
    saved = read_sysreg(par_el1);
    __asm__ volatile("at s1e1r, %0\n isb" ::"r"(f->far) : "memory");
    par = read_sysreg(par_el1);
    write_sysreg(par_el1, saved);
    if (par & PAR_F)
        return false;
    *ipa = (par & PAR_PA_MASK) | (f->far & (MON_GRANULE - 1));
    return true;
}

static void handle_abort(struct exc_frame *f)
{
    bool data = esr_ec(f->esr) == EC_DABT_LOWER;
    bool walk = (f->esr & ESR_S1PTW) != 0;
    unsigned int fsc = esr_fsc(f->esr);
    uint64_t ipa = 0;
    const char *why;

    /* Only stage-2 faults are the monitor's business; an external abort or
     * an alignment fault reaching EL2 means the hardware or the monitor is
     * wrong. */
    if (fsc > FSC_STAGE2_LAST) {
        exc_report("abort from the realm", f, 2, SLOT_LOWER_SYNC);
        runtime_fail_stop("monitor: unexpected abort class from the realm");
    }
    if (!fault_ipa(f, &ipa)) {
        why = "stage 1 no longer translates the address";
    } else {
        if (data && !walk && virtio_trap_handle(f, ipa))
            return;
        why = refusal(ipa, !data && !walk);
        if (why == NULL || (stage2_is_mapped(ipa) && (fsc & FSC_TYPE_MASK) == FSC_TRANSLATION)) {
            printf("monitor: stage-2 fault at IPA 0x%llx that the model allows (ESR 0x%llx)\n",
                   (unsigned long long)ipa, (unsigned long long)f->esr);
            runtime_fail_stop("monitor: stage 2 disagrees with the RIPAS model");
        }
    }
    if (!data && inject_target_is_vector(f->elr)) {
        printf("monitor: the realm's vector at 0x%llx cannot be fetched (IPA 0x%llx: %s)\n",
               (unsigned long long)f->elr, (unsigned long long)ipa, why);
        monitor_finish(1, "the realm cannot take an external abort");
    }
    if (mon.cnt.faults_injected < REPORTED_INJECTIONS)
        printf("monitor: external abort injected: %s IPA 0x%llx (VA 0x%llx, PC 0x%llx): %s\n",
               walk ? "table walk at" : !data ? "fetch from"
                    : (f->esr & ESR_WNR) ? "write to" : "read from",
               (unsigned long long)ipa, (unsigned long long)f->far,
               (unsigned long long)f->elr, why);
    else if (mon.cnt.faults_injected == REPORTED_INJECTIONS)
        printf("monitor: further external aborts are counted, not reported\n");
    inject_sea(f);
}

/* ---- Dispatch ------------------------------------------------------------------------- */

static void from_realm(struct exc_frame *f, unsigned int slot)
{
    if (slot == SLOT_LOWER_SYNC) {
        switch (esr_ec(f->esr)) {
        case EC_SMC64: handle_smc(f); return;
        case EC_HVC64: inject_undef_hvc(f); return;
        case EC_DABT_LOWER:
        case EC_IABT_LOWER: handle_abort(f); return;
        default: break;
        }
    }
    exc_report("trap from the realm", f, 2, slot);
    runtime_fail_stop("monitor: unexpected trap from the realm");
}

void exc_handler_el2(struct exc_frame *f, unsigned int slot);
void exc_handler_el2(struct exc_frame *f, unsigned int slot)
{
    struct fpsimd_state fp;
    uint64_t tpidr;

    if (slot < SLOT_LOWER_SYNC) {
        /* The monitor's own: only probe fixups (semihosting, PSCI at exit)
         * are expected. */
        if ((slot & 3) == EXC_SYNC && fixup_apply(f))
            return;
        exc_report("the realm monitor", f, 2, slot);
        runtime_fail_stop("monitor: unexpected exception at EL2");
    }
    fpsimd_save(&fp);
    tpidr = read_sysreg(tpidr_el0);
    write_sysreg(tpidr_el0, mon.tpidr_el0);
    from_realm(f, slot);
    write_sysreg(tpidr_el0, tpidr);
    fpsimd_restore(&fp);
}
