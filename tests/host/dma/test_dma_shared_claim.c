/* SPDX-License-Identifier: MIT */
/*
 * CCDMA_ATTR_CC_SHARED is the caller's word that memory is already shared.
 * It is checked, not taken blindly:
 *  - with or without dma-debug, a claim over memory the DMA layer owns and
 *    keeps private (the private atomic pool, the private bounce pool, a
 *    direct allocation left private) is refused;
 *  - with dma-debug, the platform is asked for the state of every page,
 *    and a claim over any private page (a buffer that runs from a shared
 *    page into a private one) is reported and refused.
 * Without CC there is nothing private and every claim holds.
 */
#include "dma_test.h"

#define PAGE CCDMA_PAGE_SIZE

static int map_shared(struct ccdma_device *dev, void *va, size_t size, ccdma_dma_t *out)
{
    return ccdma_map_single(dev, va, size, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED, out);
}

/* What the layer owns privately, refused whether dma-debug is on or not. */
static void owned_private(void)
{
    struct ccdma_device t1, t0;
    struct ccdma_swiotlb_stats ps;
    void *atomic, *direct;
    ccdma_dma_t ah, dh, d;
    uint64_t reports;

    t_dev_t1(&t1, "t1", UINT64_MAX);
    t_dev_t0(&t0, "t0", UINT64_MAX);
    REQUIRE(ccdma_alloc_coherent(&t1, PAGE, CCDMA_ALLOC_ATOMIC, 0, &atomic, &ah) == CCDMA_OK);
    REQUIRE(ccdma_alloc_coherent(&t1, 2 * PAGE, 0, 0, &direct, &dh) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_get_stats(ccdma_swiotlb_default(false), &ps) == CCDMA_OK);
    reports = t_stats().reports;

    CHECK_ERR(map_shared(&t0, atomic, 64, &d), CCDMA_EINVAL,
              "CC_SHARED over the private atomic pool is refused");
    CHECK_EQ(d, CCDMA_DMA_ADDR_INVALID, "and gives no address");
    CHECK_ERR(map_shared(&t0, (uint8_t *)direct + PAGE, 100, &d), CCDMA_EINVAL,
              "CC_SHARED over a private direct allocation is refused");
    CHECK_ERR(map_shared(&t0, ccdma_plat_phys_to_virt(ps.start), 2048, &d), CCDMA_EINVAL,
              "CC_SHARED over the private bounce pool is refused");
    CHECK_EQ(t_stats().reports, reports + 3, "each with a report");
    CHECK_EQ(t_stats().direct_maps, 0, "nothing was mapped");
    REQUIRE(ccdma_free_coherent(&t1, 2 * PAGE, direct, dh) == CCDMA_OK);
    REQUIRE(ccdma_free_coherent(&t1, PAGE, atomic, ah) == CCDMA_OK);
}

/* dma-debug asks the platform: a buffer from a shared page into a private
 * one is a false claim; a wholly shared one is fine. */
static void page_state(void)
{
    struct ccdma_config cfg = t_config();
    struct ccdma_device t0;
    uint8_t *two, *shared;
    ccdma_dma_t d;
    uint64_t before;

    cfg.quiet = true;
    t_setup_with(NULL, &cfg);
    two = t_pages(2);
    shared = t_shared_pages(2);
    before = t_debug().false_shared;
    t_dev_t0(&t0, "t0", UINT64_MAX);
    REQUIRE(ccdma_plat_mem_share(two, PAGE) == CCDMA_OK);
    CHECK_ERR(map_shared(&t0, two + PAGE - 512, 1024, &d), CCDMA_EINVAL,
              "a buffer that runs from a shared page into a private one is refused");
    CHECK_EQ(t_debug().false_shared, before + 1, "dma-debug reports the false claim");
    CHECK_ERR(map_shared(&t0, shared, 2 * PAGE, &d), CCDMA_OK, "a wholly shared buffer maps");
    CHECK_EQ(t_debug().false_shared, before + 1, "with no report");
    CHECK_ERR(ccdma_unmap_single(&t0, d, 2 * PAGE, CCDMA_TO_DEVICE, CCDMA_ATTR_CC_SHARED),
              CCDMA_OK, "and unmaps");
    REQUIRE(ccdma_plat_mem_unshare(two, PAGE) == CCDMA_OK);
    t_shared_free(shared, 2);
    t_pages_free(two, 2);
    CHECK_EQ(t_teardown(), 0, "nothing live at shutdown");
}

int main(int argc, char **argv)
{
    struct ccdma_config nodebug = t_config();

    t_start(argc, argv, "dma CC_SHARED claims");
    if (!T.cc) {
        t_check(true, "no CC: nothing is private, every claim holds", "%s", "");
        return t_finish();
    }
    nodebug.debug = false;
    nodebug.quiet = true;
    t_run(owned_private, "owned private memory, dma-debug on");
    t_run_with(owned_private, "owned private memory, dma-debug off", &nodebug);
    t_run_raw(page_state, "the page state, through dma-debug");
    return t_finish();
}
