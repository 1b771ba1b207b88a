/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the virtio driver against the in-process fake device, in CC
 * (realm encoding, private memory by default) or plain mode:
 *   test_virtio --mode cca|sev|plain
 *
 * After every test: no DMA allocation or mapping is left (ccdma_shutdown),
 * dma-debug saw no misuse, no MMIO access fell outside a device window, and
 * the fake saw no private address (CC) and no driver protocol mistake,
 * unless the test provokes exactly that.
 */
#include <ccdma/blk.h>
#include <ccdma/virtio.h>

#include "fake_virtio.h"
#include "host_mmio.h"
#include "virtio_test_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLK_BASE ((uintptr_t)0x0a003e00u)
#define RNG_BASE ((uintptr_t)0x0a003c00u)
#define EMPTY_BASE ((uintptr_t)0x0a000000u)
#define DISK_BYTES (1u << 20)
#define DISK_SECTORS (DISK_BYTES / 512u)
#define SHORT_BUDGET_NS 50000000ull

static bool g_cc;
static bool g_failed;
static char g_why[512];

/* What the wrapper tolerates from the fakes in the current test. */
static unsigned int g_allow_cc_violations, g_allow_drv_errors;
/* Mappings and allocations the test left to a device on purpose (one whose
 * reset never completed): exactly that many must be live at shutdown. */
static int g_allow_dma_leaks;

static struct fake_dev F_blk, F_rng, F_empty;
static struct ccdma_blk B;
static struct ccdma_rng R;
static uint8_t g_disk[DISK_BYTES];

#define MAX_TRACKED 16
static struct { void *va; size_t pages; } g_priv[MAX_TRACKED];
static struct { struct ccdma_device *dev; void *va; size_t size; ccdma_dma_t h; } g_shared[MAX_TRACKED];
static struct { struct fake_dev *d; uintptr_t base; } g_fakes[4];

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
    if (g_failed)
        return; /* keep the first reason */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_why, sizeof(g_why), fmt, ap);
    va_end(ap);
    g_failed = true;
}

/* Stop the test (jump to its cleanup) unless cond holds. */
#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            failf(__VA_ARGS__);                                                \
            goto out;                                                          \
        }                                                                      \
    } while (0)
#define CHECK_RC(expr, want)                                                   \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        CHECK(rc_ == (want), "%s = %d (%s), want %d (%s)", #expr, rc_,         \
              ccdma_strerror(rc_), (want), ccdma_strerror(want));              \
    } while (0)

/* ---- Fixtures ------------------------------------------------------------------ */

static uint8_t disk_byte(uint64_t off)
{
    return (uint8_t)(off * 7u + off / 512u + 0x5a);
}

static void disk_fill(void)
{
    for (uint64_t o = 0; o < DISK_BYTES; o++)
        g_disk[o] = disk_byte(o);
}

static void use_fake(struct fake_dev *d, uintptr_t base)
{
    for (unsigned int i = 0; i < 4; i++) {
        if (g_fakes[i].d == NULL) {
            if (fake_attach(d, base) != 0) {
                failf("fake_attach at 0x%lx failed", (unsigned long)base);
                return;
            }
            g_fakes[i].d = d;
            g_fakes[i].base = base;
            return;
        }
    }
    failf("too many fakes");
}

static void blk_fake(void)
{
    disk_fill();
    fake_blk_init(&F_blk, g_disk, DISK_BYTES, g_cc);
    use_fake(&F_blk, BLK_BASE);
}

static void rng_fake(uint64_t seed)
{
    fake_rng_init(&F_rng, seed, g_cc);
    use_fake(&F_rng, RNG_BASE);
}

/* Private (guest) memory from the platform page allocator. */
static void *priv_alloc(size_t size)
{
    size_t pages = (size + CCDMA_PAGE_SIZE - 1) / CCDMA_PAGE_SIZE;
    for (unsigned int i = 0; i < MAX_TRACKED; i++) {
        if (g_priv[i].va == NULL) {
            void *va = ccdma_plat_pages_alloc(pages, UINT64_MAX);
            if (va == NULL)
                failf("ccdma_plat_pages_alloc(%zu) failed", pages);
            g_priv[i].va = va;
            g_priv[i].pages = pages;
            return va;
        }
    }
    failf("too many private buffers");
    return NULL;
}

/* Shared memory: a coherent allocation on dev. */
static void *shared_alloc(struct ccdma_device *dev, size_t size)
{
    for (unsigned int i = 0; i < MAX_TRACKED; i++) {
        if (g_shared[i].va == NULL) {
            int rc = ccdma_alloc_coherent(dev, size, 0, 0, &g_shared[i].va, &g_shared[i].h);
            if (rc != 0) {
                failf("ccdma_alloc_coherent(%zu) = %s", size, ccdma_strerror(rc));
                return NULL;
            }
            g_shared[i].dev = dev;
            g_shared[i].size = size;
            return g_shared[i].va;
        }
    }
    failf("too many shared buffers");
    return NULL;
}

static void fill(void *buf, size_t len, uint8_t seed)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 13u + i / 256u);
}

/* Where the device saw data descriptor k, against the caller's buffer. */
static bool device_saw_buffer(const struct fake_dev *d, unsigned int k, const void *buf)
{
    return k < d->last_ndata && d->last_data_pa[k] == ccdma_plat_virt_to_phys(buf);
}

static enum ccdma_io_path private_path(void)
{
    /* A normal device reaches only shared memory in a realm. */
    return g_cc ? CCDMA_PATH_BOUNCED : CCDMA_PATH_DIRECT;
}

/* Probe the blk fake, or fail the test. */
#define BLK_UP()                                                               \
    do {                                                                       \
        blk_fake();                                                            \
        CHECK(!g_failed, "fixture");                                           \
        CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);               \
    } while (0)
#define RNG_UP(seed)                                                           \
    do {                                                                       \
        rng_fake(seed);                                                        \
        CHECK(!g_failed, "fixture");                                           \
        CHECK_RC(ccdma_rng_probe(&R, RNG_BASE, FAKE_WINDOW), 0);               \
    } while (0)

/* ---- Transport and negotiation -------------------------------------------------------- */

static void t_identify(void)
{
    struct ccdma_virtio_mmio_id id;
    blk_fake();
    rng_fake(1);
    fake_rng_init(&F_empty, 0, g_cc);
    F_empty.device_id = 0;
    use_fake(&F_empty, EMPTY_BASE);
    CHECK(!g_failed, "fixture");

    CHECK_RC(ccdma_virtio_mmio_identify(BLK_BASE, FAKE_WINDOW, &id), 0);
    CHECK(id.magic == 0x74726976u && id.version == 2 && id.device_id == 2 &&
          id.vendor_id == 0x554d4551u, "blk id %x %u %u %x", id.magic, id.version,
          id.device_id, id.vendor_id);
    CHECK_RC(ccdma_virtio_mmio_identify(RNG_BASE, FAKE_WINDOW, &id), 0);
    CHECK(id.device_id == CCDMA_VIRTIO_ID_RNG, "rng device id %u", id.device_id);
    CHECK_RC(ccdma_virtio_mmio_identify(EMPTY_BASE, FAKE_WINDOW, &id), 0);
    CHECK(id.device_id == CCDMA_VIRTIO_ID_NONE, "empty slot id %u", id.device_id);
    /* Probing the wrong kind of device leaves it untouched. */
    CHECK_RC(ccdma_blk_probe(&B, RNG_BASE, FAKE_WINDOW), CCDMA_ENODEV);
    CHECK_RC(ccdma_blk_probe(&B, EMPTY_BASE, FAKE_WINDOW), CCDMA_ENODEV);
    CHECK_RC(ccdma_rng_probe(&R, BLK_BASE, FAKE_WINDOW), CCDMA_ENODEV);
    CHECK(F_rng.status_writes == 0 && F_empty.status_writes == 0 && F_blk.status_writes == 0,
          "a foreign slot's status was written");
    /* Windows the driver must refuse before any access. */
    CHECK_RC(ccdma_virtio_mmio_identify(BLK_BASE, 0x80, &id), CCDMA_EINVAL);
    CHECK_RC(ccdma_virtio_mmio_identify(BLK_BASE + 2, FAKE_WINDOW, &id), CCDMA_EINVAL);
    CHECK_RC(ccdma_virtio_mmio_identify(0, FAKE_WINDOW, &id), CCDMA_EINVAL);
    F_blk.magic = 0x12345678u;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ENODEV);
out:;
}

static void t_blk_probe(void)
{
    BLK_UP();
    uint64_t f = B.vdev.features;
    CHECK(ccdma_blk_capacity(&B) == DISK_SECTORS, "capacity %llu",
          (unsigned long long)ccdma_blk_capacity(&B));
    CHECK(f & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_VERSION_1), "VERSION_1 not negotiated");
    CHECK(((f >> CCDMA_VIRTIO_F_ACCESS_PLATFORM) & 1) == g_cc,
          "ACCESS_PLATFORM negotiated=%d in %s mode", (int)((f >> 33) & 1), g_cc ? "cc" : "plain");
    CHECK(f & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_FLUSH), "FLUSH not negotiated");
    CHECK(!(f & (CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_INDIRECT_DESC) |
                 CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_EVENT_IDX))),
          "accepted a feature the hardened ring does not implement: 0x%llx",
          (unsigned long long)f);
    CHECK(F_blk.drv_features == f, "device saw 0x%llx, driver says 0x%llx",
          (unsigned long long)F_blk.drv_features, (unsigned long long)f);
    CHECK(F_blk.status == 15, "device status 0x%x, want ACK|DRIVER|FEATURES_OK|DRIVER_OK",
          F_blk.status);
    CHECK(B.vq.num == CCDMA_VIRTQ_MAX && F_blk.qnum == CCDMA_VIRTQ_MAX,
          "queue size %u (device %u)", B.vq.num, F_blk.qnum);
    CHECK(B.seg_max == CCDMA_VIRTQ_MAX - 2, "seg_max %u", B.seg_max);
    CHECK(B.vdev.state == CCDMA_VIRTIO_READY, "state %d", B.vdev.state);
    CHECK(ccdma_coherent_is_shared(&B.vdev.dma, B.vq.used_dma) == true,
          "the used ring is not shared memory");
out:;
}

static void t_no_version_1(void)
{
    blk_fake();
    F_blk.offered &= ~CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_VERSION_1);
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ENODEV);
    CHECK((F_blk.status & 128) && !(F_blk.status & 4), "device status 0x%x, want FAILED",
          F_blk.status);
out:;
}

/* Refused in CC mode; in plain mode the device is usable without it. */
static void t_no_access_platform(void)
{
    blk_fake();
    F_blk.offered &= ~CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM);
    F_blk.required = 0;
    int rc = ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW);
    if (g_cc) {
        CHECK(rc == CCDMA_ENODEV, "probe = %s, want ENODEV", ccdma_strerror(rc));
        CHECK((F_blk.status & 128) && !(F_blk.status & 4), "status 0x%x, want FAILED",
              F_blk.status);
    } else {
        CHECK(rc == 0, "probe = %s", ccdma_strerror(rc));
        CHECK(!(B.vdev.features & CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM)),
              "negotiated a feature never offered");
    }
out:;
}

/* Legacy virtio-mmio: refused untouched under CC (no ACCESS_PLATFORM),
 * driven in plain mode: GuestPageSize, one ring area by QueuePFN, no
 * FEATURES_OK, and data both ways. */
static void t_legacy(void)
{
    blk_fake();
    F_blk.version = 1;
    F_blk.offered &= 0xffffffffu; /* no VERSION_1: a legacy device predates it */
    F_blk.required = 0;
    if (g_cc) {
        CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ENOTSUP);
        CHECK(F_blk.status_writes == 0, "a legacy device was driven");
    } else {
        CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
        CHECK(B.vdev.legacy && F_blk.qready && F_blk.page_size == 4096 && F_blk.align == 4096,
              "legacy queue: ready %u page %u align %u", F_blk.qready, F_blk.page_size,
              F_blk.align);
        CHECK(F_blk.desc == B.vq.desc_dma && F_blk.used == B.vq.used_dma &&
                  F_blk.avail == B.vq.avail_dma,
              "the device found the rings elsewhere");
        uint8_t *buf = priv_alloc(4096);
        CHECK(buf != NULL, "alloc");
        CHECK_RC(ccdma_blk_read(&B, 3, buf, 4096, 0), 0);
        CHECK(memcmp(buf, g_disk + 3 * 512, 4096) == 0, "read over legacy");
        memset(buf, 0xa5, 1024);
        CHECK_RC(ccdma_blk_write(&B, 9, buf, 1024, 0), 0);
        CHECK(memcmp(buf, g_disk + 9 * 512, 1024) == 0, "write over legacy");
        CHECK(F_blk.drv_errors == 0, "%u driver errors on the legacy interface",
              F_blk.drv_errors);
        ccdma_blk_remove(&B);
        CHECK(F_blk.status == 0 && F_blk.pfn == 0, "not reset on remove");
    }
    F_blk.version = 3;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ENODEV);
out:;
}

static void t_features_ok_refused(void)
{
    blk_fake();
    F_blk.refuse_features = true;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ENODEV);
    CHECK(F_blk.status & 128, "status 0x%x, want FAILED", F_blk.status);
    /* ACCESS_PLATFORM required by the device is always accepted when offered. */
    F_blk.refuse_features = false;
    F_blk.offered |= CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM);
    F_blk.required = CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_F_ACCESS_PLATFORM);
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
out:;
}

static void t_queue_limits(void)
{
    blk_fake();
    F_blk.queue_num_max = 0;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ENODEV);
    F_blk.queue_num_max = 2; /* header + status: no room for data */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ENODEV);
    F_blk.queue_num_max = 100; /* not a power of two */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    CHECK(B.vq.num == 64, "queue size %u for max 100", B.vq.num);
    ccdma_blk_remove(&B);
    F_blk.queue_num_max = 6;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    CHECK(B.vq.num == 4 && B.seg_max == 2, "queue %u seg_max %u for max 6", B.vq.num, B.seg_max);
    uint8_t *buf = priv_alloc(1024);
    CHECK(buf != NULL, "alloc");
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 1024, 0), 0);
    CHECK(memcmp(buf, g_disk, 1024) == 0, "data");
    ccdma_blk_remove(&B);
    F_blk.queue_num_max = 128;
    F_blk.queue_ready_stuck = 1; /* a queue live straight after reset */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_EPROTO);
out:;
}

static void t_config_checks(void)
{
    blk_fake();
    F_blk.cfg[3] = 0; /* seg_max 0 */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_EPROTO);
    F_blk.cfg[3] = 126;
    F_blk.cfg[0] = F_blk.cfg[1] = 0xffffffffu; /* capacity beyond any byte offset */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_EPROTO);
    F_blk.cfg[0] = DISK_SECTORS;
    F_blk.cfg[1] = 0;
    F_blk.offered |= CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SIZE_MAX);
    F_blk.cfg[2] = 100; /* size_max below one sector */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_EPROTO);
    F_blk.cfg[2] = 4096;
    F_blk.cfg[3] = 3;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    CHECK(B.size_max == 4096 && B.seg_max == 3, "size_max %u seg_max %u", B.size_max, B.seg_max);
out:;
}

static void t_reset_timeout(void)
{
    blk_fake();
    F_blk.ignore_reset = true;
    uint64_t t0 = ccdma_plat_time_ns();
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_ETIMEDOUT);
    uint64_t ms = (ccdma_plat_time_ns() - t0) / 1000000u;
    CHECK(ms >= CCDMA_VIRTIO_DEFAULT_BUDGET_NS / 2000000u &&
          ms < CCDMA_VIRTIO_DEFAULT_BUDGET_NS / 1000000u + 2000u, "gave up after %llu ms",
          (unsigned long long)ms);
out:;
}

/* ---- virtio-blk data paths -------------------------------------------------------------------- */

static void t_blk_read_private(void)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(8 * 512);
    CHECK(buf != NULL, "alloc");
    memset(buf, 0xee, 8 * 512);
    CHECK_RC(ccdma_blk_read(&B, 5, buf, 8 * 512, 0), 0);
    CHECK(memcmp(buf, g_disk + 5 * 512, 8 * 512) == 0, "data differs from the disk");
    CHECK(ccdma_blk_last_path(&B) == private_path(), "path %s",
          ccdma_io_path_name(ccdma_blk_last_path(&B)));
    /* The device's own view agrees: a bounce is somewhere else. */
    CHECK(device_saw_buffer(&F_blk, 0, buf) == !g_cc, "device saw pa 0x%llx, buffer 0x%llx",
          (unsigned long long)F_blk.last_data_pa[0],
          (unsigned long long)ccdma_plat_virt_to_phys(buf));
    CHECK(B.stats.reads == 1 && B.stats.errors == 0, "stats");
out:;
}

static void t_blk_write_private(void)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(4096), *back = priv_alloc(4096);
    CHECK(buf != NULL && back != NULL, "alloc");
    fill(buf, 4096, 0x31);
    CHECK_RC(ccdma_blk_write(&B, 100, buf, 4096, 0), 0);
    CHECK(memcmp(g_disk + 100 * 512, buf, 4096) == 0, "disk differs from what was written");
    CHECK(g_disk[100 * 512 - 1] == disk_byte(100 * 512 - 1) &&
          g_disk[108 * 512] == disk_byte(108 * 512), "write spilled outside its sectors");
    CHECK(ccdma_blk_last_path(&B) == private_path(), "path %s",
          ccdma_io_path_name(ccdma_blk_last_path(&B)));
    CHECK_RC(ccdma_blk_read(&B, 100, back, 4096, 0), 0);
    CHECK(memcmp(back, buf, 4096) == 0, "read back differs");
out:;
}

static void t_blk_shared(void)
{
    BLK_UP();
    struct ccdma_device *dev = ccdma_blk_dma_device(&B);
    uint8_t *w = shared_alloc(dev, 8192), *r = shared_alloc(dev, 8192);
    CHECK(w != NULL && r != NULL, "alloc");
    fill(w, 8192, 0x77);
    CHECK_RC(ccdma_blk_write(&B, 64, w, 8192, CCDMA_BLK_SHARED), 0);
    CHECK(ccdma_blk_last_path(&B) == CCDMA_PATH_DIRECT, "write path %s",
          ccdma_io_path_name(ccdma_blk_last_path(&B)));
    CHECK(device_saw_buffer(&F_blk, 0, w), "device did not use the shared buffer in place");
    CHECK(memcmp(g_disk + 64 * 512, w, 8192) == 0, "disk differs");
    CHECK_RC(ccdma_blk_read(&B, 64, r, 8192, CCDMA_BLK_SHARED), 0);
    CHECK(ccdma_blk_last_path(&B) == CCDMA_PATH_DIRECT, "read path %s",
          ccdma_io_path_name(ccdma_blk_last_path(&B)));
    CHECK(device_saw_buffer(&F_blk, 0, r), "device did not fill the shared buffer in place");
    CHECK(memcmp(r, w, 8192) == 0, "read back differs");
    CHECK(B.stats.segs_direct == 2 && B.stats.segs_bounced == 0, "stats %llu direct %llu bounced",
          (unsigned long long)B.stats.segs_direct, (unsigned long long)B.stats.segs_bounced);
out:;
}

static void t_blk_multiseg(void)
{
    BLK_UP();
    size_t lens[3] = {512, 4096, 1536};
    struct ccdma_blk_seg rs[3], ws[3];
    for (int k = 0; k < 3; k++) {
        rs[k] = (struct ccdma_blk_seg){priv_alloc(lens[k]), lens[k]};
        ws[k] = (struct ccdma_blk_seg){priv_alloc(lens[k]), lens[k]};
        CHECK(rs[k].buf != NULL && ws[k].buf != NULL, "alloc");
        fill(ws[k].buf, lens[k], (uint8_t)(0x10 * k + 1));
    }
    CHECK_RC(ccdma_blk_readv(&B, 7, rs, 3, 0), 0);
    CHECK(F_blk.last_ndata == 3, "device saw %u data segments", F_blk.last_ndata);
    uint64_t off = 7 * 512;
    for (int k = 0; k < 3; k++) {
        CHECK(memcmp(rs[k].buf, g_disk + off, lens[k]) == 0, "segment %d differs", k);
        off += lens[k];
    }
    CHECK_RC(ccdma_blk_writev(&B, 300, ws, 3, 0), 0);
    off = 300 * 512;
    for (int k = 0; k < 3; k++) {
        CHECK(memcmp(g_disk + off, ws[k].buf, lens[k]) == 0, "disk segment %d differs", k);
        off += lens[k];
    }
    CHECK(ccdma_blk_last_path(&B) == private_path(), "path %s",
          ccdma_io_path_name(ccdma_blk_last_path(&B)));
    CHECK(B.stats.segs_bounced == (g_cc ? 6u : 0u), "segs bounced %llu",
          (unsigned long long)B.stats.segs_bounced);
out:;
}

static void t_blk_flush(void)
{
    BLK_UP();
    CHECK_RC(ccdma_blk_flush(&B), 0);
    CHECK(F_blk.flushes == 1, "device flushed %u times", F_blk.flushes);
    ccdma_blk_remove(&B);
    /* No FLUSH feature: nothing to send. */
    F_blk.offered &= ~CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_FLUSH);
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    unsigned int before = F_blk.requests;
    CHECK_RC(ccdma_blk_flush(&B), 0);
    CHECK(F_blk.requests == before, "a flush reached a device without FLUSH");
out:;
}

static void t_blk_bad_requests(void)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(8192);
    CHECK(buf != NULL, "alloc");
    uint64_t cap = ccdma_blk_capacity(&B);
    unsigned int before = F_blk.requests;
    CHECK_RC(ccdma_blk_read(&B, cap, buf, 512, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_read(&B, cap - 1, buf, 1024, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_write(&B, UINT64_MAX, buf, 512, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_write(&B, UINT64_MAX / 512, buf, 512, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 0, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 100, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 513, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_read(&B, 0, NULL, 512, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 512, 0x80), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_readv(&B, 0, NULL, 1, 0), CCDMA_EINVAL);
    struct ccdma_blk_seg segs[CCDMA_BLK_MAX_SEGS + 1];
    for (unsigned int k = 0; k <= CCDMA_BLK_MAX_SEGS; k++)
        segs[k] = (struct ccdma_blk_seg){buf + 512 * (k % 16), 512};
    CHECK_RC(ccdma_blk_readv(&B, 0, segs, 0, 0), CCDMA_EINVAL);
    CHECK_RC(ccdma_blk_readv(&B, 0, segs, CCDMA_BLK_MAX_SEGS + 1, 0), CCDMA_EINVAL);
    CHECK(F_blk.requests == before, "%u bad requests reached the device",
          F_blk.requests - before);
    for (uint64_t o = 0; o < DISK_BYTES; o++)
        CHECK(g_disk[o] == disk_byte(o), "disk changed at %llu", (unsigned long long)o);
    /* The last sector itself is fine. */
    CHECK_RC(ccdma_blk_read(&B, cap - 1, buf, 512, 0), 0);
    CHECK(memcmp(buf, g_disk + (cap - 1) * 512, 512) == 0, "last sector");
    CHECK(B.vdev.state == CCDMA_VIRTIO_READY, "bad arguments broke the device");
    ccdma_blk_remove(&B);
    /* A device limit on segments is honoured: more segments are split
     * into requests the device takes, never posted whole. */
    F_blk.cfg[3] = 4;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    before = F_blk.requests;
    CHECK_RC(ccdma_blk_readv(&B, 0, segs, 4, 0), 0);
    CHECK(F_blk.requests == before + 1, "4 segments took %u requests", F_blk.requests - before);
    before = F_blk.requests;
    CHECK_RC(ccdma_blk_readv(&B, 0, segs, 5, 0), 0);
    CHECK(F_blk.requests == before + 2 && F_blk.last_ndata == 1,
          "5 segments under seg_max 4: %u requests, last with %u", F_blk.requests - before,
          F_blk.last_ndata);
    CHECK(F_blk.drv_errors == 0, "%u driver errors", F_blk.drv_errors);
out:;
}

/* A queue of 4 descriptors leaves 2 for data: a 3-segment request is split
 * and every byte lands where it belongs; a size_max cuts segments too. */
static void t_blk_small_queue(void)
{
    blk_fake();
    F_blk.queue_num_max = 4;
    F_blk.cfg[3] = 126; /* as QEMU: seg_max from the configured queue size, not the real one */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    CHECK(B.seg_max == 2, "seg_max %u for a queue of 4", B.seg_max);
    uint8_t *buf = priv_alloc(8192);
    CHECK(buf != NULL, "alloc");
    struct ccdma_blk_seg segs[3] = {{buf, 1024}, {buf + 1024, 3072}, {buf + 4096, 4096}};
    unsigned int before = F_blk.requests;
    CHECK_RC(ccdma_blk_readv(&B, 2, segs, 3, 0), 0);
    CHECK(F_blk.requests == before + 2, "%u requests", F_blk.requests - before);
    CHECK(memcmp(buf, g_disk + 1024, 8192) == 0, "data read through a split request");
    for (unsigned int i = 0; i < 8192; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    CHECK_RC(ccdma_blk_writev(&B, 40, segs, 3, 0), 0);
    CHECK(memcmp(buf, g_disk + 40 * 512, 8192) == 0, "data written through a split request");
    CHECK(B.stats.split == 2, "split %llu", (unsigned long long)B.stats.split);
    ccdma_blk_remove(&B);

    fake_blk_init(&F_blk, g_disk, DISK_BYTES, g_cc); /* still attached */
    F_blk.offered |= CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_SIZE_MAX);
    F_blk.cfg[2] = 1024; /* size_max */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    before = F_blk.requests;
    CHECK_RC(ccdma_blk_read(&B, 4, buf, 8192, 0), 0);
    CHECK(F_blk.requests == before + 1 && F_blk.last_ndata == 8,
          "8 KiB under size_max 1 KiB: %u requests, %u segments", F_blk.requests - before,
          F_blk.last_ndata);
    for (unsigned int k = 0; k < F_blk.last_ndata; k++)
        CHECK(F_blk.last_data_len[k] <= 1024, "segment %u of %u bytes", k, F_blk.last_data_len[k]);
    CHECK(memcmp(buf, g_disk + 4 * 512, 8192) == 0, "data read in size_max pieces");
    CHECK(F_blk.drv_errors == 0, "%u driver errors", F_blk.drv_errors);
out:;
}

static void t_blk_read_only(void)
{
    blk_fake();
    F_blk.offered |= CCDMA_VIRTIO_BIT(CCDMA_VIRTIO_BLK_F_RO);
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    uint8_t *buf = priv_alloc(512);
    CHECK(buf != NULL, "alloc");
    unsigned int before = F_blk.requests;
    CHECK_RC(ccdma_blk_write(&B, 0, buf, 512, 0), CCDMA_EROFS);
    CHECK(F_blk.requests == before, "a write reached a read-only device");
    CHECK(strcmp(ccdma_strerror(CCDMA_EROFS), "read-only device") == 0, "EROFS is named");
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 512, 0), 0);
out:;
}

/* Device-reported errors are errors, not broken protocol. */
static void t_blk_device_errors(void)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(1024);
    CHECK(buf != NULL, "alloc");
    F_blk.evil = EVIL_STATUS;
    F_blk.evil_status = 1;
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 1024, 0), CCDMA_EIO);
    F_blk.evil_status = 2;
    CHECK_RC(ccdma_blk_write(&B, 0, buf, 1024, 0), CCDMA_ENOTSUP);
    F_blk.evil_status = 0x42;
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 1024, 0), CCDMA_EIO);
    F_blk.evil = EVIL_NO_STATUS;
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 1024, 0), CCDMA_EIO);
    F_blk.evil = EVIL_LEN_SHORT; /* claims less than the data it owed */
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 1024, 0), CCDMA_EIO);
    CHECK(B.vdev.state == CCDMA_VIRTIO_READY, "state %d after device errors", B.vdev.state);
    F_blk.evil = EVIL_NONE;
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 1024, 0), 0);
    CHECK(memcmp(buf, g_disk, 1024) == 0, "data after recovery");
    CHECK(B.stats.errors == 5, "errors %llu", (unsigned long long)B.stats.errors);
    /* kvmtool's accounting: the data, not the status byte. The status
     * decides, so the read succeeds and is counted. */
    F_blk.evil = EVIL_LEN_NO_STATUS;
    memset(buf, 0, 1024);
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 1024, 0), 0);
    CHECK(memcmp(buf, g_disk, 1024) == 0, "data with a used length without the status");
    CHECK(B.stats.used_without_status == 1, "used_without_status %llu",
          (unsigned long long)B.stats.used_without_status);
    F_blk.evil = EVIL_NONE;
out:;
}

/* ---- Hostile device on the ring -------------------------------------------------------------- */

/* The device breaks the protocol on the first request: the request fails
 * with EBROKEN, the device is fenced off and reset, later requests fail
 * without reaching it, and it can be probed afresh once it behaves. */
static void hostile_blk(enum fake_evil evil, const char *want_why)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(4096);
    CHECK(buf != NULL, "alloc");
    memset(buf, 0xab, 4096);
    F_blk.evil = evil;
    CHECK_RC(ccdma_blk_read(&B, 3, buf, 4096, 0), CCDMA_EBROKEN);
    CHECK(B.vdev.state == CCDMA_VIRTIO_BROKEN, "state %d", B.vdev.state);
    CHECK(B.vdev.broken_why != NULL && strcmp(B.vdev.broken_why, want_why) == 0,
          "broken because \"%s\", want \"%s\"", B.vdev.broken_why ? B.vdev.broken_why : "",
          want_why);
    CHECK(F_blk.status == 0 && F_blk.resets >= 2, "device not reset (status 0x%x)", F_blk.status);
    if (g_cc) {
        /* Nothing the host wrote was copied into private memory. */
        for (unsigned int i = 0; i < 4096; i++)
            CHECK(buf[i] == 0xab, "private buffer written at %u after a violation", i);
    }
    unsigned int before = F_blk.requests;
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 512, 0), CCDMA_EBROKEN);
    CHECK_RC(ccdma_blk_write(&B, 0, buf, 512, 0), CCDMA_EBROKEN);
    CHECK_RC(ccdma_blk_flush(&B), CCDMA_EBROKEN);
    CHECK(F_blk.requests == before, "a broken device got requests");
    ccdma_blk_remove(&B);
    F_blk.evil = EVIL_NONE;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    CHECK_RC(ccdma_blk_read(&B, 3, buf, 4096, 0), 0);
    CHECK(memcmp(buf, g_disk + 3 * 512, 4096) == 0, "data after re-probe");
out:;
}

static void t_hostile_id_range(void) { hostile_blk(EVIL_ID_RANGE, "used id out of range"); }
static void t_hostile_id_body(void) { hostile_blk(EVIL_ID_BODY, "used id is not a chain head"); }
static void t_hostile_id_free(void) { hostile_blk(EVIL_ID_FREE, "used id not in flight"); }
static void t_hostile_dup(void)
{
    hostile_blk(EVIL_DUPLICATE, "used idx moved past the chains in flight");
}
static void t_hostile_idx_jump(void)
{
    hostile_blk(EVIL_IDX_JUMP, "used idx moved past the chains in flight");
}
static void t_hostile_idx_back(void)
{
    hostile_blk(EVIL_IDX_BACK, "used idx moved past the chains in flight");
}

static void t_hostile_len_huge(void)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(2048);
    CHECK(buf != NULL, "alloc");
    F_blk.evil = EVIL_LEN_HUGE;
    /* Clamped to what was posted, not an error: real devices over-report. */
    CHECK_RC(ccdma_blk_read(&B, 9, buf, 2048, 0), 0);
    CHECK(memcmp(buf, g_disk + 9 * 512, 2048) == 0, "data");
    CHECK(B.vq.stats.len_clamped == 1, "len_clamped %llu",
          (unsigned long long)B.vq.stats.len_clamped);
    CHECK(B.vdev.state == CCDMA_VIRTIO_READY, "state %d", B.vdev.state);
out:;
}

static void t_hostile_never(void)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(4096);
    CHECK(buf != NULL, "alloc");
    memset(buf, 0xcd, 4096);
    B.vdev.budget_ns = SHORT_BUDGET_NS;
    F_blk.evil = EVIL_NEVER;
    uint64_t t0 = ccdma_plat_time_ns();
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 4096, 0), CCDMA_ETIMEDOUT);
    uint64_t ms = (ccdma_plat_time_ns() - t0) / 1000000u;
    CHECK(ms >= SHORT_BUDGET_NS / 1000000u && ms < 2000, "waited %llu ms",
          (unsigned long long)ms);
    CHECK(B.vdev.state == CCDMA_VIRTIO_BROKEN && B.vdev.broken_err == CCDMA_ETIMEDOUT,
          "state %d err %d", B.vdev.state, B.vdev.broken_err);
    CHECK(F_blk.status == 0, "device not reset after the timeout");
    /* The reset completed, so the device holds nothing: unmapped as usual. */
    CHECK(!B.vdev.reset_failed && B.vq.stats.leaked_maps == 0,
          "reset_failed %d, %llu mappings kept after a reset that completed",
          B.vdev.reset_failed, (unsigned long long)B.vq.stats.leaked_maps);
    /* The fake wrote the data but never completed. A bounce is not copied
     * back for a failed request; a buffer used in place (plain mode) is
     * the device's to write. */
    for (unsigned int i = 0; g_cc && i < 4096; i++)
        CHECK(buf[i] == 0xcd, "bounce copied back at %u for a request that failed", i);
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 512, 0), CCDMA_EBROKEN);
out:;
}

/* ---- A device that is never quiesced ----------------------------------------------------------
 * A request fails (timeout or violation) and the device also ignores the
 * reset that fences it off: it may still DMA into the request's buffers
 * and the rings. None of that memory may be given back. */

static uint64_t dbg_live(void)
{
    struct ccdma_debug_counters c;
    ccdma_debug_get_counters(&c);
    return c.live;
}

static bool overlaps(ccdma_phys_t a, size_t alen, ccdma_phys_t b, size_t blen)
{
    return a < b + blen && b < a + alen;
}

/* After the device kept the last request's data buffers: a new mapping of
 * len bytes from device must not be given any of that memory (in a realm:
 * the bounce slots), and the device writing into what it kept must not
 * reach the new buffer. False (and the test failed) otherwise. */
static bool kept_memory_not_reused(struct fake_dev *f, struct ccdma_device *dev, uint8_t *next,
                                   size_t len)
{
    ccdma_dma_t a;
    memset(next, 0x11, len);
    int rc = ccdma_map_single(dev, next, len, CCDMA_FROM_DEVICE, 0, &a);
    if (rc != 0) {
        failf("map after the leak = %s", ccdma_strerror(rc));
        return false;
    }
    ccdma_phys_t pa = ccdma_dma_to_phys(dev, a);
    for (unsigned int k = 0; k < f->last_ndata; k++)
        if (overlaps(pa, len, f->last_data_pa[k], f->last_data_len[k]))
            failf("a new mapping got pa 0x%llx+%zu, inside 0x%llx+%u which the device still "
                  "holds", (unsigned long long)pa, len, (unsigned long long)f->last_data_pa[k],
                  f->last_data_len[k]);
    size_t late = fake_late_dma(f, 0x5a);
    rc = ccdma_unmap_single(dev, a, len, CCDMA_FROM_DEVICE, 0);
    if (rc != 0)
        failf("unmap = %s", ccdma_strerror(rc));
    if (late == 0)
        failf("the device could not write the memory it kept");
    for (size_t i = 0; i < len && !g_failed; i++)
        if (next[i] == 0x5a)
            failf("the device's late write reached a new mapping (byte %zu)", i);
    return !g_failed;
}

#define KEPT_LEN 256u

/* Timeout, and the reset is ignored: the buffer stays mapped for good. */
static void t_unquiesced_timeout(void)
{
    RNG_UP(21);
    uint8_t *buf = priv_alloc(KEPT_LEN), *next = priv_alloc(KEPT_LEN);
    CHECK(buf != NULL && next != NULL, "alloc");
    memset(buf, 0xcd, KEPT_LEN);
    R.vdev.budget_ns = SHORT_BUDGET_NS;
    F_rng.evil = EVIL_NEVER;
    F_rng.deaf_reset = true;
    uint64_t live0 = dbg_live();
    struct ccdma_virtio_buf b = {.va = buf, .len = KEPT_LEN, .device_writes = true};
    CHECK_RC(ccdma_virtio_request(&R.vq, &b, 1, NULL, NULL), CCDMA_ETIMEDOUT);
    CHECK(R.vdev.state == CCDMA_VIRTIO_BROKEN && R.vdev.broken_err == CCDMA_ETIMEDOUT,
          "state %d err %d", R.vdev.state, R.vdev.broken_err);
    CHECK(R.vdev.reset_failed, "the ignored reset was not noticed");
    CHECK(b.leaked && R.vq.stats.leaked_maps == 1, "leaked %d, %llu mappings counted", b.leaked,
          (unsigned long long)R.vq.stats.leaked_maps);
    CHECK(dbg_live() == live0 + 1, "dma-debug: %llu live, want %llu: the mapping the device "
          "holds was given back", (unsigned long long)dbg_live(),
          (unsigned long long)live0 + 1);
    CHECK(F_rng.last_ndata == 1 && F_rng.last_data_len[0] == KEPT_LEN, "device saw %u buffers",
          F_rng.last_ndata);
    if (g_cc)
        CHECK(ccdma_is_bounced(&R.vdev.dma, F_rng.last_data_dma[0]),
              "the bounce slot the device holds is no longer a live mapping");
    CHECK(kept_memory_not_reused(&F_rng, &R.vdev.dma, next, KEPT_LEN), "reuse");
    /* In a realm the private buffer never sees the device's bytes. */
    for (unsigned int i = 0; g_cc && i < KEPT_LEN; i++)
        CHECK(buf[i] == 0xcd, "private buffer written at %u", i);
    /* Fenced off: nothing more is mapped. */
    CHECK_RC(ccdma_rng_read(&R, next, 64, false), CCDMA_EBROKEN);
    CHECK(dbg_live() == live0 + 1, "a request to a broken device changed the mappings");
    /* remove neither unmaps the kept buffer nor frees the rings (the reset
     * fails again); a second remove does nothing. dma-debug would count a
     * double unmap or free as a misuse, which the audit refuses. */
    ccdma_rng_remove(&R);
    ccdma_rng_remove(&R);
    CHECK(R.vq.stats.leaked_maps == 1 && R.vq.stats.leaked_allocs == 3,
          "%llu mappings and %llu allocations kept, want 1 and 3",
          (unsigned long long)R.vq.stats.leaked_maps,
          (unsigned long long)R.vq.stats.leaked_allocs);
    CHECK(dbg_live() == live0 + 1, "dma-debug: %llu live after remove, want %llu",
          (unsigned long long)dbg_live(), (unsigned long long)live0 + 1);
    g_allow_dma_leaks = (int)(R.vq.stats.leaked_maps + R.vq.stats.leaked_allocs);
out:;
}

/* The same timeout with a reset that completes: unmapped as usual, and the
 * memory may be reused. */
static void t_quiesced_timeout(void)
{
    RNG_UP(22);
    uint8_t *buf = priv_alloc(KEPT_LEN);
    CHECK(buf != NULL, "alloc");
    R.vdev.budget_ns = SHORT_BUDGET_NS;
    F_rng.evil = EVIL_NEVER;
    uint64_t live0 = dbg_live();
    struct ccdma_virtio_buf b = {.va = buf, .len = KEPT_LEN, .device_writes = true};
    CHECK_RC(ccdma_virtio_request(&R.vq, &b, 1, NULL, NULL), CCDMA_ETIMEDOUT);
    CHECK(!R.vdev.reset_failed && F_rng.status == 0, "reset_failed %d, device status 0x%x",
          R.vdev.reset_failed, F_rng.status);
    CHECK(!b.leaked && R.vq.stats.leaked_maps == 0, "a buffer was kept after a reset that "
          "completed");
    CHECK(dbg_live() == live0, "dma-debug: %llu live, want %llu", (unsigned long long)dbg_live(),
          (unsigned long long)live0);
    ccdma_rng_remove(&R);
    CHECK(R.vq.stats.leaked_allocs == 0, "rings kept after a reset that completed");
out:;
}

/* A protocol violation, and the reset is ignored: every buffer of the blk
 * chain (header, data, status) stays mapped, and remove keeps the rings and
 * the header block they live in. */
static void t_unquiesced_violation(void)
{
    BLK_UP();
    uint8_t *buf = priv_alloc(4096), *next = priv_alloc(4096);
    CHECK(buf != NULL && next != NULL, "alloc");
    F_blk.evil = EVIL_ID_RANGE;
    F_blk.deaf_reset = true;
    uint64_t live0 = dbg_live();
    CHECK_RC(ccdma_blk_read(&B, 3, buf, 4096, 0), CCDMA_EBROKEN);
    CHECK(B.vdev.reset_failed && B.vq.stats.leaked_maps == 3,
          "reset_failed %d, %llu mappings kept, want 3", B.vdev.reset_failed,
          (unsigned long long)B.vq.stats.leaked_maps);
    CHECK(dbg_live() == live0 + 3, "dma-debug: %llu live, want %llu",
          (unsigned long long)dbg_live(), (unsigned long long)live0 + 3);
    CHECK(F_blk.last_ndata == 1, "device saw %u data segments", F_blk.last_ndata);
    CHECK(kept_memory_not_reused(&F_blk, &B.vdev.dma, next, 4096), "reuse");
    CHECK_RC(ccdma_blk_write(&B, 0, next, 512, 0), CCDMA_EBROKEN);
    CHECK(dbg_live() == live0 + 3, "a request to a broken device changed the mappings");
    ccdma_blk_remove(&B);
    ccdma_blk_remove(&B);
    CHECK(B.vq.stats.leaked_maps == 3 && B.vq.stats.leaked_allocs == 4,
          "%llu mappings and %llu allocations kept, want 3 and 4 (rings, header block)",
          (unsigned long long)B.vq.stats.leaked_maps,
          (unsigned long long)B.vq.stats.leaked_allocs);
    CHECK(dbg_live() == live0 + 3, "dma-debug: %llu live after remove, want %llu",
          (unsigned long long)dbg_live(), (unsigned long long)live0 + 3);
    g_allow_dma_leaks = (int)(B.vq.stats.leaked_maps + B.vq.stats.leaked_allocs);
out:;
}

/* Config space read under the generation counter. */
static void t_hostile_config(void)
{
    blk_fake();
    F_blk.gen_flaps = 3; /* settles after a few tries */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    CHECK(ccdma_blk_capacity(&B) == DISK_SECTORS, "capacity");
    ccdma_blk_remove(&B);

    /* The capacity changes between its two halves: never a torn value. */
    uint64_t old_cap = (1ull << 32) | 8u, new_cap = (2ull << 32) | 16u;
    F_blk.cfg[0] = (uint32_t)old_cap;
    F_blk.cfg[1] = (uint32_t)(old_cap >> 32);
    F_blk.tear_pending = true;
    F_blk.tear_to = new_cap;
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), 0);
    CHECK(!F_blk.tear_pending, "the tear was never triggered");
    CHECK(ccdma_blk_capacity(&B) == new_cap, "capacity 0x%llx, want 0x%llx",
          (unsigned long long)ccdma_blk_capacity(&B), (unsigned long long)new_cap);
    ccdma_blk_remove(&B);

    F_blk.gen_always = true; /* never settles */
    CHECK_RC(ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW), CCDMA_EPROTO);
    CHECK(F_blk.cfg_reads < 100, "%u config reads: the retry is unbounded", F_blk.cfg_reads);
out:;
}

/* ---- The split ring itself, on the rng device ------------------------------------------------ */

struct two {
    uint8_t *a, *b;
    ccdma_dma_t da, db;
    uint16_t ha, hb;
};

/* Post two rng buffers of 64 bytes and kick once. */
static int post_two(struct two *t)
{
    struct ccdma_device *dev = &R.vdev.dma;
    t->a = priv_alloc(64);
    t->b = priv_alloc(64);
    if (t->a == NULL || t->b == NULL)
        return CCDMA_ENOMEM;
    int rc = ccdma_map_single(dev, t->a, 64, CCDMA_FROM_DEVICE, 0, &t->da);
    if (!rc)
        rc = ccdma_map_single(dev, t->b, 64, CCDMA_FROM_DEVICE, 0, &t->db);
    struct ccdma_virtq_buf ba = {t->da, 64, true}, bb = {t->db, 64, true};
    if (!rc)
        rc = ccdma_virtq_add(&R.vq, &ba, 1, &t->ha);
    if (!rc)
        rc = ccdma_virtq_add(&R.vq, &bb, 1, &t->hb);
    if (!rc)
        ccdma_virtq_kick(&R.vq);
    return rc;
}

static void unmap_two(struct two *t, unsigned int attrs)
{
    (void)ccdma_unmap_single(&R.vdev.dma, t->da, 64, CCDMA_FROM_DEVICE, attrs);
    (void)ccdma_unmap_single(&R.vdev.dma, t->db, 64, CCDMA_FROM_DEVICE, attrs);
}

static void t_ring_out_of_order(void)
{
    struct two t = {0};
    uint64_t seed = 77;
    RNG_UP(seed);
    F_rng.evil = EVIL_REORDER;
    CHECK_RC(post_two(&t), 0);
    CHECK(t.ha != t.hb, "same head twice");
    uint32_t la = 0, lb = 0;
    CHECK_RC(ccdma_virtq_wait(&R.vq, t.hb, &lb), 0);
    CHECK_RC(ccdma_virtq_wait(&R.vq, t.ha, &la), 0);
    unmap_two(&t, 0);
    CHECK(la == 64 && lb == 64, "lengths %u %u", la, lb);
    for (unsigned int i = 0; i < 64; i++)
        CHECK(t.a[i] == fake_rng_next(&seed), "a[%u]", i);
    for (unsigned int i = 0; i < 64; i++)
        CHECK(t.b[i] == fake_rng_next(&seed), "b[%u]", i);
    CHECK(R.vq.num_free == R.vq.num && R.vq.inflight == 0, "free %u inflight %u",
          R.vq.num_free, R.vq.inflight);
out:;
}

/* A completion replayed for a chain already completed. */
static void t_ring_replay(void)
{
    struct two t = {0};
    RNG_UP(5);
    F_rng.evil = EVIL_REPLAY;
    CHECK_RC(post_two(&t), 0);
    uint32_t len = 0;
    CHECK_RC(ccdma_virtq_wait(&R.vq, t.ha, &len), CCDMA_EBROKEN);
    CHECK(R.vdev.broken_why != NULL && strcmp(R.vdev.broken_why, "duplicate completion") == 0,
          "broken because \"%s\"", R.vdev.broken_why ? R.vdev.broken_why : "");
    CHECK_RC(ccdma_virtq_wait(&R.vq, t.hb, &len), CCDMA_EBROKEN);
    struct ccdma_virtq_buf bb = {t.db, 64, true};
    uint16_t h;
    CHECK_RC(ccdma_virtq_add(&R.vq, &bb, 1, &h), CCDMA_EBROKEN);
out:
    unmap_two(&t, CCDMA_ATTR_SKIP_CPU_SYNC);
}

/* A chain completed honestly just before another's violation is not handed
 * out either: once broken, every wait fails. */
static void t_ring_fail_closed(void)
{
    struct two t = {0};
    RNG_UP(6);
    F_rng.evil = EVIL_ID_RANGE;
    F_rng.evil_after = 1;
    CHECK_RC(post_two(&t), 0);
    CHECK_RC(ccdma_virtq_wait(&R.vq, t.hb, NULL), CCDMA_EBROKEN);
    CHECK(R.vq.st[t.ha] != 0, "the honest completion was never seen");
    CHECK_RC(ccdma_virtq_wait(&R.vq, t.ha, NULL), CCDMA_EBROKEN);
    CHECK_RC(ccdma_virtq_poll(&R.vq), CCDMA_EBROKEN);
out:
    unmap_two(&t, CCDMA_ATTR_SKIP_CPU_SYNC);
}

static void t_ring_bad_add(void)
{
    RNG_UP(5);
    uint16_t h;
    struct ccdma_virtq_buf bufs[2] = {{0x1000, 16, true}, {0x2000, 16, false}};
    CHECK_RC(ccdma_virtq_add(&R.vq, bufs, 2, &h), CCDMA_EINVAL); /* writable first */
    bufs[0].len = 0;
    CHECK_RC(ccdma_virtq_add(&R.vq, bufs, 1, &h), CCDMA_EINVAL);
    CHECK_RC(ccdma_virtq_add(&R.vq, bufs, 0, &h), CCDMA_EINVAL);
    struct ccdma_virtq_buf many[CCDMA_VIRTQ_MAX + 1];
    for (unsigned int i = 0; i <= CCDMA_VIRTQ_MAX; i++)
        many[i] = (struct ccdma_virtq_buf){0x1000, 16, true};
    CHECK_RC(ccdma_virtq_add(&R.vq, many, R.vq.num + 1, &h), CCDMA_ENOSPC);
    CHECK_RC(ccdma_virtq_wait(&R.vq, 3, NULL), CCDMA_EINVAL); /* never posted */
    CHECK(R.vq.num_free == R.vq.num && R.vq.stats.posted == 0, "a refused add changed the ring");
    CHECK(F_rng.requests == 0, "device got a request");
out:;
}

/* ---- Accessor layer ---------------------------------------------------------------------------- */

struct read_counts {
    unsigned int idx;
    unsigned int id[CCDMA_VIRTQ_MAX], len[CCDMA_VIRTQ_MAX];
    unsigned int dev_u8;
    bool bad_slot;
    int override_id; /* >= 0: replace used ids with this */
};

static void count_reads(void *ctx, const void *where, enum ccdma_virtq_field f, uint16_t slot,
                        uint32_t *value)
{
    struct read_counts *c = ctx;
    (void)where;
    if ((f == CCDMA_VQF_USED_ID || f == CCDMA_VQF_USED_LEN) && slot >= CCDMA_VIRTQ_MAX) {
        c->bad_slot = true;
        return;
    }
    switch (f) {
    case CCDMA_VQF_USED_IDX: c->idx++; break;
    case CCDMA_VQF_USED_ID:
        c->id[slot]++;
        if (c->override_id >= 0)
            *value = (uint32_t)c->override_id;
        break;
    case CCDMA_VQF_USED_LEN: c->len[slot]++; break;
    case CCDMA_VQF_DEV_U8: c->dev_u8++; break;
    }
}

/* Each device-written field is read exactly once per completion, and the
 * hook sees (and can replace) every value: the fuzz and audit point. */
static void t_accessor_reads_once(void)
{
    struct read_counts c = {.override_id = -1};
    BLK_UP();
    uint8_t *buf = priv_alloc(512);
    CHECK(buf != NULL, "alloc");
    ccdma_virtq_set_read_hook(count_reads, &c);
    for (int i = 0; i < 3; i++)
        CHECK_RC(ccdma_blk_read(&B, (uint64_t)i, buf, 512, 0), 0);
    CHECK(!c.bad_slot, "slot out of range");
    for (unsigned int s = 0; s < 3; s++)
        CHECK(c.id[s] == 1 && c.len[s] == 1, "used slot %u: id read %u times, len %u times", s,
              c.id[s], c.len[s]);
    for (unsigned int s = 3; s < CCDMA_VIRTQ_MAX; s++)
        CHECK(c.id[s] == 0 && c.len[s] == 0, "slot %u read without a completion", s);
    CHECK(c.idx == B.vq.stats.polls, "used idx read %u times in %llu polls", c.idx,
          (unsigned long long)B.vq.stats.polls);
    CHECK(c.dev_u8 == 3, "status read %u times for 3 requests", c.dev_u8);

    /* Injected through the hook, a forged id is caught like a device's. */
    c.override_id = 1000;
    CHECK_RC(ccdma_blk_read(&B, 0, buf, 512, 0), CCDMA_EBROKEN);
    CHECK(strcmp(B.vdev.broken_why, "used id out of range") == 0, "why %s", B.vdev.broken_why);
    CHECK(c.id[3] == 1 && c.len[3] == 1, "slot 3 read id %u len %u times", c.id[3], c.len[3]);
out:
    ccdma_virtq_set_read_hook(NULL, NULL);
}

/* The fake's CC check is live: a descriptor with the private encoding is
 * refused (what the monitor does at the doorbell), and the driver survives
 * the resulting silence with a timeout. In plain mode both encodings are
 * the bus address, and the same request completes. */
static void t_fake_catches_private_address(void)
{
    RNG_UP(9);
    uint8_t *buf = priv_alloc(64);
    CHECK(buf != NULL, "alloc");
    ccdma_dma_t priv = ccdma_phys_to_dma(&R.vdev.dma, ccdma_plat_virt_to_phys(buf), false);
    struct ccdma_virtq_buf b = {priv, 64, true};
    uint16_t h;
    R.vdev.budget_ns = SHORT_BUDGET_NS;
    CHECK_RC(ccdma_virtq_add(&R.vq, &b, 1, &h), 0);
    ccdma_virtq_kick(&R.vq);
    uint32_t len = 0;
    int rc = ccdma_virtq_wait(&R.vq, h, &len);
    if (g_cc) {
        g_allow_cc_violations = 1;
        g_allow_drv_errors = 1;
        CHECK(rc == CCDMA_ETIMEDOUT, "wait = %s", ccdma_strerror(rc));
        CHECK(F_rng.cc_violations == 1, "fake counted %u violations", F_rng.cc_violations);
    } else {
        CHECK(rc == 0 && len == 64, "wait = %s len %u", ccdma_strerror(rc), len);
    }
out:;
}

/* ---- virtio-rng ------------------------------------------------------------------------------------- */

static void t_rng(void)
{
    uint64_t seed = 1234;
    RNG_UP(seed);
    uint8_t *buf = priv_alloc(8192);
    CHECK(buf != NULL, "alloc");
    int n = ccdma_rng_read(&R, buf, 32, false);
    CHECK(n == 32, "read %d", n);
    for (int i = 0; i < 32; i++)
        CHECK(buf[i] == fake_rng_next(&seed), "byte %d", i);
    CHECK(R.last_path == private_path(), "path %s", ccdma_io_path_name(R.last_path));
    uint8_t *sh = shared_alloc(&R.vdev.dma, 256);
    CHECK(sh != NULL, "alloc");
    n = ccdma_rng_read(&R, sh, 256, true);
    CHECK(n == 256, "shared read %d", n);
    for (int i = 0; i < 256; i++)
        CHECK(sh[i] == fake_rng_next(&seed), "shared byte %d", i);
    CHECK(R.last_path == CCDMA_PATH_DIRECT, "shared path %s", ccdma_io_path_name(R.last_path));
    n = ccdma_rng_read(&R, buf, 8192, false); /* capped per request */
    CHECK(n == (int)CCDMA_RNG_REQ_MAX, "large read %d", n);
    CHECK_RC(ccdma_rng_read(&R, NULL, 8, false), CCDMA_EINVAL);
    CHECK_RC(ccdma_rng_read(&R, buf, 0, false), CCDMA_EINVAL);
out:;
}

static void t_rng_lengths(void)
{
    RNG_UP(3);
    uint8_t *buf = priv_alloc(4096);
    CHECK(buf != NULL, "alloc");
    memset(buf, 0xa5, 4096);
    F_rng.evil = EVIL_LEN_HUGE;
    int n = ccdma_rng_read(&R, buf + 4096 - 16, 16, false);
    CHECK(n == 16, "huge len gave %d bytes", n);
    CHECK(R.vq.stats.len_clamped == 1, "len_clamped %llu",
          (unsigned long long)R.vq.stats.len_clamped);
    for (unsigned int i = 0; i < 4096 - 16; i++)
        CHECK(buf[i] == 0xa5, "huge len: byte %u before the buffer changed", i);
    F_rng.evil = EVIL_LEN_SHORT;
    n = ccdma_rng_read(&R, buf, 16, false);
    CHECK(n == 1, "short len gave %d bytes", n);
    /* Past the request nothing is ever written. Past the returned length
     * too when the buffer bounced: only what the device claims is copied
     * back (direct, the device itself wrote the mapped 16 bytes). */
    for (unsigned int i = 16; i < 4096 - 16; i++)
        CHECK(buf[i] == 0xa5, "short len: byte %u past the request changed", i);
    for (unsigned int i = 1; g_cc && i < 16; i++)
        CHECK(buf[i] == 0xa5, "short len: byte %u past the returned length changed", i);
    F_rng.evil = EVIL_ID_RANGE;
    CHECK_RC(ccdma_rng_read(&R, buf, 16, false), CCDMA_EBROKEN);
    CHECK_RC(ccdma_rng_read(&R, buf, 16, false), CCDMA_EBROKEN);
out:;
}

/* ---- Runner ------------------------------------------------------------------------------------------- */

struct test {
    const char *name;
    void (*fn)(void);
};

static const struct test tests[] = {
    {"transport: identify slots, refuse foreign and bad windows", t_identify},
    {"negotiation: blk probe and features", t_blk_probe},
    {"negotiation: no VERSION_1 is refused", t_no_version_1},
    {"negotiation: no ACCESS_PLATFORM (refused in cc, usable in plain)", t_no_access_platform},
    {"negotiation: legacy transport: driven in plain mode, refused under CC", t_legacy},
    {"blk: a small queue and size_max split requests", t_blk_small_queue},
    {"negotiation: FEATURES_OK refused by the device", t_features_ok_refused},
    {"transport: queue size limits", t_queue_limits},
    {"blk: config space validation", t_config_checks},
    {"transport: reset that never completes is bounded", t_reset_timeout},
    {"blk: read into private buffer", t_blk_read_private},
    {"blk: write from private buffer", t_blk_write_private},
    {"blk: read and write shared buffers in place", t_blk_shared},
    {"blk: multi-segment read and write", t_blk_multiseg},
    {"blk: flush", t_blk_flush},
    {"blk: sector and size errors reach no device", t_blk_bad_requests},
    {"blk: read-only device refuses writes", t_blk_read_only},
    {"blk: device error statuses and short lengths", t_blk_device_errors},
    {"hostile: used id out of range", t_hostile_id_range},
    {"hostile: used id of a chain body", t_hostile_id_body},
    {"hostile: used id not in flight", t_hostile_id_free},
    {"hostile: duplicate completion", t_hostile_dup},
    {"hostile: used idx jumps ahead", t_hostile_idx_jump},
    {"hostile: used idx goes back", t_hostile_idx_back},
    {"hostile: used len too large is clamped", t_hostile_len_huge},
    {"hostile: device never completes", t_hostile_never},
    {"unquiesced: timeout, reset ignored: buffer and rings kept for good", t_unquiesced_timeout},
    {"unquiesced: timeout, reset completes: unmapped as usual", t_quiesced_timeout},
    {"unquiesced: violation, reset ignored: chain, rings and header kept", t_unquiesced_violation},
    {"hostile: config changes between reads", t_hostile_config},
    {"ring: completions out of order", t_ring_out_of_order},
    {"ring: replayed completion", t_ring_replay},
    {"ring: fail closed after a violation", t_ring_fail_closed},
    {"ring: bad chains are refused before posting", t_ring_bad_add},
    {"accessor: each used field read once, hook sees all", t_accessor_reads_once},
    {"fake: private address refused at the doorbell", t_fake_catches_private_address},
    {"rng: read into private and shared buffers", t_rng},
    {"rng: used lengths clamped, bad ids break", t_rng_lengths},
};

/* Everything a test leaves behind is released here, then audited. */
static void teardown_and_audit(void)
{
    for (unsigned int i = 0; i < MAX_TRACKED; i++) {
        if (g_shared[i].va != NULL)
            (void)ccdma_free_coherent(g_shared[i].dev, g_shared[i].size, g_shared[i].va,
                                      g_shared[i].h);
        g_shared[i].va = NULL;
    }
    ccdma_blk_remove(&B);
    ccdma_rng_remove(&R);
    for (unsigned int i = 0; i < 4; i++) {
        struct fake_dev *d = g_fakes[i].d;
        if (d == NULL)
            continue;
        fake_detach(g_fakes[i].base);
        g_fakes[i].d = NULL;
        if (d->cc_violations != g_allow_cc_violations)
            failf("device saw %u private addresses", d->cc_violations);
        if (d->drv_errors != g_allow_drv_errors)
            failf("device counted %u driver protocol errors", d->drv_errors);
        if (d->bad_addrs != 0)
            failf("device saw %u unreachable addresses", d->bad_addrs);
    }
    for (unsigned int i = 0; i < MAX_TRACKED; i++) {
        if (g_priv[i].va != NULL)
            ccdma_plat_pages_free(g_priv[i].va, g_priv[i].pages);
        g_priv[i].va = NULL;
    }
    char why[160];
    if (virtio_test_env_audit_leaks(why, sizeof(why), g_allow_dma_leaks) != 0)
        failf("%s", why);
}

int main(int argc, char **argv)
{
    const char *mode = virtio_test_env_init_args(argc, argv, &g_cc);
    printf("# virtio host tests, %s mode\n", mode);

    unsigned int passed = 0, failed = 0, n = 0;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        g_failed = false;
        g_why[0] = 0;
        g_allow_cc_violations = g_allow_drv_errors = 0;
        g_allow_dma_leaks = 0;
        memset(&B, 0, sizeof(B));
        memset(&R, 0, sizeof(R));
        host_mmio_reset_strays();
        struct ccdma_config cfg = {.debug = true};
        int rc = ccdma_init(&cfg);
        if (rc != 0)
            failf("ccdma_init = %s", ccdma_strerror(rc));
        else
            tests[i].fn();
        if (rc == 0)
            teardown_and_audit();
        n++;
        if (g_failed) {
            failed++;
            printf("not ok %u - %s: %s\n", n, tests[i].name, g_why);
        } else {
            passed++;
            printf("ok %u - %s\n", n, tests[i].name);
        }
        fflush(stdout);
    }
    virtio_test_env_fini();
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
