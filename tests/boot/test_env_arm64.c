/* SPDX-License-Identifier: MIT */
/* tests/boot/test_env.h on AArch64: RSI as the realm sees it, and a device
 * view mapped at the encoded DMA address (shared: the unprotected alias). */
#include "tests/boot/test_env.h"

#include "arch/arm64/mmu.h"
#include "arch/arm64/rsi.h"
#include "arch/arm64/smccc_conduit.h"
#include "boot/runtime.h"

#define VIEW_BASE (1ull << 37) /* far above the identity map */

uint64_t test_rsi_state_set_calls(void)
{
    struct smccc_counters c;
    smccc_get_counters(&c);
    return c.rsi[RSI_IPA_STATE_SET - RSI_FID_BASE];
}

int test_ripas(uint64_t pa)
{
    unsigned int r;
    /* Outside a realm an SMC may have nobody to answer it. */
    if (!rt.realm)
        return -1;
    return rsi_ripas_of(pa, &r) == 0 ? (int)r : -1;
}

static uint64_t view_va, view_len;

volatile uint8_t *test_device_view(ccdma_dma_t addr, size_t len)
{
    uint64_t first = addr & ~(uint64_t)(CCDMA_PAGE_SIZE - 1);
    uint64_t end = (addr + len + CCDMA_PAGE_SIZE - 1) & ~(uint64_t)(CCDMA_PAGE_SIZE - 1);

    test_device_view_end();
    if (len == 0 || addr >= VIEW_BASE || end <= first)
        return NULL;
    if (mmu_map(VIEW_BASE | first, first, end - first, MMU_NORMAL) != 0)
        return NULL;
    view_va = VIEW_BASE | first;
    view_len = end - first;
    return (volatile uint8_t *)(uintptr_t)(VIEW_BASE | addr);
}

void test_device_view_end(void)
{
    if (view_len)
        mmu_map(view_va, 0, view_len, MMU_UNMAPPED);
    view_len = 0;
}
