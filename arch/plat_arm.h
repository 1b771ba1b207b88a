/* SPDX-License-Identifier: MIT */
/*
 * The seam's cache and MMIO entry points, written once for both Arm ports
 * (arch/arm64/platform.c, arch/arm/platform.c) from each port's own line
 * operations and register operand form. Include it once, in the file that
 * defines the seam.
 */
#ifndef CCDMA_ARCH_PLAT_ARM_H
#define CCDMA_ARCH_PLAT_ARM_H

#include <stddef.h>
#include <stdint.h>

#include <ccdma/platform.h>

#include "arch/cache_range.h"

/* The cache maintenance entry points over clean, invalidate and
 * clean+invalidate by address range, with the data cache line size. */
#define ARCH_PLAT_CACHE_OPS(clean, invalidate, clean_invalidate, line_size)      \
    void ccdma_plat_cache_clean(const void *va, size_t size)                      \
    {                                                                             \
        clean((uintptr_t)va, size);                                               \
    }                                                                             \
    void ccdma_plat_cache_invalidate(void *va, size_t size)                       \
    {                                                                             \
        cache_invalidate_range((uintptr_t)va, size, line_size(), invalidate,      \
                               clean_invalidate);                                 \
    }                                                                             \
    void ccdma_plat_cache_clean_invalidate(void *va, size_t size)                 \
    {                                                                             \
        clean_invalidate((uintptr_t)va, size);                                    \
    }

/* One plain load or store of the access's width each: an emulated-MMIO
 * trap needs a syndrome (ISV=1), which only these single-register forms
 * give, and a device register must be accessed at its own width. reg is
 * the value's operand as the port's assembler writes it ("%w0" on A64). */
#define ARCH_PLAT_MMIO_ACCESSORS(bits, type, load, store, reg)                    \
    type ccdma_plat_mmio_read##bits(uintptr_t addr)                               \
    {                                                                             \
        type v;                                                                   \
        __asm__ volatile(load " " reg ", [%1]" : "=r"(v) : "r"(addr) : "memory"); \
        return v;                                                                 \
    }                                                                             \
    void ccdma_plat_mmio_write##bits(uintptr_t addr, type value)                  \
    {                                                                             \
        __asm__ volatile(store " " reg ", [%1]" ::"r"(value), "r"(addr) : "memory"); \
    }

#define ARCH_PLAT_MMIO(reg)                                                       \
    ARCH_PLAT_MMIO_ACCESSORS(8, uint8_t, "ldrb", "strb", reg)                     \
    ARCH_PLAT_MMIO_ACCESSORS(16, uint16_t, "ldrh", "strh", reg)                   \
    ARCH_PLAT_MMIO_ACCESSORS(32, uint32_t, "ldr", "str", reg)

#endif /* CCDMA_ARCH_PLAT_ARM_H */
