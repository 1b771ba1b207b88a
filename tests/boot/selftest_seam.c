/* SPDX-License-Identifier: MIT */
/*
 * The platform seam against its contract (include/ccdma/platform.h), through
 * nothing but the public headers: the conformance self-test an embedder can
 * link with its own seam (docs/porting.md). Pages round-trip through the
 * linear map and hold what is written; the two DMA encodings decode back
 * and say which they are; a range share/unshare may not take is refused;
 * and a granule converts to shared and back, as mem_is_shared sees it.
 */
#include <stdint.h>

#include <ccdma/errors.h>
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

/* The error a test environment injects into conversions (the firmware's
 * tests/boot/test_env.c); without one, every conversion must succeed. */
int test_injected_error(bool to_shared) __attribute__((weak));

static bool conversion_ok(int err, bool to_shared, const char *what)
{
    int want = test_injected_error ? test_injected_error(to_shared) : 0;

    if (err == 0)
        return true;
    st_check(want != 0 && err == want, what, "%s, expected %s", ccdma_strerror(err),
             want ? ccdma_strerror(want) : "success");
    return false;
}

static void check_encoding(ccdma_phys_t pa)
{
    ccdma_dma_t shared = ccdma_plat_phys_to_dma(pa, true);
    ccdma_dma_t priv = ccdma_plat_phys_to_dma(pa, false);

    st_check(ccdma_plat_dma_to_phys(shared) == pa && ccdma_plat_dma_to_phys(priv) == pa,
             "both encodings decode to the physical address",
             "0x%llx: shared 0x%llx -> 0x%llx, private 0x%llx -> 0x%llx",
             (unsigned long long)pa, (unsigned long long)shared,
             (unsigned long long)ccdma_plat_dma_to_phys(shared), (unsigned long long)priv,
             (unsigned long long)ccdma_plat_dma_to_phys(priv));
    st_check(ccdma_plat_dma_is_shared(shared), "the shared encoding says shared",
             "0x%llx", (unsigned long long)shared);
    if (ccdma_plat_cc_active())
        st_check(!ccdma_plat_dma_is_shared(priv) && priv != shared,
                 "the private encoding is its own and says private",
                 "private 0x%llx, shared 0x%llx", (unsigned long long)priv,
                 (unsigned long long)shared);
    else
        st_check(priv == shared && ccdma_plat_dma_is_shared(priv),
                 "without memory encryption one encoding, and it is shared",
                 "private 0x%llx, shared 0x%llx", (unsigned long long)priv,
                 (unsigned long long)shared);
}

/* Share a granule, write it, and take it back; a conversion the
 * environment makes fail leaves the range quarantined, never freed. */
static void check_conversion(size_t granule)
{
    size_t npages = granule / CCDMA_PAGE_SIZE;
    uint8_t *p = ccdma_plat_pages_alloc(npages, UINT64_MAX);

    if (!st_check(p != NULL, "a granule of pages to convert", "allocation failed"))
        return;
    if (!conversion_ok(ccdma_plat_mem_share(p, granule), true, "share refused cleanly"))
        return;
    if (ccdma_plat_mem_is_shared)
        st_check(ccdma_plat_mem_is_shared(p, granule) == 1, "a shared granule is shared",
                 "mem_is_shared says %d", ccdma_plat_mem_is_shared(p, granule));
    /* Written, pushed out of the caches, and read back from memory: the
     * bytes went through the shared mapping, not only into a cache line. */
    volatile uint8_t *v = p;
    for (size_t i = 0; i < granule; i++)
        v[i] = (uint8_t)(i * 7u);
    ccdma_plat_cache_clean_invalidate(p, granule);
    bool kept = true;
    for (size_t i = 0; i < granule; i++)
        kept &= v[i] == (uint8_t)(i * 7u);
    st_check(kept, "a shared granule holds what is written", "a byte read back differs");
    if (!conversion_ok(ccdma_plat_mem_unshare(p, granule), false, "unshare refused cleanly"))
        return;
    if (ccdma_plat_mem_is_shared && ccdma_plat_cc_active())
        st_check(ccdma_plat_mem_is_shared(p, granule) == 0, "an unshared granule is private",
                 "mem_is_shared says %d", ccdma_plat_mem_is_shared(p, granule));
    ccdma_plat_pages_free(p, npages);
}

SELFTEST(96, seam)
{
    size_t granule = ccdma_plat_share_granule();
    uint8_t *p = ccdma_plat_pages_alloc(2, UINT64_MAX);

    st_check(granule >= CCDMA_PAGE_SIZE && (granule & (granule - 1)) == 0,
             "the share granule is a power of two of at least a page", "%zu", granule);
    if (!st_check(p != NULL, "two pages", "allocation failed"))
        return;
    ccdma_phys_t pa = ccdma_plat_virt_to_phys(p);
    st_check(((uintptr_t)p & (CCDMA_PAGE_SIZE - 1)) == 0 && (pa & (CCDMA_PAGE_SIZE - 1)) == 0,
             "pages are page-aligned", "%p at 0x%llx", (void *)p, (unsigned long long)pa);
    st_check(ccdma_plat_phys_to_virt(pa) == p &&
                 ccdma_plat_phys_to_virt(pa + CCDMA_PAGE_SIZE) == p + CCDMA_PAGE_SIZE,
             "pages round-trip through the linear map", "0x%llx -> %p, not %p",
             (unsigned long long)pa, ccdma_plat_phys_to_virt(pa), (void *)p);
    volatile uint8_t *v = p;
    v[0] = 0xa5;
    v[2 * CCDMA_PAGE_SIZE - 1] = 0x5a;
    ccdma_plat_cache_clean_invalidate(p, 2 * CCDMA_PAGE_SIZE);
    st_check(v[0] == 0xa5 && v[2 * CCDMA_PAGE_SIZE - 1] == 0x5a,
             "pages hold what is written, end to end", "read back differs");
    check_encoding(pa);
    check_encoding(pa + CCDMA_PAGE_SIZE + 8);

    /* Ranges the contract forbids: refused, and nothing converted. */
    int unaligned = ccdma_plat_mem_share(p + 1, granule);
    int empty = ccdma_plat_mem_share(p, 0);
    st_check(unaligned < 0 && empty < 0, "share refuses an unaligned and an empty range",
             "unaligned: %s, empty: %s", ccdma_strerror(unaligned), ccdma_strerror(empty));
    ccdma_plat_pages_free(p, 2);

    check_conversion(granule);
}
