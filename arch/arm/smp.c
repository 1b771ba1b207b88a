/* SPDX-License-Identifier: MIT */
/*
 * Secondary CPUs on AArch32: the runtime runs on the boot CPU only, and
 * the others stay parked where they entered (arch/arm/head.S and the
 * -bios stub) or off under PSCI. Starting them is refused, so boot/cpus.c
 * reports each as not supported rather than waiting for it.
 */
#include <ccdma/errors.h>

#include "arch/smp.h"

uint64_t arch_cpu_mpidr(void)
{
    uint32_t v;

    __asm__ volatile("mrc p15, 0, %0, c0, c0, 5" : "=r"(v));
    return v & 0x00ffffffu;
}

int arch_cpu_on_psci(bool hvc, uint64_t mpidr, unsigned int idx)
{
    (void)hvc;
    (void)mpidr;
    (void)idx;
    return CCDMA_ENOTSUP;
}

int arch_cpu_pen_release(const uint64_t *mpidr, unsigned int n)
{
    (void)mpidr;
    (void)n;
    return CCDMA_ENOTSUP; /* the pens here never release */
}

void arch_cpu_regime(uint64_t regime[3]) { regime[0] = regime[1] = regime[2] = 0; }
void arch_cpu_secondary_init(const uint64_t regime[3], void *percpu, void *tls_page)
{
    (void)regime; /* never called: nothing starts a secondary here */
    (void)percpu;
    (void)tls_page;
}
void arch_cpu_event_stream(void) {} /* only the boot CPU runs: no cross-CPU waits */
void arch_cpu_send_event(void) { __asm__ volatile("dsb\n sev" ::: "memory"); }
void arch_cpu_wait_event(void) { __asm__ volatile("wfe" ::: "memory"); }

/* One CPU: the seam's lock only masks interrupts (arch/arm/platform.c). */
const char *arch_atomics_kind(void) { return "exclusives (one CPU: the lock masks interrupts)"; }
