/* SPDX-License-Identifier: MIT */
/*
 * How a run ends. Semihosting SYS_EXIT_EXTENDED carries the exit code to
 * the harness; PSCI SYSTEM_OFF (conduit from the DTB) only powers off;
 * with neither, the CPU parks in WFI.
 */
#include <stdbool.h>
#include <stdio.h>

#include "arch/realm.h"
#include "boot/arch.h"
#include "boot/runtime.h"

#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008

void console_emergency_flush(void);

static volatile bool stopping;

static noreturn void halt(void)
{
    for (;;)
        __asm__ volatile("wfi");
}

noreturn void runtime_exit(int code)
{
    /* The parameter block is two register-sized words (A64: 64-bit). */
    uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)code};

    console_emergency_flush();
    arch_realm_report_exit(code);
    /* Returns only if semihosting is off (the trap was UNDEFINED). */
    probe_semihost(SYS_EXIT_EXTENDED, (uintptr_t)block, NULL);

    uintptr_t regs[8] = {PSCI_SYSTEM_OFF};
    if (rt.plat.psci == DT_PSCI_HVC)
        probe_hvc(regs);
    else if (rt.plat.psci == DT_PSCI_SMC)
        probe_smc(regs);
    halt();
}

noreturn void exc_fatal(const char *why)
{
    runtime_fail_stop(why);
}

noreturn void runtime_fail_stop(const char *why)
{
    if (stopping) /* a fault while stopping: do not recurse */
        halt();
    stopping = true;
    printf("ccdma: FATAL: %s\n", why);
    printf("0 passed, 1 failed\n");
    runtime_exit(1);
}
