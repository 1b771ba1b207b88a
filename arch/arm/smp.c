/* SPDX-License-Identifier: MIT */
/*
 * What starting a secondary CPU takes on AArch32: PSCI CPU_ON (SMC32,
 * PSCI 1.1, DEN0022, 5.6) over the DTB's conduit, landing at
 * secondary_entry (arch/arm/head.S) in SVC with the index as context; then,
 * on the new CPU, the boot CPU's LPAE regime and the per-CPU pointer in
 * TPIDRPRW. Where nothing answers PSCI (secure=on, the -bios stub) the
 * secondaries stay parked: their pens never release, and boot/cpus.c
 * reports each as not supported.
 */
#include <ccdma/errors.h>

#include "arch/arm/exception.h"
#include "arch/arm/mmu.h"
#include "arch/smp.h"

#define PSCI_CPU_ON_32 0x84000003u
#define PSCI_SUCCESS 0
#define PSCI_INVALID_PARAMS -2
#define PSCI_ALREADY_ON -4
#define PSCI_INVALID_ADDRESS -9

extern char secondary_entry[];

uint64_t arch_cpu_mpidr(void)
{
    uint32_t v;

    __asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(v));
    return v & 0x00ffffffu;
}

int arch_cpu_on_psci(bool hvc, uint64_t mpidr, unsigned int idx)
{
    uintptr_t regs[8] = {PSCI_CPU_ON_32, (uintptr_t)mpidr, (uintptr_t)secondary_entry, idx};
    int trapped = hvc ? probe_hvc(regs) : probe_smc(regs);

    if (trapped)
        return CCDMA_ENOTSUP;
    switch ((int32_t)regs[0]) {
    case PSCI_SUCCESS: return 0;
    case PSCI_INVALID_PARAMS: return CCDMA_ENODEV;
    case PSCI_ALREADY_ON: return CCDMA_EBUSY;
    case PSCI_INVALID_ADDRESS: return CCDMA_EFAULT;
    default: return CCDMA_ERSI;
    }
}

int arch_cpu_pen_release(const uint64_t *mpidr, unsigned int n)
{
    (void)mpidr;
    (void)n;
    return CCDMA_ENOTSUP; /* the pens here never release */
}

void arch_cpu_regime(uint64_t regime[3])
{
    uint32_t mair0, mair1, ttbcr, lo, hi;

    __asm__ volatile("mrc p15, 0, %0, c10, c2, 0" : "=r"(mair0));
    __asm__ volatile("mrc p15, 0, %0, c10, c2, 1" : "=r"(mair1));
    __asm__ volatile("mrc p15, 0, %0, c2, c0, 2" : "=r"(ttbcr));
    __asm__ volatile("mrrc p15, 0, %0, %1, c2" : "=r"(lo), "=r"(hi));
    regime[0] = (uint64_t)mair1 << 32 | mair0;
    regime[1] = ttbcr;
    regime[2] = (uint64_t)hi << 32 | lo;
}

void arch_cpu_secondary_init(const uint64_t regime[3], void *percpu, void *tls_page)
{
    (void)tls_page; /* newlib keeps no thread-local state here */
    mmu_enable_regime(regime[0], regime[1], regime[2]);
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 4" ::"r"(percpu)); /* TPIDRPRW */
    arch_cpu_event_stream();
}

/* The generic timer's event stream (CNTKCTL.EVNTEN, a tick every 2^8
 * counts) wakes every WFE regularly: a wait that missed its SEV still
 * comes back to check its deadline. */
#define CNTKCTL_EVNTEN (1u << 2)
#define CNTKCTL_EVNTI(n) ((uint32_t)(n) << 4)

void arch_cpu_event_stream(void)
{
    uint32_t v;

    __asm__ volatile("mrc p15, 0, %0, c14, c1, 0" : "=r"(v));
    v = (v & ~(0xfu << 4)) | CNTKCTL_EVNTEN | CNTKCTL_EVNTI(7);
    __asm__ volatile("mcr p15, 0, %0, c14, c1, 0\n isb" ::"r"(v));
}

void arch_cpu_send_event(void) { __asm__ volatile("dsb ish\n sev" ::: "memory"); }
void arch_cpu_wait_event(void) { __asm__ volatile("wfe" ::: "memory"); }

const char *arch_atomics_kind(void) { return "exclusives"; }
