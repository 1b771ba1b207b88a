/* SPDX-License-Identifier: MIT */
/*
 * What the shared boot code (boot/main.c, console.c, shutdown.c,
 * platform_seam.c, probe_semihosting.c) needs from the architecture it is
 * built for: the MMU and probe interfaces (the same names and shapes in
 * arch/arm64 and arch/arm), the C library's per-boot setup, converting
 * memory for sharing, and the name of the register a loader passes the
 * DTB in.
 */
#ifndef CCDMA_BOOT_ARCH_H
#define CCDMA_BOOT_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/smp.h"

#if defined(__aarch64__)
#include "arch/arm64/exception.h"
#include "arch/arm64/mem_share.h"
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

/* Converting memory between private and shared (boot/platform_seam.c has
 * checked the range), and whether a failed conversion left it quarantined. */
static inline int boot_mem_convert(void *va, size_t size, bool to_shared)
{
    return mem_share_range(va, size, to_shared);
}
static inline bool boot_mem_quarantined(uint64_t pa, uint64_t size)
{
    return mem_share_is_quarantined(pa, size);
}
#elif defined(__arm__)
#include "arch/arm/exception.h"
#include "arch/arm/libc.h"
#include "arch/arm/mmu.h"

#define BOOT_DTB_REG "r2"

/* newlib: unbuffered stdio (arch/arm/syscalls.c). */
static inline void boot_libc_init(void) { arm_libc_init(); }

/* Never a realm: memory is never private, so there is nothing to convert
 * and nothing a failed conversion could have quarantined. */
static inline int boot_mem_convert(void *va, size_t size, bool to_shared)
{
    (void)va;
    (void)size;
    (void)to_shared;
    return 0;
}
static inline bool boot_mem_quarantined(uint64_t pa, uint64_t size)
{
    (void)pa;
    (void)size;
    return false;
}
#else
#error "boot/arch.h: unsupported architecture"
#endif

#endif /* CCDMA_BOOT_ARCH_H */
