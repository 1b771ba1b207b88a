/* SPDX-License-Identifier: MIT */
/* ccdma_smccc_call() for the firmware, with a count of calls by kind so that
 * self-tests can see what a conversion cost in world switches. */
#include "arch/arm64/smccc_conduit.h"

#include "arch/arm64/rsi_abi.h"

void smccc_smc_raw(struct smccc_regs *r);

static struct smccc_counters counters;

void ccdma_smccc_call(struct smccc_regs *r)
{
    uint32_t fid = (uint32_t)r->x[0];
    counters.total++;
    if (fid >= RSI_FID_BASE && fid < RSI_FID_BASE + RSI_NUM_CMDS)
        counters.rsi[fid - RSI_FID_BASE]++;
    smccc_smc_raw(r);
}

void smccc_get_counters(struct smccc_counters *out) { *out = counters; }
