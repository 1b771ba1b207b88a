/* SPDX-License-Identifier: MIT */
/*
 * (b) The bounce allocator as its pool fills with mappings of mixed sizes.
 *
 * A 16 MiB pool is filled to each occupancy level with TO_DEVICE mappings
 * of random sizes from 2 KiB to 256 KiB (log-uniform: as many 2-4 KiB
 * mappings as 128-256 KiB ones), past the level, then released at random
 * down to it and churned, so the free space is scattered as after a long
 * run of mixed I/O. Then one mapping of each size from 2 KiB to 256 KiB is
 * tried (and given back). Each level is built POOLS times from different
 * seeds; the failure rate of a size is the share of those pools where it did
 * not fit. The fragmentation beside it: how many free runs the free space is
 * in, their mean length and the longest (ccdma_swiotlb_get_stats()). And the
 * time of a 4 KiB map+unmap in each level's first pool, as before, with the
 * segments its search probed.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#define PROBE_SIZE CCDMA_PAGE_SIZE
#define MIN_TRY (2u << 10)
#define MAX_TRY (256u << 10)
#define NTRY 8 /* 2 KiB .. 256 KiB */

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

/* Log-uniform from 2 KiB to 256 KiB in whole sectors: an octave at random,
 * then a size within it. */
static size_t random_size(void)
{
    size_t base = (size_t)MIN_TRY << (next_rand() % 7);
    size_t size = base + (size_t)(next_rand() % base) / 512 * 512;

    return size > MAX_TRY ? MAX_TRY : size;
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

static int map_size(size_t size, ccdma_dma_t *addr)
{
    return ccdma_map_single(st.dev, st.src, size, CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN, addr);
}

/* Hold one more mapping of a random size; false when it did not fit. */
static bool hold_one(void)
{
    size_t size = random_size();
    ccdma_dma_t addr;
    int err = map_size(size, &addr);

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

/* Fill past the target (giving up on a size after a few misses, as a
 * driver would back off), free at random down to it, then churn. */
static void reach(double target)
{
    double high = target + (1.0 - target) / 2;
    unsigned int misses = 0;

    while (st.n)
        release_at(st.n - 1);
    while (occupancy() < high && misses < 64)
        misses = hold_one() ? 0 : misses + 1;
    while (st.n && occupancy() > target)
        release_random();
    for (size_t round = 0, rounds = 2 * st.n; round < rounds && st.n; round++) {
        release_random();
        misses = 0;
        while (occupancy() < target && misses < 8)
            misses = hold_one() ? 0 : misses + 1;
    }
}

static int op_probe(void *p)
{
    (void)p;
    ccdma_dma_t addr;
    int err = map_size(PROBE_SIZE, &addr);

    if (err)
        return err;
    return ccdma_unmap_single(st.dev, addr, PROBE_SIZE, CCDMA_TO_DEVICE, 0);
}

/* What one level measured, pooled over its pools and the passes. */
struct level {
    struct bench_row row;
    double occupancy, free_runs, mean_run, longest_run; /* sums over pools */
    unsigned int pools, failures[NTRY];
    bool timed;                 /* the 4 KiB probe fitted in the timed pool */
    uint64_t probes, maps;
};

static uint64_t level_seed(unsigned int pct, unsigned int pool)
{
    return 0x6363646d61ull + pct * 977u + pool * 7919u; /* "ccdma" */
}

/* One pool of a level: build it, record its fragmentation, try each size. */
static void try_sizes(unsigned int pct, unsigned int pool, struct level *lv)
{
    struct ccdma_swiotlb_stats s;

    st.rng = level_seed(pct, pool);
    reach(pct / 100.0);
    s = pool_stats();
    lv->pools++;
    lv->occupancy += 100.0 * (double)s.used / (double)s.nslots;
    lv->free_runs += (double)s.free_runs;
    lv->mean_run += s.free_runs ? (double)(s.nslots - s.used) / (double)s.free_runs : 0.0;
    lv->longest_run += (double)s.longest_free_run;
    for (unsigned int k = 0; k < NTRY; k++) {
        size_t size = (size_t)MIN_TRY << k;
        ccdma_dma_t addr;
        int err = map_size(size, &addr);

        if (err == CCDMA_ENOSPC) {
            lv->failures[k]++;
            continue;
        }
        if (err)
            bench_die("a %zu-byte try: %s", size, ccdma_strerror(err));
        if (ccdma_unmap_single(st.dev, addr, size, CCDMA_TO_DEVICE, 0))
            bench_die("giving a try back");
    }
}

/* The level's first pool again (the same every pass), and a timed 4 KiB
 * map+unmap in it, if one fits. */
static void time_level(unsigned int pct, struct level *lv)
{
    struct ccdma_swiotlb_stats before, after;
    ccdma_dma_t addr;

    st.rng = level_seed(pct, 0);
    reach(pct / 100.0);
    if (map_size(PROBE_SIZE, &addr) != CCDMA_OK)
        return;
    ccdma_unmap_single(st.dev, addr, PROBE_SIZE, CCDMA_TO_DEVICE, 0);
    lv->timed = true;
    before = pool_stats();
    bench_row_pass(&lv->row);
    after = pool_stats();
    lv->probes += after.segment_probes - before.segment_probes;
    lv->maps += after.maps - before.maps;
}

void bench_occupancy(struct ccdma_device *dev)
{
    static const unsigned int full_levels[] = {0, 10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95};
    static const unsigned int quick_levels[] = {0, 50, 80, 95};
    const unsigned int *levels = bench_opts.quick ? quick_levels : full_levels;
    size_t nlevels = bench_opts.quick ? sizeof(quick_levels) / sizeof(quick_levels[0])
                                      : sizeof(full_levels) / sizeof(full_levels[0]);
    const unsigned int npools = bench_opts.quick ? 2 : 8;
    static struct level lv[sizeof(full_levels) / sizeof(full_levels[0])];
    const bench_op_fn ops[] = {op_probe};
    void *const ctx[] = {NULL};
    struct ccdma_swiotlb_stats s0;
    FILE *csv, *tcsv;

    st.dev = dev;
    st.pool = ccdma_swiotlb_default(true);
    if (!st.pool)
        bench_die("no shared bounce pool");
    s0 = pool_stats();
    st.cap = s0.nslots;
    st.held = calloc(st.cap, sizeof(*st.held));
    st.src = ccdma_plat_pages_alloc(MAX_TRY / CCDMA_PAGE_SIZE, UINT64_MAX);
    if (!st.held || !st.src)
        bench_die("out of memory");
    memset(st.src, 0x3c, MAX_TRY);
    for (size_t i = 0; i < nlevels; i++) {
        bench_row_init(&lv[i].row, 1, ops, ctx);
        for (unsigned int p = 0; p < npools; p++)
            try_sizes(levels[i], p, &lv[i]);
    }
    for (unsigned int p = 0; p < bench_opts.passes; p++)
        for (size_t i = 0; i < nlevels; i++)
            time_level(levels[i], &lv[i]);

    csv = bench_csv_open("host_occupancy.csv",
                         "target_pct,occupancy_pct,free_runs,mean_free_run_kib,"
                         "longest_free_run_kib,size,pools,failures,failure_rate");
    tcsv = bench_csv_open("host_occupancy_time.csv",
                          "target_pct,occupancy_pct,map_unmap_4k_ns,iqr_ns,"
                          "segment_probes_per_map,samples");
    printf("\n(b) a %zu-slot pool (%zu segments) filled with mappings of 2 KiB to 256 KiB: the "
           "share of %u pools per level where one more mapping of a size does not fit\n",
           s0.nslots, s0.nslots / CCDMA_SWIOTLB_SEGMENT_SLOTS, npools);
    printf("%7s %9s %9s %9s %9s", "target", "occupied", "free runs", "mean run", "longest");
    for (unsigned int k = 0; k < NTRY; k++)
        printf(" %6zuK", ((size_t)MIN_TRY << k) >> 10);
    printf(" %14s %7s\n", "4 KiB ns", "probes");
    for (size_t i = 0; i < nlevels; i++) {
        struct level *l = &lv[i];
        double occ = l->occupancy / l->pools, runs = l->free_runs / l->pools;
        double mean_kib = l->mean_run / l->pools * CCDMA_SWIOTLB_SLOT_SIZE / 1024.0;
        double longest_kib = l->longest_run / l->pools * CCDMA_SWIOTLB_SLOT_SIZE / 1024.0;
        struct bench_summary r = {0};

        printf("%6u%% %8.1f%% %9.0f %7.1fK %7.1fK", levels[i], occ, runs, mean_kib, longest_kib);
        for (unsigned int k = 0; k < NTRY; k++) {
            printf(" %6.0f%%", 100.0 * l->failures[k] / l->pools);
            fprintf(csv, "%u,%.2f,%.1f,%.2f,%.2f,%zu,%u,%u,%.4f\n", levels[i], occ, runs,
                    mean_kib, longest_kib, (size_t)MIN_TRY << k, l->pools, l->failures[k],
                    (double)l->failures[k] / l->pools);
        }
        if (l->timed && l->row.filled) {
            bench_row_summary(&l->row, 0, &r);
            printf(" %8.1f [%4.1f] %7.2f\n", r.median_ns, r.iqr_ns,
                   (double)l->probes / (double)l->maps);
            fprintf(tcsv, "%u,%.2f,%.2f,%.2f,%.3f,%u\n", levels[i], occ, r.median_ns, r.iqr_ns,
                    (double)l->probes / (double)l->maps, r.samples);
        } else {
            printf(" %14s %7s\n", "no fit", "");
        }
        bench_row_free(&l->row);
    }
    bench_csv_close(csv, "host_occupancy.csv");
    bench_csv_close(tcsv, "host_occupancy_time.csv");
    while (st.n)
        release_at(st.n - 1);
    ccdma_plat_pages_free(st.src, MAX_TRY / CCDMA_PAGE_SIZE);
    free(st.held);
}
