/* SPDX-License-Identifier: MIT */
/*
 * The DMA layers from every online CPU at once: each maps and unmaps its
 * own buffers through the bounce pool (every direction, 64 B to 64 KiB)
 * and through the device's own path (direct outside a realm; in a realm
 * no device reaches private memory, so that path bounces too), and allocates and frees coherent memory,
 * while playing the device on its own slots. Every byte that crosses is
 * checked, then the boot CPU checks that nothing is left live and no
 * dma-debug report was made.
 */
#include <inttypes.h>
#include <string.h>

#include <ccdma/dma.h>
#include <ccdma/platform.h>
#include <ccdma/selftest.h>

#include "boot/cpus.h"
#include "boot/devices.h"
#include "boot/runtime.h"
#include "tests/boot/disk_pattern.h"
#include "tests/boot/test_env.h"

#define ITERATIONS 300u
#define BUF_BYTES (64u << 10)
#define WORK_BUDGET_NS 20000000000ull

struct smp_job {
    struct ccdma_device *bounce, *direct;
    uint8_t *buf;            /* BUF_BYTES, this CPU's */
    unsigned int cpu;
    unsigned int ops, bad, errs, coherent, reads;
};

/* The first disk, when it is a test disk: its known sectors are read from
 * every CPU (requests take turns on the one queue). */
static struct ccdma_blk *disk;
#define READ_SECTORS 8u

static struct ccdma_device bounce_dev, direct_dev;
static struct smp_job jobs[BOOT_MAX_CPUS];

static uint8_t pattern(unsigned int cpu, unsigned int i, size_t at)
{
    return (uint8_t)(cpu * 37u + i * 11u + at * 7u + 1u);
}

/* The device's side of a bounce slot: identity in plain mode. */
static volatile uint8_t *device_view(ccdma_dma_t dma)
{
    return (volatile uint8_t *)(uintptr_t)ccdma_plat_dma_to_phys(dma);
}

static void one_bounce(struct smp_job *j, unsigned int i)
{
    static const size_t sizes[] = {64, 512, 4096, 16384, 65536};
    static const enum ccdma_dir dirs[] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE,
                                          CCDMA_BIDIRECTIONAL};
    size_t n = sizes[i % 5];
    enum ccdma_dir dir = dirs[(i / 5) % 3];
    ccdma_dma_t dma;
    volatile uint8_t *dev;

    for (size_t k = 0; k < n; k++)
        j->buf[k] = pattern(j->cpu, i, k);
    if (ccdma_map_single(j->bounce, j->buf, n, dir, 0, &dma) != 0) {
        j->errs++;
        return;
    }
    dev = device_view(dma);
    for (size_t k = 0; k < n; k++) {
        uint8_t want = dir == CCDMA_FROM_DEVICE ? 0 : pattern(j->cpu, i, k);
        j->bad += dev[k] != want;          /* what the device reads */
        dev[k] = (uint8_t)~pattern(j->cpu, i, k); /* and what it writes */
    }
    if (ccdma_unmap_single(j->bounce, dma, n, dir, 0) != 0) {
        j->errs++;
        return;
    }
    for (size_t k = 0; k < n; k++) {
        uint8_t want = dir == CCDMA_TO_DEVICE ? pattern(j->cpu, i, k)
                                              : (uint8_t)~pattern(j->cpu, i, k);
        j->bad += j->buf[k] != want;
    }
    j->ops++;
}

static void one_direct(struct smp_job *j, unsigned int i)
{
    ccdma_dma_t dma;
    bool direct;

    if (ccdma_map_single(j->direct, j->buf, 4096, CCDMA_BIDIRECTIONAL, 0, &dma) != 0) {
        j->errs++;
        return;
    }
    direct = dma == ccdma_plat_virt_to_phys(j->buf);
    if (ccdma_unmap_single(j->direct, dma, 4096, CCDMA_BIDIRECTIONAL, 0) != 0 ||
        direct == rt.realm) {
        j->errs++;
        return;
    }
    (void)i;
    j->ops++;
}

static void one_coherent(struct smp_job *j)
{
    void *cpu;
    ccdma_dma_t h;
    bool zero = true;

    if (ccdma_alloc_coherent(j->bounce, 8192, 0, 0, &cpu, &h) != 0) {
        j->errs++;
        return;
    }
    for (size_t k = 0; k < 8192; k++)
        zero &= ((uint8_t *)cpu)[k] == 0;
    j->bad += !zero;
    memset(cpu, 0xa5, 8192);
    if (ccdma_free_coherent(j->bounce, 8192, cpu, h) != 0)
        j->errs++;
    j->coherent++;
}

/* 4 KiB of the disk's known content into this CPU's buffer, every word
 * checked. */
static void one_read(struct smp_job *j, unsigned int i)
{
    uint64_t sector = (j->cpu * 97u + i * 13u) % (DISK_READ_SECTORS - READ_SECTORS);
    const uint64_t *w = (const uint64_t *)j->buf;

    memset(j->buf, 0, READ_SECTORS * DISK_SECTOR);
    if (ccdma_blk_read(disk, sector, j->buf, READ_SECTORS * DISK_SECTOR, 0) != 0) {
        j->errs++;
        return;
    }
    for (unsigned int s = 0; s < READ_SECTORS; s++)
        for (unsigned int k = 0; k < DISK_SECTOR / 8; k++)
            j->bad += w[s * (DISK_SECTOR / 8) + k] != disk_read_word(sector + s, k);
    j->reads++;
}

static void run_job(void *arg)
{
    struct smp_job *j = arg;

    for (unsigned int i = 0; i < ITERATIONS; i++) {
        one_bounce(j, i);
        if (i % 4 == 0)
            one_direct(j, i);
        if (i % 16 == 0)
            one_coherent(j);
        if (disk && i % 32 == 0)
            one_read(j, i);
    }
}

SELFTEST(45, smp_dma)
{
    struct ccdma_debug_counters before, after;
    unsigned int cpus = 0, ops = 0, bad = 0, errs = 0, coherent = 0, waited = 0, reads = 0;
    unsigned int readers = 0;

    if (boot_cpus_online < 2 || boot_dma.init_err) {
        st_skip("concurrent DMA from every CPU", "fewer than two CPUs online");
        return;
    }
    boot_dma_device(&bounce_dev, "selftest-smp-bounce");
    bounce_dev.force_bounce = true;
    boot_dma_device(&direct_dev, "selftest-smp-direct");
    if (!st_check(ccdma_device_init(&bounce_dev) == 0 && ccdma_device_init(&direct_dev) == 0,
                  "devices", "device init failed"))
        return;
    disk = NULL;
    if (boot_virtio.n_blk > 0) {
        struct test_disk d;

        test_disk_identify(boot_blk(0), &d);
        if (d.ours)
            disk = boot_blk(0);
        else
            st_note("smp_dma: no blk reads: %s", d.why);
    }
    ccdma_debug_get_counters(&before);
    for (unsigned int c = 0; c < boot_cpus_listed; c++) {
        if (boot_cpus[c].state != BOOT_CPU_ONLINE)
            continue;
        jobs[c] = (struct smp_job){&bounce_dev, &direct_dev,
                                   ccdma_plat_pages_alloc(BUF_BYTES / CCDMA_PAGE_SIZE, UINT64_MAX),
                                   c, 0, 0, 0, 0, 0};
        if (jobs[c].buf == NULL || (c > 0 && boot_cpu_run(c, run_job, &jobs[c]) != 0)) {
            st_check(false, "work for every CPU", "CPU %u", c);
            return;
        }
        cpus++;
    }
    run_job(&jobs[0]);
    for (unsigned int c = 1; c < boot_cpus_listed; c++)
        if (jobs[c].buf && boot_cpu_wait(c, WORK_BUDGET_NS) == 0)
            waited++;
    for (unsigned int c = 0; c < boot_cpus_listed; c++) {
        if (jobs[c].buf == NULL)
            continue;
        ops += jobs[c].ops;
        bad += jobs[c].bad;
        errs += jobs[c].errs;
        coherent += jobs[c].coherent;
        reads += jobs[c].reads;
        readers += jobs[c].reads > 0;
        ccdma_plat_pages_free(jobs[c].buf, BUF_BYTES / CCDMA_PAGE_SIZE);
    }
    ccdma_debug_get_counters(&after);
    st_check(waited == cpus - 1, "every CPU finished its share", "%u of %u", waited, cpus - 1);
    st_check(errs == 0 && bad == 0,
             "concurrent map/unmap of every direction and size, coherent memory and blk "
             "reads: every byte right", "%u errors, %u wrong bytes", errs, bad);
    if (disk)
        st_check(readers == cpus, "blk reads from every CPU", "%u of %u CPUs read", readers,
                 cpus);
    st_check(after.live == before.live && after.errors == before.errors,
             "nothing left live, no dma-debug report", "live %llu -> %llu, reports %llu -> %llu",
             (unsigned long long)before.live, (unsigned long long)after.live,
             (unsigned long long)before.errors, (unsigned long long)after.errors);
    st_note("smp_dma: %u CPUs, %u mappings (%u per CPU), %u coherent allocations, %u blk "
            "reads of 4 KiB, 0 leaks if the check above passed", cpus, ops, ops / cpus, coherent,
            reads);
}
