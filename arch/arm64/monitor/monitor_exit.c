/* SPDX-License-Identifier: MIT */
/*
 * The end of a realm run: the strict ring check of chains no doorbell
 * covered, the counters in one greppable line (benchmarks parse "monitor:
 * counters key=value ..."), the poison scan, and the exit status through
 * semihosting.
 */
#include <stdio.h>

#include "boot/runtime.h"
#include "monitor.h"

#define RSI_INDEX(fid) ((fid) - RSI_FID_BASE)

void monitor_print_counters(void)
{
    struct realm_model_counters m;
    uint64_t rsi = 0;

    realm_model_get_counters(&mon.model, &m);
    for (unsigned int i = 0; i < RSI_NUM_CMDS; i++)
        rsi += m.rsi_calls[i];
    printf("monitor: counters rsi_calls=%llu ipa_state_set=%llu ipa_state_get=%llu "
           "granules_to_shared=%llu granules_to_private=%llu faults_injected=%llu "
           "mmio_traps=%llu notifies_checked=%llu rejects=%llu errors=%llu "
           "smc_calls=%llu rsi_version=%llu realm_config=%llu host_calls=%llu "
           "unknown_smc=%llu injected=%llu hvc_undef=%llu notifies_unchecked=%llu\n",
           (unsigned long long)rsi,
           (unsigned long long)m.rsi_calls[RSI_INDEX(RSI_IPA_STATE_SET)],
           (unsigned long long)m.rsi_calls[RSI_INDEX(RSI_IPA_STATE_GET)],
           (unsigned long long)m.granules_to_shared,
           (unsigned long long)m.granules_to_private,
           (unsigned long long)mon.cnt.faults_injected,
           (unsigned long long)mon.cnt.mmio_traps,
           (unsigned long long)mon.cnt.notifies_checked,
           (unsigned long long)m.rejects, (unsigned long long)m.errors,
           (unsigned long long)m.smc_calls,
           (unsigned long long)m.rsi_calls[RSI_INDEX(RSI_VERSION)],
           (unsigned long long)m.rsi_calls[RSI_INDEX(RSI_REALM_CONFIG)],
           (unsigned long long)m.rsi_calls[RSI_INDEX(RSI_HOST_CALL)],
           (unsigned long long)m.unknown_calls, (unsigned long long)m.injected,
           (unsigned long long)mon.cnt.undef_injected,
           (unsigned long long)mon.cnt.notifies_unchecked);
}

noreturn void monitor_finish(int code, const char *why)
{
    /* Before the poison scan, which would only see a protected address
     * once a device had already used it: QEMU's virtio-rng pops avail
     * entries from its main loop, so a chain published without a doorbell
     * was never checked. It fails the run as a failed doorbell does. */
    if (!virtio_trap_exit_check() && code == 0) {
        code = 1;
        why = "a chain published without a doorbell failed the strict ring check";
    }
    printf("monitor: realm run ends: %s (exit code %d)\n", why, code);
    monitor_print_counters();
    if (!poison_check() && code == 0)
        code = 1;
    runtime_exit(code);
}
