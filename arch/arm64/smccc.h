/* SPDX-License-Identifier: MIT */
/*
 * The SMCCC conduit seam between the RSI client and whatever answers it.
 *
 * The firmware implements ccdma_smccc_call() with `smc #0`; the host port
 * (arch/host/host_realm.c) implements it by running an RMM model
 * in-process, which takes the same register block, so one struct describes
 * a call on both sides of the SMC.
 */
#ifndef CCDMA_SMCCC_H
#define CCDMA_SMCCC_H

/* SMCCC 1.2 SMC64: X0 = function ID, X1..X17 arguments; X0..X17 results.
 * struct smccc_regs is x[0..17], 8 bytes each, no padding. */
#define SMCCC_NUM_REGS 18

#ifndef __ASSEMBLER__
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct smccc_regs {
    uint64_t x[SMCCC_NUM_REGS];
};

/*
 * Issue one call: r->x[0] holds the FID and r->x[1..17] the arguments; on
 * return r->x[0..17] hold the results. Where nothing can answer an SMC (no
 * EL2/EL3, where the instruction is undefined), the implementation must
 * return SMCCC_NOT_SUPPORTED in x[0] rather than trap: detection relies on it.
 */
void ccdma_smccc_call(struct smccc_regs *r);

#ifdef __cplusplus
}
#endif
#endif /* !__ASSEMBLER__ */

#endif /* CCDMA_SMCCC_H */
