/* SPDX-License-Identifier: MIT */
#include "dma_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_env T;
char t_dev_error[160];

static int n_checks, n_passed, n_failed;
static const char *current_test = "";

/* ---- checks ---------------------------------------------------------------- */

void t_check(bool ok, const char *name, const char *fmt, ...)
{
    va_list ap;

    n_checks++;
    if (ok) {
        n_passed++;
        printf("ok %d - %s%s%s\n", n_checks, current_test,
               *current_test ? ": " : "", name);
        return;
    }
    n_failed++;
    printf("not ok %d - %s%s%s: ", n_checks, current_test,
           *current_test ? ": " : "", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

int t_failures(void)
{
    return n_failed;
}

int t_finish(void)
{
    printf("%d passed, %d failed\n", n_passed, n_failed);
    fflush(stdout);
    return n_failed ? 1 : 0;
}

void t_abort(const char *what, const char *file, int line)
{
    printf("not ok %d - %s: set-up failed: %s (%s:%d)\n", ++n_checks,
           current_test, what, file, line);
    n_failed++;
    t_finish();
    exit(1);
}

/* ---- environment --------------------------------------------------------------- */

void t_start(int argc, char **argv, const char *suite)
{
    const char *arg = argc < 2 ? "" : argv[1];
    size_t n = strlen(arg);
    char enc[16];

    T.seam_only = n > 5 && !strcmp(arg + n - 5, "-seam");
    if (T.seam_only)
        n -= 5;
    if (n >= sizeof(enc))
        n = 0;
    memcpy(enc, arg, n);
    enc[n] = '\0';
    if (!n || host_encoding_parse(enc, &T.enc)) {
        fprintf(stderr, "usage: %s plain|cca|sev[-seam] [options]\n", argv[0]);
        exit(2);
    }
    T.cc = T.enc != HOST_ENC_PLAIN;
    T.enc_name = host_encoding_name(T.enc);
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("# %s, encoding %s%s\n", suite, T.enc_name,
           T.seam_only ? ", no linear description (every translation through the seam)" : "");
}

struct ccdma_config t_config(void)
{
    struct ccdma_config c = {
        .swiotlb_bytes = (size_t)1 << 20,
        .swiotlb_private_bytes = (size_t)256 << 10,
        .atomic_pool_bytes = (size_t)64 << 10,
        .debug = true,
    };
    return c;
}

void t_setup_with(const struct host_platform_config *port,
                  const struct ccdma_config *cfg)
{
    struct host_platform_config p = {.encoding = T.enc};

    if (port)
        p = *port;
    p.encoding = T.enc;
    p.seam_only = p.seam_only || T.seam_only;
    REQUIRE(host_platform_init(&p) == CCDMA_OK);
    if (p.seam_only) {
        struct ccdma_plat_linear l;

        REQUIRE(ccdma_plat_linear_describe(&l) != CCDMA_OK);
    }
    REQUIRE(ccdma_init(cfg) == CCDMA_OK);
}

void t_setup(void)
{
    struct ccdma_config c = t_config();

    t_setup_with(NULL, &c);
}

int t_teardown(void)
{
    int leaks = ccdma_shutdown();

    host_platform_fini();
    return leaks;
}

void t_run(void (*fn)(void), const char *name)
{
    struct ccdma_config c = t_config();

    t_run_with(fn, name, &c);
}

void t_run_with(void (*fn)(void), const char *name, const struct ccdma_config *cfg)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct host_platform_counters after;
    struct ccdma_debug_counters dbg;
    int leaks;

    current_test = name;
    REQUIRE(host_platform_init(&p) == CCDMA_OK);
    REQUIRE(ccdma_init(cfg) == CCDMA_OK);
    fn();
    dbg = t_debug();
    leaks = ccdma_shutdown();
    after = t_port();
    CHECK_EQ(leaks, 0, "nothing live at shutdown");
    CHECK_EQ(dbg.errors, 0, "no dma-debug report");
    CHECK_EQ(after.pages_in_use, 0, "every page back in the allocator");
    CHECK_EQ(after.bad_frees + after.bad_conversions, 0,
             "no refused free or conversion");
    host_platform_fini();
    current_test = "";
}

void t_run_raw(void (*fn)(void), const char *name)
{
    current_test = name;
    fn();
    current_test = "";
}

/* ---- memory ------------------------------------------------------------------ */

void *t_pages(size_t n)
{
    void *va = ccdma_plat_pages_alloc(n, UINT64_MAX);

    REQUIRE(va != NULL);
    return va;
}

void t_pages_free(void *va, size_t n)
{
    ccdma_plat_pages_free(va, n);
}

void *t_shared_pages(size_t n)
{
    void *va = t_pages(n);

    if (T.cc)
        REQUIRE(ccdma_plat_mem_share(va, n * CCDMA_PAGE_SIZE) == CCDMA_OK);
    memset(va, 0, n * CCDMA_PAGE_SIZE);
    return va;
}

void t_shared_free(void *va, size_t n)
{
    if (T.cc)
        REQUIRE(ccdma_plat_mem_unshare(va, n * CCDMA_PAGE_SIZE) == CCDMA_OK);
    t_pages_free(va, n);
}

ccdma_phys_t t_pa(const void *va)
{
    return ccdma_plat_virt_to_phys(va);
}

/* ---- encodings ---------------------------------------------------------------- */

ccdma_dma_t t_encode(ccdma_phys_t pa, bool shared)
{
    uint64_t bit = host_platform_state_bit();

    switch (T.enc) {
    case HOST_ENC_CCA:
        return shared ? pa | bit : pa;
    case HOST_ENC_SEV:
        return shared ? pa : pa | bit;
    default:
        return pa;
    }
}

ccdma_phys_t t_decode(ccdma_dma_t addr)
{
    return addr & ~host_platform_state_bit();
}

bool t_is_shared(ccdma_dma_t addr)
{
    uint64_t bit = host_platform_state_bit();

    if (T.enc == HOST_ENC_CCA)
        return (addr & bit) != 0;
    if (T.enc == HOST_ENC_SEV)
        return (addr & bit) == 0;
    return true;
}

/* ---- devices ----------------------------------------------------------------- */

void t_dev_t0(struct ccdma_device *dev, const char *name, uint64_t mask)
{
    ccdma_device_default(dev, name, mask);
    REQUIRE(ccdma_device_init(dev) == CCDMA_OK);
}

void t_dev_t1(struct ccdma_device *dev, const char *name, uint64_t mask)
{
    ccdma_device_default(dev, name, mask);
    dev->reach_private = true;
    dev->reach_shared = true;
    REQUIRE(ccdma_device_init(dev) == CCDMA_OK);
}

static uint64_t dev_limit(const struct ccdma_device *dev)
{
    uint64_t m = dev->dma_mask, b = dev->bus_limit;

    if (!m)
        return b;
    if (!b)
        return m;
    return m < b ? m : b;
}

/* The host address the device would touch, or NULL with t_dev_error set. */
static uint8_t *dev_access(const struct ccdma_device *dev, ccdma_dma_t addr,
                           size_t len)
{
    bool shared = t_is_shared(addr);
    ccdma_phys_t pa = t_decode(addr);
    uint8_t *va;

    t_dev_error[0] = 0;
    if (!len || addr + len - 1 < addr || addr + len - 1 > dev_limit(dev)) {
        snprintf(t_dev_error, sizeof(t_dev_error),
                 "%#llx+%zu is over the mask", (unsigned long long)addr, len);
        return NULL;
    }
    if (T.cc && !(shared ? dev->reach_shared : dev->reach_private)) {
        snprintf(t_dev_error, sizeof(t_dev_error), "%s address %#llx unreachable",
                 shared ? "shared" : "private", (unsigned long long)addr);
        return NULL;
    }
    for (size_t off = 0; off < len; off += CCDMA_PAGE_SIZE) {
        ccdma_phys_t p = pa + off;

        if (!host_platform_page_allocated(p) ||
            (T.cc && host_platform_page_shared(p) != shared)) {
            snprintf(t_dev_error, sizeof(t_dev_error),
                     "%#llx: page is %s, the address says %s",
                     (unsigned long long)p,
                     !host_platform_page_allocated(p) ? "not allocated"
                     : host_platform_page_shared(p) ? "shared" : "private",
                     shared ? "shared" : "private");
            return NULL;
        }
    }
    if (!host_platform_page_allocated(pa + len - 1) ||
        (T.cc && host_platform_page_shared(pa + len - 1) != shared)) {
        snprintf(t_dev_error, sizeof(t_dev_error), "tail page state mismatch");
        return NULL;
    }
    va = ccdma_plat_phys_to_virt(pa);
    if (!va)
        snprintf(t_dev_error, sizeof(t_dev_error), "%#llx is not RAM",
                 (unsigned long long)pa);
    return va;
}

int t_dev_write(const struct ccdma_device *dev, ccdma_dma_t addr,
                const void *src, size_t len)
{
    uint8_t *va = dev_access(dev, addr, len);

    if (!va)
        return -1;
    memcpy(va, src, len);
    return 0;
}

int t_dev_fill(const struct ccdma_device *dev, ccdma_dma_t addr, uint8_t byte,
               size_t len)
{
    uint8_t *src = malloc(len ? len : 1);
    int ret;

    REQUIRE(src != NULL);
    memset(src, byte, len);
    ret = t_dev_write(dev, addr, src, len);
    free(src);
    return ret;
}

int t_dev_read(const struct ccdma_device *dev, ccdma_dma_t addr, void *dst,
               size_t len)
{
    uint8_t *va = dev_access(dev, addr, len);

    if (!va)
        return -1;
    memcpy(dst, va, len);
    return 0;
}

/* ---- observations ---------------------------------------------------------------- */

uint64_t t_rsi_state_sets(void)
{
    struct host_realm_counters c;

    if (!T.cc)
        return 0;
    host_realm_get_counters(&c);
    return c.ipa_state_set;
}

int t_ripas(ccdma_phys_t pa)
{
    return T.cc ? host_realm_ripas(pa) : -1;
}

static bool range_state(ccdma_phys_t pa, size_t size, bool shared)
{
    ccdma_phys_t first = pa & ~(ccdma_phys_t)(CCDMA_PAGE_SIZE - 1);

    if (!T.cc)
        return true;
    for (ccdma_phys_t p = first; p < pa + size; p += CCDMA_PAGE_SIZE) {
        if (host_platform_page_shared(p) != shared)
            return false;
        if (t_ripas(p) != (shared ? 0 : 1))
            return false;
    }
    return true;
}

bool t_range_shared(ccdma_phys_t pa, size_t size)
{
    return range_state(pa, size, true);
}

bool t_range_private(ccdma_phys_t pa, size_t size)
{
    return range_state(pa, size, false);
}

struct scan_ctx {
    const uint8_t *needle;
    size_t len;
    size_t hits;
};

static void scan_run(void *va, ccdma_phys_t pa, size_t bytes, void *arg)
{
    struct scan_ctx *s = arg;
    const uint8_t *p = va, *end = p + bytes;

    (void)pa;
    while (p + s->len <= end) {
        const uint8_t *hit = memchr(p, s->needle[0], (size_t)(end - p));

        if (!hit || hit + s->len > end)
            break;
        if (memcmp(hit, s->needle, s->len) == 0)
            s->hits++;
        p = hit + 1;
    }
}

size_t t_scan_shared(const void *needle, size_t len)
{
    struct scan_ctx s = {needle, len, 0};

    host_platform_for_each_shared(scan_run, &s);
    return s.hits;
}

bool t_all_bytes(const void *p, uint8_t byte, size_t len)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < len; i++)
        if (b[i] != byte)
            return false;
    return true;
}

struct ccdma_debug_counters t_debug(void)
{
    struct ccdma_debug_counters c;

    ccdma_debug_get_counters(&c);
    return c;
}

struct ccdma_dma_stats t_stats(void)
{
    struct ccdma_dma_stats s;

    ccdma_get_stats(&s);
    return s;
}

struct host_platform_counters t_port(void)
{
    struct host_platform_counters c;

    host_platform_get_counters(&c);
    return c;
}

struct ccdma_swiotlb_stats t_pool_stats(struct ccdma_swiotlb *pool)
{
    struct ccdma_swiotlb_stats s;

    memset(&s, 0, sizeof(s));
    ccdma_swiotlb_get_stats(pool, &s);
    return s;
}
