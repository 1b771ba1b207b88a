/* SPDX-License-Identifier: MIT */
/*
 * tests/boot/test_env.h on AArch32. There are no realms here, so no RSI:
 * nothing is ever converted, no call is ever counted, and no host injects
 * faults (that is the AArch64 EL2 monitor's job, docs/realm.md). The
 * device view is real: a second mapping of the physical pages a DMA
 * address names (plain mode: the bus address is the physical one).
 */
#include "tests/boot/test_env.h"

#include <ccdma/dma.h>
#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "arch/arm/mmu.h"

/* A window our tables never map otherwise: inside the PCIe 32-bit MMIO
 * range of QEMU virt (0x1000_0000-0x3EFE_FFFF), which this runtime does not
 * use. Only the virtual addresses are borrowed. */
#define VIEW_BASE 0x20000000u
#define VIEW_SIZE 0x10000000u

enum inject test_inject_mode(void) { return INJ_NONE; }

bool test_sharing_fails(void) { return false; }

int test_injected_error(bool to_shared)
{
    (void)to_shared;
    return 0; /* nothing injects: every conversion must succeed */
}

bool test_conversion(int err, bool to_shared, const char *what)
{
    (void)to_shared;
    if (err == 0)
        return true;
    st_check(false, what, "%s, expected success (no host injects errors on AArch32)",
             ccdma_strerror(err));
    return false;
}

/* The converting allocation, which converts nothing here. AArch64 falls
 * back to the atomic pool when an injected host refuses the conversion;
 * nothing refuses here, so a failure is reported and returned as it is. */
int test_alloc_shared(struct ccdma_device *dev, size_t size, void **cpu, ccdma_dma_t *handle)
{
    int err = ccdma_alloc_coherent(dev, size, 0, 0, cpu, handle);
    test_conversion(err, true, "shared coherent allocation");
    return err;
}

/* Only the realm monitor wipes granules; plain memory keeps its bytes. */
uint8_t test_wipe_pattern(void) { return 0; }

uint64_t test_rsi_state_set_calls(void) { return 0; }

int test_ripas(uint64_t pa)
{
    (void)pa;
    return -1; /* no RSI to ask */
}

static uint32_t view_len;

volatile uint8_t *test_device_view(ccdma_dma_t addr, size_t len)
{
    uint64_t first = addr & ~(uint64_t)(CCDMA_PAGE_SIZE - 1);
    uint64_t end = (addr + len + CCDMA_PAGE_SIZE - 1) & ~(uint64_t)(CCDMA_PAGE_SIZE - 1);

    test_device_view_end();
    if (len == 0 || end <= first || end - first > VIEW_SIZE)
        return NULL;
    if (mmu_map(VIEW_BASE, first, end - first, MMU_NORMAL) != 0)
        return NULL;
    view_len = (uint32_t)(end - first);
    return (volatile uint8_t *)(uintptr_t)(VIEW_BASE + (addr - first));
}

void test_device_view_end(void)
{
    if (view_len)
        mmu_map(VIEW_BASE, 0, view_len, MMU_UNMAPPED);
    view_len = 0;
}
