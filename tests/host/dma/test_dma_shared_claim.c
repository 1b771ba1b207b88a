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
 *
 * The leaf path settles most claims with one bound over everything the
 * layer keeps private, which owners under different locks widen at once:
 * no widening may be lost.
 */
#define _POSIX_C_SOURCE 200809L
#include "dma_test.h"
#include "dma_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>

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

/* Two owners (the coherent records and a pool, say) widen their own bounds
 * under their own locks, and the one private bound with them, at the same
 * moment each round: afterwards it covers both ranges. */
#define WIDEN_ROUNDS 100000
#define WIDEN_LO ((ccdma_phys_t)1 << 44)
#define WIDEN_HI ((ccdma_phys_t)1 << 45)

static struct dma_bounds widen_own[2];
static unsigned int widen_lost, widen_arrived;

/* Both threads leave together, spinning, so that their widenings meet. */
static void widen_meet(unsigned int *gen)
{
    unsigned int target = 2 * ++*gen;

    __atomic_add_fetch(&widen_arrived, 1, __ATOMIC_ACQ_REL);
    for (unsigned int spins = 0; __atomic_load_n(&widen_arrived, __ATOMIC_ACQUIRE) < target;)
        if (++spins % 4096 == 0)
            sched_yield();
}

static void *widener(void *arg)
{
    unsigned int t = (unsigned int)(uintptr_t)arg, gen = 0;

    for (unsigned int r = 0; r < WIDEN_ROUNDS; r++) {
        ccdma_phys_t lo = WIDEN_LO - (2 * r + t + 1), hi = WIDEN_HI + 2 * r + t + 1;

        widen_meet(&gen);
        dma_private_widen(&widen_own[t], lo, (size_t)(hi - lo));
        widen_meet(&gen);
        if (t == 0 && (__atomic_load_n(&dma_private_bounds.lo, __ATOMIC_RELAXED) !=
                           WIDEN_LO - (2 * r + 2) ||
                       __atomic_load_n(&dma_private_bounds.hi, __ATOMIC_RELAXED) !=
                           WIDEN_HI + 2 * r + 2))
            widen_lost++;
    }
    return NULL;
}

static void concurrent_widen(void)
{
    pthread_t tid[2];

    widen_arrived = 0;
    for (unsigned int t = 0; t < 2; t++) {
        dma_bounds_reset(&widen_own[t]);
        REQUIRE(pthread_create(&tid[t], NULL, widener, (void *)(uintptr_t)t) == 0);
    }
    for (unsigned int t = 0; t < 2; t++)
        REQUIRE(pthread_join(tid[t], NULL) == 0);
    printf("# %d rounds of two owners widening at once\n", WIDEN_ROUNDS);
    CHECK_EQ(widen_lost, 0, "the private bound covered both owners' ranges every round");
    CHECK_EQ(widen_own[1].lo, WIDEN_LO - 2 * WIDEN_ROUNDS, "and each owner's bound its own");
    dma_bounds_reset(&dma_private_bounds);
}

int main(int argc, char **argv)
{
    struct ccdma_config nodebug = t_config();

    t_start(argc, argv, "dma CC_SHARED claims");
    t_run_raw(concurrent_widen, "the private bound widened by two owners at once");
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
