/* SPDX-License-Identifier: MIT */
#ifndef CCDMA_ARM64_SMCCC_CONDUIT_H
#define CCDMA_ARM64_SMCCC_CONDUIT_H

#include "arch/arm64/rsi_abi.h"
#include "arch/arm64/smccc.h"


struct smccc_counters {
    uint64_t total;
    uint64_t rsi[RSI_NUM_CMDS]; /* indexed by FID - RSI_FID_BASE */
};

void smccc_get_counters(struct smccc_counters *out);

#endif
