/* SPDX-License-Identifier: MIT */
/*
 * tests/boot/test_env.h's architecture half on AArch32 (the portable half,
 * tests/boot/test_env.c, is shared). There are no realms here, so no RSI:
 * no call is ever counted and there is no RIPAS to ask. The device view is
 * real: a second mapping of the physical pages a DMA address names (plain
 * mode: the bus address is the physical one).
 */
#include "tests/boot/test_env.h"

#include "arch/arm/mmu.h"

/* A window our tables never map otherwise: inside the PCIe 32-bit MMIO
 * range of QEMU virt (0x1000_0000-0x3EFE_FFFF), which this runtime does not
 * use. Only the virtual addresses are borrowed. */
#define VIEW_BASE 0x20000000u
#define VIEW_SIZE 0x10000000u

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
