/* SPDX-License-Identifier: MIT */
/*
 * RMI_REC_ENTER: read the host's entry half of the run granule once, check
 * it against what the REC's last exit allows, complete what that exit left
 * pending (an emulated MMIO read, an injected abort, a RIPAS change, a host
 * call), then run the realm until an exception the RMM cannot handle
 * itself, and write the exit half. The order and the checks are TF-RMM's
 * runtime/rmi/run.c.
 */
#include <string.h>

#include "arch/arm64/exception.h"
#include "arch/arm64/sysregs.h"
#include "rmm.h"

#define XZR 31

/* INJECT_SEA is only for a data abort at an unprotected IPA. */
static bool complete_sea(struct rmm_rec *rec, const struct rmi_rec_entry *entry)
{
    if (!(entry->flags & RMI_ENTRY_INJECT_SEA))
        return true;
    if (esr_ec(rec->last_exit.esr) != EC_DABT_LOWER ||
        realm_addr_in_par(rec->realm, RMI_HPFAR_IPA(rec->last_exit.hpfar)))
        return false;
    inject_sync_abort(rec, rec->last_exit.esr);
    return true;
}

/* EMUL_MMIO: the host emulated the access the last exit reported. For a
 * read, its value goes into the target register, sign-extended and sized
 * as the syndrome says; either way the PC steps past the instruction. */
static bool complete_mmio(struct rmm_rec *rec, const struct rmi_rec_entry *entry)
{
    uint64_t esr = rec->last_exit.esr;

    if (!(entry->flags & RMI_ENTRY_EMUL_MMIO))
        return true;
    if (entry->flags & RMI_ENTRY_INJECT_SEA)
        return true; /* the abort wins; nothing to complete */
    if (esr_ec(esr) != EC_DABT_LOWER || !(esr & ESR_ISV))
        return false;
    if (!(esr & ESR_WNR) && ESR_SRT(esr) != XZR) {
        unsigned int bits = 8u << ESR_SAS(esr);
        uint64_t v = bits == 64 ? entry->gprs[0] : entry->gprs[0] & ((1ull << bits) - 1);

        if ((esr & ESR_SSE) && bits < 64) {
            uint64_t sign = 1ull << (bits - 1);

            v = (v ^ sign) - sign;
            if (!(esr & ESR_SF))
                v &= 0xffffffffull;
        }
        rec->regs.x[ESR_SRT(esr)] = v;
    }
    rec->regs.pc += 4;
    return true;
}

/* The realm's IPA_STATE_SET returns now: the progress pointer, and REJECT
 * only for an unfinished change to RAM the host refused. */
static void complete_set_ripas(struct rmm_rec *rec, const struct rmi_rec_entry *entry)
{
    bool reject = (entry->flags & RMI_ENTRY_RIPAS_RESPONSE_REJECT) != 0;

    if (rec->set_ripas.base == rec->set_ripas.top)
        return;
    rec->regs.x[0] = RSI_SUCCESS;
    rec->regs.x[1] = rec->set_ripas.addr;
    rec->regs.x[2] = rec->set_ripas.ripas == RSI_RIPAS_RAM &&
                             rec->set_ripas.addr != rec->set_ripas.top && reject
                         ? RSI_REJECT
                         : RSI_ACCEPT;
    rec->set_ripas.base = rec->set_ripas.top = 0;
}

/* A trapped system-register read the host emulated: its value to Rt. */
static void complete_sysreg(struct rmm_rec *rec, const struct rmi_rec_entry *entry)
{
    uint64_t esr = rec->last_exit.esr;
    unsigned int rt = (unsigned int)((esr >> 5) & 0x1f);

    if (esr_ec(esr) != EC_SYSREG || !(esr & 1) || rt == XZR)
        return;
    rec->regs.x[rt] = entry->gprs[0];
}

/* The realm runs until an exception the RMM hands to the host. */
static void run(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    rmm_el2_enter_realm(rec);
    rmm_gic_restore(&rec->gic);
    for (;;) {
        enum realm_exception exc;

        if (rmm_timers_check(rec)) {
            exit->exit_reason = RMI_EXIT_IRQ;
            break;
        }
        exc = rmm_world_enter(&rec->regs);

        rmm_cnt.realm_exceptions++;
        if (realm_handle_exception(rec, exc, exit) == EXIT_TO_HOST)
            break;
    }
    rmm_timers_exit(rec, exit);
    rmm_gic_save(&rec->gic);
    rmm_gic_to_exit(&rec->gic, exit);
    rmm_el2_exit_realm();
}

uint64_t smc_rec_enter(uint64_t rec_addr, uint64_t run_pa)
{
    struct rmi_rec_run *run_page;
    struct rmi_rec_entry entry;
    struct rmi_rec_exit exit;
    struct rmm_rec *rec;

    if (!granule_is_ns(run_pa) || (rec = rec_from_addr(rec_addr)) == NULL)
        return RMI_ERROR_INPUT;
    run_page = granule_map(run_pa);
    memcpy(&entry, &run_page->entry, sizeof(entry)); /* read once */

    if (rec->realm->state == REALM_NEW)
        return RMI_RETURN(RMI_ERROR_REALM, RMI_REALM_INDEX_NEW);
    if (rec->realm->state == REALM_SYSTEM_OFF)
        return RMI_RETURN(RMI_ERROR_REALM, RMI_REALM_INDEX_SYSTEM_OFF);
    if (!rec->runnable || rec->psci_pending || !rmm_gic_entry_valid(&entry))
        return RMI_ERROR_REC;
    /* Completions may inject into the realm's EL1: make its registers the
     * CPU's first. */
    rmm_el1_switch_to(rec);
    if (!complete_sea(rec, &entry) || !complete_mmio(rec, &entry))
        return RMI_ERROR_REC;

    memset(&exit, 0, sizeof(exit));
    rmm_gic_from_entry(&rec->gic, &entry);
    complete_set_ripas(rec, &entry);
    complete_sysreg(rec, &entry);
    if (rec->host_call_pending && !rsi_complete_host_call(rec, &entry, &exit)) {
        rmm_gic_to_exit(&rec->gic, &exit);
        memcpy(&run_page->exit, &exit, sizeof(exit));
        return RMI_SUCCESS;
    }
    rec->last_exit.esr = rec->last_exit.far = rec->last_exit.hpfar = 0;
    rec->trap_wfi = (entry.flags & RMI_ENTRY_TRAP_WFI) != 0;
    rec->trap_wfe = (entry.flags & RMI_ENTRY_TRAP_WFE) != 0;

    run(rec, &exit);
    memcpy(&run_page->exit, &exit, sizeof(exit));
    return RMI_SUCCESS;
}
