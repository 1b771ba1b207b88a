/* SPDX-License-Identifier: MIT */
/*
 * The one seam between the host and an RMM. An RMI command is an SMC64 fast
 * call: the FID in x0, arguments in x1..x6, results in x0..x4 (DEN0137,
 * "RMI command conventions"). The host fills a register block and calls
 * rmi_conduit(); what answers depends on the build:
 *   - ccdma-host.bin, TF-A's BL33: `smc #0`, to TF-RMM at R-EL2 through
 *     BL31 (monitor/host/rmi_smc.S);
 *   - ccdma-realm.elf: the emulated RMM, a function call at the same EL
 *     (monitor/rmm/rmi_dispatch.c).
 * Registers the command does not return are preserved, as SMCCC promises.
 */
#ifndef CCDMA_MONITOR_RMI_CONDUIT_H
#define CCDMA_MONITOR_RMI_CONDUIT_H

#include <stdint.h>

#define RMI_NUM_REGS 8

struct rmi_regs {
    uint64_t x[RMI_NUM_REGS];
};

void rmi_conduit(struct rmi_regs *r);

/* The RMM behind rmi_conduit(), for the boot line and the counters. */
extern const char rmi_conduit_name[];

#endif /* CCDMA_MONITOR_RMI_CONDUIT_H */
