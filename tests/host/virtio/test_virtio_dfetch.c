/* SPDX-License-Identifier: MIT */
/*
 * The double-fetch detector (dfetch.h) on the driver, and proof that it
 * catches a double fetch.
 *
 *   test_virtio_dfetch --mode cca|sev|plain
 *
 * Built twice from this file: test_virtio_dfetch with the real accessor
 * layer, where the detector must see every used entry read exactly once
 * and report nothing; and test_virtio_dfetch_planted (DFETCH_EXPECT_PLANTED)
 * with planted_virtq_shared.c, whose used-entry reader fetches the id
 * twice: there the detector must report it, or the test fails.
 */
#include <ccdma/blk.h>
#include <ccdma/virtio.h>

#include "dfetch.h"
#include "fake_virtio.h"
#include "host_mmio.h"
#include "virtio_test_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DFETCH_EXPECT_PLANTED
#define DFETCH_EXPECT_PLANTED 0
#endif

#define BLK_BASE ((uintptr_t)0x0a003e00u)
#define RNG_BASE ((uintptr_t)0x0a003c00u)
#define DISK_BYTES (256u << 10)

static bool g_cc;
static unsigned int g_n, g_failed;
static uint8_t g_disk[DISK_BYTES];
static struct fake_dev F_blk, F_rng;
static struct ccdma_blk B;
static struct ccdma_rng R;

static void result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void result(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %u - ", ok ? "ok" : "not ok", ++g_n);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    g_failed += !ok;
}

/* ---- The detector on its own: each rule fires on a synthetic read trace ------------ */

static void selftest(void)
{
    static uint8_t used[4 + 8 * 8];
    struct ccdma_virtq vq;
    struct dfetch d;
    uint32_t v = 0;
    memset(&vq, 0, sizeof(vq));
    vq.used = used;
    vq.num = 8;
    uint8_t *e0 = used + 4, *e1 = used + 12;

    /* A clean harvest of two entries, then a later decision for the next. */
    dfetch_init(&d);
    dfetch_decision(&d, &vq);
    dfetch_read(&d, used + 2, CCDMA_VQF_USED_IDX, 0, &v);
    dfetch_read(&d, e0, CCDMA_VQF_USED_ID, 0, &v);
    dfetch_read(&d, e0 + 4, CCDMA_VQF_USED_LEN, 0, &v);
    dfetch_decision(&d, &vq);
    dfetch_read(&d, used + 2, CCDMA_VQF_USED_IDX, 0, &v);
    dfetch_read(&d, e1, CCDMA_VQF_USED_ID, 1, &v);
    dfetch_read(&d, e1 + 4, CCDMA_VQF_USED_LEN, 1, &v);
    result(d.reports == 0 && d.entries == 2, "detector: a clean trace is not reported (%s)",
           d.reports ? d.first : "silent");

    /* The same field twice in one decision. */
    dfetch_init(&d);
    dfetch_decision(&d, &vq);
    dfetch_read(&d, used + 2, CCDMA_VQF_USED_IDX, 0, &v);
    dfetch_read(&d, used + 2, CCDMA_VQF_USED_IDX, 0, &v);
    result(d.reports == 1 && strstr(d.first, "double fetch: used idx") != NULL,
           "detector: used idx read twice in one decision: %s", d.first);

    /* A consumed entry read again in a later decision. */
    dfetch_init(&d);
    dfetch_decision(&d, &vq);
    dfetch_read(&d, e0, CCDMA_VQF_USED_ID, 0, &v);
    dfetch_read(&d, e0 + 4, CCDMA_VQF_USED_LEN, 0, &v);
    dfetch_decision(&d, &vq);
    dfetch_read(&d, e0 + 4, CCDMA_VQF_USED_LEN, 0, &v);
    result(d.reports == 1 && strstr(d.first, "consumed or unpublished") != NULL,
           "detector: a consumed entry read again later: %s", d.first);

    /* An entry read before its predecessor (past what was published). */
    dfetch_init(&d);
    dfetch_decision(&d, &vq);
    dfetch_read(&d, e1, CCDMA_VQF_USED_ID, 1, &v);
    result(d.reports == 1 && strstr(d.first, "slot 1 read while completion 0") != NULL,
           "detector: an entry out of ring order: %s", d.first);

    /* The status byte twice in one decision. */
    dfetch_init(&d);
    dfetch_decision(&d, &vq);
    dfetch_read(&d, used, CCDMA_VQF_DEV_U8, 0, &v);
    dfetch_read(&d, used, CCDMA_VQF_DEV_U8, 0, &v);
    result(d.reports == 1 && strstr(d.first, "device byte") != NULL,
           "detector: a device byte read twice: %s", d.first);
}

/* ---- The driver under the detector ------------------------------------------------------- */

#define CHECK_RC(expr, want)                                                   \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        if (rc_ != (want)) {                                                   \
            printf("# %s = %s, want %s\n", #expr, ccdma_strerror(rc_),         \
                   ccdma_strerror(want));                                      \
            return false;                                                      \
        }                                                                      \
    } while (0)

/* blk and rng requests of every shape; a batch of rng chains harvested in
 * one decision; and hostile devices that reorder and duplicate. Returns
 * whether the workload itself behaved; *completions counts used entries
 * the driver accepted. */
static bool workload(uint8_t *priv, uint8_t *shared, uint64_t *completions)
{
    struct ccdma_blk_seg segs[3] = {{priv, 512}, {priv + 4096, 1024}, {priv + 8192, 512}};
    for (int i = 0; i < 4; i++) {
        CHECK_RC(ccdma_blk_read(&B, (uint64_t)i * 3, priv, 2048, 0), 0);
        CHECK_RC(ccdma_blk_write(&B, 100 + (uint64_t)i, priv, 512, 0), 0);
        CHECK_RC(ccdma_blk_readv(&B, 7, segs, 3, 0), 0);
        CHECK_RC(ccdma_blk_read(&B, 9, shared, 512, CCDMA_BLK_SHARED), 0);
        CHECK_RC(ccdma_blk_flush(&B), 0);
        if (ccdma_rng_read(&R, priv, 64, false) != 64)
            return false;
    }

    /* Four chains at once: one poll harvests several entries; then the
     * same with completions pushed in reverse order. */
    for (int round = 0; round < 2; round++) {
        F_rng.evil = round ? EVIL_REORDER : EVIL_NONE;
        struct ccdma_virtq_buf vb[4];
        uint16_t head[4];
        for (int k = 0; k < 4; k++) {
            CHECK_RC(ccdma_map_single(&R.vdev.dma, priv + 256 * k, 128, CCDMA_FROM_DEVICE, 0,
                                      &vb[k].addr), 0);
            vb[k].len = 128;
            vb[k].device_writes = true;
            CHECK_RC(ccdma_virtq_add(&R.vq, &vb[k], 1, &head[k]), 0);
        }
        ccdma_virtq_kick(&R.vq);
        for (int k = 3; k >= 0; k--) {
            uint32_t len = 0;
            CHECK_RC(ccdma_virtq_wait(&R.vq, head[k], &len), 0);
        }
        for (int k = 0; k < 4; k++)
            CHECK_RC(ccdma_unmap_single(&R.vdev.dma, vb[k].addr, 128, CCDMA_FROM_DEVICE, 0), 0);
    }
    F_rng.evil = EVIL_NONE;
    *completions = B.vq.stats.completed + R.vq.stats.completed;

    /* A duplicate completion: the driver reads the entry once, then breaks. */
    F_blk.evil = EVIL_DUPLICATE;
    CHECK_RC(ccdma_blk_read(&B, 0, priv, 512, 0), CCDMA_EBROKEN);
    *completions = B.vq.stats.completed + R.vq.stats.completed;
    return true;
}

static void driver_under_detector(void)
{
    struct dfetch d;
    uint8_t *priv = NULL, *shared = NULL;
    ccdma_dma_t shared_dma = 0;
    uint64_t completions = 0;
    bool ran = false;

    for (uint64_t o = 0; o < DISK_BYTES; o++)
        g_disk[o] = (uint8_t)(o * 7u + 3);
    fake_blk_init(&F_blk, g_disk, DISK_BYTES, g_cc);
    fake_rng_init(&F_rng, 77, g_cc);
    struct ccdma_config cfg = {.debug = true};
    if (ccdma_init(&cfg) != 0 || fake_attach(&F_blk, BLK_BASE) != 0 ||
        fake_attach(&F_rng, RNG_BASE) != 0) {
        result(false, "fixture");
        return;
    }
    dfetch_init(&d);
    dfetch_install(&d);
    priv = ccdma_plat_pages_alloc(3, UINT64_MAX);
    if (priv != NULL && ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW) == 0 &&
        ccdma_rng_probe(&R, RNG_BASE, FAKE_WINDOW) == 0 &&
        ccdma_alloc_coherent(&B.vdev.dma, 512, 0, 0, (void **)&shared, &shared_dma) == 0)
        ran = workload(priv, shared, &completions);
    dfetch_install(NULL);
    if (shared != NULL)
        (void)ccdma_free_coherent(&B.vdev.dma, 512, shared, shared_dma);
    ccdma_blk_remove(&B);
    ccdma_rng_remove(&R);
    fake_detach(BLK_BASE);
    fake_detach(RNG_BASE);
    if (priv != NULL)
        ccdma_plat_pages_free(priv, 3);
    char why[160] = "clean";
    bool clean = virtio_test_env_audit(why, sizeof(why)) == 0;
    result(ran && clean, "workload: blk, rng, a batch, reordered and duplicate completions (%s)",
           why);
    printf("# detector: %llu decisions, %llu reads, %llu used entries fully read, driver "
           "accepted %llu\n", (unsigned long long)d.decisions, (unsigned long long)d.reads,
           (unsigned long long)d.entries, (unsigned long long)completions);
    result(d.decisions > 0 && d.reads > d.decisions && d.entries >= completions,
           "detector saw the driver's reads: every accepted entry was read");
#if DFETCH_EXPECT_PLANTED
    result(d.reports > 0 && strstr(d.first, "double fetch: used id") != NULL,
           "planted double fetch of the used id is reported: %s",
           d.reports ? d.first : "THE DETECTOR STAYED SILENT");
#else
    result(d.reports == 0, "no double fetch in the driver: %s",
           d.reports ? d.first : "silent");
#endif
}

int main(int argc, char **argv)
{
    const char *mode = virtio_test_env_init_args(argc, argv, &g_cc);
    printf("# double-fetch detector, %s mode, %s accessor layer\n", mode,
           DFETCH_EXPECT_PLANTED ? "PLANTED (id fetched twice)" : "real");
    selftest();
    driver_under_detector();
    virtio_test_env_fini();
    printf("%u passed, %u failed\n", g_n - g_failed, g_failed);
    return g_failed != 0;
}
