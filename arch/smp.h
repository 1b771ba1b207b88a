/* SPDX-License-Identifier: MIT */
/*
 * What starting secondary CPUs takes from the architecture
 * (arch/arm64/smp.c, arch/arm/smp.c), in plain types: boot/cpus.c decides
 * which CPU starts how, and calls these.
 */
#ifndef CCDMA_ARCH_SMP_H
#define CCDMA_ARCH_SMP_H

#include <stdbool.h>
#include <stdint.h>

/* Size of the pen's table: the most CPUs started. */
#define ARCH_MAX_CPUS 8

/* The calling CPU's MPIDR affinity fields. */
uint64_t arch_cpu_mpidr(void);
/* PSCI CPU_ON of mpidr at the secondary entry, idx as its context, over
 * HVC or SMC. 0, or a CCDMA_E* code for PSCI's refusal. */
int arch_cpu_on_psci(bool hvc, uint64_t mpidr, unsigned int idx);
/* Let the CPUs waiting in a pen go; mpidr[i] is the CPU to become index i
 * (n entries). 0, or a CCDMA_E* code where a port cannot release them. */
int arch_cpu_pen_release(const uint64_t *mpidr, unsigned int n);
/* Optional (the reference is weak): the CPUs released from the pen that
 * the table did not name, and so stayed parked; up to n of their MPIDRs in
 * mpidr, and how many there were. */
unsigned int arch_cpu_pen_strays(uint64_t *mpidr, unsigned int n) __attribute__((weak));
/* The calling CPU's translation registers, for a secondary to load. */
void arch_cpu_regime(uint64_t regime[3]);
/* On the new CPU: MMU on over regime, TLS in tls_page, percpu in the
 * per-CPU register, the event stream on. */
void arch_cpu_secondary_init(const uint64_t regime[3], void *percpu, void *tls_page);
/* The calling CPU's per-CPU register (its reset value is UNKNOWN: read it
 * only once it has been set). */
void arch_cpu_set_percpu(void *percpu);
void *arch_cpu_percpu(void);
/* A periodic wake-up for WFE, so that no wait depends on a single SEV. */
void arch_cpu_event_stream(void);
void arch_cpu_send_event(void);
void arch_cpu_wait_event(void);
/* What the seam's lock and the atomics are built on, for the boot log. */
const char *arch_atomics_kind(void);

#endif /* CCDMA_ARCH_SMP_H */
