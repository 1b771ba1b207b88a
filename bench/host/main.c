/* SPDX-License-Identifier: MIT */
/*
 * ccdma_bench: the host benchmark.
 *
 *   ccdma_bench [--quick] [--out DIR]
 *   ccdma_bench --instructions    (under callgrind: see instructions.c)
 *
 * Runs the DMA layers on the host port under the CCA encoding (the realm
 * model: conversions are real RSI calls, counted), with dma-debug off, as
 * a production build would. Prints tables and writes host_map.csv,
 * host_occupancy.csv, host_coherent.csv and host_scaling.csv to DIR
 * (default: .).
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>

#include "host_platform.h"

#define ARENA_BYTES ((size_t)256 << 20)
#define SWIOTLB_BYTES ((size_t)16 << 20)
#define ATOMIC_BYTES ((size_t)1 << 20)

static void usage(const char *argv0)
{
    fprintf(stderr, "usage: %s [--quick] [--out DIR] | --instructions\n", argv0);
    exit(2);
}

int main(int argc, char **argv)
{
    struct host_platform_config port = {
        .encoding = HOST_ENC_CCA,
        .arena_bytes = ARENA_BYTES,
        .cpus = 4, /* the scaling part's threads */
        .quiet = true,
    };
    struct ccdma_config cfg = {
        .swiotlb_bytes = SWIOTLB_BYTES,
        .atomic_pool_bytes = ATOMIC_BYTES,
        .debug = false,
        .quiet = true,
    };
    struct ccdma_device dev;
    uint64_t t0 = bench_now_ns();
    bool instructions = false;
    int err, leaks;

    bench_opts.out_dir = ".";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            bench_opts.quick = true;
        else if (!strcmp(argv[i], "--instructions"))
            instructions = true;
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            bench_opts.out_dir = argv[++i];
        else
            usage(argv[0]);
    }
    /* Full: 5 passes of 7 batches of >= 200 us per row: one scheduler
     * hiccup moves a quartile, not the median, and a longer burst of load is
     * spread over every row. Quick: enough to produce every row. */
    bench_opts.passes = bench_opts.quick ? 1 : 5;
    bench_opts.rounds = bench_opts.quick ? 5 : 7;
    bench_opts.batch_ns = bench_opts.quick ? 20000 : 200000;

    err = host_platform_init(&port);
    if (!err)
        err = ccdma_init(&cfg);
    if (err)
        bench_die("set-up: %s", ccdma_strerror(err));
    /* A virtio-like device: in a realm it reaches shared memory only, so
     * private buffers bounce and shared ones go direct. */
    ccdma_device_default(&dev, "bench", UINT64_MAX);
    err = ccdma_device_init(&dev);
    if (err)
        bench_die("device: %s", ccdma_strerror(err));

    if (instructions) {
        bench_instructions(&dev);
        goto out;
    }
    printf("ccdma_bench: host port, encoding %s, bounce pool %zu KiB, atomic pools %zu KiB, "
           "dma-debug off, %s run (%u passes x %u batches, batches >= %llu us)\n",
           host_encoding_name(port.encoding), SWIOTLB_BYTES >> 10, ATOMIC_BYTES >> 10,
           bench_opts.quick ? "quick" : "full", bench_opts.passes, bench_opts.rounds,
           (unsigned long long)(bench_opts.batch_ns / 1000));
    bench_map(&dev);
    bench_occupancy(&dev);
    bench_coherent(&dev);
    bench_scaling(&dev, &cfg);
out:
    leaks = ccdma_shutdown();
    host_platform_fini();
    if (leaks)
        bench_die("%d mappings or allocations left behind", leaks);
    printf("\nccdma_bench: done in %.2f s\n", (double)(bench_now_ns() - t0) / 1e9);
    return 0;
}
