/* SPDX-License-Identifier: MIT */
/*
 * The EL2 realm monitor: what its files give each other. It plays the RMM
 * and the host for the realm runtime at EL1 on QEMU virt (docs/realm.md):
 * the RIPAS model answers RSI, stage 2 follows the model, and realm
 * accesses that stage 2 refuses come back here as traps.
 *
 * One CPU, and the realm is stopped while the monitor runs: no locking.
 */
#ifndef CCDMA_MONITOR_H
#define CCDMA_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "arch/arm64/exception.h"
#include "boot/dt_platform.h"
#include "monitor_layout.h"
#include "realm_model.h"

#define read_sysreg(reg)                                                        \
    ({                                                                          \
        uint64_t _v;                                                            \
        __asm__ volatile("mrs %0, " #reg : "=r"(_v));                           \
        _v;                                                                     \
    })
#define write_sysreg(reg, val)                                                  \
    __asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(val)) : "memory")

/* What the monitor itself counts; the model counts RSI (realm_model.h). */
struct monitor_counters {
    uint64_t faults_injected;    /* synchronous external aborts */
    uint64_t undef_injected;     /* HVCs answered with an Unknown exception */
    uint64_t mmio_traps;         /* virtio-mmio accesses emulated */
    uint64_t notifies_checked;   /* QueueNotify writes whose rings were checked */
    uint64_t notifies_unchecked; /* strict off, or a queue the device ignores */
};

struct monitor {
    struct realm_model model;
    struct monitor_counters cnt;
    bool strict;            /* check rings and buffers on QueueNotify */
    uint64_t tpidr_el0;     /* the monitor's picolibc TLS pointer */
};

extern struct monitor mon;

/* ---- Realm memory, reached by PA (realm_mem.c) -------------------------------- */

/* PA of a protected IPA in realm RAM. */
static inline uint64_t realm_pa(uint64_t ipa) { return MON_REALM_PA(ipa); }

/* The model's callbacks: write and fill realm RAM, then clean the lines to
 * the point of coherency so that any view of the page (the realm's MMU off,
 * a non-cacheable alias, a device) sees the new bytes. */
void realm_mem_write(void *ctx, uint64_t ipa, const void *src, size_t len);
void realm_mem_fill(void *ctx, uint64_t ipa, uint8_t byte, size_t len);
/* Read len bytes at PA pa that the realm may have written through any
 * mapping: clean and invalidate first so the monitor sees memory. */
void realm_mem_read_pa(uint64_t pa, void *dst, size_t len);

/* ---- EL2 stage 1 (el2_mmu.c) ----------------------------------------------------- */

/* Identity map for the monitor: device space below RAM as Device-nGnRE,
 * the host DTB and the monitor image Normal write-back; then MMU and
 * caches on. Runs with the MMU off, so aligned accesses only. */
void el2_mmu_enable(void);
/* Add the poison window and realm RAM, once the DTB says they exist. */
void el2_mmu_map_realm_ram(void);

/* ---- Stage 2 (stage2.c) ------------------------------------------------------------ */

/* Tables for the layout: all realm RAM RIPAS RAM (protected IPA mapped),
 * no alias mapped, the UART passed through at its unprotected IPA. */
void stage2_init(const struct dt_platform *p);
/* VTCR_EL2 and VTTBR_EL2, and a clean TLB for the realm's VMID. */
void stage2_activate(void);
/* The model's on_ripas_change callback. */
void stage2_on_ripas_change(void *ctx, uint64_t base, uint64_t top,
                            unsigned int ripas);
/* True when stage 2 maps ipa (for a consistency check on faults). */
bool stage2_is_mapped(uint64_t ipa);

/* ---- The realm's device tree (realm_dtb.c) ---------------------------------------- */

/* Copy the host DTB to dst (at most max bytes) with the realm's memory and
 * PSCI; returns 0 and the packed size, or a libfdt error (negative). */
int realm_dtb_build(const void *host_fdt, void *dst, size_t max, size_t *size);

/* ---- Traps (trap.c, inject.c, virtio_trap.c) --------------------------------------- */

/* Deliver a synchronous external abort for the trapped abort in f to the
 * realm's EL1, as an RMM would for an EMPTY or unshared IPA. */
void inject_sea(struct exc_frame *f);
/* Deliver an Unknown-reason exception for the trapped HVC in f. */
void inject_undef_hvc(struct exc_frame *f);
/* True when ELR points at one of the realm's synchronous vectors: a fetch
 * fault there cannot be delivered (it would fault again, forever). */
bool inject_target_is_vector(uint64_t va);

void virtio_trap_init(const struct dt_platform *p);
/* Emulate a data abort at unprotected IPA ipa if it lies in a virtio-mmio
 * window; false when it does not (the caller injects an abort). */
bool virtio_trap_handle(struct exc_frame *f, uint64_t ipa);
/* Strict mode, at the end of the run: check every live queue of every
 * transport from its last checked avail index (chains published without a
 * doorbell). Reports each failure as a doorbell would; false if any. */
bool virtio_trap_exit_check(void);

/* ---- Poison window (poison.c) ---------------------------------------------------------- */

void poison_fill(void);
/* Scan the window; report every changed run. True when it is intact. */
bool poison_check(void);

/* ---- The end of the run (monitor_exit.c) -------------------------------------------------- */

void monitor_print_counters(void);
/* Counters, the poison scan, then exit QEMU with code (1 if the scan
 * found a leak and code was 0). */
noreturn void monitor_finish(int code, const char *why);

/* ---- Assembly (el2_cpu.S) ------------------------------------------------------------------- */

struct fpsimd_state {
    uint64_t q[32][2];
    uint64_t fpsr, fpcr;
} __attribute__((aligned(16)));

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);
/* ERET to EL1h at entry with x0 = arg and every other GPR zero. */
noreturn void monitor_enter_realm(uint64_t entry, uint64_t arg);

#endif /* CCDMA_MONITOR_H */
