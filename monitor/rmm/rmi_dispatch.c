/* SPDX-License-Identifier: MIT */
/*
 * The emulated RMM's end of rmi_conduit(): one RMI command per call, by a
 * function call at EL2 instead of an SMC through EL3. Results go to x0..x4
 * and every other register is left as the host had it, as BL31's RMMD
 * leaves x5..x30. An FID in the RMI range with no handler answers
 * SMC_UNKNOWN, as TF-RMM's handler table does for 1.1 commands.
 */
#include "rmm.h"

#define SMC_UNKNOWN ((uint64_t)-1)

const char rmi_conduit_name[] = "emulated";

static void version(struct rmi_regs *r)
{
    uint64_t req = r->x[1];

    r->x[0] = req == RMI_ABI_VERSION_1_0 ? RMI_SUCCESS : RMI_ERROR_INPUT;
    r->x[1] = r->x[2] = RMI_ABI_VERSION_1_0;
}

static void features(struct rmi_regs *r)
{
    r->x[1] = r->x[1] == 0 ? rmm_feature_reg0() : 0;
    r->x[0] = RMI_SUCCESS;
}

void rmi_conduit(struct rmi_regs *r)
{
    uint32_t fid = (uint32_t)r->x[0] & ~SMCCC_SVE_HINT;
    const uint64_t a1 = r->x[1], a2 = r->x[2], a3 = r->x[3], a4 = r->x[4], a5 = r->x[5];

    switch (fid) {
    case RMI_VERSION: version(r); return;
    case RMI_FEATURES: features(r); return;
    case RMI_GRANULE_DELEGATE: r->x[0] = smc_granule_delegate(a1); return;
    case RMI_GRANULE_UNDELEGATE: r->x[0] = smc_granule_undelegate(a1); return;
    case RMI_REALM_CREATE: r->x[0] = smc_realm_create(a1, a2); return;
    case RMI_REALM_ACTIVATE: r->x[0] = smc_realm_activate(a1); return;
    case RMI_REALM_DESTROY: r->x[0] = smc_realm_destroy(a1); return;
    case RMI_REC_AUX_COUNT: smc_rec_aux_count(a1, r); return;
    case RMI_REC_CREATE: r->x[0] = smc_rec_create(a1, a2, a3); return;
    case RMI_REC_DESTROY: r->x[0] = smc_rec_destroy(a1); return;
    case RMI_REC_ENTER: r->x[0] = smc_rec_enter(a1, a2); return;
    case RMI_PSCI_COMPLETE: r->x[0] = smc_psci_complete(a1, a2, a3); return;
    case RMI_RTT_CREATE: r->x[0] = smc_rtt_create(a1, a2, a3, a4); return;
    case RMI_RTT_DESTROY: smc_rtt_destroy(a1, a2, a3, r); return;
    case RMI_RTT_MAP_UNPROTECTED: r->x[0] = smc_rtt_map_unprotected(a1, a2, a3, a4); return;
    case RMI_RTT_UNMAP_UNPROTECTED: smc_rtt_unmap_unprotected(a1, a2, a3, r); return;
    case RMI_RTT_READ_ENTRY: smc_rtt_read_entry(a1, a2, a3, r); return;
    case RMI_RTT_INIT_RIPAS: smc_rtt_init_ripas(a1, a2, a3, r); return;
    case RMI_RTT_SET_RIPAS: smc_rtt_set_ripas(a1, a2, a3, a4, r); return;
    case RMI_DATA_CREATE: r->x[0] = smc_data_create(a1, a2, a3, a4, a5); return;
    case RMI_DATA_CREATE_UNKNOWN: r->x[0] = smc_data_create_unknown(a1, a2, a3); return;
    case RMI_DATA_DESTROY: smc_data_destroy(a1, a2, r); return;
    case RMI_RTT_FOLD: r->x[0] = RMI_ERROR_NOT_SUPPORTED; return; /* docs/realm.md */
    default: r->x[0] = SMC_UNKNOWN; return;
    }
}
