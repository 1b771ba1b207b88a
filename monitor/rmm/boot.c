/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the emulated RMM, as TF-A brings up TF-RMM: it is told the
 * DRAM it manages (the DTB's memory ranges, as TF-A's boot manifest names
 * its bank) and what of it is never to be delegated (this program's own
 * image, which holds the RMM). Its own fault injection is chosen by
 * bootarg, like a knob of the emulator it is: `ccdma.inject=rsi_error`,
 * after `ccdma.fail_after=N` good IPA_STATE_SET calls; `token_stall` and
 * `token_overrun`, an attestation token whose CONTINUE loop never ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "el2.h"
#include "rmm.h"

static void parse_faults(const struct dt_platform *dt)
{
    struct rmm_faults f = {0};
    char val[DT_BOOTARGS_MAX];

    if (dt_bootarg(dt, "ccdma.inject", val, sizeof(val)))
        for (char *tok = strtok(val, ","); tok != NULL; tok = strtok(NULL, ",")) {
            f.ipa_state_set_error |= strcmp(tok, "rsi_error") == 0;
            if (strcmp(tok, "token_stall") == 0)
                f.token = TOKEN_FAULT_STALL;
            else if (strcmp(tok, "token_overrun") == 0)
                f.token = TOKEN_FAULT_OVERRUN;
        }
    if (f.ipa_state_set_error && dt_bootarg(dt, "ccdma.fail_after", val, sizeof(val)))
        f.after = (uint32_t)strtoul(val, NULL, 0);
    rmm_set_faults(&f);
}

void rmm_platform_init(const struct el2_machine *m)
{
    struct rmm_range banks[RMM_MAX_BANKS];
    struct rmm_range reserved[] = {{m->image.base, m->image.size}};
    unsigned int n = m->dt.n_mem < RMM_MAX_BANKS ? m->dt.n_mem : RMM_MAX_BANKS;

    for (unsigned int i = 0; i < n; i++)
        banks[i] = (struct rmm_range){m->dt.mem[i].base, m->dt.mem[i].size};
    if (granule_init(banks, n, reserved, 1) != 0)
        el2_fatal("the emulated RMM cannot describe this machine's DRAM");
    parse_faults(&m->dt);
    rmm_gic_probe();
    printf("RMM: emulated RMM at EL2 (ccdma), RMI ABI 1.0, RSI ABI 1.0, %s\n",
           rmm_has_fwb() ? "FEAT_S2FWB" : "no FEAT_S2FWB");
}

void rmm_platform_report(void)
{
    uint64_t rsi = 0;

    for (unsigned int i = 0; i < RSI_NUM_CMDS; i++)
        rsi += rmm_cnt.rsi_calls[i];
    printf("rmm: counters rsi_calls=%llu rsi_version=%llu rsi_features=%llu realm_config=%llu "
           "ipa_state_set=%llu ipa_state_get=%llu host_call=%llu rsi_errors=%llu psci=%llu "
           "unknown_smc=%llu sea_injected=%llu undef_injected=%llu id_reg_traps=%llu "
           "realm_exceptions=%llu faults_injected=%llu delegated=%llu\n",
           (unsigned long long)rsi,
           (unsigned long long)rmm_cnt.rsi_calls[RSI_VERSION - RSI_FID_BASE],
           (unsigned long long)rmm_cnt.rsi_calls[RSI_FEATURES - RSI_FID_BASE],
           (unsigned long long)rmm_cnt.rsi_calls[RSI_REALM_CONFIG - RSI_FID_BASE],
           (unsigned long long)rmm_cnt.rsi_calls[RSI_IPA_STATE_SET - RSI_FID_BASE],
           (unsigned long long)rmm_cnt.rsi_calls[RSI_IPA_STATE_GET - RSI_FID_BASE],
           (unsigned long long)rmm_cnt.rsi_calls[RSI_HOST_CALL - RSI_FID_BASE],
           (unsigned long long)rmm_cnt.rsi_errors, (unsigned long long)rmm_cnt.psci_calls,
           (unsigned long long)rmm_cnt.unknown_smc, (unsigned long long)rmm_cnt.sea_injected,
           (unsigned long long)rmm_cnt.undef_injected, (unsigned long long)rmm_cnt.id_reg_traps,
           (unsigned long long)rmm_cnt.realm_exceptions,
           (unsigned long long)rmm_cnt.faults_injected,
           (unsigned long long)granule_count_delegated());
}
