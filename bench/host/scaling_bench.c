/* SPDX-License-Identifier: MIT */
/*
 * (d) Scaling: bounce map+unmap throughput with 1, 2 and 4 threads, each a
 * CPU of its own (host_platform_set_cpu), with the bounce pool under one
 * lock and cut in one area per thread, in the same run.
 *
 * Every thread maps and unmaps its own private buffer TO_DEVICE through the
 * same device for a fixed time, started together by a barrier; the figure
 * is the operations of all threads over that time. Each configuration is
 * measured in several rounds, the configurations interleaved within each
 * round, and the median round is reported with the lowest and highest.
 * The runtime is started again for each pool layout (ccdma_swiotlb_areas),
 * so one binary compares both. It runs last: the runtime it leaves behind
 * is the one main() shuts down.
 */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "host_platform.h"

#define SCALE_MAX_THREADS 4u
#define SCALE_ROUNDS_FULL 7u
#define SCALE_ROUNDS_QUICK 1u

static const unsigned int scale_threads[] = {1, 2, 4};
static const unsigned int scale_areas[] = {1, 4};
static const size_t scale_sizes[] = {64, 4096};

struct scale_run {
    struct ccdma_device *dev;
    size_t size;
    unsigned int nthreads;
    uint64_t run_ns;
    pthread_barrier_t start;
    atomic_bool stop;
    uint64_t ops[SCALE_MAX_THREADS];
    int err[SCALE_MAX_THREADS];
};

struct scale_arg {
    struct scale_run *run;
    unsigned int idx;
    void *buf;
};

static void *scale_thread(void *p)
{
    struct scale_arg *a = p;
    struct scale_run *run = a->run;
    struct bench_map_ctx c = {.dev = run->dev, .buf = a->buf, .size = run->size,
                              .dir = CCDMA_TO_DEVICE};
    uint64_t n = 0;
    int err = 0;

    host_platform_set_cpu(a->idx);
    pthread_barrier_wait(&run->start);
    while (!atomic_load_explicit(&run->stop, memory_order_relaxed) && !err) {
        for (unsigned int i = 0; i < 64 && !err; i++)
            err = bench_op_map_unmap(&c);
        n += 64;
    }
    run->ops[a->idx] = n;
    run->err[a->idx] = err;
    return NULL;
}

/* Operations per second of all threads together, for one run. */
static double scale_once(struct ccdma_device *dev, void *const *bufs, unsigned int nthreads,
                         size_t size, uint64_t run_ns)
{
    struct scale_run run = {.dev = dev, .size = size, .nthreads = nthreads, .run_ns = run_ns};
    struct scale_arg args[SCALE_MAX_THREADS];
    pthread_t tid[SCALE_MAX_THREADS];
    uint64_t t0, t1, total = 0;

    if (pthread_barrier_init(&run.start, NULL, nthreads + 1))
        bench_die("scaling: barrier");
    atomic_init(&run.stop, false);
    for (unsigned int i = 0; i < nthreads; i++) {
        args[i] = (struct scale_arg){&run, i, bufs[i]};
        if (pthread_create(&tid[i], NULL, scale_thread, &args[i]))
            bench_die("scaling: thread");
    }
    pthread_barrier_wait(&run.start);
    t0 = bench_now_ns();
    while (bench_now_ns() - t0 < run_ns)
        ;
    atomic_store(&run.stop, true);
    for (unsigned int i = 0; i < nthreads; i++)
        pthread_join(tid[i], NULL);
    t1 = bench_now_ns();
    pthread_barrier_destroy(&run.start);
    for (unsigned int i = 0; i < nthreads; i++) {
        if (run.err[i])
            bench_die("scaling: map+unmap failed: %s", ccdma_strerror(run.err[i]));
        total += run.ops[i];
    }
    return (double)total * 1e9 / (double)(t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void runtime_restart(const struct ccdma_config *cfg, struct ccdma_device *dev)
{
    int err;

    if (ccdma_shutdown())
        bench_die("scaling: mappings left behind");
    err = ccdma_init(cfg);
    if (!err)
        err = ccdma_device_init(dev);
    if (err)
        bench_die("scaling: restart: %s", ccdma_strerror(err));
}

void bench_scaling(struct ccdma_device *dev, const struct ccdma_config *base)
{
    enum { NT = sizeof(scale_threads) / sizeof(scale_threads[0]),
           NA = sizeof(scale_areas) / sizeof(scale_areas[0]),
           NS = sizeof(scale_sizes) / sizeof(scale_sizes[0]) };
    unsigned int rounds = bench_opts.quick ? SCALE_ROUNDS_QUICK : SCALE_ROUNDS_FULL;
    uint64_t run_ns = bench_opts.quick ? 20000000ull : 200000000ull;
    double res[NA][NS][NT][SCALE_ROUNDS_FULL];
    void *bufs[SCALE_MAX_THREADS];
    struct ccdma_config cfg = *base;
    FILE *csv;

    printf("\n(d) scaling: 64 B and 4 KiB TO_DEVICE bounce map+unmap, all threads together "
           "(%u rounds of %llu ms)\n", rounds, (unsigned long long)(run_ns / 1000000));
    for (unsigned int r = 0; r < rounds; r++) {
        for (unsigned int a = 0; a < NA; a++) {
            cfg.swiotlb_areas = scale_areas[a];
            runtime_restart(&cfg, dev);
            /* The buffers come from the runtime's page allocator: private
             * memory, so every mapping bounces. */
            for (unsigned int i = 0; i < SCALE_MAX_THREADS; i++) {
                bufs[i] = ccdma_plat_pages_alloc(1, UINT64_MAX);
                if (!bufs[i])
                    bench_die("scaling: buffer");
                memset(bufs[i], (int)i, CCDMA_PAGE_SIZE);
            }
            for (unsigned int s = 0; s < NS; s++)
                for (unsigned int t = 0; t < NT; t++)
                    res[a][s][t][r] = scale_once(dev, bufs, scale_threads[t], scale_sizes[s],
                                                 run_ns);
            for (unsigned int i = 0; i < SCALE_MAX_THREADS; i++)
                ccdma_plat_pages_free(bufs[i], 1);
        }
    }
    cfg.swiotlb_areas = base->swiotlb_areas;
    runtime_restart(&cfg, dev);

    csv = bench_csv_open("host_scaling.csv",
                         "threads,areas,size,mops,mops_min,mops_max,per_thread_mops,rounds");
    printf("%8s %6s %7s %12s %12s %12s\n", "threads", "areas", "size", "Mops/s", "min",
           "max");
    for (unsigned int s = 0; s < NS; s++)
        for (unsigned int t = 0; t < NT; t++)
            for (unsigned int a = 0; a < NA; a++) {
                double *v = res[a][s][t];

                qsort(v, rounds, sizeof(v[0]), cmp_double);
                printf("%8u %6u %7zu %12.3f %12.3f %12.3f\n", scale_threads[t],
                       scale_areas[a], scale_sizes[s], v[rounds / 2] / 1e6, v[0] / 1e6,
                       v[rounds - 1] / 1e6);
                fprintf(csv, "%u,%u,%zu,%.4f,%.4f,%.4f,%.4f,%u\n", scale_threads[t],
                        scale_areas[a], scale_sizes[s], v[rounds / 2] / 1e6, v[0] / 1e6,
                        v[rounds - 1] / 1e6, v[rounds / 2] / 1e6 / scale_threads[t], rounds);
            }
    bench_csv_close(csv, "host_scaling.csv");
}
