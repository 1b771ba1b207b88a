/* SPDX-License-Identifier: MIT */
/*
 * The host's run: its policy from the bootargs, the memory it may use, the
 * poison window, the devices it emulates, then the realm built and run.
 */
#include <stdio.h>

#include "host.h"

noreturn void host_main(const struct el2_machine *m)
{
    static struct host_policy policy;

    options_parse(&m->dt, &policy);
    rmi_set_trace(policy.trace_rmi);
    granules_init(m);
    poison_init(m);
    mmio_init(m);
    printf("monitor: host at EL2 for the %s RMM; poison PA 0x%llx-0x%llx; %u virtio-mmio\n",
           rmi_conduit_name, (unsigned long long)POISON_BASE, (unsigned long long)POISON_TOP,
           m->dt.n_virtio);
    options_print(&policy);
    realm_build(m, &policy);
    /* The host DTB is consumed (the realm's is built, machine.dt holds
     * copies): poison it with the rest of the window. */
    poison_fill();
    rec_run(&policy);
}
