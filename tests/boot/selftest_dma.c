/* SPDX-License-Identifier: MIT */
/*
 * The DMA layers at boot, against the real machine: in a realm every
 * conversion is a real RSI call served by the RMM (TF-RMM or the emulated one), and
 * "what the device sees" is read through the DMA address itself (a shared
 * encoding reaches the unprotected alias). Each check names its path:
 * bounce, direct-shared, direct (converting) or pool.
 */
#include <string.h>

#include <ccdma/dma.h>
#include <ccdma/errors.h>
#include <ccdma/selftest.h>

#include "arch/arm64/rsi_abi.h"
#include "boot/devices.h"
#include "boot/runtime.h"
#include "tests/boot/test_env.h"

#define BUF_SIZE 4096u

/* Whether dev, as the boot options made it, must bounce private memory. */
static bool expect_bounce(void) { return rt.realm || boot_dma.force_bounce; }

static bool dma_ready(void)
{
    if (boot_dma.init_err == 0)
        return true;
    /* A host that refuses to share memory makes the bounce pool impossible:
     * that must come back as its own clean error, and nothing else may. */
    int want = test_injected_error(true);
    st_check(test_sharing_fails() && boot_dma.init_err == want,
             "DMA init refused cleanly by the host (the expected error)", "init: %s",
             ccdma_strerror(boot_dma.init_err));
    return false;
}

static bool bytes_are(const volatile uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

SELFTEST(30, dma_bounce)
{
    struct ccdma_device dev;
    ccdma_dma_t dma;

    if (!dma_ready())
        return;
    boot_dma_device(&dev, "selftest-bounce");
    ccdma_device_init(&dev);
    uint8_t *buf = ccdma_plat_pages_alloc(1, UINT64_MAX);
    if (!st_check(buf != NULL, "private buffer", "allocator empty"))
        return;

    memset(buf, 0x3c, BUF_SIZE);
    int err = ccdma_map_single(&dev, buf, BUF_SIZE, CCDMA_TO_DEVICE, 0, &dma);
    bool bounced = err == 0 && ccdma_is_bounced(&dev, dma);
    if (!expect_bounce()) {
        st_check(err == 0 && !bounced && dma == ccdma_plat_virt_to_phys(buf),
                 "direct: plain mode maps a private buffer in place", "err=%d dma=0x%llx", err,
                 (unsigned long long)dma);
        if (err == 0)
            ccdma_unmap_single(&dev, dma, BUF_SIZE, CCDMA_TO_DEVICE, 0);
        ccdma_plat_pages_free(buf, 1);
        return;
    }
    st_check(bounced && ccdma_plat_dma_is_shared(dma),
             "bounce: a private buffer mapped for a shared-only device goes to a shared slot",
             "err=%d bounced=%d dma=0x%llx", err, bounced, (unsigned long long)dma);
    if (err) {
        ccdma_plat_pages_free(buf, 1);
        return;
    }
    volatile uint8_t *view = test_device_view(dma, BUF_SIZE);
    st_check(view && bytes_are(view, BUF_SIZE, 0x3c),
             "bounce: TO_DEVICE data copied into the slot (the device sees it)", "view %p",
             (void *)view);
    if (rt.realm) {
        int slot_ripas = test_ripas(ccdma_plat_dma_to_phys(dma));
        st_check(slot_ripas == RSI_RIPAS_EMPTY,
                 "bounce: the slot's granule is shared (RIPAS EMPTY)", "ripas=%d", slot_ripas);
    }
    ccdma_unmap_single(&dev, dma, BUF_SIZE, CCDMA_TO_DEVICE, 0);
    /* Bytes mapped toward the device were given to it and may stay; the
     * FROM_DEVICE mapping below reuses the slot and must not show them. */
    st_check(view && bytes_are(view, BUF_SIZE, 0x3c),
             "bounce: after unmap the slot holds nothing but the bytes given to the device",
             "other bytes in the slot");
    test_device_view_end();

    /* FROM_DEVICE: the slot must not start with the caller's private bytes. */
    memset(buf, 0x11, BUF_SIZE);
    err = ccdma_map_single(&dev, buf, BUF_SIZE, CCDMA_FROM_DEVICE, 0, &dma);
    view = err ? NULL : test_device_view(dma, BUF_SIZE);
    st_check(view && bytes_are(view, BUF_SIZE, 0),
             "bounce: FROM_DEVICE slot starts zeroed (no private byte exposed)", "err=%d", err);
    if (view) {
        for (size_t i = 0; i < BUF_SIZE; i++)
            view[i] = (uint8_t)(i * 7);
        ccdma_unmap_single(&dev, dma, BUF_SIZE, CCDMA_FROM_DEVICE, 0);
        bool copied = true;
        for (size_t i = 0; i < BUF_SIZE; i++)
            copied &= buf[i] == (uint8_t)(i * 7);
        st_check(copied, "bounce: the device's write is copied back on unmap",
                 "buffer differs");
    }
    test_device_view_end();
    ccdma_plat_pages_free(buf, 1);
}

SELFTEST(31, dma_direct_shared)
{
    struct ccdma_device dev;
    void *cpu;
    ccdma_dma_t handle, dma;

    if (!dma_ready())
        return;
    boot_dma_device(&dev, "selftest-direct");
    dev.force_bounce = false; /* the shared path is what is under test */
    ccdma_device_init(&dev);

    struct ccdma_dma_stats s0, s1;
    ccdma_get_stats(&s0);
    uint64_t calls0 = test_rsi_state_set_calls();
    int err = ccdma_alloc_coherent(&dev, 2 * BUF_SIZE, 0, 0, &cpu, &handle);
    uint64_t calls = test_rsi_state_set_calls() - calls0;
    if (!test_conversion(err, true, "direct: a refused conversion fails the allocation cleanly")) {
        ccdma_get_stats(&s1);
        st_check(s1.leaked_pages > s0.leaked_pages,
                 "direct: the pages of the failed conversion are leaked, not freed",
                 "leaked %llu -> %llu", (unsigned long long)s0.leaked_pages,
                 (unsigned long long)s1.leaked_pages);
        return;
    }
    st_check(bytes_are(cpu, 2 * BUF_SIZE, 0), "direct: coherent memory is zeroed",
             "not zero");
    if (rt.realm) {
        int alloc_ripas = test_ripas(ccdma_plat_virt_to_phys(cpu));
        st_check(calls >= 1 && alloc_ripas == RSI_RIPAS_EMPTY && ccdma_plat_dma_is_shared(handle),
                 "direct: owned pages converted to shared (RSI call made, RIPAS EMPTY)",
                 "calls=%llu ripas=%d handle=0x%llx", (unsigned long long)calls, alloc_ripas,
                 (unsigned long long)handle);
    }

    /* Memory that is already shared maps in place with the shared encoding. */
    uint8_t *inner = (uint8_t *)cpu + 512;
    err = ccdma_map_single(&dev, inner, 1024, CCDMA_BIDIRECTIONAL, CCDMA_ATTR_CC_SHARED, &dma);
    st_check(err == 0 && !ccdma_is_bounced(&dev, dma) && dma == handle + 512,
             "direct-shared: CC_SHARED buffer mapped in place, no copy", "err=%d dma=0x%llx",
             err, (unsigned long long)dma);
    if (err == 0) {
        volatile uint8_t *view = test_device_view(dma, 1024);
        inner[100] = 0x5a;
        st_check(view && view[100] == 0x5a,
                 "direct-shared: the device sees CPU writes at once (same bytes)", "view %p",
                 (void *)view);
        test_device_view_end();
        ccdma_unmap_single(&dev, dma, 1024, CCDMA_BIDIRECTIONAL, CCDMA_ATTR_CC_SHARED);
    }

    ccdma_get_stats(&s0);
    err = ccdma_free_coherent(&dev, 2 * BUF_SIZE, cpu, handle);
    ccdma_get_stats(&s1);
    uint64_t last_pa = ccdma_plat_virt_to_phys(cpu) + BUF_SIZE;
    int ripas = test_ripas(last_pa);
    if (!rt.realm)
        st_check(err == 0, "direct: free", "err=%d", err);
    else if (s1.leaked_pages == s0.leaked_pages)
        st_check(err == 0 && ripas == RSI_RIPAS_RAM,
                 "direct: free converts the pages back (RIPAS RAM)", "err=%d ripas=%d", err,
                 ripas);
    else /* the host refused the unshare: leaked and counted, never reused */
        st_check(err == 0 && test_injected_error(false) != 0 &&
                     s1.leaked_pages == s0.leaked_pages + 2 && ripas != RSI_RIPAS_RAM,
                 "direct: free whose unshare the host refused leaks the pages (counted)",
                 "err=%d ripas=%d leaked %llu -> %llu", err, ripas,
                 (unsigned long long)s0.leaked_pages, (unsigned long long)s1.leaked_pages);
}

SELFTEST(32, dma_pool)
{
    struct ccdma_device dev;
    struct ccdma_pool_stats before, after;
    void *cpu;
    ccdma_dma_t handle;
    bool shared = rt.realm;

    if (!dma_ready())
        return;
    boot_dma_device(&dev, "selftest-pool");
    ccdma_device_init(&dev);
    ccdma_atomic_pool_stats(true, &before);

    uint64_t calls0 = test_rsi_state_set_calls();
    int err = ccdma_alloc_coherent(&dev, BUF_SIZE, CCDMA_ALLOC_ATOMIC, 0, &cpu, &handle);
    uint64_t calls = test_rsi_state_set_calls() - calls0;
    ccdma_atomic_pool_stats(true, &after);
    if (!st_check(err == 0, "pool: atomic allocation", "%s", ccdma_strerror(err)))
        return;
    st_check(calls == 0 && after.allocs == before.allocs + 1,
             "pool: served from the pre-shared atomic pool with no RSI call",
             "calls=%llu allocs %llu->%llu", (unsigned long long)calls,
             (unsigned long long)before.allocs, (unsigned long long)after.allocs);
    int pool_ripas = shared ? test_ripas(ccdma_plat_virt_to_phys(cpu)) : -1;
    st_check(bytes_are(cpu, BUF_SIZE, 0) &&
                 (!shared || (pool_ripas == RSI_RIPAS_EMPTY && ccdma_plat_dma_is_shared(handle))),
             "pool: memory is zeroed and in the pool's (shared) state", "ripas=%d", pool_ripas);
    err = ccdma_free_coherent(&dev, BUF_SIZE, cpu, handle);
    ccdma_atomic_pool_stats(true, &after);
    st_check(err == 0 && after.avail == before.avail, "pool: freed back by physical address",
             "err=%d avail %zu->%zu", err, before.avail, after.avail);
    st_check(ccdma_alloc_coherent(&dev, BUF_SIZE, CCDMA_ALLOC_ATOMIC, CCDMA_ATTR_CC_SHARED, &cpu,
                                  &handle) == CCDMA_EINVAL,
             "pool: a mapping attribute passed to an allocation is EINVAL", "accepted");
}

SELFTEST(33, dma_errors)
{
    struct ccdma_device dev, tiny;
    struct ccdma_debug_counters d0, d1;
    ccdma_dma_t dma;
    static uint8_t buf[BUF_SIZE] __attribute__((aligned(64)));

    if (!dma_ready())
        return;
    boot_dma_device(&dev, "selftest-errors");
    ccdma_device_init(&dev);
    st_check(ccdma_map_single(&dev, buf, sizeof(buf), (enum ccdma_dir)7, 0, &dma) ==
                 CCDMA_EINVAL,
             "bad direction is EINVAL", "accepted");
    st_check(ccdma_map_single(&dev, NULL, 16, CCDMA_TO_DEVICE, 0, &dma) == CCDMA_EINVAL &&
                 ccdma_map_single(&dev, buf, 0, CCDMA_TO_DEVICE, 0, &dma) == CCDMA_EINVAL,
             "null buffer and zero size are EINVAL", "accepted");

    /* A mask below all RAM: nothing, not even a bounce slot, is reachable. */
    boot_dma_device(&tiny, "selftest-1MiB-mask");
    tiny.dma_mask = tiny.coherent_dma_mask = (1u << 20) - 1;
    ccdma_device_init(&tiny);
    int err = ccdma_map_single(&tiny, buf, sizeof(buf), CCDMA_TO_DEVICE, 0, &dma);
    st_check(err == CCDMA_ERANGE, "a mask too small for any memory is ERANGE", "err=%d (%s)",
             err, ccdma_strerror(err));

    ccdma_debug_get_counters(&d0);
    err = ccdma_map_single(&dev, buf, sizeof(buf), CCDMA_TO_DEVICE, 0, &dma);
    int u1 = ccdma_unmap_single(&dev, dma, sizeof(buf), CCDMA_TO_DEVICE, 0);
    int u2 = ccdma_unmap_single(&dev, dma, sizeof(buf), CCDMA_TO_DEVICE, 0);
    ccdma_debug_get_counters(&d1);
    st_check(err == 0 && u1 == 0 && u2 != 0 && d1.double_unmap == d0.double_unmap + 1,
             "double unmap: an error and one dma-debug report", "u1=%d u2=%d reports %llu->%llu",
             u1, u2, (unsigned long long)d0.double_unmap, (unsigned long long)d1.double_unmap);
    err = ccdma_unmap_single(&dev, 0x1230000, 64, CCDMA_TO_DEVICE, 0);
    ccdma_debug_get_counters(&d0);
    st_check(err != 0 && d0.foreign_unmap == d1.foreign_unmap + 1,
             "unmap of a foreign address: an error and a dma-debug report", "err=%d", err);
}

/* Fill the bounce pool until it refuses, then give everything back. */
SELFTEST(34, dma_pool_full)
{
    enum { CHUNK = 64 * 1024, MAX_MAPS = 256 };
    struct ccdma_device dev;
    struct ccdma_swiotlb_stats s;
    static ccdma_dma_t maps[MAX_MAPS];
    unsigned int n = 0;
    int err = 0;

    if (!dma_ready())
        return;
    boot_dma_device(&dev, "selftest-full");
    dev.force_bounce = true;
    ccdma_device_init(&dev);
    uint8_t *buf = ccdma_plat_pages_alloc(CHUNK / CCDMA_PAGE_SIZE, UINT64_MAX);
    if (!st_check(buf != NULL, "buffer", "allocator empty"))
        return;
    while (n < MAX_MAPS) {
        err = ccdma_map_single(&dev, buf, CHUNK, CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN, &maps[n]);
        if (err)
            break;
        n++;
    }
    struct ccdma_swiotlb *pool = ccdma_swiotlb_default(true);
    ccdma_swiotlb_get_stats(pool, &s);
    st_check(err == CCDMA_ENOSPC && n > 0,
             "bounce: a full pool refuses with ENOSPC (no crash, no partial state)",
             "after %u maps: err=%d (%s)", n, err, ccdma_strerror(err));
    st_note("bounce pool: %zu slots, %u x 64 KiB maps fit, high water %zu", s.nslots, n,
            s.high_water);
    for (unsigned int i = 0; i < n; i++)
        ccdma_unmap_single(&dev, maps[i], CHUNK, CCDMA_TO_DEVICE, 0);
    ccdma_swiotlb_get_stats(pool, &s);
    err = ccdma_map_single(&dev, buf, CHUNK, CCDMA_TO_DEVICE, 0, &maps[0]);
    st_check(s.used == 0 && err == 0, "bounce: every slot comes back, and mapping works again",
             "used=%zu err=%d", s.used, err);
    if (err == 0)
        ccdma_unmap_single(&dev, maps[0], CHUNK, CCDMA_TO_DEVICE, 0);
    ccdma_plat_pages_free(buf, CHUNK / CCDMA_PAGE_SIZE);
}

/* Exhaust the shared atomic pool: it must refuse, never convert at call
 * time, and grow only in deferred work. */
SELFTEST(35, dma_atomic_exhaustion)
{
    enum { MAX_ALLOCS = 2048 };
    static void *cpu[MAX_ALLOCS];
    static ccdma_dma_t h[MAX_ALLOCS];
    struct ccdma_device dev;
    struct ccdma_pool_stats before, full, grown;
    unsigned int n = 0;
    int err = 0;

    if (!dma_ready())
        return;
    boot_dma_device(&dev, "selftest-atomic");
    ccdma_device_init(&dev);
    ccdma_atomic_pool_stats(true, &before);
    uint64_t calls0 = test_rsi_state_set_calls();
    while (n < MAX_ALLOCS) {
        err = ccdma_alloc_coherent(&dev, CCDMA_PAGE_SIZE, CCDMA_ALLOC_ATOMIC, CCDMA_ATTR_NO_WARN,
                                   &cpu[n], &h[n]);
        if (err)
            break;
        n++;
    }
    uint64_t calls = test_rsi_state_set_calls() - calls0;
    ccdma_atomic_pool_stats(true, &full);
    st_check(err == CCDMA_ENOSPC && n > 0 && calls == 0,
             "pool: an exhausted atomic pool refuses with ENOSPC, no conversion at call time",
             "after %u allocations: err=%d (%s), %llu RSI calls", n, err, ccdma_strerror(err),
             (unsigned long long)calls);
    st_note("atomic pool: %u pages fit in %zu KiB (%u chunks)", n, before.size >> 10,
            full.chunks);

    int work = ccdma_poll(); /* growth happens here, outside any allocation */
    ccdma_atomic_pool_stats(true, &grown);
    if (grown.grown > full.grown) {
        void *extra;
        ccdma_dma_t eh;
        err = ccdma_alloc_coherent(&dev, CCDMA_PAGE_SIZE, CCDMA_ALLOC_ATOMIC, 0, &extra, &eh);
        st_check(work > 0 && err == 0,
                 "pool: growth ran in ccdma_poll(), then the allocation succeeds",
                 "work=%d err=%d", work, err);
        if (err == 0)
            ccdma_free_coherent(&dev, CCDMA_PAGE_SIZE, extra, eh);
    } else {
        /* Growth converts memory: only an injected host may refuse it. */
        st_check(grown.grow_failed > full.grow_failed && test_injected_error(true) != 0,
                 "pool: growth refused by the injected host, cleanly",
                 "work=%d grown=%llu failed=%llu", work, (unsigned long long)grown.grown,
                 (unsigned long long)grown.grow_failed);
    }
    for (unsigned int i = 0; i < n; i++)
        ccdma_free_coherent(&dev, CCDMA_PAGE_SIZE, cpu[i], h[i]);
    ccdma_atomic_pool_stats(true, &grown);
    /* Growth may have added pages; every one of them must be free now. */
    st_check(grown.avail - before.avail == grown.size - before.size,
             "pool: every page back after the frees",
             "avail %zu of %zu, was %zu of %zu", grown.avail, grown.size, before.avail,
             before.size);
}

/* Last: shut the DMA layers down and require that nothing leaked. */
SELFTEST(99, dma_teardown)
{
    if (boot_dma.init_err) {
        st_skip("no leaks at shutdown", "DMA layers were not brought up");
        return;
    }
    int leaks = ccdma_shutdown();
    boot_dma.init_err = CCDMA_EBUSY; /* gone: boot_runtime_fini must not repeat it */
    st_check(leaks == 0, "dma-debug: nothing live at shutdown (no leaks)", "%d leaks", leaks);
}
