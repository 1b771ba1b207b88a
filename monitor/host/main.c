/* SPDX-License-Identifier: MIT */
/*
 * The host's run: its policy from the bootargs, the memory it may use, the
 * poison window, the devices it emulates, then the realm built and run.
 */
#include <stdio.h>
#include <string.h>

#include "host.h"

/* QEMU allows -append only with -kernel: booted as firmware (-bios, TF-A),
 * the host takes its bootargs from fw_cfg instead. */
#define FW_CFG_BOOTARGS "opt/ccdma/bootargs"
/* The host's own misbehaviour for the attestation tests; the realm never
 * sees it, so it is in no measurement. "dtb": load a DTB other than the
 * one the launch record declares. */
#define FW_CFG_TAMPER "opt/ccdma/host-tamper"

noreturn void host_main(const struct el2_machine *m)
{
    static struct host_policy policy;
    static struct dt_platform dt;
    char args[DT_BOOTARGS_MAX];

    dt = m->dt;
    if (fw_cfg_read_string((const void *)m->dtb, FW_CFG_BOOTARGS, args, sizeof(args))) {
        memcpy(dt.bootargs, args, sizeof(dt.bootargs));
        printf("monitor: bootargs from fw_cfg %s: %s\n", FW_CFG_BOOTARGS, dt.bootargs);
    }
    options_parse(&dt, &policy);
    if (fw_cfg_read_string((const void *)m->dtb, FW_CFG_TAMPER, args, sizeof(args))) {
        if (strcmp(args, "dtb") != 0) {
            printf("monitor: %s: unknown misbehaviour \"%s\" (only \"dtb\")\n", FW_CFG_TAMPER,
                   args);
            el2_fatal("unusable host-tamper setting");
        }
        policy.lie_about_dtb = true;
        printf("monitor: host-tamper=dtb: the realm gets a DTB other than the declared one\n");
    }
    rmi_set_trace(policy.trace_rmi);
    granules_init(m);
    poison_init(m);
    mmio_init(m);
    printf("monitor: host at EL2 for the %s RMM; poison PA 0x%llx-0x%llx; %u virtio-mmio\n",
           rmi_conduit_name, (unsigned long long)POISON_BASE, (unsigned long long)POISON_TOP,
           m->dt.n_virtio);
    options_print(&policy);
    realm_build(m, &dt, &policy);
    /* The host DTB is consumed (the realm's is built, machine.dt holds
     * copies): poison it with the rest of the window. */
    poison_fill();
    rec_run(&policy);
}
