/* SPDX-License-Identifier: MIT */
/*
 * Host leak scans: no private byte ever reaches memory the host can read,
 * except bytes a caller mapped toward the device, and those only in the
 * bounce slots that carried them to it (they were given to the host, and
 * may stay there after unmap: docs/dma.md, "What a bounce copies").
 *
 *   test_leak cca|sev [--seed N] [--ops N]
 *
 * Private buffers (from the page allocator, private under CC) are filled
 * with canaries (leak_scan.h): LEAK_SECRET everywhere, LEAK_SHOWN over a
 * range the test maps toward the device. Workloads then run through the DMA
 * API and the virtio driver against the fake device: every direction,
 * single and scatter-gather mappings, bounce, direct-private and
 * direct-shared paths, syncs, coherent (direct and atomic) allocations,
 * shared and private restricted pools, pool growth, and the error paths
 * (bad arguments, pool exhaustion, failed conversions, foreign unmaps, a
 * device that breaks the protocol, one that never answers).
 *
 * Scans: after every operation, every byte of every page the host port
 * holds as shared (bounce pools, atomic pools, rings, coherent memory,
 * restricted pools: host_platform_for_each_shared); LEAK_SHOWN runs are
 * allowed only inside the slots of bounce mappings toward the device
 * through a shared pool, live or since unmapped (each such slot range is
 * remembered for the rest of the workload). And at every unshare, the
 * range about to become private is
 * scanned while the host still sees it (host_platform_set_unshare_observer),
 * which covers memory shared only for a while: freed coherent memory,
 * destroyed restricted pools, the pools at shutdown. Every scan must find
 * zero; the first tests plant leaks to show that it would not.
 */
#define _POSIX_C_SOURCE 200809L
#include <ccdma/blk.h>
#include <ccdma/virtio.h>

#include "dma_test.h"
#include "fake_virtio.h"
#include "host_mmio.h"
#include "leak_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PAGE CCDMA_PAGE_SIZE
#define BLK_BASE ((uintptr_t)0x0a003e00u)
#define RNG_BASE ((uintptr_t)0x0a003c00u)
#define DISK_BYTES ((size_t)512 << 10)
#define DISK_SECTORS (DISK_BYTES / 512)
#define SCRATCH_FIRST (DISK_SECTORS / 2) /* sectors written with shown bytes */

static uint64_t g_rnd = 0x1eac5ca2;
static unsigned int g_ops = 300;

static uint64_t rnd(void)
{
    g_rnd ^= g_rnd << 13;
    g_rnd ^= g_rnd >> 7;
    g_rnd ^= g_rnd << 17;
    return g_rnd;
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

/* Device data and shared buffers: never a canary. */
static void fill_public(void *p, size_t n)
{
    uint8_t *b = p, seed = (uint8_t)rnd();
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seed + i * 7u);
}

/* ---- Scans -------------------------------------------------------------------------- */

#define MAX_ALLOW 8192
#define MAX_RUNS 256

/* Every slot range a bounce toward the device filled during this workload:
 * shown bytes are allowed there from then on. */
static struct leak_allow g_allow[MAX_ALLOW];
static unsigned int g_nallow;
static struct { uint64_t lo, hi; } g_runs[MAX_RUNS]; /* what the last scan covered */
static unsigned int g_nruns;
static struct leak_scan g_unshare;                /* the observer's, per test */
static unsigned int g_dirty, g_scans;             /* per test */
static char g_first_dirty[256];
static struct {
    uint64_t scans, bytes, allowed, unshares, unshare_bytes, planted_found, inflight;
} G;

static void describe(const struct leak_scan *s, char *out, size_t n)
{
    if (s->nhit == 0) {
        snprintf(out, n, "no violation");
        return;
    }
    const struct leak_hit *h = &s->hit[0];
    snprintf(out, n, "%llu secret and %llu shown runs, first: %s canary of buffer %u, %zu "
             "bytes at pa %#llx", (unsigned long long)s->secret, (unsigned long long)s->shown,
             h->cls == LEAK_SECRET ? "secret" : "shown", h->tag, h->len,
             (unsigned long long)h->pa);
}

static void scan_run(void *va, ccdma_phys_t pa, size_t bytes, void *ctx)
{
    if (g_nruns < MAX_RUNS) {
        g_runs[g_nruns].lo = pa;
        g_runs[g_nruns++].hi = pa + bytes;
    }
    leak_scan_range(ctx, va, pa, bytes);
}

static struct leak_scan scan_shared(void)
{
    struct leak_scan s;
    leak_scan_reset(&s, g_allow, g_nallow);
    g_unshare.nallow = g_nallow;
    g_nruns = 0;
    host_platform_for_each_shared(scan_run, &s);
    G.scans++;
    G.bytes += s.bytes;
    G.allowed += s.allowed;
    g_scans++;
    return s;
}

/* A scan point of a workload: it must find nothing. */
static void scan_clean(const char *where)
{
    struct leak_scan s = scan_shared();
    if (leak_violations(&s) != 0 && g_dirty++ == 0) {
        char d[200];
        describe(&s, d, sizeof(d));
        snprintf(g_first_dirty, sizeof(g_first_dirty), "%s: %s", where, d);
    }
}

/* True when the last scan covered [pa, pa+len). */
static bool scanned(ccdma_phys_t pa, size_t len)
{
    for (unsigned int i = 0; i < g_nruns; i++)
        if (pa >= g_runs[i].lo && pa + len <= g_runs[i].hi)
            return true;
    return false;
}

static void on_unshare(void *va, ccdma_phys_t pa, size_t bytes, void *ctx)
{
    (void)ctx;
    g_unshare.nallow = g_nallow;
    G.unshares++;
    G.unshare_bytes += bytes;
    leak_scan_range(&g_unshare, va, pa, bytes);
}

/* Ranges that touch are merged: bytes two mappings of one buffer left
 * side by side form one run, which must fall inside one range. */
static void allow(ccdma_dma_t addr, size_t len)
{
    uint64_t lo = t_decode(addr), hi = lo + len;
    unsigned int kept = 0;

    for (unsigned int i = 0; i < g_nallow; i++) {
        if (g_allow[i].hi < lo || g_allow[i].lo > hi) {
            g_allow[kept++] = g_allow[i];
            continue;
        }
        lo = g_allow[i].lo < lo ? g_allow[i].lo : lo;
        hi = g_allow[i].hi > hi ? g_allow[i].hi : hi;
    }
    REQUIRE(kept < MAX_ALLOW);
    g_allow[kept].lo = lo;
    g_allow[kept++].hi = hi;
    g_nallow = kept;
}

/* Run one workload, then its verdict: every scan clean, including those at
 * unshare, up to and through ccdma_shutdown. */
static void run(void (*fn)(void), const char *name, bool raw)
{
    g_nallow = 0;
    leak_scan_reset(&g_unshare, g_allow, 0);
    g_dirty = g_scans = 0;
    if (raw)
        t_run_raw(fn, name);
    else
        t_run(fn, name);
    char d[200];
    describe(&g_unshare, d, sizeof(d));
    t_check(g_dirty == 0, name, "%u of %u scans found canaries; first at %s", g_dirty, g_scans,
            g_first_dirty);
    t_check(leak_violations(&g_unshare) == 0, name, "memory being unshared held canaries: %s",
            d);
    printf("# %s: %u scans\n", name, g_scans);
}

/* ---- Devices and buffers ------------------------------------------------------------------ */

static struct ccdma_device d_t0, d_nc, d_t1, d_fb;

static void devices(void)
{
    t_dev_t0(&d_t0, "t0", UINT64_MAX);
    /* Non-coherent, 32-bit, keeps the low 12 bits of every bounce (NVMe). */
    ccdma_device_default(&d_nc, "t0-nc", 0xffffffffull);
    d_nc.coherent = false;
    d_nc.min_align_mask = 0xfff;
    REQUIRE(ccdma_device_init(&d_nc) == CCDMA_OK);
    t_dev_t1(&d_t1, "t1", UINT64_MAX);
    /* An accepted device forced to bounce: through the private pool. */
    ccdma_device_default(&d_fb, "t1-bounce", UINT64_MAX);
    d_fb.reach_private = d_fb.reach_shared = d_fb.force_bounce = true;
    REQUIRE(ccdma_device_init(&d_fb) == CCDMA_OK);
}

/* A device bounces toward the host's view only through a shared pool. */
static bool bounces_shared(const struct ccdma_device *d)
{
    return d == &d_t0 || d == &d_nc || (d->restricted_pool != NULL && !d->reach_private);
}

#define NBUF 12
#define BUF_PAGES 3
#define BUF_BYTES (BUF_PAGES * PAGE)

static uint8_t *g_buf[NBUF];
static bool g_busy[NBUF];

static void buffers_alloc(void)
{
    for (int i = 0; i < NBUF; i++) {
        g_buf[i] = t_pages(BUF_PAGES);
        leak_fill(g_buf[i], BUF_BYTES, LEAK_SECRET, (uint8_t)(i + 1));
        g_busy[i] = false;
    }
}

static void buffers_free(void)
{
    for (int i = 0; i < NBUF; i++)
        t_pages_free(g_buf[i], BUF_PAGES);
}

static int free_buffer(void)
{
    int start = (int)below(NBUF);
    for (int k = 0; k < NBUF; k++) {
        int i = (start + k) % NBUF;
        if (!g_busy[i])
            return i;
    }
    return -1;
}

static bool to_device(enum ccdma_dir d)
{
    return d != CCDMA_FROM_DEVICE;
}

/* Fresh secrets in buffer b, and shown bytes where it is mapped toward
 * the device. */
static void prepare(int b, size_t off, size_t len, enum ccdma_dir dir)
{
    leak_fill(g_buf[b], BUF_BYTES, LEAK_SECRET, (uint8_t)(b + 1));
    if (to_device(dir))
        leak_fill(g_buf[b] + off, len, LEAK_SHOWN, (uint8_t)(b + 1));
}

/* ---- Planted leaks: the scan can fail ---------------------------------------------------------- */

static void planted_shared_page(void)
{
    void *cpu;
    ccdma_dma_t h;
    devices();
    REQUIRE(ccdma_alloc_coherent(&d_t0, 2 * PAGE, 0, 0, &cpu, &h) == CCDMA_OK);
    struct leak_scan s = scan_shared();
    CHECK_EQ(leak_violations(&s), 0, "a fresh coherent allocation holds no canary");
    CHECK(scanned(t_decode(h), 2 * PAGE), "the scan covers the coherent allocation");

    /* Eight canary bytes starting mid-word at an odd address. */
    uint8_t run[16];
    leak_fill(run, sizeof(run), LEAK_SECRET, 77);
    memcpy((uint8_t *)cpu + 1001, run + 5, 8);
    s = scan_shared();
    CHECK(s.secret == 1 && s.hit[0].tag == 77 && s.hit[0].len == 8 &&
              s.hit[0].pa == t_decode(h) + 1001,
          "an 8-byte secret run at an odd address is found, with its buffer and place");
    leak_fill((uint8_t *)cpu + PAGE, 512, LEAK_SHOWN, 78);
    s = scan_shared();
    CHECK(s.secret == 1 && s.shown == 1, "shown bytes outside the slots of a bounce toward the device are a leak too");
    memcpy((uint8_t *)cpu + 1001, run + 5, 7);
    memset((uint8_t *)cpu + 1008, 0, 1);
    memset((uint8_t *)cpu + PAGE, 0, 512);
    s = scan_shared();
    CHECK_EQ(leak_violations(&s), 0, "seven bytes are below the scan's resolution");
    G.planted_found += 3;
    memset(cpu, 0, 2 * PAGE);
    REQUIRE(ccdma_free_coherent(&d_t0, 2 * PAGE, cpu, h) == CCDMA_OK);
}

/* What Linux does since CVE-2022-0854: copy the caller's buffer into the
 * FROM_DEVICE bounce slot at map time. Here the test does the copy. */
static void planted_linux_prefill(void)
{
    ccdma_dma_t a;
    devices();
    uint8_t *buf = t_pages(2);
    leak_fill(buf, 2 * PAGE, LEAK_SECRET, 90);
    REQUIRE(ccdma_map_single(&d_t0, buf + 100, 3000, CCDMA_FROM_DEVICE, 0, &a) == CCDMA_OK);
    CHECK(ccdma_is_bounced(&d_t0, a), "a private buffer bounces for a T=0 device");
    struct leak_scan s = scan_shared();
    CHECK_EQ(leak_violations(&s), 0, "ccdma zero-fills the FROM_DEVICE slot");
    memcpy(ccdma_plat_phys_to_virt(t_decode(a)), buf + 100, 3000); /* the Linux pre-fill */
    s = scan_shared();
    CHECK(s.secret == 1 && s.hit[0].tag == 90 && s.hit[0].len == 3000 &&
              s.hit[0].pa == t_decode(a),
          "a Linux-style pre-filled FROM_DEVICE slot is found");
    G.planted_found++;
    memset(ccdma_plat_phys_to_virt(t_decode(a)), 0, 3000); /* the test takes its plant back */
    REQUIRE(ccdma_unmap_single(&d_t0, a, 3000, CCDMA_FROM_DEVICE, CCDMA_ATTR_SKIP_CPU_SYNC) ==
            CCDMA_OK);
    s = scan_shared();
    CHECK_EQ(leak_violations(&s), 0, "and with it gone the pool is clean again");
    t_pages_free(buf, 2);
}

/* Memory shared only between two scans is caught when it is unshared. */
static void planted_transient(void)
{
    void *cpu;
    ccdma_dma_t h;
    devices();
    REQUIRE(ccdma_alloc_coherent(&d_t0, 3 * PAGE, 0, 0, &cpu, &h) == CCDMA_OK);
    CHECK(!ccdma_is_bounced(&d_t0, h) && t_range_shared(t_decode(h), 3 * PAGE),
          "a direct coherent allocation: pages converted for it");
    leak_fill((uint8_t *)cpu + 2 * PAGE + 64, 256, LEAK_SECRET, 91);
    uint64_t before = g_unshare.secret;
    REQUIRE(ccdma_free_coherent(&d_t0, 3 * PAGE, cpu, h) == CCDMA_OK);
    CHECK(g_unshare.secret == before + 1 && g_unshare.hit[0].tag == 91,
          "a canary in memory being unshared is found at the unshare");
    G.planted_found++;
    leak_scan_reset(&g_unshare, g_allow, g_nallow); /* planted: not a failure of this run */
}

/* ---- Streaming mappings ----------------------------------------------------------------------- */

struct live {
    struct ccdma_device *dev;
    enum ccdma_dir dir;
    unsigned int attrs;
    bool sg;
    int n;
    struct ccdma_sg e[4];
    int buf[4];
    void *shared;      /* direct-shared: coherent memory, already shared */
    ccdma_dma_t shared_h;
};

#define MAX_LIVE 8
static struct live g_live[MAX_LIVE];
static int g_nlive;
static struct { uint64_t maps, sg, bounced, direct, shared, failed, dev_writes, syncs; } M;

static void allowances(void)
{
    for (int i = 0; i < g_nlive; i++) {
        const struct live *l = &g_live[i];
        if (!to_device(l->dir) || !bounces_shared(l->dev))
            continue;
        for (int k = 0; k < l->n; k++)
            if (ccdma_is_bounced(l->dev, l->e[k].dma_addr))
                allow(l->e[k].dma_addr, l->e[k].len);
    }
}

static struct ccdma_device *pick_device(struct ccdma_device *const *devs, int ndev)
{
    return devs[below((uint64_t)ndev)];
}

static void map_one(struct ccdma_device *const *devs, int ndev)
{
    if (g_nlive == MAX_LIVE)
        return;
    struct live *l = &g_live[g_nlive];
    memset(l, 0, sizeof(*l));
    l->dev = pick_device(devs, ndev);
    l->dir = (enum ccdma_dir)below(3);
    l->sg = below(3) == 0;
    l->n = l->sg ? 1 + (int)below(4) : 1;
    int err;

    if (!l->sg && l->dev == &d_t0 && below(4) == 0) {
        /* Direct-shared: memory that is shared already, used in place. */
        size_t len = 1 + below(2 * PAGE);
        REQUIRE(ccdma_alloc_coherent(&d_t0, 2 * PAGE, 0, 0, &l->shared, &l->shared_h) == 0);
        fill_public(l->shared, 2 * PAGE);
        l->attrs = CCDMA_ATTR_CC_SHARED;
        l->e[0] = (struct ccdma_sg){.va = l->shared, .len = len};
        l->buf[0] = -1;
        err = ccdma_map_single(l->dev, l->shared, len, l->dir, l->attrs, &l->e[0].dma_addr);
        if (err) {
            M.failed++;
            (void)ccdma_free_coherent(&d_t0, 2 * PAGE, l->shared, l->shared_h);
            return;
        }
        M.shared++;
    } else {
        for (int k = 0; k < l->n; k++) {
            int b = free_buffer();
            if (b < 0) {
                l->n = k;
                break;
            }
            size_t off = below(PAGE), len = 1 + below(BUF_BYTES - off < 9000 ? BUF_BYTES - off : 9000);
            g_busy[b] = true;
            l->buf[k] = b;
            prepare(b, off, len, l->dir);
            l->e[k] = (struct ccdma_sg){.va = g_buf[b] + off, .len = len};
        }
        if (l->n == 0)
            return;
        if (l->sg)
            err = ccdma_map_sg(l->dev, l->e, l->n, l->dir, 0);
        else
            err = ccdma_map_single(l->dev, l->e[0].va, l->e[0].len, l->dir, 0, &l->e[0].dma_addr);
        if (err < 0) {
            M.failed++;
            for (int k = 0; k < l->n; k++)
                g_busy[l->buf[k]] = false;
            return;
        }
        for (int k = 0; k < l->n; k++) {
            bool b = ccdma_is_bounced(l->dev, l->e[k].dma_addr);
            M.bounced += b;
            M.direct += !b;
        }
    }
    M.maps++;
    M.sg += l->sg;
    g_nlive++;
}

/* The device writes public bytes into what it may write. */
static void device_writes(void)
{
    if (g_nlive == 0)
        return;
    struct live *l = &g_live[below((uint64_t)g_nlive)];
    if (l->dir == CCDMA_TO_DEVICE)
        return;
    for (int k = 0; k < l->n; k++) {
        size_t len = l->e[k].len;
        uint8_t *pub = malloc(len);
        REQUIRE(pub != NULL);
        fill_public(pub, len);
        if (t_dev_write(l->dev, l->e[k].dma_addr, pub, len) != 0)
            t_check(false, "device write", "%s", t_dev_error);
        free(pub);
    }
    M.dev_writes++;
}

static void sync_one(void)
{
    if (g_nlive == 0)
        return;
    struct live *l = &g_live[below((uint64_t)g_nlive)];
    bool to_dev = below(2);
    int err;
    if (l->sg) {
        err = to_dev ? ccdma_sync_sg_for_device(l->dev, l->e, l->n, l->dir)
                     : ccdma_sync_sg_for_cpu(l->dev, l->e, l->n, l->dir);
    } else {
        size_t off = below(l->e[0].len), len = 1 + below(l->e[0].len - off);
        err = to_dev ? ccdma_sync_for_device(l->dev, l->e[0].dma_addr + off, len, l->dir)
                     : ccdma_sync_for_cpu(l->dev, l->e[0].dma_addr + off, len, l->dir);
    }
    if (err)
        t_check(false, "sync", "%s", ccdma_strerror(err));
    M.syncs++;
}

static void unmap_at(int i)
{
    struct live *l = &g_live[i];
    unsigned int attrs = l->attrs | (below(4) == 0 ? CCDMA_ATTR_SKIP_CPU_SYNC : 0u);
    int err = l->sg ? ccdma_unmap_sg(l->dev, l->e, l->n, l->dir, attrs)
                    : ccdma_unmap_single(l->dev, l->e[0].dma_addr, l->e[0].len, l->dir, attrs);
    if (err)
        t_check(false, "unmap", "%s", ccdma_strerror(err));
    if (l->shared != NULL)
        (void)ccdma_free_coherent(&d_t0, 2 * PAGE, l->shared, l->shared_h);
    for (int k = 0; k < l->n; k++)
        if (l->buf[k] >= 0)
            g_busy[l->buf[k]] = false;
    g_live[i] = g_live[--g_nlive];
}

static void unmap_all(void)
{
    while (g_nlive > 0)
        unmap_at(g_nlive - 1);
}

/* One random streaming step, then a scan. */
static void stream_step(struct ccdma_device *const *devs, int ndev)
{
    switch (below(6)) {
    case 0:
    case 1: map_one(devs, ndev); break;
    case 2: device_writes(); break;
    case 3: sync_one(); break;
    default:
        if (g_nlive > 0)
            unmap_at((int)below((uint64_t)g_nlive));
        break;
    }
    allowances();
    scan_clean("streaming");
}

static void streaming(void)
{
    struct ccdma_device *const devs[] = {&d_t0, &d_nc, &d_t1, &d_fb};
    uint64_t allowed_before = G.allowed;
    devices();
    buffers_alloc();
    memset(&M, 0, sizeof(M));
    for (unsigned int i = 0; i < g_ops; i++)
        stream_step(devs, 4);
    scan_clean("streaming: end");
    printf("# %llu maps (%llu sg, %llu direct-shared), %llu entries bounced, %llu direct, "
           "%llu refused, %llu device writes, %llu syncs; %llu shown runs allowed\n",
           (unsigned long long)M.maps, (unsigned long long)M.sg, (unsigned long long)M.shared,
           (unsigned long long)M.bounced, (unsigned long long)M.direct,
           (unsigned long long)M.failed, (unsigned long long)M.dev_writes,
           (unsigned long long)M.syncs, (unsigned long long)G.allowed);
    CHECK(M.bounced > 0 && M.direct > 0 && M.sg > 0 && M.shared > 0 && M.dev_writes > 0,
          "every path was taken");
    CHECK(G.allowed > allowed_before, "shown bytes in live bounces were seen, and allowed");
    struct ccdma_swiotlb_stats st;
    REQUIRE(ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &st) == CCDMA_OK);
    CHECK(scanned(st.start, (size_t)(st.end - st.start)),
          "the scan covers the default shared bounce pool");
    unmap_all();
    scan_clean("streaming: all unmapped");
    buffers_free();
}

/* ---- Coherent memory, atomic and restricted pools ------------------------------------------- */

static void pools(void)
{
    void *cpu[64];
    ccdma_dma_t h[64];
    size_t size[64];
    int n = 0;
    devices();
    buffers_alloc();

    /* Atomic: drain the shared pool, grow it, give everything back. */
    while (n < 64) {
        size[n] = PAGE * (1 + below(3));
        if (ccdma_alloc_coherent(&d_t0, size[n], CCDMA_ALLOC_ATOMIC, 0, &cpu[n], &h[n]) != 0)
            break;
        fill_public(cpu[n], size[n]);
        n++;
    }
    scan_clean("atomic pool drained");
    CHECK(n > 0 && scanned(t_decode(h[0]), PAGE), "the scan covers the atomic pool");
    CHECK(ccdma_poll() > 0, "the drained atomic pool grows");
    scan_clean("atomic pool grown");
    void *priv_cpu;
    ccdma_dma_t priv_h;
    REQUIRE(ccdma_alloc_coherent(&d_t1, PAGE, CCDMA_ALLOC_ATOMIC, 0, &priv_cpu, &priv_h) == 0);
    leak_fill(priv_cpu, PAGE, LEAK_SECRET, 60); /* private atomic memory may hold secrets */
    scan_clean("private atomic allocation");
    for (int i = 0; i < n; i++)
        REQUIRE(ccdma_free_coherent(&d_t0, size[i], cpu[i], h[i]) == CCDMA_OK);
    REQUIRE(ccdma_free_coherent(&d_t1, PAGE, priv_cpu, priv_h) == CCDMA_OK);
    scan_clean("atomic memory returned");

    /* Direct coherent memory: converted for the allocation, back at free. */
    for (int i = 0; i < 8; i++) {
        size_t sz = PAGE * (1 + below(4));
        REQUIRE(ccdma_alloc_coherent(&d_t0, sz, 0, 0, &cpu[0], &h[0]) == CCDMA_OK);
        fill_public(cpu[0], sz);
        scan_clean("direct coherent allocation");
        CHECK(i > 0 || scanned(t_decode(h[0]), sz), "the scan covers direct coherent memory");
        REQUIRE(ccdma_free_coherent(&d_t0, sz, cpu[0], h[0]) == CCDMA_OK);
    }

    /* A shared restricted pool over memory that held secrets: they must
     * not survive the conversion. Then traffic through it. */
    uint8_t *mem = t_pages(64);
    leak_fill(mem, 64 * PAGE, LEAK_SECRET, 61);
    struct ccdma_swiotlb *pool, *ppool;
    REQUIRE(ccdma_swiotlb_restricted_create("leak-shared", mem, 64 * PAGE, true, &pool) == 0);
    scan_clean("shared restricted pool created over secrets");
    CHECK(scanned(t_pa(mem), 64 * PAGE), "the scan covers the restricted pool");
    struct ccdma_device d_r;
    ccdma_device_default(&d_r, "restricted", UINT64_MAX);
    d_r.restricted_pool = pool;
    REQUIRE(ccdma_device_init(&d_r) == CCDMA_OK);

    /* A private restricted pool for an accepted device: never visible. */
    uint8_t *pmem = t_pages(32);
    REQUIRE(ccdma_swiotlb_restricted_create("leak-private", pmem, 32 * PAGE, false, &ppool) == 0);
    struct ccdma_device d_rp;
    ccdma_device_default(&d_rp, "restricted-private", UINT64_MAX);
    d_rp.reach_private = d_rp.reach_shared = true;
    d_rp.restricted_pool = ppool;
    REQUIRE(ccdma_device_init(&d_rp) == CCDMA_OK);

    REQUIRE(ccdma_alloc_coherent(&d_r, 2 * PAGE, 0, 0, &cpu[1], &h[1]) == CCDMA_OK);
    fill_public(cpu[1], 2 * PAGE);
    struct ccdma_device *const devs[] = {&d_r, &d_rp};
    for (unsigned int i = 0; i < g_ops / 2; i++)
        stream_step(devs, 2);
    unmap_all();
    scan_clean("restricted pools idle");
    REQUIRE(ccdma_free_coherent(&d_r, 2 * PAGE, cpu[1], h[1]) == CCDMA_OK);
    /* A pool a device still holds cannot be destroyed: let go first. */
    REQUIRE(ccdma_device_release(&d_r) == CCDMA_OK);
    REQUIRE(ccdma_device_release(&d_rp) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(pool) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(ppool) == CCDMA_OK);
    scan_clean("restricted pools destroyed");
    t_pages_free(mem, 64);
    t_pages_free(pmem, 32);
    buffers_free();
}

/* ---- Error paths ----------------------------------------------------------------------------------- */

#define MAX_EXHAUST 256

static void errors(void)
{
    ccdma_dma_t a, many[MAX_EXHAUST];
    struct ccdma_config cfg = t_config();
    cfg.quiet = true; /* the misuse below is reported on purpose */
    cfg.swiotlb_dynamic = true;
    t_setup_with(NULL, &cfg);
    devices();
    buffers_alloc();
    uint8_t *b = g_buf[0];

    /* Bad arguments: nothing mapped, nothing copied. */
    prepare(0, 0, BUF_BYTES, CCDMA_TO_DEVICE);
    CHECK_ERR(ccdma_map_single(&d_t0, NULL, 64, CCDMA_TO_DEVICE, 0, &a), CCDMA_EINVAL, "NULL");
    CHECK_ERR(ccdma_map_single(&d_t0, b, 0, CCDMA_TO_DEVICE, 0, &a), CCDMA_EINVAL, "size 0");
    CHECK_ERR(ccdma_map_single(&d_t0, b, 64, (enum ccdma_dir)7, 0, &a), CCDMA_EINVAL,
              "bad direction");
    CHECK_ERR(ccdma_map_single(&d_t0, b, 64, CCDMA_TO_DEVICE, 1u << 12, &a), CCDMA_EINVAL,
              "unknown attribute");
    CHECK_ERR(ccdma_map_single(&d_t0, b, 64, CCDMA_TO_DEVICE, CCDMA_ATTR_MMIO, &a), CCDMA_EINVAL,
              "MMIO on map_single");
    scan_clean("bad arguments");
    uint8_t *big = t_pages(80);
    leak_fill(big, 80 * PAGE, LEAK_SHOWN, 50);
    CHECK_ERR(ccdma_map_single(&d_t0, big, 80 * PAGE, CCDMA_TO_DEVICE, 0, &a), CCDMA_EINVAL,
              "larger than any bounce");
    scan_clean("mapping too large");

    /* Scatter-gather whose last entry cannot be mapped: all unwound. */
    struct ccdma_sg sg[3] = {{g_buf[1], 4000, 0, 0}, {g_buf[2], 5000, 0, 0}, {big, 80 * PAGE, 0, 0}};
    prepare(1, 0, 4000, CCDMA_TO_DEVICE);
    prepare(2, 0, 5000, CCDMA_TO_DEVICE);
    CHECK(ccdma_map_sg(&d_t0, sg, 3, CCDMA_TO_DEVICE, 0) < 0, "failing sg entry");
    scan_clean("failed scatter-gather");

    /* A device that can address nothing. */
    struct ccdma_device tiny;
    ccdma_device_default(&tiny, "tiny", 0xfff);
    REQUIRE(ccdma_device_init(&tiny) == CCDMA_OK);
    CHECK(ccdma_map_single(&tiny, b, 64, CCDMA_TO_DEVICE, 0, &a) < 0, "mask too small");
    scan_clean("mask too small");

    /* Exhaust the shared bounce pool with FROM_DEVICE maps of secrets,
     * then try to show bytes into the full pool. */
    int n = 0;
    uint8_t *ex = t_pages(MAX_EXHAUST * 15);
    leak_fill(ex, MAX_EXHAUST * 15 * PAGE, LEAK_SECRET, 51);
    size_t exsz[MAX_EXHAUST];
    for (size_t sz = 60000; sz >= 2048; sz /= 2) /* big pieces, then the gaps */
        while (n < MAX_EXHAUST && ccdma_map_single(&d_t0, ex + (size_t)n * 15 * PAGE, sz,
                                                   CCDMA_FROM_DEVICE, CCDMA_ATTR_NO_WARN,
                                                   &many[n]) == 0)
            exsz[n++] = sz;
    CHECK(n > 0 && n < MAX_EXHAUST, "the pool runs out");
    scan_clean("bounce pool exhausted");
    prepare(3, 0, 9000, CCDMA_TO_DEVICE);
    CHECK_ERR(ccdma_map_single(&d_t0, g_buf[3], 9000, CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN, &a),
              CCDMA_ENOSPC, "no room to show bytes");
    scan_clean("toward-device map refused by a full pool");
    /* The refusal asked for growth: a new region, converted, then used. */
    CHECK(ccdma_poll() > 0, "the dynamic bounce pool grows");
    REQUIRE(ccdma_map_single(&d_t0, g_buf[3], 9000, CCDMA_TO_DEVICE, 0, &a) == CCDMA_OK);
    allow(a, 9000);
    scan_clean("grown bounce pool");
    CHECK(scanned(t_decode(a), 9000), "the scan covers the grown region");
    REQUIRE(ccdma_unmap_single(&d_t0, a, 9000, CCDMA_TO_DEVICE, 0) == CCDMA_OK);
    for (int i = 0; i < n; i++)
        REQUIRE(ccdma_unmap_single(&d_t0, many[i], exsz[i], CCDMA_FROM_DEVICE, 0) == 0);
    scan_clean("pool drained again");

    /* Foreign and double unmaps are refused and change nothing. */
    REQUIRE(ccdma_map_single(&d_t0, b, 700, CCDMA_FROM_DEVICE, 0, &a) == CCDMA_OK);
    CHECK(ccdma_unmap_single(&d_t0, a + 64, 700, CCDMA_FROM_DEVICE, 0) != 0, "interior unmap");
    CHECK(ccdma_unmap_single(&d_nc, a, 700, CCDMA_FROM_DEVICE, 0) != 0, "another device's");
    REQUIRE(ccdma_unmap_single(&d_t0, a, 700, CCDMA_FROM_DEVICE, 0) == CCDMA_OK);
    CHECK(ccdma_unmap_single(&d_t0, a, 700, CCDMA_FROM_DEVICE, 0) != 0, "double unmap");
    scan_clean("foreign and double unmaps");

    /* Failed conversions: the pages are quarantined, never exposed. */
    struct host_platform_faults f = {.share_fail_after = 0, .share_fail_count = 1};
    void *cpu;
    ccdma_dma_t h;
    host_platform_set_faults(&f);
    CHECK(ccdma_alloc_coherent(&d_t0, 2 * PAGE, 0, 0, &cpu, &h) != 0, "share refused");
    scan_clean("failed share of coherent memory");
    uint8_t *mem = t_pages(16);
    leak_fill(mem, 16 * PAGE, LEAK_SECRET, 52);
    struct ccdma_swiotlb *pool;
    host_platform_set_faults(&f);
    CHECK(ccdma_swiotlb_restricted_create("leak-fail", mem, 16 * PAGE, true, &pool) != 0,
          "restricted pool whose conversion fails");
    scan_clean("failed share of a restricted pool over secrets");
    CHECK_ERR(ccdma_swiotlb_restricted_create("leak-odd", mem + 8 * PAGE + 512, 4 * PAGE, true,
                                              &pool), CCDMA_EINVAL, "misaligned restricted pool");
    REQUIRE(ccdma_alloc_coherent(&d_t0, 2 * PAGE, 0, 0, &cpu, &h) == CCDMA_OK);
    fill_public(cpu, 2 * PAGE);
    f = (struct host_platform_faults){.unshare_fail_after = 0, .unshare_fail_count = 1};
    host_platform_set_faults(&f);
    REQUIRE(ccdma_free_coherent(&d_t0, 2 * PAGE, cpu, h) == CCDMA_OK); /* leaked, still shared */
    host_platform_set_faults(NULL);
    scan_clean("failed unshare at free");

    buffers_free();
    t_pages_free(big, 80);
    t_pages_free(ex, MAX_EXHAUST * 15);
    (void)t_teardown(); /* pages stay quarantined: not checked here */
}

/* ---- virtio through the fake device -------------------------------------------------------------- */

static struct fake_dev F_blk, F_rng;
static struct ccdma_blk B;
static struct ccdma_rng R;
static uint8_t g_disk[DISK_BYTES];

static void disk_init(void)
{
    for (size_t o = 0; o < DISK_BYTES; o++)
        g_disk[o] = (uint8_t)(o * 7u + o / 512u + 0x5a);
}

/* The fake device, with a scan each time it is about to serve a request:
 * the moment the host sees the request's buffers. Shown bytes are allowed
 * only in the descriptors the device may read, of the chains it is about
 * to serve (layout from the virtio 1.2 spec, 2.7), and where streaming
 * mappings toward a device put them; those descriptors' ranges are bounce
 * slots too, and stay allowed after the request, as do the ones the device
 * wrote once it has served them. */
#define MAX_WRITES 64
struct dev_write {
    uint64_t addr;
    uint32_t len;
};
static struct dev_write g_writes[MAX_WRITES];
static unsigned int g_nwrites;

static void inflight_allowances(const struct fake_dev *d)
{
    g_nwrites = 0;
    uint8_t *desc = ccdma_plat_phys_to_virt(ccdma_plat_dma_to_phys(d->desc));
    uint8_t *avail = ccdma_plat_phys_to_virt(ccdma_plat_dma_to_phys(d->avail));
    if (desc == NULL || avail == NULL || d->qnum == 0)
        return;
    uint16_t aidx;
    memcpy(&aidx, avail + 2, 2);
    for (uint16_t i = d->last_avail; i != aidx; i++) {
        uint16_t id;
        memcpy(&id, avail + 4 + 2u * (i % d->qnum), 2);
        for (unsigned int n = 0; id < d->qnum && n < d->qnum; n++) {
            uint64_t addr;
            uint32_t len;
            uint16_t flags;
            memcpy(&addr, desc + 16u * id, 8);
            memcpy(&len, desc + 16u * id + 8, 4);
            memcpy(&flags, desc + 16u * id + 12, 2);
            if (!(flags & 2u))
                allow(addr, len);
            else if (g_nwrites < MAX_WRITES)
                g_writes[g_nwrites++] = (struct dev_write){addr, len};
            if (!(flags & 1u))
                break;
            memcpy(&id, desc + 16u * id + 14, 2);
        }
    }
}

static uint32_t leak_read32(void *ctx, uint64_t off)
{
    return fake_mmio_ops()->read32(ctx, off);
}

static void leak_write32(void *ctx, uint64_t off, uint32_t v)
{
    fake_mmio_ops()->write32(ctx, off, v);
}

static void leak_relax(void *ctx)
{
    struct fake_dev *d = ctx;
    if (d->kicked && (d->status & 4u) && d->qready) {
        allowances(); /* live streaming mappings (the mixed workload) */
        inflight_allowances(d);
        scan_clean("virtio request in flight");
        G.inflight++;
    }
    fake_process(d);
    /* What the device wrote is its own data, even a copy of shown bytes it
     * was given before (a disk read back): allowed where it wrote it. */
    for (unsigned int i = 0; i < g_nwrites; i++)
        allow(g_writes[i].addr, g_writes[i].len);
    g_nwrites = 0;
}

static const struct host_mmio_ops leak_fake_ops = {
    .read32 = leak_read32, .write32 = leak_write32, .read8 = NULL, .relax = leak_relax,
};

static bool blk_up(enum fake_evil evil, unsigned int after, uint64_t budget_ns)
{
    fake_blk_init(&F_blk, g_disk, DISK_BYTES, T.cc);
    F_blk.evil = evil;
    F_blk.evil_after = after;
    F_blk.evil_status = 1;
    if (host_mmio_register(BLK_BASE, FAKE_WINDOW, &leak_fake_ops, &F_blk) != 0)
        return false;
    if (ccdma_blk_probe(&B, BLK_BASE, FAKE_WINDOW) != 0) {
        fake_detach(BLK_BASE);
        return false;
    }
    if (budget_ns)
        B.vdev.budget_ns = budget_ns;
    return true;
}

static void blk_down(void)
{
    ccdma_blk_remove(&B);
    fake_detach(BLK_BASE);
}

static bool rng_up(enum fake_evil evil, uint64_t budget_ns)
{
    fake_rng_init(&F_rng, 99, T.cc);
    F_rng.evil = evil;
    if (host_mmio_register(RNG_BASE, FAKE_WINDOW, &leak_fake_ops, &F_rng) != 0)
        return false;
    if (ccdma_rng_probe(&R, RNG_BASE, FAKE_WINDOW) != 0) {
        fake_detach(RNG_BASE);
        return false;
    }
    if (budget_ns)
        R.vdev.budget_ns = budget_ns;
    return true;
}

static void rng_down(void)
{
    ccdma_rng_remove(&R);
    fake_detach(RNG_BASE);
}

/* One random blk or rng request on private (canary) buffers first..first+2
 * (first random when negative) or on shared memory. Returns its result;
 * *what names it. */
static int virtio_request(void *shared, int first, const char **what)
{
    int b = first >= 0 ? first : (int)below(NBUF - 2);
    size_t off = 512 * below(4), len = 512 * (1 + below(8));
    uint64_t sector = below(SCRATCH_FIRST - 16);
    switch (below(7)) {
    case 0:
        *what = "blk read into private memory";
        prepare(b, 0, 0, CCDMA_FROM_DEVICE);
        return ccdma_blk_read(&B, sector, g_buf[b] + off, len, 0);
    case 1: {
        *what = "blk readv into three private buffers";
        struct ccdma_blk_seg s[3];
        for (int k = 0; k < 3; k++) {
            prepare(b + k, 0, 0, CCDMA_FROM_DEVICE);
            s[k] = (struct ccdma_blk_seg){g_buf[b + k] + 512 * (size_t)k, 512 * (size_t)(k + 1)};
        }
        return ccdma_blk_readv(&B, sector, s, 3, 0);
    }
    case 2:
        *what = "blk write of shown bytes";
        sector = SCRATCH_FIRST + below(DISK_SECTORS - SCRATCH_FIRST - 16);
        prepare(b, off, len, CCDMA_TO_DEVICE);
        return ccdma_blk_write(&B, sector, g_buf[b] + off, len, 0);
    case 3:
        *what = "blk read of shown bytes back into private memory";
        sector = SCRATCH_FIRST + below(DISK_SECTORS - SCRATCH_FIRST - 16);
        prepare(b, 0, 0, CCDMA_FROM_DEVICE);
        return ccdma_blk_read(&B, sector, g_buf[b] + off, len, 0);
    case 4:
        *what = "blk read into shared memory";
        return ccdma_blk_read(&B, sector, shared, len, CCDMA_BLK_SHARED);
    case 5:
        *what = "blk flush";
        return ccdma_blk_flush(&B);
    default: {
        *what = "rng read";
        bool sh = below(2);
        prepare(b, 0, 0, CCDMA_FROM_DEVICE);
        int n = ccdma_rng_read(&R, sh ? shared : g_buf[b] + off, 1 + below(3000), sh);
        return n < 0 ? n : 0;
    }
    }
}

static void virtio_traffic(void)
{
    void *shared, *rshared;
    ccdma_dma_t sh, rsh;
    devices();
    buffers_alloc();
    disk_init();
    REQUIRE(blk_up(EVIL_NONE, 0, 0) && rng_up(EVIL_NONE, 0));
    REQUIRE(ccdma_alloc_coherent(&B.vdev.dma, 8 * PAGE, 0, 0, &shared, &sh) == CCDMA_OK);
    REQUIRE(ccdma_alloc_coherent(&R.vdev.dma, PAGE, 0, 0, &rshared, &rsh) == CCDMA_OK);
    (void)rshared;
    scan_clean("devices probed");
    CHECK(scanned(t_pa(B.vq.desc), 16 * B.vq.num) && scanned(t_pa(B.vq.avail), 4) &&
              scanned(t_pa(B.vq.used), 4) && scanned(t_pa(B.hdr), 17),
          "the scan covers the rings and the request header");
    unsigned int bad = 0;
    for (unsigned int i = 0; i < g_ops; i++) {
        const char *what = "";
        int rc = virtio_request(shared, -1, &what);
        if (rc != 0 && bad++ == 0)
            t_check(false, what, "%s", ccdma_strerror(rc));
        scan_clean(what);
    }
    CHECK_EQ(bad, 0, "every request completed");
    /* The shown bytes written went to the disk (host memory), nowhere else. */
    CHECK(F_blk.requests > 0 && F_rng.requests > 0 && F_blk.cc_violations == 0 &&
              F_rng.cc_violations == 0, "the devices saw only shared addresses");
    REQUIRE(ccdma_free_coherent(&B.vdev.dma, 8 * PAGE, shared, sh) == CCDMA_OK);
    REQUIRE(ccdma_free_coherent(&R.vdev.dma, PAGE, rshared, rsh) == CCDMA_OK);
    blk_down();
    rng_down();
    scan_clean("devices removed");
    buffers_free();
}

/* A device that breaks the protocol, one way after another: every request
 * ends cleanly, and its bounce slots hold nothing but what went to it. */
static void virtio_hostile(void)
{
    static const enum fake_evil evils[] = {
        EVIL_ID_RANGE, EVIL_ID_BODY, EVIL_ID_FREE, EVIL_DUPLICATE, EVIL_REPLAY, EVIL_LEN_HUGE,
        EVIL_LEN_SHORT, EVIL_IDX_JUMP, EVIL_IDX_BACK, EVIL_STATUS, EVIL_NO_STATUS, EVIL_REORDER,
    };
    void *shared;
    ccdma_dma_t sh;
    devices();
    buffers_alloc();
    disk_init();
    unsigned int outcomes[4] = {0}; /* ok, EIO, EBROKEN, ETIMEDOUT */
    for (size_t e = 0; e < sizeof(evils) / sizeof(evils[0]); e++) {
        REQUIRE(blk_up(evils[e], 1, 50000000ull) && rng_up(evils[e], 50000000ull));
        REQUIRE(ccdma_alloc_coherent(&B.vdev.dma, 8 * PAGE, 0, 0, &shared, &sh) == CCDMA_OK);
        for (int i = 0; i < 12; i++) {
            const char *what = "";
            int rc = virtio_request(shared, -1, &what);
            int k = rc == 0 ? 0 : rc == CCDMA_EIO ? 1 : rc == CCDMA_EBROKEN ? 2
                  : rc == CCDMA_ETIMEDOUT ? 3 : -1;
            if (k < 0)
                t_check(false, what, "hostile device %zu: %s", e, ccdma_strerror(rc));
            else
                outcomes[k]++;
            scan_clean(what);
        }
        REQUIRE(ccdma_free_coherent(&B.vdev.dma, 8 * PAGE, shared, sh) == CCDMA_OK);
        blk_down();
        rng_down();
        scan_clean("hostile device removed");
    }
    printf("# hostile devices: %u ok, %u EIO, %u EBROKEN, %u ETIMEDOUT\n", outcomes[0],
           outcomes[1], outcomes[2], outcomes[3]);
    CHECK(outcomes[1] > 0 && outcomes[2] > 0, "errors and breaks were provoked");
    buffers_free();
}

/* A device that takes requests and never answers, and whose reset never
 * completes: the driver gives up and, since the device may still use them,
 * keeps the request's mappings and the rings for good (never unmapped or
 * freed). The scans must still find nothing; exactly what the driver kept
 * is live at shutdown (run raw: t_run would call it a leak). */
static void virtio_timeout(void)
{
    void *shared;
    ccdma_dma_t sh;
    struct ccdma_config cfg = t_config();
    t_setup_with(NULL, &cfg);
    devices();
    buffers_alloc();
    disk_init();
    REQUIRE(blk_up(EVIL_NEVER, 0, 30000000ull) && rng_up(EVIL_NEVER, 30000000ull));
    F_blk.ignore_reset = F_rng.ignore_reset = true;
    REQUIRE(ccdma_alloc_coherent(&B.vdev.dma, 8 * PAGE, 0, 0, &shared, &sh) == CCDMA_OK);
    prepare(0, 0, BUF_BYTES, CCDMA_FROM_DEVICE);
    CHECK_ERR(ccdma_blk_read(&B, 0, g_buf[0], 4096, 0), CCDMA_ETIMEDOUT, "read times out");
    scan_clean("blk read timed out");
    prepare(1, 0, 4096, CCDMA_TO_DEVICE);
    CHECK_ERR(ccdma_blk_write(&B, 0, g_buf[1], 4096, 0), CCDMA_EBROKEN, "then the device is off");
    scan_clean("blk write refused");
    CHECK_ERR(ccdma_rng_read(&R, g_buf[2], 100, false), CCDMA_ETIMEDOUT, "rng times out");
    scan_clean("rng read timed out");
    REQUIRE(ccdma_free_coherent(&B.vdev.dma, 8 * PAGE, shared, sh) == CCDMA_OK);
    blk_down();
    rng_down();
    scan_clean("silent devices removed");
    buffers_free();
    /* blk: header, data, status mapped; rings and header block kept. rng:
     * its buffer mapped; rings kept. */
    CHECK(B.vq.stats.leaked_maps == 3 && B.vq.stats.leaked_allocs == 4 &&
              R.vq.stats.leaked_maps == 1 && R.vq.stats.leaked_allocs == 3,
          "the driver kept what the unreset devices may use");
    uint64_t kept = B.vq.stats.leaked_maps + B.vq.stats.leaked_allocs +
                    R.vq.stats.leaked_maps + R.vq.stats.leaked_allocs;
    struct ccdma_debug_counters dbg = t_debug();
    CHECK_EQ(dbg.errors, 0, "no dma-debug report");
    CHECK_EQ((uint64_t)t_teardown(), kept, "exactly what the driver kept is live at shutdown");
}

/* Everything at once, in a seeded random order. */
static void mixed(void)
{
    struct ccdma_device *const devs[] = {&d_t0, &d_nc, &d_t1, &d_fb};
    void *shared;
    ccdma_dma_t sh;
    devices();
    buffers_alloc();
    disk_init();
    REQUIRE(blk_up(EVIL_NONE, 0, 0) && rng_up(EVIL_NONE, 0));
    REQUIRE(ccdma_alloc_coherent(&B.vdev.dma, 8 * PAGE, 0, 0, &shared, &sh) == CCDMA_OK);
    memset(&M, 0, sizeof(M));
    /* The last three buffers are the virtio requests': never mapped here. */
    g_busy[NBUF - 3] = g_busy[NBUF - 2] = g_busy[NBUF - 1] = true;
    for (unsigned int i = 0; i < g_ops; i++) {
        if (below(3) == 0) {
            const char *what = "";
            int rc = virtio_request(shared, NBUF - 3, &what);
            if (rc != 0)
                t_check(false, what, "%s", ccdma_strerror(rc));
            allowances();
            scan_clean(what);
        } else {
            stream_step(devs, 4);
        }
        if (below(50) == 0)
            (void)ccdma_poll();
    }
    unmap_all();
    REQUIRE(ccdma_free_coherent(&B.vdev.dma, 8 * PAGE, shared, sh) == CCDMA_OK);
    blk_down();
    rng_down();
    scan_clean("mixed: all released");
    buffers_free();
}

int main(int argc, char **argv)
{
    t_start(argc, argv, "host leak scans");
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seed") == 0)
            g_rnd = strtoull(argv[i + 1], NULL, 0) | 1;
        else if (strcmp(argv[i], "--ops") == 0)
            g_ops = (unsigned int)strtoul(argv[i + 1], NULL, 0);
    }
    if (!T.cc) {
        printf("# %s: no private memory, nothing can leak; run cca or sev\n", T.enc_name);
        return 2;
    }
    printf("# seed %#llx, %u operations per workload\n", (unsigned long long)g_rnd, g_ops);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    host_platform_set_unshare_observer(on_unshare, NULL);

    run(planted_shared_page, "planted: canaries written into a shared page are found", false);
    run(planted_linux_prefill, "planted: a Linux-style pre-filled bounce slot is found", false);
    run(planted_transient, "planted: a leak into memory shared for a while is found", false);
    t_check(G.planted_found == 5, "planted leaks", "%llu of 5 found",
            (unsigned long long)G.planted_found);
    run(streaming, "streaming: all directions, single and sg, bounce, direct, shared", false);
    run(pools, "coherent, atomic and restricted pools", false);
    run(errors, "error paths: bad arguments, exhaustion, foreign unmaps, failed conversions",
        true);
    run(virtio_traffic, "virtio: blk and rng through private and shared buffers", false);
    run(virtio_hostile, "virtio: a device that breaks the protocol", false);
    run(virtio_timeout, "virtio: a device that never answers", true);
    run(mixed, "mixed: DMA API and virtio interleaved", false);

    host_platform_set_unshare_observer(NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("# %llu scans of shared memory (%.1f MiB; %llu with a virtio request in flight), "
           "%llu unshares scanned (%.1f MiB), %llu shown runs inside live mappings allowed; "
           "%.1f s\n",
           (unsigned long long)G.scans, (double)G.bytes / (1 << 20),
           (unsigned long long)G.inflight,
           (unsigned long long)G.unshares, (double)G.unshare_bytes / (1 << 20),
           (unsigned long long)G.allowed,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return t_finish();
}
