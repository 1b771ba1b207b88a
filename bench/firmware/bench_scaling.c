/* SPDX-License-Identifier: MIT */
/*
 * Scaling, the host's part (d) on vCPUs: 64 B and 4 KiB TO_DEVICE bounce
 * map+unmap on 1, 2 and 4 CPUs at once, with the bounce pool under one
 * lock and cut in one area per CPU, in the same boot.
 *
 * The boot CPU is one of the workers and keeps the time: it starts the
 * others (boot_cpu_run), releases them together once every one is ready,
 * works for the window, then raises the stop flag and waits for them; the
 * figure is every CPU's operations over the time from the release to the
 * last CPU's end. Each CPU maps its own private buffer through the same
 * device, forced to bounce, so the plain boot measures the realm's copies.
 * Each configuration is measured in several rounds, both layouts within
 * each round (the runtime is started again for each, bench_fw_restart),
 * and every line is one round: the host takes the median.
 *
 * The time is CNTVCT, which follows the host's clock without -icount: a
 * multi-threaded TCG (one host thread per vCPU) cannot run under -icount.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/dma.h>
#include <ccdma/errors.h>

#include "bench/firmware/bench_fw.h"
#include "boot/cpus.h"
#include "boot/devices.h"

#define SCALE_CPUS 4u
#define BATCH 64u /* operations between looks at the clock or the stop flag */
/* Bounds on the handshakes, far above what a working CPU needs. */
#define READY_BUDGET_NS 5000000000ull
#define DONE_BUDGET_NS 10000000000ull

static const unsigned int scale_cpus[] = {1, 2, SCALE_CPUS};
static const size_t scale_sizes[] = {64, 4096};

struct scale_cpu {
    uint8_t *buf;  /* this CPU's private page */
    uint64_t ops;
    int err;
};

static struct {
    size_t size;
    uint32_t ready, go, stop; /* accessed atomically */
    struct scale_cpu cpu[SCALE_CPUS];
} run;

static struct ccdma_device dev;

static uint32_t load(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void store(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

static int map_unmap(uint8_t *buf, size_t size, bool check)
{
    ccdma_dma_t a;
    int err = ccdma_map_single(&dev, buf, size, CCDMA_TO_DEVICE, 0, &a);

    if (!err && check && !ccdma_is_bounced(&dev, a))
        err = CCDMA_EINVAL; /* not what is measured */
    if (!err)
        err = ccdma_unmap_single(&dev, a, size, CCDMA_TO_DEVICE, 0);
    return err;
}

/* BATCH operations, or fewer after an error (which stops every CPU). */
static bool batch(struct scale_cpu *c)
{
    for (unsigned int i = 0; i < BATCH; i++) {
        c->err = map_unmap(c->buf, run.size, false);
        if (c->err) {
            store(&run.stop, 1);
            return false;
        }
        c->ops++;
    }
    return true;
}

/* A secondary's share: one checked mapping untimed, then work until stop. */
static void secondary(void *arg)
{
    struct scale_cpu *c = arg;

    c->ops = 0;
    c->err = map_unmap(c->buf, run.size, true);
    __atomic_fetch_add(&run.ready, 1, __ATOMIC_ACQ_REL);
    if (c->err) {
        store(&run.stop, 1);
        return;
    }
    while (!load(&run.go))
        ;
    while (!load(&run.stop) && batch(c))
        ;
}

/* Operations per second of all n CPUs together, or 0 after an error. */
static uint64_t scale_once(unsigned int n, size_t size, uint64_t window)
{
    struct scale_cpu *boot = &run.cpu[0];
    uint64_t total = 0, deadline;
    unsigned int posted = 1;
    int err = 0;

    run.size = size;
    store(&run.ready, 0);
    store(&run.go, 0);
    store(&run.stop, 0);
    boot->ops = 0;
    boot->err = map_unmap(boot->buf, size, true);
    for (unsigned int i = 1; i < n && !boot->err; i++, posted++)
        if (boot_cpu_run(i, secondary, &run.cpu[i]) != 0) {
            printf("bench: error scaling CPU %u cannot be given work\n", i);
            boot->err = CCDMA_EINVAL;
            break;
        }
    deadline = ccdma_plat_time_ns() + READY_BUDGET_NS;
    while (load(&run.ready) != posted - 1 && ccdma_plat_time_ns() < deadline)
        ;
    if (load(&run.ready) != posted - 1) {
        printf("bench: error scaling %u of %u CPUs ready\n", load(&run.ready), posted - 1);
        err = CCDMA_ETIMEDOUT;
        store(&run.stop, 1);
    }
    uint64_t t0 = bench_ticks();
    store(&run.go, 1);
    while (!err && !boot->err && !load(&run.stop) && batch(boot))
        if (bench_ticks() - t0 >= window)
            store(&run.stop, 1);
    store(&run.stop, 1);
    for (unsigned int i = 1; i < posted; i++)
        if (boot_cpu_wait(i, DONE_BUDGET_NS) != 0) {
            printf("bench: error scaling CPU %u did not finish\n", i);
            err = CCDMA_ETIMEDOUT;
        }
    uint64_t ticks = bench_ticks() - t0;
    for (unsigned int i = 0; i < posted && !err; i++) {
        if (run.cpu[i].err) {
            printf("bench: error scaling %zu on CPU %u: %s\n", size, i,
                   ccdma_strerror(run.cpu[i].err));
            err = run.cpu[i].err;
        }
        total += run.cpu[i].ops;
    }
    if (err || ticks == 0)
        return 0;
    /* ops * CNTFRQ / ticks, without overflowing: ops stays far below 2^32
     * and CNTFRQ below 2^32. */
    return total * bench_fw.cntfrq / ticks;
}

void bench_fw_scaling(void)
{
    const unsigned int rounds = bench_fw.quick ? 3 : 7;
    const unsigned int window_ms = bench_fw.quick ? 20 : 200;
    const uint64_t window = bench_fw.cntfrq * window_ms / 1000;
    const unsigned int areas[] = {1, SCALE_CPUS};
    const unsigned int boot_areas = boot_dma.cfg.swiotlb_areas;

    if (boot_cpus_online < SCALE_CPUS) {
        printf("bench: error scaling needs %u CPUs online, %u are (boot with -smp %u)\n",
               SCALE_CPUS, boot_cpus_online, SCALE_CPUS);
        bench_fw.errors++;
        return;
    }
    for (unsigned int i = 0; i < SCALE_CPUS; i++) {
        run.cpu[i].buf = ccdma_plat_pages_alloc(1, UINT64_MAX);
        if (!run.cpu[i].buf) {
            printf("bench: error scaling no pages\n");
            bench_fw.errors++;
            goto out;
        }
        memset(run.cpu[i].buf, (int)i + 1, CCDMA_PAGE_SIZE);
    }
    printf("bench: scaling begin rounds=%u window_ms=%u cpus=%u\n", rounds, window_ms,
           boot_cpus_online);
    for (unsigned int r = 0; r < rounds; r++)
        for (unsigned int a = 0; a < sizeof(areas) / sizeof(areas[0]); a++) {
            int err = bench_fw_restart(areas[a]);

            boot_dma_device(&dev, "bench-scaling");
            dev.force_bounce = true;
            err = err ? err : ccdma_device_init(&dev);
            if (err) {
                printf("bench: error scaling restart with %u areas: %s\n", areas[a],
                       ccdma_strerror(err));
                bench_fw.errors++;
                goto out;
            }
            for (unsigned int s = 0; s < sizeof(scale_sizes) / sizeof(scale_sizes[0]); s++)
                for (unsigned int t = 0; t < sizeof(scale_cpus) / sizeof(scale_cpus[0]); t++) {
                    uint64_t ops = scale_once(scale_cpus[t], scale_sizes[s], window);

                    if (!ops) {
                        bench_fw.errors++;
                        goto out;
                    }
                    printf("bench: scaling cpus=%u areas=%u size=%zu round=%u ops_per_sec=%llu\n",
                           scale_cpus[t], areas[a], scale_sizes[s], r,
                           (unsigned long long)ops);
                }
        }
out:
    /* The run goes on with the boot's own layout. */
    if (bench_fw_restart(boot_areas) != 0)
        bench_fw.errors++;
    for (unsigned int i = 0; i < SCALE_CPUS; i++)
        if (run.cpu[i].buf) {
            ccdma_plat_pages_free(run.cpu[i].buf, 1);
            run.cpu[i].buf = NULL;
        }
}
