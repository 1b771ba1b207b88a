/* SPDX-License-Identifier: MIT */
/*
 * Several CPUs (threads) through the DMA layers at once: every direction
 * and size of streaming mapping, partial syncs, coherent allocations from
 * the page allocator and from the atomic pools, and pool growth, all on one
 * device, with the bounce pool cut in per-CPU areas and with one area.
 *
 * Each thread keeps HELD mappings of its own buffers live at a time and
 * plays the device for them through the DMA address: it checks that the
 * device sees exactly the bytes mapped toward it, in shared memory under
 * CC, and writes what the CPU must get back. A phase where every thread
 * holds a full set at once overfills the pool, so maps fail with ENOSPC
 * and growth runs while the others map. Afterwards nothing may be live
 * (dma-debug, the pool's used count, ccdma_shutdown), no byte may have
 * been lost or mixed up, and a canary no thread ever mapped toward the
 * device must be nowhere in shared memory.
 *
 *   test_dma_smp ENCODING [--threads N] [--ops N]
 */
#define _POSIX_C_SOURCE 200809L
#include "dma_test.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 8
#define HELD 6
#define BUF_BYTES ((size_t)64 << 10)
#define POOL_BYTES ((size_t)512 << 10)

static const size_t sizes[] = {1, 63, 64, 100, 2048, 2049, 4096, 4097, 8192, 30000, 65536};
static const enum ccdma_dir dirs[] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE, CCDMA_BIDIRECTIONAL};

static unsigned int nthreads = 4, nops = 4000;
static struct ccdma_device dev;
static pthread_barrier_t phase;
static atomic_bool workers_done;
static unsigned int cur_areas;
static const char canary[] = "smp-canary: never mapped toward a device";

struct held {
    bool live;
    ccdma_dma_t dma;
    size_t size;
    enum ccdma_dir dir;
    uint8_t seed;
};

struct worker {
    unsigned int idx;
    uint8_t *bufs; /* HELD buffers of BUF_BYTES, private */
    struct held h[HELD];
    uint64_t rng;
    /* results, read by the main thread after join */
    uint64_t maps, unmaps, syncs, full, allocs, atomic_allocs;
    unsigned int errors;
    char first_error[160];
};

static struct worker workers[MAX_THREADS];

static uint32_t rnd(struct worker *w)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return (uint32_t)(w->rng >> 16);
}

static void fail(struct worker *w, const char *what, int err)
{
    if (!w->errors++)
        snprintf(w->first_error, sizeof(w->first_error), "thread %u: %s (%s)", w->idx, what,
                 ccdma_strerror(err));
}

static uint8_t cpu_byte(unsigned int k, uint8_t seed) { return (uint8_t)(k * 7u + seed); }
static uint8_t dev_byte(unsigned int k, uint8_t seed) { return (uint8_t)(k * 13u + seed + 101u); }

/* The device's view of [dma, dma+size): a T=0 device reaches shared memory
 * only, so under CC a bounce address must carry the shared encoding. */
static uint8_t *device_view(struct worker *w, ccdma_dma_t dma)
{
    if (T.cc && !t_is_shared(dma)) {
        fail(w, "a T=0 device was given a private address", CCDMA_EFAULT);
        return NULL;
    }
    return ccdma_plat_phys_to_virt(t_decode(dma));
}

static void map_one(struct worker *w, unsigned int slot, size_t size, enum ccdma_dir dir)
{
    struct held *h = &w->h[slot];
    uint8_t *buf = w->bufs + slot * BUF_BYTES, *view;
    int err;

    h->seed = (uint8_t)rnd(w);
    for (size_t k = 0; k < size; k++)
        buf[k] = cpu_byte((unsigned int)k, h->seed);
    err = ccdma_map_single(&dev, buf, size, dir, CCDMA_ATTR_NO_WARN, &h->dma);
    if (err == CCDMA_ENOSPC) {
        w->full++;
        return;
    }
    if (err) {
        fail(w, "map", err);
        return;
    }
    w->maps++;
    view = device_view(w, h->dma);
    if (!view)
        return;
    for (size_t k = 0; k < size; k++) {
        uint8_t want = dir == CCDMA_FROM_DEVICE ? 0 : cpu_byte((unsigned int)k, h->seed);

        if (view[k] != want) {
            fail(w, dir == CCDMA_FROM_DEVICE ? "a FROM_DEVICE slot is not zero-filled"
                                             : "the device does not see the mapped bytes",
                 CCDMA_EFAULT);
            break;
        }
    }
    if (dir != CCDMA_TO_DEVICE)
        for (size_t k = 0; k < size; k++)
            view[k] = dev_byte((unsigned int)k, h->seed);
    h->live = true;
    h->size = size;
    h->dir = dir;
}

/* What the CPU must see in the first n bytes once the device is done. */
static bool cpu_sees_device(const uint8_t *buf, size_t n, const struct held *h)
{
    for (size_t k = 0; k < n; k++) {
        uint8_t want = h->dir == CCDMA_TO_DEVICE ? cpu_byte((unsigned int)k, h->seed)
                                                 : dev_byte((unsigned int)k, h->seed);

        if (buf[k] != want)
            return false;
    }
    return true;
}

static void unmap_one(struct worker *w, unsigned int slot)
{
    struct held *h = &w->h[slot];
    uint8_t *buf = w->bufs + slot * BUF_BYTES;
    int err;

    if (h->dir != CCDMA_TO_DEVICE && (rnd(w) & 3) == 0) {
        size_t half = h->size / 2 ? h->size / 2 : 1;

        err = ccdma_sync_for_cpu(&dev, h->dma, half, h->dir);
        if (err)
            fail(w, "sync_for_cpu", err);
        else if (!cpu_sees_device(buf, half, h))
            fail(w, "a partial sync brought back the wrong bytes", CCDMA_EFAULT);
        w->syncs++;
    }
    err = ccdma_unmap_single(&dev, h->dma, h->size, h->dir, 0);
    h->live = false;
    if (err) {
        fail(w, "unmap", err);
        return;
    }
    w->unmaps++;
    if (!cpu_sees_device(buf, h->size, h))
        fail(w, "unmap brought back the wrong bytes", CCDMA_EFAULT);
}

static void coherent_one(struct worker *w)
{
    bool atomic = rnd(w) & 1;
    size_t size = atomic ? CCDMA_PAGE_SIZE : (size_t)CCDMA_PAGE_SIZE << (rnd(w) % 3);
    void *cpu;
    ccdma_dma_t handle;
    uint8_t *view;
    int err;

    err = ccdma_alloc_coherent(&dev, size, atomic ? CCDMA_ALLOC_ATOMIC : 0, 0, &cpu, &handle);
    if (atomic && err == CCDMA_ENOSPC) {
        w->full++;
        return;
    }
    if (err) {
        fail(w, "alloc_coherent", err);
        return;
    }
    w->allocs++;
    w->atomic_allocs += atomic;
    if (!t_all_bytes(cpu, 0, size))
        fail(w, "coherent memory is not zeroed", CCDMA_EFAULT);
    view = device_view(w, handle);
    memset(cpu, 0x5a, size);
    if (view && !t_all_bytes(view, 0x5a, size))
        fail(w, "the device does not see coherent memory", CCDMA_EFAULT);
    err = ccdma_free_coherent(&dev, size, cpu, handle);
    if (err)
        fail(w, "free_coherent", err);
}

static void release_all(struct worker *w)
{
    for (unsigned int s = 0; s < HELD; s++)
        if (w->h[s].live)
            unmap_one(w, s);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    /* Every thread holds a full set at once: 4 x 6 x 64 KiB overfills the
     * 512 KiB pool, so some maps fail and growth is flagged. */
    pthread_barrier_wait(&phase);
    for (unsigned int s = 0; s < HELD; s++)
        map_one(w, s, BUF_BYTES, dirs[s % 3]);
    pthread_barrier_wait(&phase);
    release_all(w);
    /* Thread 0 also asks for growth while the others map (the poller
     * thread may have grown the pool first). */
    if (w->idx == 0)
        ccdma_poll();
    for (unsigned int op = 0; op < nops; op++) {
        unsigned int r = rnd(w), slot = r % HELD;

        if (r % 17 == 0)
            coherent_one(w);
        else if (w->h[slot].live)
            unmap_one(w, slot);
        else
            map_one(w, slot, sizes[(r >> 8) % (sizeof(sizes) / sizeof(sizes[0]))],
                    dirs[(r >> 16) % 3]);
    }
    release_all(w);
    return NULL;
}

/* Deferred growth runs beside the workers, as the runtime's idle loop
 * would. */
static void *poller_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&workers_done)) {
        ccdma_poll();
        sched_yield();
    }
    return NULL;
}

static void stress(void)
{
    struct ccdma_swiotlb *pool = ccdma_swiotlb_default(true);
    uint64_t ops = 0, maps = 0, full = 0, allocs = 0;
    struct ccdma_swiotlb_stats st;
    pthread_t tid[MAX_THREADS], poller;
    unsigned int errors = 0;
    uint8_t *secret = t_pages(1);

    memcpy(secret, canary, sizeof(canary));
    ccdma_device_default(&dev, "smp", UINT64_MAX);
    dev.force_bounce = true; /* bounce under plain too */
    REQUIRE(ccdma_device_init(&dev) == CCDMA_OK);
    REQUIRE(pthread_barrier_init(&phase, NULL, nthreads) == 0);
    atomic_store(&workers_done, false);
    for (unsigned int i = 0; i < nthreads; i++) {
        memset(&workers[i], 0, sizeof(workers[i]));
        workers[i].idx = i;
        workers[i].rng = 0x9e3779b97f4a7c15ull * (i + 1);
        workers[i].bufs = t_pages(HELD * BUF_BYTES / CCDMA_PAGE_SIZE);
    }
    REQUIRE(pthread_create(&poller, NULL, poller_main, NULL) == 0);
    for (unsigned int i = 0; i < nthreads; i++)
        REQUIRE(pthread_create(&tid[i], NULL, worker_main, &workers[i]) == 0);
    for (unsigned int i = 0; i < nthreads; i++)
        REQUIRE(pthread_join(tid[i], NULL) == 0);
    atomic_store(&workers_done, true);
    REQUIRE(pthread_join(poller, NULL) == 0);

    for (unsigned int i = 0; i < nthreads; i++) {
        struct worker *w = &workers[i];

        printf("# thread %u: %llu maps, %llu unmaps, %llu syncs, %llu coherent "
               "(%llu atomic), %llu refused full\n", i, (unsigned long long)w->maps,
               (unsigned long long)w->unmaps, (unsigned long long)w->syncs,
               (unsigned long long)w->allocs, (unsigned long long)w->atomic_allocs,
               (unsigned long long)w->full);
        if (w->errors)
            printf("# %s (%u errors)\n", w->first_error, w->errors);
        errors += w->errors;
        ops += w->maps + w->unmaps + w->syncs + w->allocs;
        maps += w->maps;
        full += w->full;
        allocs += w->allocs;
        CHECK(w->maps > nops / 4, "every thread mapped");
    }
    CHECK_EQ(errors, 0, "every byte as the direction says, on every thread");
    CHECK(full > 0, "the overfilled pool refused maps");
    CHECK(allocs > 0, "coherent allocations ran beside the maps");
    st = t_pool_stats(pool);
    CHECK_EQ(st.used, 0, "no slot left taken");
    CHECK(st.grown >= 1 && st.regions >= 2, "the pool grew while the threads mapped");
    CHECK_EQ(t_debug().live, 0, "dma-debug: nothing live");
    if (T.cc) /* without CC every page counts as shared */
        CHECK_EQ(t_scan_shared(canary, sizeof(canary) - 1), 0,
                 "the canary never mapped toward a device is in no shared page");
    printf("# %u threads, %u bounce areas: %llu operations (%llu maps), 0 live\n", nthreads,
           cur_areas, (unsigned long long)ops, (unsigned long long)maps);
    for (unsigned int i = 0; i < nthreads; i++)
        t_pages_free(workers[i].bufs, HELD * BUF_BYTES / CCDMA_PAGE_SIZE);
    t_pages_free(secret, 1);
    REQUIRE(ccdma_device_release(&dev) == CCDMA_OK);
    pthread_barrier_destroy(&phase);
}

int main(int argc, char **argv)
{
    static const unsigned int areas[] = {1, 4};

    t_start(argc, argv, "dma_smp");
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads"))
            nthreads = (unsigned int)strtoul(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--ops"))
            nops = (unsigned int)strtoul(argv[i + 1], NULL, 0);
    }
    REQUIRE(nthreads >= 1 && nthreads <= MAX_THREADS);
    for (size_t a = 0; a < sizeof(areas) / sizeof(areas[0]); a++) {
        struct ccdma_config c = t_config();
        char name[64];

        c.swiotlb_bytes = POOL_BYTES;
        c.swiotlb_dynamic = true;
        c.swiotlb_areas = areas[a];
        cur_areas = areas[a];
        snprintf(name, sizeof(name), "%u threads, %u bounce areas", nthreads, areas[a]);
        t_run_with(stress, name, &c);
    }
    return t_finish();
}
