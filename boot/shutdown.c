/* SPDX-License-Identifier: MIT */
/*
 * How a run ends. Semihosting SYS_EXIT_EXTENDED carries the exit code to
 * the harness; PSCI SYSTEM_OFF (conduit from the DTB) only powers off;
 * with neither, the CPU parks in WFI.
 */
#include <stdbool.h>
#include <stdio.h>

#include "boot/arch.h"
#include "boot/runtime.h"

#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008

void console_emergency_flush(void);

static volatile bool stopping;

#ifdef __aarch64__ /* realms are AArch64-only */
#include "arch/arm64/hostcall.h"
#include "arch/arm64/rsi_abi.h"
#include "arch/arm64/smccc.h"

/* RsiHostCall: imm at 0, gprs[0..30] from 8; 256-byte aligned, protected. */
static struct {
    uint16_t imm;
    uint8_t pad[6];
    uint64_t gprs[31];
} host_call __attribute__((aligned(RSI_HOST_CALL_ALIGN)));

/* In a realm, tell the host the verdict first: on QEMU the monitor prints
 * its counters and ends the run with this code. */
static void realm_report_exit(int code)
{
    struct smccc_regs r = {{RSI_HOST_CALL, (uintptr_t)&host_call}};

    host_call.imm = CCDMA_HOSTCALL_EXIT;
    host_call.gprs[0] = (uint64_t)code;
    ccdma_smccc_call(&r);
}
#endif

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
#ifdef __aarch64__
    if (rt.realm)
        realm_report_exit(code);
#endif
    /* Returns only if semihosting is off (the trap was UNDEFINED). */
    probe_semihost(SYS_EXIT_EXTENDED, (uintptr_t)block, NULL);

    uintptr_t regs[8] = {PSCI_SYSTEM_OFF};
    if (rt.plat.psci == DT_PSCI_HVC)
        probe_hvc(regs);
    else if (rt.plat.psci == DT_PSCI_SMC)
        probe_smc(regs);
    halt();
}

noreturn void exc_fatal(const char *why);
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
