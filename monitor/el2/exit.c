/* SPDX-License-Identifier: MIT */
/*
 * How a run of the EL2 program ends. Semihosting SYS_EXIT_EXTENDED carries
 * the exit code to the harness; without it PSCI SYSTEM_OFF over SMC (TF-A
 * answers it; on a QEMU without EL3 the SMC is undefined and the probe
 * returns); last, WFI forever.
 */
#include <stdio.h>

#include "arch/arm64/exception.h"
#include "el2.h"

#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008u

static volatile bool stopping;

noreturn void el2_exit(int code)
{
    uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint64_t)code};
    uint64_t regs[8] = {PSCI_SYSTEM_OFF};
    uint64_t ret;

    (void)probe_semihost(SYS_EXIT_EXTENDED, (uintptr_t)block, &ret);
    (void)probe_smc(regs);
    for (;;)
        __asm__ volatile("wfi");
}

noreturn void el2_fatal(const char *why)
{
    if (!stopping) { /* a fault while reporting one: do not recurse */
        stopping = true;
        printf("monitor: FATAL: %s\n", why);
    }
    el2_exit(1);
}
