/* SPDX-License-Identifier: MIT */
/*
 * The RMM of ccdma-host.bin is the firmware's: TF-RMM at R-EL2, booted by
 * TF-A before this program ran. Nothing to bring up here; the host checks
 * RMI_VERSION and RMI_FEATURES itself, as for any RMM.
 */
#include <stdio.h>

#include "el2.h"
#include "rmi_conduit.h"

const char rmi_conduit_name[] = "tf-rmm";

void rmm_platform_init(const struct el2_machine *m)
{
    (void)m;
    printf("monitor: RMI over SMC to the firmware's RMM (TF-RMM under TF-A)\n");
}

void rmm_platform_report(void)
{
    /* TF-RMM keeps its own counts: the host sees only its calls and exits. */
}
