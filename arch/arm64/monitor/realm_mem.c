/* SPDX-License-Identifier: MIT */
/*
 * Realm memory as the monitor reaches it: by PA, through the monitor's own
 * Normal write-back identity map (so the platform seam's cache maintenance,
 * which takes identity-mapped addresses, applies at EL2 as it is). The realm may see the same bytes with
 * its MMU off, through a non-cacheable alias, or through a device, so every
 * write is cleaned to the point of coherency and every read of memory the
 * realm wrote starts with a clean+invalidate (a no-op on QEMU, required on
 * hardware with mismatched attributes).
 */
#include <string.h>

#include <ccdma/platform.h>

#include "monitor.h"

void realm_mem_write(void *ctx, uint64_t ipa, const void *src, size_t len)
{
    (void)ctx;
    memcpy((void *)(uintptr_t)realm_pa(ipa), src, len);
    ccdma_plat_cache_clean((const void *)(uintptr_t)realm_pa(ipa), len);
}

/* The model only fills whole granules (wipes, the config granule), so
 * 64-bit stores cover it exactly. */
void realm_mem_fill(void *ctx, uint64_t ipa, uint8_t byte, size_t len)
{
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)realm_pa(ipa);
    uint64_t word = 0x0101010101010101ull * byte;

    (void)ctx;
    for (size_t i = 0; i < len / sizeof(uint64_t); i++)
        p[i] = word;
    ccdma_plat_cache_clean((const void *)(uintptr_t)realm_pa(ipa), len);
}

void realm_mem_read_pa(uint64_t pa, void *dst, size_t len)
{
    ccdma_plat_cache_clean_invalidate((void *)(uintptr_t)pa, len);
    memcpy(dst, (const void *)(uintptr_t)pa, len);
}
