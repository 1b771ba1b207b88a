/* SPDX-License-Identifier: MIT */
/* The page allocator neither overlaps nor leaks, and refuses bad frees. */
#include <string.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "boot/page_alloc.h"
#include "boot/runtime.h"

#define N_BLOCKS 48

extern char __image_start[], __image_end[];

static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

SELFTEST(13, page_alloc)
{
    struct { uint64_t *va; size_t n; } blk[N_BLOCKS];
    size_t free0 = page_alloc_free_pages();
    uint32_t rng = 12345;
    unsigned int got = 0;

    for (unsigned int i = 0; i < N_BLOCKS; i++) {
        rng = rng * 1103515245u + 12345u;
        blk[i].n = 1 + (rng >> 16) % 16;
        blk[i].va = page_alloc(blk[i].n, UINT64_MAX);
        if (!blk[i].va)
            break;
        got++;
        for (size_t w = 0; w < blk[i].n * CCDMA_PAGE_SIZE / 8; w++)
            blk[i].va[w] = ((uint64_t)i << 32) | w;
    }
    st_check(got == N_BLOCKS, "allocations succeed", "%u of %u", got, N_BLOCKS);

    bool intact = true, outside = true;
    for (unsigned int i = 0; i < got; i++) {
        for (size_t w = 0; w < blk[i].n * CCDMA_PAGE_SIZE / 8; w++)
            intact &= blk[i].va[w] == (((uint64_t)i << 32) | w);
        uint64_t a = (uintptr_t)blk[i].va, s = blk[i].n * CCDMA_PAGE_SIZE;
        outside &= !overlaps(a, s, (uintptr_t)__image_start,
                             (uintptr_t)__image_end - (uintptr_t)__image_start);
        outside &= !overlaps(a, s, rt.dtb, rt.plat.dtb_size);
    }
    st_check(intact, "no two blocks overlap (every pattern intact)", "a pattern was overwritten");
    st_check(outside, "no block overlaps the image or the DTB", "overlap found");

    int rc = page_free(blk[0].va, blk[0].n);
    size_t after_one = page_alloc_free_pages();
    int rc2 = page_free(blk[0].va, blk[0].n);
    st_check(rc == 0 && rc2 == CCDMA_EFAULT && page_alloc_free_pages() == after_one,
             "double free refused, nothing changes", "rc=%d rc2=%d", rc, rc2);
    rc = page_free(__image_start, 1);
    st_check(rc == CCDMA_EFAULT && page_alloc_free_pages() == after_one,
             "free of an image page refused", "rc=%d", rc);

    uint64_t limit = rt.plat.mem[0].base + (64u << 20) - 1;
    uint64_t *low = page_alloc(4, limit);
    st_check(low && (uintptr_t)low + 4 * CCDMA_PAGE_SIZE - 1 <= limit,
             "physical limit honoured", "got %p for limit 0x%llx", (void *)low,
             (unsigned long long)limit);
    if (low)
        page_free(low, 4);

    size_t before = page_alloc_free_pages();
    st_check(page_alloc(before + 1, UINT64_MAX) == NULL && page_alloc_free_pages() == before,
             "exhaustion returns NULL and changes nothing", "free %zu", before);

    for (unsigned int i = 1; i < got; i++)
        page_free(blk[i].va, blk[i].n);
    st_check(page_alloc_free_pages() == free0, "all pages back: nothing leaked",
             "free %zu, expected %zu", page_alloc_free_pages(), free0);
}
