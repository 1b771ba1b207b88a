/* SPDX-License-Identifier: MIT */
/*
 * A tiny "unikernel" that embeds the installed ccdma library: it finds the
 * virtio-blk device on QEMU virt, reads the disk through ccdma_blk_read()
 * and checks the content the QEMU harness wrote (tests/qemu/disk_pattern.py),
 * writes the region the harness checks after the run, and tears everything
 * down without a leak. One "ok N - example: ..." line per check, then
 * "N passed, N failed"; the exit status through semihosting is the verdict.
 *
 * Devices are found by scanning QEMU virt's fixed virtio-mmio slots
 * (0x0a00_0000 + n * 0x200, 32 of them) instead of parsing the DTB: it keeps
 * the example free of a libfdt dependency. ccdma_virtio_mmio_identify()
 * only reads the ID registers, so probing an empty slot changes nothing. A
 * real port takes the "virtio,mmio" nodes from its DTB.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/arm64/rsi.h>
#include <ccdma/blk.h>
#include <ccdma/dma.h>

#include <picotls.h>

#include "disk_pattern.h" /* the disk contents agreed with the QEMU harness */
#include "example.h"

#define CHUNK_SECTORS 128u /* 64 KiB per request */
#define CHUNK (CHUNK_SECTORS * DISK_SECTOR)

static uint8_t buf[CHUNK] __attribute__((aligned(CCDMA_PAGE_SIZE)));
static struct ccdma_blk blk;

/* Fill or check sectors [first, first + n) of buf against a pattern.
 * Returns the number of sectors that differ. */
static unsigned int pattern(uint8_t *p, uint64_t first, unsigned int n,
                            uint64_t (*word)(uint64_t, uint64_t), bool fill)
{
    unsigned int bad = 0;

    for (unsigned int s = 0; s < n; s++) {
        uint64_t *w = (uint64_t *)(p + (size_t)s * DISK_SECTOR);
        bool same = true;
        for (unsigned int i = 0; i < DISK_SECTOR / 8; i++) {
            if (fill)
                w[i] = word(first + s, i);
            else if (w[i] != word(first + s, i))
                same = false;
        }
        bad += !same;
    }
    return bad;
}

/* Safe to ask here: start.S admits only EL1 entry, where on plain QEMU virt
 * nothing implements SMC (UNDEFINED, answered -1 by the vectors), and KVM
 * answers an unknown SMC with -1. A general port asks only over
 * the conduit its DTB's PSCI node names: an EL3 that runs no firmware could
 * swallow the SMC for ever (docs/porting.md, "Realm mode"). */
static bool detect_plain(void)
{
    struct rsi_version_answer ans = {0};
    enum rsi_mode mode = RSI_MODE_PLAIN;
    int err = rsi_detect(&mode, &ans);

    if (err == 0 && mode == RSI_MODE_PLAIN)
        return true;
    /* A realm needs a realm port of the seam (docs/porting.md, "Realm
     * mode"): this example only implements plain mode. */
    example_fatal("rsi_detect: %s, mode %d (RSI_VERSION status 0x%llx): this example runs "
                  "in plain mode only", err ? ccdma_strerror(err) : "ok", (int)mode,
                  (unsigned long long)ans.status);
}

static uintptr_t find_blk(void)
{
    uintptr_t found = 0;

    for (unsigned int n = 0; n < EXAMPLE_VIRTIO_MMIO_SLOTS; n++) {
        uintptr_t base = EXAMPLE_VIRTIO_MMIO_BASE + n * EXAMPLE_VIRTIO_MMIO_SIZE;
        struct ccdma_virtio_mmio_id id;
        if (ccdma_virtio_mmio_identify(base, EXAMPLE_VIRTIO_MMIO_SIZE, &id) != 0 ||
            id.device_id == CCDMA_VIRTIO_ID_NONE)
            continue;
        printf("example: virtio-mmio@0x%lx: device %u, version %u\n", (unsigned long)base,
               (unsigned)id.device_id, (unsigned)id.version);
        if (id.device_id == CCDMA_VIRTIO_ID_BLOCK && !found)
            found = base;
    }
    return found;
}

/* Read the harness's known region in 64 KiB requests from private memory. */
static void check_read_region(void)
{
    unsigned int bad = 0;
    int err = 0;

    for (uint64_t s = 0; s < DISK_READ_SECTORS && !err; s += CHUNK_SECTORS) {
        memset(buf, 0, CHUNK);
        err = ccdma_blk_read(&blk, s, buf, CHUNK, 0);
        if (!err)
            bad += pattern(buf, s, CHUNK_SECTORS, disk_read_word, false);
    }
    example_check(!err && bad == 0,
                  "ccdma_blk_read: sectors 0-%u (%u KiB) match the disk pattern (%s, %u bad, "
                  "path %s)", DISK_READ_SECTORS - 1, DISK_READ_SECTORS * DISK_SECTOR / 1024,
                  ccdma_strerror(err), bad, ccdma_io_path_name(ccdma_blk_last_path(&blk)));
}

/* The same through a coherent (shared) buffer, used in place. */
static void check_read_shared(void)
{
    struct ccdma_device *dev = ccdma_blk_dma_device(&blk);
    const uint64_t first = DISK_READ_SECTORS - 8;
    void *cpu = NULL;
    ccdma_dma_t handle;
    unsigned int bad = 8;

    int err = ccdma_alloc_coherent(dev, 8 * DISK_SECTOR, 0, 0, &cpu, &handle);
    if (!err) {
        err = ccdma_blk_read(&blk, first, cpu, 8 * DISK_SECTOR, CCDMA_BLK_SHARED);
        if (!err)
            bad = pattern(cpu, first, 8, disk_read_word, false);
        int ferr = ccdma_free_coherent(dev, 8 * DISK_SECTOR, cpu, handle);
        err = err ? err : ferr;
    }
    example_check(!err && bad == 0,
                  "ccdma_blk_read into a coherent buffer (CCDMA_BLK_SHARED): sectors %llu-%llu "
                  "match (%s, path %s)", (unsigned long long)first,
                  (unsigned long long)first + 7, ccdma_strerror(err),
                  ccdma_io_path_name(ccdma_blk_last_path(&blk)));
}

/* The harness signs the disks it lets a program write (disk_pattern.h): a
 * disk without the signature is somebody else's. */
static bool signed_disk(void)
{
    static const char magic[] = DISK_SIG_MAGIC;
    int err = ccdma_blk_read(&blk, DISK_SIG_SECTOR, buf, DISK_SECTOR, 0);
    return err == 0 && memcmp(buf, magic, sizeof(magic) - 1) == 0;
}

/* Write the region the harness checks in the image after QEMU exits, flush,
 * and read it back. */
static void check_write_region(void)
{
    unsigned int bad = 0;
    int err = 0;

    for (uint64_t s = DISK_WRITE_FIRST; s < DISK_WRITE_FIRST + DISK_WRITE_SECTORS && !err;
         s += CHUNK_SECTORS) {
        pattern(buf, s, CHUNK_SECTORS, disk_write_word, true);
        err = ccdma_blk_write(&blk, s, buf, CHUNK, 0);
    }
    if (!err)
        err = ccdma_blk_flush(&blk);
    for (uint64_t s = DISK_WRITE_FIRST; s < DISK_WRITE_FIRST + DISK_WRITE_SECTORS && !err;
         s += CHUNK_SECTORS) {
        memset(buf, 0, CHUNK);
        err = ccdma_blk_read(&blk, s, buf, CHUNK, 0);
        if (!err)
            bad += pattern(buf, s, CHUNK_SECTORS, disk_write_word, false);
    }
    example_check(!err && bad == 0,
                  "ccdma_blk_write + flush: sectors %u-%u written and read back (%s, %u bad)",
                  DISK_WRITE_FIRST, DISK_WRITE_FIRST + DISK_WRITE_SECTORS - 1,
                  ccdma_strerror(err), bad);
}

noreturn void example_main(unsigned int entry_el);
noreturn void example_main(unsigned int entry_el)
{
    /* picolibc keeps errno in TLS: give it its block before any libc call. */
    extern char __tls_block[];
    _init_tls(__tls_block);
    _set_tls(__tls_block);

    bool plain = detect_plain();
    printf("example: el=%u->%u mode=plain (a unikernel linking the installed ccdma)\n",
           entry_el, entry_el);
#ifdef EXAMPLE_CONFORMANCE
    /* The seam against its contract, before the runtime takes pages; the
     * example's own checks are numbered after these. */
    example_run_conformance();
#endif
    example_check(plain, "rsi_detect: no RMM answered, plain mode");

    /* Small pools: this example owns a 4 MiB page pool (unikernel.ld). */
    struct ccdma_config cfg = {
        .swiotlb_bytes = 512 << 10,
        .atomic_pool_bytes = 64 << 10,
        .debug = true,
    };
    int err = ccdma_init(&cfg);
    if (!example_check(err == 0, "ccdma_init: %s", ccdma_strerror(err)))
        example_finish();

    uintptr_t base = find_blk();
    if (!example_check(base != 0, "virtio-blk found among the %u virtio-mmio slots",
                       EXAMPLE_VIRTIO_MMIO_SLOTS))
        example_finish();
    err = ccdma_blk_probe(&blk, base, EXAMPLE_VIRTIO_MMIO_SIZE);
    if (!example_check(err == 0 && ccdma_blk_capacity(&blk) == DISK_SECTORS,
                       "ccdma_blk_probe at 0x%lx: %s, capacity %llu sectors", (unsigned long)base,
                       ccdma_strerror(err), (unsigned long long)ccdma_blk_capacity(&blk)))
        example_finish();

    check_read_region();
    check_read_shared();
    if (example_check(signed_disk(), "the test-disk signature at sector %u: the disk may be "
                      "written", DISK_SIG_SECTOR))
        check_write_region();
    err = ccdma_blk_read(&blk, DISK_SECTORS, buf, DISK_SECTOR, 0);
    example_check(err == CCDMA_EINVAL, "a read past the end is refused: %s",
                  ccdma_strerror(err));

    struct ccdma_blk_stats bs = blk.stats;
    ccdma_blk_remove(&blk);
    int leaks = ccdma_shutdown();
    struct ccdma_dma_stats ds;
    ccdma_get_stats(&ds);
    example_check(leaks == 0 && ds.leaked_pages == 0 && bs.errors == 1,
                  "teardown: %d leaked mappings, %llu leaked pages, %llu blk errors (the "
                  "refused read)", leaks, (unsigned long long)ds.leaked_pages,
                  (unsigned long long)bs.errors);
    example_check(example_pages_in_use() == 0,
                  "every page the runtime took from the seam came back (%u still out)",
                  example_pages_in_use());
    example_finish();
}
