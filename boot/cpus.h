/* SPDX-License-Identifier: MIT */
/*
 * The CPUs of the machine: the boot CPU and the secondaries the DTB lists
 * under /cpus, each started with PSCI CPU_ON (the conduit the DTB names)
 * or, where nothing answers PSCI, released from a pen. A started CPU turns
 * its MMU on over the boot CPU's tables, gets its own stacks, TLS and
 * per-CPU record, says it is online, and then runs what it is given.
 */
#ifndef CCDMA_BOOT_CPUS_H
#define CCDMA_BOOT_CPUS_H

#include <stdbool.h>
#include <stdint.h>

#define BOOT_MAX_CPUS 8 /* ARCH_MAX_CPUS */

enum boot_cpu_state {
    BOOT_CPU_ABSENT = 0,
    BOOT_CPU_STARTING,  /* asked to start, not yet seen */
    BOOT_CPU_ONLINE,    /* running, waiting for work */
    BOOT_CPU_FAILED,    /* refused or never came up */
};

struct boot_cpu {
    uint64_t mpidr;               /* affinity fields, as /cpus gives them */
    unsigned int index;           /* 0: the boot CPU */
    uint32_t state;               /* enum boot_cpu_state, accessed atomically */
    int start_err;                /* why it is not online (CCDMA_E*) */
    const char *how;              /* "psci" or "pen" */
    void *tls;                    /* its C library TLS block */
    uint64_t regime[3];           /* the boot CPU's translation registers, to copy */
    /* One piece of work at a time: posted by the boot CPU, seq bumped;
     * done_seq follows once it has run. */
    void (*work)(void *arg);
    void *arg;
    uint32_t work_seq, done_seq;
};

extern struct boot_cpu boot_cpus[BOOT_MAX_CPUS];
extern unsigned int boot_cpus_listed, boot_cpus_online;

/* Start every secondary /cpus lists; bounded wait for each. */
void boot_cpus_start(void);
/* The index of the calling CPU. */
unsigned int boot_cpu_self(void);
/* Run fn(arg) on online CPU idx (not the caller); 0 or CCDMA_EINVAL. */
int boot_cpu_run(unsigned int idx, void (*fn)(void *arg), void *arg);
/* Wait, bounded, for the work last given to idx: 0 or CCDMA_ETIMEDOUT. */
int boot_cpu_wait(unsigned int idx, uint64_t budget_ns);

/* The secondary's C entry (from boot/head.S), never returning. */
void boot_secondary_main(unsigned int idx);

#endif /* CCDMA_BOOT_CPUS_H */
