/* SPDX-License-Identifier: MIT */
/*
 * PSCI from the realm, as TF-RMM's runtime/rsi/psci.c answers it: VERSION
 * and FEATURES here; CPU_ON and AFFINITY_INFO checked here, then the host
 * completes them with RMI_PSCI_COMPLETE; CPU_OFF, CPU_SUSPEND, SYSTEM_OFF
 * and SYSTEM_RESET reported to the host, the last two ending the realm.
 */
#include "rmm.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define PSCI_SMC64 0x40000000u

#define PSCI_VERSION_1_1 0x10001u
#define PSCI_SUCCESS 0u
#define PSCI_NOT_SUPPORTED ((uint64_t)-1)
#define PSCI_INVALID_PARAMS ((uint64_t)-2)
#define PSCI_ALREADY_ON ((uint64_t)-4)
#define PSCI_INVALID_ADDRESS ((uint64_t)-9)
#define PSCI_AFFINITY_ON 0u

/* The realm's x0..x3 when TF-RMM updates them: the result, then zeros. */
static void answer(struct rmm_rec *rec, uint64_t x0)
{
    rec->regs.x[0] = x0;
    rec->regs.x[1] = rec->regs.x[2] = rec->regs.x[3] = 0;
}

/* Only the first `count` registers reach the host. */
static void forward(const struct rmm_rec *rec, struct rmi_rec_exit *exit, unsigned int count)
{
    for (unsigned int i = 0; i < RMI_REC_NR_GPRS; i++)
        exit->gprs[i] = i < count ? rec->regs.x[i] : 0;
    exit->exit_reason = RMI_EXIT_PSCI;
}

static uint64_t features(uint32_t fid)
{
    switch (fid) {
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND | PSCI_SMC64:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON:
    case PSCI_CPU_ON | PSCI_SMC64:
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO | PSCI_SMC64:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
    case SMCCC_VERSION_FID:
        return PSCI_SUCCESS;
    default:
        return PSCI_NOT_SUPPORTED;
    }
}

/* CPU_ON and AFFINITY_INFO name another REC of this realm. */
static enum exit_action to_other_rec(struct rmm_rec *rec, struct rmi_rec_exit *exit,
                                     uint64_t if_self)
{
    unsigned int target = rec_index_of_mpidr(rec->regs.x[1]);

    if (target >= rec->realm->num_recs) {
        answer(rec, PSCI_INVALID_PARAMS);
        return EXIT_RESUME;
    }
    if (target == rec->index) {
        answer(rec, if_self);
        return EXIT_RESUME;
    }
    rec->psci_pending = true;
    forward(rec, exit, 2);
    return EXIT_TO_HOST;
}

enum exit_action psci_handle(struct rmm_rec *rec, struct rmi_rec_exit *exit)
{
    uint32_t fid = (uint32_t)rec->regs.x[0];

    rmm_cnt.psci_calls++;
    switch (fid) {
    case PSCI_VERSION:
        answer(rec, PSCI_VERSION_1_1);
        return EXIT_RESUME;
    case PSCI_FEATURES:
        answer(rec, features((uint32_t)rec->regs.x[1]));
        return EXIT_RESUME;
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_SUSPEND | PSCI_SMC64:
        forward(rec, exit, 1);
        answer(rec, PSCI_SUCCESS); /* the host is only told */
        return EXIT_TO_HOST;
    case PSCI_CPU_OFF:
        rec->runnable = false;
        forward(rec, exit, 1);
        answer(rec, PSCI_SUCCESS);
        return EXIT_TO_HOST;
    case PSCI_CPU_ON:
    case PSCI_CPU_ON | PSCI_SMC64:
        if (!realm_addr_in_par(rec->realm, rec->regs.x[2])) {
            answer(rec, PSCI_INVALID_ADDRESS);
            return EXIT_RESUME;
        }
        return to_other_rec(rec, exit, PSCI_ALREADY_ON);
    case PSCI_AFFINITY_INFO:
    case PSCI_AFFINITY_INFO | PSCI_SMC64:
        if (rec->regs.x[2] != 0) {
            answer(rec, PSCI_INVALID_PARAMS);
            return EXIT_RESUME;
        }
        return to_other_rec(rec, exit, PSCI_AFFINITY_ON);
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
        rec->realm->state = REALM_SYSTEM_OFF;
        forward(rec, exit, 1);
        return EXIT_TO_HOST;
    default:
        answer(rec, PSCI_NOT_SUPPORTED);
        return EXIT_RESUME;
    }
}
