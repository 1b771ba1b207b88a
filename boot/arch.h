/* SPDX-License-Identifier: MIT */
/*
 * What the shared boot code (boot/main.c, console.c, shutdown.c,
 * probe_semihosting.c) needs from the architecture it is built for: the
 * MMU and probe interfaces (the same names and shapes in arch/arm64 and
 * arch/arm), the C library's per-boot setup, and the name of the register
 * a loader passes the DTB in.
 */
#ifndef CCDMA_BOOT_ARCH_H
#define CCDMA_BOOT_ARCH_H

#include "arch/smp.h"

#if defined(__aarch64__)
#include "arch/arm64/exception.h"
#include "arch/arm64/mmu.h"
#include "arch/arm64/spinlock.h"
#include "arch/arm64/tls.h"

#define BOOT_DTB_REG "x0"

/* picolibc keeps errno in TLS: a block in .bss, set up once. */
static inline void boot_libc_init(void)
{
    (void)arm64_atomics_init();
    arm64_tls_init();
}
#elif defined(__arm__)
#include "arch/arm/exception.h"
#include "arch/arm/mmu.h"

#define BOOT_DTB_REG "r2"

/* newlib: unbuffered stdio (arch/arm/syscalls.c). */
void boot_libc_init(void);
#else
#error "boot/arch.h: unsupported architecture"
#endif

#endif /* CCDMA_BOOT_ARCH_H */
