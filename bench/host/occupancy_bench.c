/* SPDX-License-Identifier: MIT */
/*
 * (b) The bounce allocator as its pool fills: map+unmap of one page at
 * occupancies from 0% to 95% of a pool fragmented by mappings of random
 * sizes, held and released in random order (fixed seed: every run builds
 * the same pool). The cost should stay nearly flat; segment_probes per map
 * shows how much of the pool the slot search looked at.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#define PROBE_SIZE CCDMA_PAGE_SIZE
#define HELD_MAX_BYTES (64u << 10)

struct held {
    ccdma_dma_t addr;
    size_t size;
};

static struct {
    struct ccdma_device *dev;
    struct ccdma_swiotlb *pool;
    void *src;
    struct held *held;
    size_t n, cap;
    uint64_t rng;
} st;

static uint64_t next_rand(void)
{
    /* xorshift64: a fixed sequence, so the fragmentation is reproducible. */
    st.rng ^= st.rng << 13;
    st.rng ^= st.rng >> 7;
    st.rng ^= st.rng << 17;
    return st.rng;
}

/* Log-uniform-ish sizes from 512 B to 64 KiB in whole sectors: many small
 * mappings and a few large ones, as a mix of block and network I/O. */
static size_t random_size(void)
{
    size_t base = (size_t)512 << (next_rand() % 8);
    size_t size = base + (size_t)(next_rand() % base) / 512 * 512;

    return size > HELD_MAX_BYTES ? HELD_MAX_BYTES : size;
}

static struct ccdma_swiotlb_stats pool_stats(void)
{
    struct ccdma_swiotlb_stats s;

    if (ccdma_swiotlb_get_stats(st.pool, &s))
        bench_die("no bounce pool statistics");
    return s;
}

static double occupancy(void)
{
    struct ccdma_swiotlb_stats s = pool_stats();

    return (double)s.used / (double)s.nslots;
}

/* Hold one more mapping of a random size; false when the pool is full. */
static bool hold_one(void)
{
    size_t size = random_size();
    ccdma_dma_t addr;
    int err = ccdma_map_single(st.dev, st.src, size, CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN, &addr);

    if (err == CCDMA_ENOSPC)
        return false;
    if (err)
        bench_die("holding a %zu-byte mapping: %s", size, ccdma_strerror(err));
    if (st.n == st.cap)
        bench_die("more than %zu held mappings", st.cap);
    st.held[st.n++] = (struct held){addr, size};
    return true;
}

static void release_at(size_t i)
{
    int err = ccdma_unmap_single(st.dev, st.held[i].addr, st.held[i].size, CCDMA_TO_DEVICE, 0);

    if (err)
        bench_die("releasing a held mapping: %s", ccdma_strerror(err));
    st.held[i] = st.held[--st.n];
}

static void release_random(void)
{
    release_at((size_t)(next_rand() % st.n));
}

/* Fill past the target, then free at random down to it, then churn: the
 * holes end up scattered, as after a long run of mixed I/O. */
static void reach(double target)
{
    double high = target + (1.0 - target) / 2;

    while (st.n)
        release_at(st.n - 1);
    while (occupancy() < high && hold_one())
        ;
    while (st.n && occupancy() > target)
        release_random();
    for (size_t round = 0, rounds = 2 * st.n; round < rounds && st.n; round++) {
        release_random();
        while (occupancy() < target && hold_one())
            ;
    }
}

static int op_probe(void *p)
{
    (void)p;
    ccdma_dma_t addr;
    int err = ccdma_map_single(st.dev, st.src, PROBE_SIZE, CCDMA_TO_DEVICE, 0, &addr);

    if (err)
        return err;
    return ccdma_unmap_single(st.dev, addr, PROBE_SIZE, CCDMA_TO_DEVICE, 0);
}

/* Fragmentation can leave no aligned page-sized hole at all; then the
 * search would measure a failure, so make room and say what was reached. */
static void make_room(void)
{
    while (st.n && op_probe(NULL) == CCDMA_ENOSPC)
        release_random();
}

/* What one level measured, pooled over the passes. */
struct level {
    struct bench_row row;
    double occupancy;          /* percent, the same every pass */
    size_t held;
    uint64_t probes, maps;
};

/* Rebuild the level's pool (the same one every pass: the seed depends on
 * the level only) and time map+unmap in it. */
static void measure_level(unsigned int pct, struct level *lv)
{
    st.rng = 0x6363646d61ull + pct; /* "ccdma" */
    reach(pct / 100.0);
    make_room();
    struct ccdma_swiotlb_stats before = pool_stats();
    lv->occupancy = 100.0 * (double)before.used / (double)before.nslots;
    lv->held = st.n;
    bench_row_pass(&lv->row);
    struct ccdma_swiotlb_stats after = pool_stats();
    lv->probes += after.segment_probes - before.segment_probes;
    lv->maps += after.maps - before.maps;
}

void bench_occupancy(struct ccdma_device *dev)
{
    static const unsigned int full_levels[] = {0, 10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95};
    static const unsigned int quick_levels[] = {0, 50, 95};
    const unsigned int *levels = bench_opts.quick ? quick_levels : full_levels;
    size_t nlevels = bench_opts.quick ? sizeof(quick_levels) / sizeof(quick_levels[0])
                                      : sizeof(full_levels) / sizeof(full_levels[0]);
    static struct level lv[sizeof(full_levels) / sizeof(full_levels[0])];
    const bench_op_fn ops[] = {op_probe};
    void *const ctx[] = {NULL};
    struct ccdma_swiotlb_stats s0;
    FILE *csv;

    st.dev = dev;
    st.pool = ccdma_swiotlb_default(true);
    if (!st.pool)
        bench_die("no shared bounce pool");
    s0 = pool_stats();
    st.cap = s0.nslots;
    st.held = calloc(st.cap, sizeof(*st.held));
    st.src = ccdma_plat_pages_alloc(HELD_MAX_BYTES / CCDMA_PAGE_SIZE, UINT64_MAX);
    if (!st.held || !st.src)
        bench_die("out of memory");
    memset(st.src, 0x3c, HELD_MAX_BYTES);
    for (size_t i = 0; i < nlevels; i++)
        bench_row_init(&lv[i].row, 1, ops, ctx);
    for (unsigned int p = 0; p < bench_opts.passes; p++)
        for (size_t i = 0; i < nlevels; i++)
            measure_level(levels[i], &lv[i]);

    csv = bench_csv_open("host_occupancy.csv",
                         "target_pct,occupancy_pct,held_mappings,map_unmap_ns,iqr_ns,"
                         "segment_probes_per_map,samples");
    printf("\n(b) map+unmap of %u bytes (to_device) in a fragmented %zu-slot pool "
           "(%zu segments)\n", PROBE_SIZE, s0.nslots, s0.nslots / CCDMA_SWIOTLB_SEGMENT_SLOTS);
    printf("%7s %10s %7s %18s %16s\n", "target", "occupancy", "held", "map+unmap ns",
           "probes per map");
    for (size_t i = 0; i < nlevels; i++) {
        struct bench_summary r;
        double probes = (double)lv[i].probes / (double)lv[i].maps;

        bench_row_summary(&lv[i].row, 0, &r);
        bench_row_free(&lv[i].row);
        printf("%6u%% %9.1f%% %7zu %9.1f [%6.1f] %16.2f\n", levels[i], lv[i].occupancy,
               lv[i].held, r.median_ns, r.iqr_ns, probes);
        fprintf(csv, "%u,%.2f,%zu,%.2f,%.2f,%.3f,%u\n", levels[i], lv[i].occupancy, lv[i].held,
                r.median_ns, r.iqr_ns, probes, r.samples);
    }
    bench_csv_close(csv, "host_occupancy.csv");
    while (st.n)
        release_at(st.n - 1);
    ccdma_plat_pages_free(st.src, HELD_MAX_BYTES / CCDMA_PAGE_SIZE);
    free(st.held);
}
