/* SPDX-License-Identifier: MIT */
/*
 * A coherent free is checked against what the allocation
 * recorded, never decided by the caller's handle and size.
 *
 * dma-debug would refuse most of these frees, so every test here runs with
 * dma-debug OFF (and one with dma-debug switched off by itself after
 * running out of entries), where nothing else stands between a wrong free
 * and the page allocator. Each wrong free must be EFAULT and change
 * nothing: the pages stay owned, in their state, with their contents, and
 * the correct free still works afterwards.
 */
#include "dma_test.h"

#include <stdio.h>

#define PAGE CCDMA_PAGE_SIZE

static struct ccdma_config nodebug(void)
{
    struct ccdma_config c = t_config();

    c.debug = false;
    return c;
}

static struct ccdma_pool_stats pool_stats(bool shared)
{
    struct ccdma_pool_stats s;

    ccdma_atomic_pool_stats(shared, &s);
    return s;
}

static bool owned(ccdma_phys_t pa, size_t size)
{
    for (size_t off = 0; off < size; off += PAGE)
        if (!host_platform_page_allocated(pa + off))
            return false;
    return true;
}

static bool skip_plain(const char *what)
{
    if (T.cc)
        return false;
    printf("# skipped under plain (%s): both encodings are the same address\n", what);
    return true;
}

/* ---- the handle's encoding ----------------------------------------------------- */

/* A private-encoded handle of a shared direct allocation must not send
 * still-shared pages to the private allocator. */
static void test_direct_wrong_encoding(void)
{
    struct ccdma_device t0, t1;
    struct host_platform_counters before;
    ccdma_phys_t pa;
    uint64_t rsi;
    ccdma_dma_t h;
    void *cpu;

    CHECK(!t_debug().enabled, "dma-debug is off");
    if (skip_plain("wrong encoding, direct"))
        return;
    t_dev_t0(&t0, "t0", UINT64_MAX);
    REQUIRE(ccdma_alloc_coherent(&t0, 2 * PAGE, 0, 0, &cpu, &h) == CCDMA_OK);
    pa = t_pa(cpu);
    REQUIRE(t_is_shared(h) && t_range_shared(pa, 2 * PAGE));
    memset(cpu, 0x5a, 2 * PAGE);
    before = t_port();
    rsi = t_rsi_state_sets();
    CHECK_ERR(ccdma_free_coherent(&t0, 2 * PAGE, cpu, t_encode(pa, false)), CCDMA_EFAULT,
              "a private-encoded handle of a shared allocation: EFAULT");
    CHECK(t_range_shared(pa, 2 * PAGE), "the pages are still shared");
    CHECK(owned(pa, 2 * PAGE), "and still owned (not in the page allocator)");
    CHECK_EQ(t_port().page_frees, before.page_frees, "no page was freed");
    CHECK_EQ(t_port().bad_frees, before.bad_frees, "no free was even attempted");
    CHECK_EQ(t_rsi_state_sets(), rsi, "nothing was converted");
    CHECK(t_all_bytes(cpu, 0x5a, 2 * PAGE), "the contents are untouched");
    CHECK_EQ(t_dev_fill(&t0, h, 0x11, 2 * PAGE), 0, "the device still reaches it");
    CHECK_ERR(ccdma_free_coherent(&t0, 2 * PAGE, cpu, h), CCDMA_OK, "the correct free succeeds");
    CHECK(!host_platform_page_allocated(pa), "and gives the pages back");

    /* The mirror: private memory named shared would be "unshared". */
    t_dev_t1(&t1, "t1", UINT64_MAX);
    REQUIRE(ccdma_alloc_coherent(&t1, PAGE, 0, 0, &cpu, &h) == CCDMA_OK);
    pa = t_pa(cpu);
    REQUIRE(!t_is_shared(h));
    before = t_port();
    CHECK_ERR(ccdma_free_coherent(&t1, PAGE, cpu, t_encode(pa, true)), CCDMA_EFAULT,
              "a shared-encoded handle of a private allocation: EFAULT");
    CHECK(t_range_private(pa, PAGE) && owned(pa, PAGE), "still private and owned");
    CHECK_EQ(t_port().bad_conversions, before.bad_conversions,
             "no conversion of private pages was attempted");
    CHECK_ERR(ccdma_free_coherent(&t1, PAGE, cpu, h), CCDMA_OK, "the correct free succeeds");
}

/* The pools never convert at free, but a handle of the other state still
 * names memory that is not in that state: refused the same way. */
static void test_pool_wrong_encoding(void)
{
    struct ccdma_device t0, r0;
    struct ccdma_pool_stats before;
    struct ccdma_swiotlb *pool;
    uint8_t *mem;
    ccdma_dma_t h;
    void *cpu;

    if (skip_plain("wrong encoding, pools"))
        return;
    t_dev_t0(&t0, "t0", UINT64_MAX);
    before = pool_stats(true);
    REQUIRE(ccdma_alloc_coherent(&t0, PAGE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &h) == CCDMA_OK);
    CHECK_ERR(ccdma_free_coherent(&t0, PAGE, cpu, t_encode(t_pa(cpu), false)), CCDMA_EFAULT,
              "atomic pool: a private-encoded handle of a shared allocation: EFAULT");
    CHECK_EQ(pool_stats(true).avail, before.avail - PAGE, "the page is still allocated");
    CHECK_ERR(ccdma_free_coherent(&t0, PAGE, cpu, h), CCDMA_OK, "the correct free succeeds");
    CHECK_EQ(pool_stats(true).avail, before.avail, "and gives it back");

    mem = t_pages(16);
    REQUIRE(ccdma_swiotlb_restricted_create("free-enc", mem, 16 * PAGE, true, &pool) == 0);
    ccdma_device_default(&r0, "restricted", UINT64_MAX);
    r0.restricted_pool = pool;
    REQUIRE(ccdma_device_init(&r0) == CCDMA_OK);
    REQUIRE(ccdma_alloc_coherent(&r0, PAGE, 0, 0, &cpu, &h) == CCDMA_OK);
    CHECK_ERR(ccdma_free_coherent(&r0, PAGE, cpu, t_encode(t_pa(cpu), false)), CCDMA_EFAULT,
              "restricted pool: a private-encoded handle of a shared allocation: EFAULT");
    CHECK_EQ(t_pool_stats(pool).used, 2, "its slots are still taken");
    CHECK_ERR(ccdma_free_coherent(&r0, PAGE, cpu, h), CCDMA_OK, "the correct free succeeds");
    REQUIRE(ccdma_device_release(&r0) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(pool) == CCDMA_OK);
    t_pages_free(mem, 16);
}

/* ---- the size ------------------------------------------------------------------------ */

/* An oversized free of an atomic-pool allocation must not free the next
 * allocation's pages too. */
static void test_pool_wrong_size(void)
{
    struct ccdma_pool_stats before;
    struct ccdma_device dev;
    void *a, *b, *c, *d;
    ccdma_dma_t ha, hb, hc, hd;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    before = pool_stats(true);
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &a, &ha) == CCDMA_OK);
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, CCDMA_ALLOC_ATOMIC, 0, &b, &hb) == CCDMA_OK);
    CHECK_EQ(t_pa(b), t_pa(a) + PAGE, "set-up: the two allocations are neighbours");
    memset(b, 0xa5, PAGE);

    CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, a, ha), CCDMA_EFAULT,
              "a 2-page free of a 1-page allocation: EFAULT");
    CHECK_EQ(pool_stats(true).avail, before.avail - 2 * PAGE, "nothing went back to the pool");
    /* Had the neighbour been freed, this (order-aligned, zeroed) allocation
     * would land on it. */
    REQUIRE(ccdma_alloc_coherent(&dev, 2 * PAGE, CCDMA_ALLOC_ATOMIC, 0, &c, &hc) == CCDMA_OK);
    CHECK(t_pa(c) + 2 * PAGE <= t_pa(a) || t_pa(c) >= t_pa(b) + PAGE,
          "a new allocation does not land on them");
    CHECK(t_all_bytes(b, 0xa5, PAGE), "the neighbour allocation is intact");

    REQUIRE(ccdma_alloc_coherent(&dev, 2 * PAGE, CCDMA_ALLOC_ATOMIC, 0, &d, &hd) == CCDMA_OK);
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, d, hd), CCDMA_EFAULT,
              "a 1-page free of a 2-page allocation (it would strand the tail): EFAULT");
    CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, d, hd), CCDMA_OK, "the correct free succeeds");
    CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, c, hc), CCDMA_OK, "free");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, a, ha), CCDMA_OK, "the first allocation's own free");
    CHECK(t_all_bytes(b, 0xa5, PAGE), "the neighbour is still intact");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, b, hb), CCDMA_OK, "the neighbour's own free");
    CHECK_EQ(pool_stats(true).avail, before.avail, "the pool is whole again");
}

/* The same on the direct path, where the next pages are the page
 * allocator's (here: another allocation, which would be unshared, wiped
 * and freed). */
static void test_direct_wrong_size(void)
{
    struct host_platform_counters before;
    struct ccdma_device dev;
    ccdma_dma_t ha, hb;
    void *a, *b;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, 0, 0, &a, &ha) == CCDMA_OK);
    REQUIRE(ccdma_alloc_coherent(&dev, PAGE, 0, 0, &b, &hb) == CCDMA_OK);
    CHECK_EQ(t_pa(b), t_pa(a) + PAGE, "set-up: the two allocations are neighbours");
    memset(b, 0xa5, PAGE);
    before = t_port();
    CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, a, ha), CCDMA_EFAULT,
              "a 2-page free of a 1-page allocation: EFAULT");
    CHECK(owned(t_pa(a), PAGE) && owned(t_pa(b), PAGE), "both still owned");
    CHECK(t_range_shared(t_pa(b), PAGE) || !T.cc, "the neighbour is still shared");
    CHECK(t_all_bytes(b, 0xa5, PAGE), "and intact");
    CHECK_EQ(t_port().page_frees, before.page_frees, "no page was freed");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, a, ha), CCDMA_OK, "the correct free succeeds");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, b, hb), CCDMA_OK, "the neighbour's own free");
}

/* ---- the start ------------------------------------------------------------------------ */

static void test_middle_pointer(void)
{
    struct ccdma_pool_stats before;
    struct ccdma_device dev;
    uint8_t *cpu;
    ccdma_dma_t h;
    void *v;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    before = pool_stats(true);
    REQUIRE(ccdma_alloc_coherent(&dev, 4 * PAGE, CCDMA_ALLOC_ATOMIC, 0, &v, &h) == CCDMA_OK);
    cpu = v;
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, cpu + PAGE, h + PAGE), CCDMA_EFAULT,
              "atomic pool: a page in the middle: EFAULT");
    CHECK_ERR(ccdma_free_coherent(&dev, 3 * PAGE, cpu + PAGE, h + PAGE), CCDMA_EFAULT,
              "atomic pool: the tail: EFAULT");
    CHECK_EQ(pool_stats(true).avail, before.avail - 4 * PAGE, "nothing went back");
    CHECK_ERR(ccdma_free_coherent(&dev, 4 * PAGE, cpu, h), CCDMA_OK, "the correct free succeeds");
    CHECK_EQ(pool_stats(true).avail, before.avail, "all of it back");

    REQUIRE(ccdma_alloc_coherent(&dev, 4 * PAGE, 0, 0, &v, &h) == CCDMA_OK);
    cpu = v;
    CHECK_ERR(ccdma_free_coherent(&dev, 3 * PAGE, cpu + PAGE, h + PAGE), CCDMA_EFAULT,
              "direct: the tail: EFAULT");
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, cpu + 2 * PAGE, h + 2 * PAGE), CCDMA_EFAULT,
              "direct: a page in the middle: EFAULT");
    CHECK(owned(t_pa(cpu), 4 * PAGE) && (!T.cc || t_range_shared(t_pa(cpu), 4 * PAGE)),
          "still owned and shared");
    CHECK_ERR(ccdma_free_coherent(&dev, 4 * PAGE, cpu, h), CCDMA_OK, "the correct free succeeds");
}

/* Memory that was never a coherent allocation must not reach the page
 * allocator. */
static void test_never_allocated(void)
{
    struct ccdma_device dev;
    uint8_t *mine = t_pages(1);

    t_dev_t1(&dev, "t1", UINT64_MAX);
    CHECK_ERR(ccdma_free_coherent(&dev, PAGE, mine, t_encode(t_pa(mine), !T.cc)), CCDMA_EFAULT,
              "a free of pages the caller allocated itself: EFAULT");
    CHECK(owned(t_pa(mine), PAGE), "they stay the caller's");
    t_pages_free(mine, 1);
}

/* ---- dma-debug switching itself off ------------------------------------------------------- */

/* The same check with dma-debug on but out of entry memory, so that it
 * disables itself and stops checking frees: the record still decides. */
static void test_debug_switched_off(void)
{
    struct host_platform_faults f = {.alloc_fail_after = 1, .alloc_fail_count = 1};
    struct ccdma_device dev;
    ccdma_dma_t h;
    void *cpu;

    t_dev_t0(&dev, "t0", UINT64_MAX);
    CHECK(t_debug().enabled, "dma-debug starts on");
    /* Page allocation 0 is the allocation's own, 1 is dma-debug's first
     * entry page. */
    host_platform_set_faults(&f);
    REQUIRE(ccdma_alloc_coherent(&dev, 2 * PAGE, 0, 0, &cpu, &h) == CCDMA_OK);
    host_platform_set_faults(NULL);
    CHECK(!t_debug().enabled, "dma-debug switched itself off (no entry memory)");

    CHECK_ERR(ccdma_free_coherent(&dev, 3 * PAGE, cpu, h), CCDMA_EFAULT,
              "an oversized free is still refused: EFAULT");
    if (T.cc)
        CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, cpu, t_encode(t_pa(cpu), false)),
                  CCDMA_EFAULT, "a private-encoded handle is still refused: EFAULT");
    CHECK(owned(t_pa(cpu), 2 * PAGE) && (!T.cc || t_range_shared(t_pa(cpu), 2 * PAGE)),
          "still owned and shared");
    CHECK_ERR(ccdma_free_coherent(&dev, 2 * PAGE, cpu, h), CCDMA_OK, "the correct free succeeds");
}

int main(int argc, char **argv)
{
    struct ccdma_config c = nodebug();

    t_start(argc, argv, "dma coherent free checks");
    t_run_with(test_direct_wrong_encoding, "direct free, wrong encoding, dma-debug off", &c);
    t_run_with(test_pool_wrong_encoding, "pool free, wrong encoding, dma-debug off", &c);
    t_run_with(test_pool_wrong_size, "atomic pool free, wrong size, dma-debug off", &c);
    t_run_with(test_direct_wrong_size, "direct free, wrong size, dma-debug off", &c);
    t_run_with(test_middle_pointer, "free of a middle pointer, dma-debug off", &c);
    t_run_with(test_never_allocated, "free of memory never allocated, dma-debug off", &c);
    t_run(test_debug_switched_off, "free after dma-debug switched itself off");
    return t_finish();
}
