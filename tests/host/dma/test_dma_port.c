/* SPDX-License-Identifier: MIT */
/*
 * The host port of the platform seam: the page allocator, the linear map,
 * conversions through the realm model, quarantine, encodings, counters and
 * the lock.
 */
#include "dma_test.h"

#include <pthread.h>
#include <stdio.h>

#define PAGE CCDMA_PAGE_SIZE
#define BASE HOST_RAM_BASE_DEFAULT

static void init_port(size_t granule)
{
    struct host_platform_config p = {.encoding = T.enc, .share_granule = granule};

    REQUIRE(host_platform_init(&p) == CCDMA_OK);
}

static void test_config(void)
{
    struct host_platform_config p = {.encoding = T.enc, .share_granule = 3 * PAGE};

    CHECK_ERR(host_platform_init(&p), CCDMA_EINVAL, "a granule that is not a power of two");
    p.share_granule = 0;
    p.arena_bytes = PAGE + 1;
    CHECK_ERR(host_platform_init(&p), CCDMA_EINVAL, "an arena that is not whole granules");
    init_port(0);
    CHECK_ERR(host_platform_init(NULL), CCDMA_EBUSY, "init twice");
    CHECK_EQ(ccdma_plat_cc_active(), T.cc, "CC is active exactly for the CC encodings");
    CHECK_EQ(ccdma_plat_share_granule(), PAGE, "granule defaults to 4 KiB");
    CHECK_EQ(host_platform_state_bit(),
             T.enc == HOST_ENC_CCA ? 1ull << 31 : T.enc == HOST_ENC_SEV ? 1ull << 47 : 0,
             "the state bit: IPA bit 31 (CCA, from the realm's ipa_width), C-bit 47 (SEV)");
    {
        enum host_encoding e;

        CHECK(host_encoding_parse("sev", &e) == 0 && e == HOST_ENC_SEV, "parse sev");
        CHECK_ERR(host_encoding_parse("tdx", &e), CCDMA_EINVAL, "an unknown encoding");
    }
    host_platform_fini();
}

static void test_pages(void)
{
    uint8_t stack_byte = 0;
    uint8_t *a, *b, *low[16];
    int n = 0;

    init_port(0);
    a = ccdma_plat_pages_alloc(3, UINT64_MAX);
    REQUIRE(a != NULL);
    CHECK_EQ(ccdma_plat_virt_to_phys(a) % PAGE, 0, "page aligned");
    CHECK_EQ(ccdma_plat_phys_to_virt(ccdma_plat_virt_to_phys(a + 123)), a + 123, "linear map round trip");
    CHECK(ccdma_plat_virt_to_phys(a) >= BASE, "at the canonical RAM base or above");
    CHECK_EQ(ccdma_plat_virt_to_phys(&stack_byte), HOST_PHYS_INVALID, "a stack address has no phys");
    CHECK(ccdma_plat_phys_to_virt(0x1000) == NULL, "a phys below RAM has no CPU address");
    CHECK(ccdma_plat_phys_to_virt(BASE + HOST_ARENA_DEFAULT) == NULL, "nor one past its end");
    CHECK(t_all_bytes(a, 0x6b, 3 * PAGE), "fresh pages are poisoned, not zero");
    CHECK_EQ(t_port().pages_in_use, 3, "three pages in use");

    /* phys_limit: the last byte at or below it. */
    while (n < 16 && (low[n] = ccdma_plat_pages_alloc(1, BASE + 8 * PAGE - 1)) != NULL)
        n++;
    CHECK_EQ(n, 5, "below a limit of 8 pages: the 5 pages the 3 above left");
    b = ccdma_plat_pages_alloc(1, UINT64_MAX);
    CHECK(b && ccdma_plat_virt_to_phys(b) >= BASE + 8 * PAGE, "without a limit there is more");
    for (int i = 0; i < n; i++)
        CHECK(ccdma_plat_virt_to_phys(low[i]) + PAGE - 1 <= BASE + 8 * PAGE - 1, "each under the limit");
    for (int i = 0; i < n; i++)
        ccdma_plat_pages_free(low[i], 1);

    ccdma_plat_pages_free(a, 3);
    CHECK_EQ(t_port().bad_frees, 0, "a good free");
    ccdma_plat_pages_free(a, 3);
    CHECK_EQ(t_port().bad_frees, 1, "a double free is refused and counted");
    ccdma_plat_pages_free(b + 1, 1);
    CHECK_EQ(t_port().bad_frees, 2, "a misaligned free is refused");
    ccdma_plat_pages_free(b, 1);
    CHECK_EQ(t_port().pages_in_use, 0, "all back");
    host_platform_fini();
}

static void test_granule_alignment(void)
{
    uint8_t *one, *four;

    init_port(4 * PAGE);
    one = ccdma_plat_pages_alloc(1, UINT64_MAX);
    four = ccdma_plat_pages_alloc(4, UINT64_MAX);
    CHECK(one && four, "allocations");
    CHECK_EQ(ccdma_plat_virt_to_phys(four) % (4 * PAGE), 0,
             "whole-granule requests start on a granule, so they can be converted");
    CHECK_ERR(ccdma_plat_mem_share(one, PAGE), CCDMA_EINVAL, "a sub-granule share is refused");
    CHECK_EQ(t_port().bad_conversions, 1, "and counted");
    ccdma_plat_pages_free(one, 1);
    ccdma_plat_pages_free(four, 4);
    host_platform_fini();
}

struct runs {
    int count;
    size_t bytes;
};

static void count_run(void *va, ccdma_phys_t pa, size_t bytes, void *ctx)
{
    struct runs *r = ctx;

    (void)va;
    (void)pa;
    r->count++;
    r->bytes += bytes;
}

static void test_conversions(void)
{
    struct host_realm_inject wipe = {.wipe_pattern = 0x3c};
    uint8_t *a, *b;
    uint64_t rsi;
    struct runs r = {0, 0};

    init_port(0);
    host_platform_set_realm_inject(&wipe);
    a = ccdma_plat_pages_alloc(2, UINT64_MAX);
    b = ccdma_plat_pages_alloc(1, UINT64_MAX);
    memset(a, 0x11, 2 * PAGE);
    rsi = t_rsi_state_sets();
    CHECK_ERR(ccdma_plat_mem_share(a, 2 * PAGE), CCDMA_OK, "share");
    if (!T.cc) {
        CHECK(!host_platform_page_shared(t_pa(a)), "plain: nothing changes state");
        CHECK(t_all_bytes(a, 0x11, 2 * PAGE), "plain: contents untouched");
        CHECK_ERR(ccdma_plat_mem_unshare(a, 2 * PAGE), CCDMA_OK, "plain: unshare works too");
        CHECK_ERR(ccdma_plat_mem_unshare(a + 100, PAGE), CCDMA_EINVAL,
                  "plain: a misaligned range is still refused");
        ccdma_plat_pages_free(a, 2);
        ccdma_plat_pages_free(b, 1);
        host_platform_fini();
        return;
    }
    CHECK(t_rsi_state_sets() > rsi, "through RSI_IPA_STATE_SET");
    CHECK(host_platform_page_shared(t_pa(a)) && t_ripas(t_pa(a)) == 0 &&
              t_ripas(t_pa(a) + PAGE) == 0, "shared: the port and the model (RIPAS EMPTY) agree");
    CHECK(t_all_bytes(a, 0x3c, 2 * PAGE), "the model wiped the contents with its pattern");
    host_platform_for_each_shared(count_run, &r);
    CHECK(r.count == 1 && r.bytes == 2 * PAGE, "one shared run of two pages");
    CHECK_ERR(ccdma_plat_mem_share(a, 2 * PAGE), CCDMA_EINVAL, "sharing it again is refused");
    CHECK_ERR(ccdma_plat_mem_share(a + 100, PAGE), CCDMA_EINVAL, "a misaligned share is refused");
    ccdma_plat_pages_free(a, 2);
    CHECK_EQ(t_port().bad_frees, 1, "freeing shared pages is refused");
    CHECK(host_platform_page_allocated(t_pa(a)), "they stay allocated");
    rsi = t_rsi_state_sets();
    CHECK_ERR(ccdma_plat_mem_unshare(b, PAGE), CCDMA_EINVAL, "unsharing a private page is refused");
    CHECK_EQ(t_rsi_state_sets(), rsi, "without an RSI call");
    CHECK_ERR(ccdma_plat_mem_unshare(a, 2 * PAGE), CCDMA_OK, "unshare");
    CHECK(!host_platform_page_shared(t_pa(a)) && t_ripas(t_pa(a)) == 1, "private again (RIPAS RAM)");
    ccdma_plat_pages_free(a, 2);
    ccdma_plat_pages_free(b, 1);
    CHECK_EQ(t_port().pages_in_use, 0, "all back");
    host_platform_fini();
}

static void test_quarantine(void)
{
    struct host_platform_faults f = {.share_fail_after = 1, .share_fail_count = 1};
    struct host_realm_counters rc;
    uint8_t *a, *b, *p;
    ccdma_phys_t qa;
    bool reused = false;
    size_t n = 0;

    init_port(0);
    a = ccdma_plat_pages_alloc(1, UINT64_MAX);
    b = ccdma_plat_pages_alloc(2, UINT64_MAX);
    host_platform_set_faults(&f);
    CHECK_ERR(ccdma_plat_mem_share(a, PAGE), CCDMA_OK, "the first share succeeds");
    CHECK_ERR(ccdma_plat_mem_share(b, 2 * PAGE), CCDMA_EREJECT, "the second is rejected by the host");
    host_realm_get_counters(&rc);
    CHECK(rc.rejects >= 1, "the realm model really answered REJECT");
    qa = t_pa(b);
    CHECK(host_platform_page_quarantined(qa) && host_platform_page_quarantined(qa + PAGE),
          "the range is quarantined");
    CHECK_EQ(t_port().quarantined_pages, 2, "and counted");
    ccdma_plat_pages_free(b, 2);
    CHECK_EQ(t_port().bad_frees, 1, "a quarantined range cannot be freed");
    CHECK_ERR(ccdma_plat_mem_unshare(b, 2 * PAGE), CCDMA_EINVAL, "nor converted again");
    /* Take every free page: none of them may be the quarantined ones. */
    while ((p = ccdma_plat_pages_alloc(1, UINT64_MAX)) != NULL) {
        if (t_pa(p) == qa || t_pa(p) == qa + PAGE)
            reused = true;
        n++;
    }
    CHECK(!reused, "quarantined pages are never handed out again");
    CHECK_EQ(n + 3, HOST_ARENA_DEFAULT / PAGE, "every other page was");
    host_platform_set_faults(NULL);
    host_platform_fini();
}

static void test_counters(void)
{
    struct host_platform_counters c;
    uint8_t *a;

    init_port(0);
    a = ccdma_plat_pages_alloc(1, UINT64_MAX);
    ccdma_plat_cache_clean(a, 100);
    ccdma_plat_cache_invalidate(a, 200);
    ccdma_plat_cache_invalidate(a, 300);
    ccdma_plat_cache_clean_invalidate(a, 7);
    c = t_port();
    CHECK(c.cache_clean == 1 && c.cache_clean_bytes == 100, "clean counted with its bytes");
    CHECK(c.cache_invalidate == 2 && c.cache_invalidate_bytes == 500, "invalidate counted");
    CHECK(c.cache_clean_invalidate == 1 && c.cache_clean_invalidate_bytes == 7, "clean+invalidate counted");
    {
        uint64_t t0 = ccdma_plat_time_ns(), t1 = ccdma_plat_time_ns();

        CHECK(t1 >= t0 && t0 > 0, "the clock is monotonic");
    }
    ccdma_plat_pages_free(a, 1);
    host_platform_fini();
}

static ccdma_lock_t lock = CCDMA_LOCK_INIT;
static volatile uint64_t shared_counter;

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        unsigned long flags = ccdma_plat_lock(&lock);
        uint64_t v = shared_counter;

        shared_counter = v + 1;
        ccdma_plat_unlock(&lock, flags);
    }
    return NULL;
}

static void test_lock(void)
{
    pthread_t th[3];

    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, hammer, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ(shared_counter, 60000, "three threads, no lost update under the lock");
    CHECK_EQ(lock.word, 0, "the lock is free afterwards");
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "host platform port");
    t_run_raw(test_config, "configuration");
    t_run_raw(test_pages, "page allocator and linear map");
    t_run_raw(test_granule_alignment, "granule alignment");
    t_run_raw(test_conversions, "conversions");
    if (T.cc)
        t_run_raw(test_quarantine, "quarantine after a failed conversion");
    t_run_raw(test_counters, "counters and clock");
    t_run_raw(test_lock, "lock");
    return t_finish();
}
