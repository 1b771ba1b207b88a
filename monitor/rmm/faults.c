/* SPDX-License-Identifier: MIT */
/*
 * Answers no real RMM gives, chosen at boot to reach the realm's handling
 * of an RMM that fails: IPA_STATE_SET answering RSI_ERROR_UNKNOWN after a
 * number of good calls, an attestation token that never ends. Everything a host can do (refuse a change, make
 * partial progress, a hostile device) is the host's policy instead, and
 * works under either RMM.
 */
#include "rmm.h"

static struct rmm_faults faults;
static uint64_t state_set_calls;

void rmm_set_faults(const struct rmm_faults *f)
{
    faults = *f;
    state_set_calls = 0;
}

enum rmm_token_fault rmm_fault_token(void)
{
    return faults.token;
}

bool rmm_fault_ipa_state_set(void)
{
    if (!faults.ipa_state_set_error || state_set_calls++ < faults.after)
        return false;
    rmm_cnt.faults_injected++;
    return true;
}
