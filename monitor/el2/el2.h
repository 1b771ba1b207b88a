/* SPDX-License-Identifier: MIT */
/*
 * The EL2 program's machine layer: entry, its own identity map, console,
 * exceptions and the ways a run ends. The host (monitor/host/) and the
 * emulated RMM (monitor/rmm/) sit on it; it knows nothing of realms.
 */
#ifndef CCDMA_MONITOR_EL2_H
#define CCDMA_MONITOR_EL2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "boot/dt_platform.h"

/* QEMU virt (with or without TF-A) leaves the DTB at the base of RAM. */
#define EL2_DTB_PA 0x40000000ull
#define EL2_DTB_MAX 0x100000ull
/* Device space of QEMU virt below RAM: one Device-nGnRE block. */
#define EL2_DEVICE_TOP 0x40000000ull

struct el2_range {
    uint64_t base, size;
};

/* What the program knows about the machine it runs on, validated. */
struct el2_machine {
    unsigned int entry_el;
    uintptr_t dtb;
    struct dt_platform dt;
    struct el2_range image;      /* this program, stacks and .bss included */
    bool semihosting;
};

extern struct el2_machine machine;

/* ---- Console (console.c) ----------------------------------------------------- */

void el2_console_attach(uintptr_t pl011_base);
/* One character to the console; the C library's stdout ends here too. */
void console_putc(char c);

/* ---- Identity map (mmu.c) ------------------------------------------------------ */

/* The first map: device space, the DTB window and the image. */
void el2_mmu_enable(void);
/* Add [base, base + size) as Normal write-back memory. */
void el2_mmu_map_ram(uint64_t base, uint64_t size);

/* ---- The end of a run (exit.c) -------------------------------------------------- */

/* Semihosting SYS_EXIT_EXTENDED (the harness's exit status), else PSCI
 * SYSTEM_OFF, else WFI forever. */
noreturn void el2_exit(int code);
/* "monitor: FATAL: why", then el2_exit(1). Safe from exception handlers. */
noreturn void el2_fatal(const char *why);

/* ---- Hooks the programs built on this layer provide ----------------------------- */

/* Bring up the RMM behind rmi_conduit(), if it is ours (monitor/rmm/boot.c),
 * or say which firmware RMM answers (monitor/host/rmi_smc.c). */
void rmm_platform_init(const struct el2_machine *m);
/* At the end of the run: what the RMM itself counted, if it can say. */
void rmm_platform_report(void);
/* The host (monitor/host/main.c). */
noreturn void host_main(const struct el2_machine *m);

#endif /* CCDMA_MONITOR_EL2_H */
