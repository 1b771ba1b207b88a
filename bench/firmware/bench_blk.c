/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk sequential reads and writes, 4 KiB to 256 KiB per request,
 * from three kinds of buffer:
 *   private  ordinary memory: in a realm every request's data bounces, as a
 *            realm driver's does: the header and the status byte live in
 *            shared coherent memory and go direct (path "mixed");
 *   shared   coherent memory allocated once: every request goes direct;
 *   convert  coherent memory allocated and freed around every request:
 *            direct, but each request converts pages twice (what the
 *            atomic and bounce pools exist to avoid).
 * Each line is one repetition: the requests, their CNTVCT ticks, how often
 * the used ring was polled, and the RSI work done meanwhile, from the
 * realm's own counters. The steady state (private, shared) should need no
 * RSI call at all; the lines show whether it does.
 */
#include <stdio.h>
#include <string.h>

#include <ccdma/blk.h>
#include <ccdma/errors.h>

#include "bench/firmware/bench_fw.h"
#include "boot/devices.h"

#define MIN_REQ (4u << 10)
#define MAX_REQ (256u << 10)

enum buf_kind { BUF_PRIVATE, BUF_SHARED, BUF_CONVERT };
static const char *const kind_names[] = {"private", "shared", "convert"};

struct blk_run {
    struct ccdma_blk *blk;
    uint8_t *priv;
    void *shared;
    uint64_t sector;   /* next sector: sequential, wrapping at the end */
    uint64_t plain_reach; /* plain boot: the bus limit that puts priv out of reach */
};

/* One request of len bytes at the current position. */
static int one_request(struct blk_run *r, bool write, enum buf_kind kind, size_t len)
{
    struct ccdma_device *dev = ccdma_blk_dma_device(r->blk);
    uint64_t nsect = len / CCDMA_BLK_SECTOR_SIZE;
    void *buf = kind == BUF_PRIVATE ? (void *)r->priv : r->shared;
    unsigned int flags = kind == BUF_PRIVATE ? 0 : CCDMA_BLK_SHARED;
    ccdma_dma_t handle = 0;
    int err;

    if (r->sector + nsect > ccdma_blk_capacity(r->blk))
        r->sector = 0;
    if (kind == BUF_CONVERT) {
        err = ccdma_alloc_coherent(dev, len, 0, 0, &buf, &handle);
        if (err)
            return err;
    }
    err = write ? ccdma_blk_write(r->blk, r->sector, buf, len, flags)
                : ccdma_blk_read(r->blk, r->sector, buf, len, flags);
    if (kind == BUF_CONVERT) {
        int e2 = ccdma_free_coherent(dev, len, buf, handle);
        if (!err)
            err = e2;
    }
    r->sector += nsect;
    return err;
}

static void run_one(struct blk_run *r, bool write, enum buf_kind kind, size_t len,
                    unsigned int requests, unsigned int rep)
{
    struct ccdma_device *dev = ccdma_blk_dma_device(r->blk);
    uint64_t bus_limit = dev->bus_limit;
    struct bench_counters c0, c1, d;
    int err = 0;
    unsigned int done = 0;

    /* Private buffers bounce in a realm. Outside one nothing needs to, so
     * the device is made unable to reach the private buffer (and only it:
     * the header, the status byte and the bounce pool lie below): its data
     * bounces, as in the realm, and the plain boot shows the copies without
     * the monitor's traps. */
    if (kind == BUF_PRIVATE && r->plain_reach)
        dev->bus_limit = r->plain_reach;
    uint64_t polls = r->blk->vq.stats.polls;
    struct ccdma_dma_stats m0, m1;
    ccdma_get_stats(&m0);
    bench_counters(&c0);
    uint64_t t0 = bench_ticks();
    while (done < requests && !err) {
        err = one_request(r, write, kind, len);
        done += err == 0;
    }
    uint64_t ticks = bench_ticks() - t0;
    bench_counters(&c1);
    ccdma_get_stats(&m1);
    bench_counters_delta(&c0, &c1, &d);
    polls = r->blk->vq.stats.polls - polls;
    dev->bus_limit = bus_limit;
    if (err) {
        printf("bench: error blk %s %s %zu: %s\n", write ? "write" : "read", kind_names[kind],
               len, ccdma_strerror(err));
        bench_fw.errors++;
        return;
    }
    /* path: the data's; maps_*: every mapping of the requests, header and
     * status included, which shows what bounced besides the data. */
    printf("bench: blk %s %s %zu rep=%u requests=%u bytes=%llu ticks=%llu polls=%llu "
           "rsi_calls=%llu ipa_state_set=%llu granules=%llu path=%s maps_bounced=%llu "
           "maps_direct=%llu\n",
           write ? "write" : "read", kind_names[kind], len, rep, requests,
           (unsigned long long)len * requests, (unsigned long long)ticks,
           (unsigned long long)polls,
           (unsigned long long)d.rsi_calls, (unsigned long long)d.ipa_state_set,
           (unsigned long long)(d.granules_shared + d.granules_private),
           ccdma_io_path_name(ccdma_blk_last_path(r->blk)),
           (unsigned long long)(m1.bounced_maps - m0.bounced_maps),
           (unsigned long long)(m1.direct_maps - m0.direct_maps));
}

/* What the device must still reach in the plain boot, where the private
 * buffer is put out of its reach: the request header (with the status
 * byte) and the bounce pool. */
static ccdma_phys_t reach_floor(struct ccdma_blk *blk)
{
    struct ccdma_swiotlb_stats s;
    ccdma_phys_t hdr = ccdma_plat_virt_to_phys(blk->hdr) + CCDMA_PAGE_SIZE;

    if (ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &s) != 0)
        return UINT64_MAX;
    return s.end > hdr ? s.end : hdr;
}

/* The private buffer: in the plain boot, above reach_floor() (the page
 * allocator hands out low pages first, so lower runs are held meanwhile). */
static uint8_t *private_buffer(struct ccdma_blk *blk)
{
    static void *held[4096];
    const size_t pages = MAX_REQ / CCDMA_PAGE_SIZE;
    ccdma_phys_t floor = ccdma_plat_cc_active() ? 0 : reach_floor(blk);
    unsigned int n = 0;
    uint8_t *buf;

    for (;;) {
        buf = ccdma_plat_pages_alloc(pages, UINT64_MAX);
        if (!buf || ccdma_plat_virt_to_phys(buf) >= floor || n == sizeof(held) / sizeof(held[0]))
            break;
        held[n++] = buf;
    }
    while (n)
        ccdma_plat_pages_free(held[--n], pages);
    return buf;
}

void bench_fw_blk(void)
{
    /* Under -icount the guest's own work takes the same virtual time in
     * every run, but a request completes when QEMU's main loop gets to it,
     * on the host's clock, and the guest polls the used ring meanwhile.
     * Each extra poll costs the same instructions, so with the poll count
     * of each repetition the host can take that wait out exactly
     * (bench/bench.py); repetitions that polled differently give the fit. */
    const size_t per_rep = bench_fw.quick ? (256u << 10) : (2u << 20);
    const unsigned int reps = bench_fw.quick ? 2 : 5;
    struct blk_run r = {.blk = &boot_virtio.blk};
    struct bench_counters s0, s1, d;
    uint64_t steady_bytes = 0;
    ccdma_dma_t handle = 0;

    if (!boot_virtio.has_blk) {
        printf("bench: error blk no usable virtio-blk (%s)\n",
               ccdma_strerror(boot_virtio.blk_err));
        bench_fw.errors++;
        return;
    }
    /* Polled completions: waiting for an interrupt idles the vCPU, and
     * -icount then warps virtual time to the next timer event, so each
     * request would count tens of thousands of "instructions" of sleep
     * instead of the guest's work. The poll count takes the wait out. */
    bool irq_mode = r.blk->vdev.irq_mode;

    ccdma_virtq_set_interrupts(&r.blk->vq, false);
    r.priv = private_buffer(r.blk);
    int err = ccdma_alloc_coherent(ccdma_blk_dma_device(r.blk), MAX_REQ, 0, 0, &r.shared,
                                   &handle);
    if (err || !r.priv) {
        printf("bench: error blk buffers: %s\n", err ? ccdma_strerror(err) : "no pages");
        bench_fw.errors++;
        goto out;
    }
    memset(r.priv, 0xa5, MAX_REQ);
    memset(r.shared, 0xa5, MAX_REQ);
    if (!ccdma_plat_cc_active()) {
        ccdma_phys_t priv = ccdma_plat_virt_to_phys(r.priv);

        if (priv < reach_floor(r.blk)) {
            printf("bench: error blk no private buffer above the request header and the "
                   "bounce pool: its data alone cannot be made to bounce\n");
            bench_fw.errors++;
            goto out;
        }
        r.plain_reach = priv - 1;
    }
    printf("bench: blk device capacity=%llu seg_max=%u size_max=%u\n",
           (unsigned long long)ccdma_blk_capacity(r.blk), r.blk->seg_max, r.blk->size_max);

    /* The steady state: buffers exist, pools are converted; count the RSI
     * work of all private and shared I/O together. */
    bench_counters(&s0);
    for (size_t len = MIN_REQ; len <= MAX_REQ; len *= 2) {
        unsigned int requests = (unsigned int)(per_rep / len);
        for (unsigned int rep = 0; rep < reps; rep++)
            for (int w = 0; w < 2; w++)
                for (int k = BUF_PRIVATE; k <= BUF_SHARED; k++) {
                    run_one(&r, w, (enum buf_kind)k, len, requests, rep);
                    steady_bytes += (uint64_t)len * requests;
                }
    }
    bench_counters(&s1);
    bench_counters_delta(&s0, &s1, &d);
    printf("bench: blk steady bytes=%llu rsi_calls=%llu ipa_state_set=%llu granules=%llu\n",
           (unsigned long long)steady_bytes, (unsigned long long)d.rsi_calls,
           (unsigned long long)d.ipa_state_set,
           (unsigned long long)(d.granules_shared + d.granules_private));

    /* Converting around each request: one repetition is enough to show it. */
    for (size_t len = MIN_REQ; len <= MAX_REQ; len *= 2)
        for (int w = 0; w < 2; w++)
            run_one(&r, w, BUF_CONVERT, len, (unsigned int)(per_rep / len), 0);
out:
    if (r.shared)
        ccdma_free_coherent(ccdma_blk_dma_device(r.blk), MAX_REQ, r.shared, handle);
    if (r.priv)
        ccdma_plat_pages_free(r.priv, MAX_REQ / CCDMA_PAGE_SIZE);
    ccdma_virtq_set_interrupts(&r.blk->vq, irq_mode);
}
