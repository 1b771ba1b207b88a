/* SPDX-License-Identifier: MIT */
/*
 * The counters lines benchmarks and tests parse ("key=value ..."): the
 * RMI calls per command and the REC exits per reason, whichever RMM
 * answered, then what the host did for the realm.
 */
#include <stdio.h>

#include "host.h"

static const char *const exit_names[RMI_EXIT_NUM_REASONS] = {
    "sync", "irq", "fiq", "psci", "ripas_change", "host_call", "serror",
};

void counters_print(void)
{
    printf("monitor: rmi rmm=%s", rmi_conduit_name);
    for (unsigned int i = 0; i < RMI_NUM_SLOTS; i++) {
        const char *name = rmi_name(RMI_FID_FIRST + i);

        if (name[0] != '?')
            printf(" %s=%llu", name, (unsigned long long)rmi_cnt.calls[i]);
    }
    for (unsigned int i = 0; i < RMI_EXIT_NUM_REASONS; i++)
        printf(" exit_%s=%llu", exit_names[i], (unsigned long long)rmi_cnt.exits[i]);
    printf("\n");
    printf("monitor: counters granules_to_shared=%llu granules_to_private=%llu "
           "ripas_changes=%llu rejects=%llu injected=%llu populated=%llu mmio_traps=%llu "
           "mmio_uart=%llu mmio_pci=%llu notifies_checked=%llu notifies_unchecked=%llu faults_injected=%llu "
           "host_calls=%llu\n",
           (unsigned long long)host_cnt.granules_to_shared,
           (unsigned long long)host_cnt.granules_to_private,
           (unsigned long long)host_cnt.ripas_changes, (unsigned long long)host_cnt.ripas_rejects,
           (unsigned long long)host_cnt.ripas_injected, (unsigned long long)host_cnt.populated,
           (unsigned long long)host_cnt.mmio_virtio, (unsigned long long)host_cnt.mmio_uart,
           (unsigned long long)host_cnt.mmio_pci,
           (unsigned long long)host_cnt.notifies_checked,
           (unsigned long long)host_cnt.notifies_unchecked,
           (unsigned long long)host_cnt.sea_injected, (unsigned long long)host_cnt.host_calls);
    printf("monitor: recs n=%u cpu_on=%llu psci_completes=%llu switches=%llu slices_ended=%llu "
           "irqs_other=%llu irqs_spurious=%llu\n", realm.n_recs,
           (unsigned long long)host_cnt.psci_cpu_on, (unsigned long long)host_cnt.psci_completes,
           (unsigned long long)host_cnt.rec_switches, (unsigned long long)host_cnt.slices_ended,
           (unsigned long long)host_cnt.irqs_other, (unsigned long long)host_cnt.irqs_spurious);
    printf("monitor: vgic mmio=%llu sgis=%llu lines=%llu injected=%llu eois=%llu lrs_full=%llu "
           "timer_irqs=%llu hostile=%llu\n", (unsigned long long)host_cnt.vgic_mmio,
           (unsigned long long)host_cnt.vgic_sgis, (unsigned long long)host_cnt.vgic_lines,
           (unsigned long long)host_cnt.vgic_injected, (unsigned long long)host_cnt.vgic_eois,
           (unsigned long long)host_cnt.vgic_lrs_full, (unsigned long long)host_cnt.irqs_timer,
           (unsigned long long)host_cnt.vgic_hostile);
}
