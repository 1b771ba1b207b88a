/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: operation sequences on the DMA layers (dma/: direct, bounce
 * pools, atomic pools, restricted pool), realm-like (CCA encoding), checked
 * against a byte-level model of what the CPU and the device must each see.
 *
 * The input is a program: map a buffer range for one of six devices (a
 * normal virtio device, a non-coherent 32-bit one with an alignment mask,
 * two that reach private memory, one bus-limited, one that must bounce, one
 * behind a restricted pool), device reads and writes through the DMA
 * address (tests/host/dma's fake device, which refuses what hardware could
 * not reach), CPU writes, partial syncs both ways, unmaps with or without
 * the copy-back, scatter-gather, coherent allocations (atomic or not), and
 * deferred work; and the pressure the layers must survive: the shared
 * bounce pool filled to exhaustion (and grown by deferred work: the pools
 * are dynamic), the restricted pool destroyed and made again, conversions
 * the host refuses part way (REJECT after partial progress) in coherent
 * allocations, growth and pool creation, and a scatter-gather request
 * whose last entry cannot be mapped. The model keeps, per byte, what the caller's buffer and
 * the device's view must hold (or that nothing is promised), so:
 *  - a mapping is reachable by its device for its whole length, decodes to
 *    the buffer itself when direct or into a bounce pool when bounced,
 *    keeps the device's alignment bits, and is bounced whenever the device
 *    cannot reach the buffer's memory;
 *  - data moves only when the rules say (dma/swiotlb_map.c, rule 8): TO_DEVICE
 *    data at map and at sync_for_device, zeros for FROM_DEVICE, device data
 *    at sync_for_cpu and unmap (not with SKIP_CPU_SYNC), never into another
 *    buffer or past the range;
 *  - coherent memory is zeroed, shared with T=0 devices, reachable both ways;
 *  - failures change nothing (a refused conversion leaks its pages, which
 *    stay quarantined and are never freed); at the end of each input nothing
 *    is live, no slot, page or dma-debug report is left.
 */
#include "dma_test.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NDEV 6
#define NPRIV 12
#define NSHARED 4
#define NBUF (NPRIV + NSHARED)
#define BUFSZ ((size_t)16 << 10)
#define MAXMAP 16
#define MAXCOH 8
#define MAX_OPS 48
#define RPOOL_PAGES 64
#define BIG_BYTES ((size_t)320 << 10) /* more than any bounce mapping */
#define MAXFILL 48                    /* 48 x 256 KiB: more than the pool grown 8 times */
#define ARENA_BYTES ((size_t)128 << 20)
#define QUARANTINE_BUDGET ((ARENA_BYTES / CCDMA_PAGE_SIZE) / 4)

static struct fz in;
static struct ccdma_device dev[NDEV];
static struct ccdma_swiotlb *rpool;
static uint8_t *privmem, *sharedmem, *rmem, *big;
static ccdma_dma_t fill[MAXFILL];
static unsigned int nfill;

/* Per buffer: the bytes it must hold (known[i]: whether anything is
 * promised; with the zero-filled bounce slots it always is). */
static struct {
    uint8_t *va;
    bool shared, busy;
    bool dirty; /* touched by this input: reset and check it */
    uint8_t want[BUFSZ];
    bool known[BUFSZ];
} buf[NBUF];

static struct map {
    bool live;
    int dev, buf;
    size_t off, len;
    enum ccdma_dir dir;
    unsigned int attrs;
    ccdma_dma_t addr;
    bool bounced;
    uint8_t view[BUFSZ];   /* the device's view, when bounced */
    bool vknown[BUFSZ];
} maps[MAXMAP];

static struct {
    bool live;
    int dev;
    size_t size;
    uint8_t *va;
    ccdma_dma_t addr;
} coh[MAXCOH];

static struct {
    bool set;
    uint64_t debug_errors, debug_live, pages, quarantined;
} base;

static uint8_t stamp; /* varies the bytes each write puts down */

/* ---- checks ------------------------------------------------------------------ */

FZ_NOCOV static void check_buffer(int b, const char *what)
{
    for (size_t i = 0; i < BUFSZ; i++)
        FUZZ_CHECK(!buf[b].known[i] || buf[b].va[i] == buf[b].want[i],
                   "%s: buffer %d byte %zu is 0x%02x, must be 0x%02x", what, b, i,
                   buf[b].va[i], buf[b].want[i]);
}

static bool in_pool(struct ccdma_swiotlb *pool, ccdma_phys_t pa, size_t len)
{
    struct ccdma_swiotlb_stats s;
    return pool && ccdma_swiotlb_get_stats(pool, &s) == 0 && pa >= s.start &&
           pa + len <= s.end;
}

/* What the device reads through the mapping must be what the model says. */
FZ_NOCOV static void check_view(struct map *m, size_t o, size_t l, const char *what)
{
    uint8_t tmp[BUFSZ];
    FUZZ_CHECK(t_dev_read(&dev[m->dev], m->addr + o, tmp, l) == 0,
               "%s: device %d cannot read its mapping: %s", what, m->dev, t_dev_error);
    for (size_t i = 0; i < l; i++) {
        bool known = m->bounced ? m->vknown[o + i] : buf[m->buf].known[m->off + o + i];
        uint8_t want = m->bounced ? m->view[o + i] : buf[m->buf].want[m->off + o + i];
        FUZZ_CHECK(!known || tmp[i] == want,
                   "%s: device %d reads 0x%02x at %zu of its mapping, must be 0x%02x", what,
                   m->dev, tmp[i], o + i, want);
    }
}

/* ---- operations -------------------------------------------------------------- */

static size_t pick_len(size_t max)
{
    static const size_t lens[] = {1, 7, 64, 2047, 2048, 2049, 4095, 4096, 4097, 8192, BUFSZ};
    uint8_t b = fz_u8(&in);
    size_t l = b < 0xc0 ? lens[b % (sizeof(lens) / sizeof(lens[0]))]
                        : 1 + fz_uint(&in, 2) % BUFSZ;
    return l < max ? l : max;
}

static struct map *pick_map(void)
{
    uint8_t b = fz_u8(&in);
    for (int k = 0; k < MAXMAP; k++) {
        struct map *m = &maps[(b + k) % MAXMAP];
        if (m->live)
            return m;
    }
    return NULL;
}

static void op_map(void)
{
    int d = fz_u8(&in) % NDEV, b = fz_u8(&in) % NBUF;
    size_t off = fz_uint(&in, 2) % BUFSZ, len = pick_len(BUFSZ - off);
    enum ccdma_dir dir = (enum ccdma_dir)(fz_u8(&in) % 3);
    struct map *m = NULL;
    for (int k = 0; k < MAXMAP && !m; k++)
        if (!maps[k].live)
            m = &maps[k];
    if (!m || buf[b].busy) /* one mapping per buffer: no overlaps to report */
        return;

    struct ccdma_debug_counters before = t_debug();
    unsigned int attrs = CCDMA_ATTR_NO_WARN | (buf[b].shared ? CCDMA_ATTR_CC_SHARED : 0);
    ccdma_dma_t addr = 0;
    int rc = ccdma_map_single(&dev[d], buf[b].va + off, len, dir, attrs, &addr);
    FZ_TRACE("map dev %d buf %d+%zu len %zu dir %d: %d addr 0x%llx\n", d, b, off, len, dir,
             rc, (unsigned long long)addr);
    if (rc != 0) {
        FUZZ_CHECK(rc == CCDMA_ENOSPC || rc == CCDMA_ERANGE || rc == CCDMA_EINVAL,
                   "map: %d", rc);
        FUZZ_CHECK(addr == CCDMA_DMA_ADDR_INVALID && t_debug().live == before.live,
                   "failed map left something behind");
        return;
    }
    *m = (struct map){.live = true, .dev = d, .buf = b, .off = off, .len = len, .dir = dir,
                      .attrs = attrs, .addr = addr,
                      .bounced = ccdma_is_bounced(&dev[d], addr)};
    buf[b].busy = buf[b].dirty = true;

    ccdma_phys_t pa = t_pa(buf[b].va + off), got = ccdma_dma_to_phys(&dev[d], addr);
    FUZZ_CHECK(ccdma_capable(&dev[d], addr, len, t_is_shared(addr) ? CCDMA_ATTR_CC_SHARED : 0),
               "map: 0x%llx+%zu not reachable by device %d", (unsigned long long)addr, len, d);
    if (m->bounced) {
        bool priv_pool = in_pool(ccdma_swiotlb_default(false), got, len);
        FUZZ_CHECK(dev[d].restricted_pool ? in_pool(rpool, got, len)
                   : in_pool(ccdma_swiotlb_default(true), got, len) || priv_pool,
                   "bounce of device %d at 0x%llx is in no pool", d, (unsigned long long)got);
        FUZZ_CHECK((got & dev[d].min_align_mask) == (pa & dev[d].min_align_mask),
                   "bounce 0x%llx loses alignment 0x%llx of 0x%llx", (unsigned long long)got,
                   (unsigned long long)dev[d].min_align_mask, (unsigned long long)pa);
        /* The device sees the caller's bytes toward the device, zeros
         * for FROM_DEVICE: never stale data, never private bytes not meant
         * for it (dma/swiotlb_map.c, rule 8). */
        for (size_t i = 0; i < len; i++) {
            bool from = dir == CCDMA_FROM_DEVICE;
            m->view[i] = from ? 0 : buf[b].want[off + i];
            m->vknown[i] = from || buf[b].known[off + i];
        }
    } else {
        FUZZ_CHECK(got == pa && !dev[d].force_bounce && !dev[d].restricted_pool &&
                   (buf[b].shared || dev[d].reach_private),
                   "device %d maps %s buffer %d in place at 0x%llx (pa 0x%llx)", d,
                   buf[b].shared ? "shared" : "private", b, (unsigned long long)got,
                   (unsigned long long)pa);
    }
    check_view(m, 0, len, "map");
}

static void op_dev_write(void)
{
    struct map *m = pick_map();
    if (!m || m->dir == CCDMA_TO_DEVICE)
        return;
    size_t o = fz_uint(&in, 2) % m->len, l = pick_len(m->len - o);
    uint8_t data[BUFSZ];
    stamp++;
    for (size_t i = 0; i < l; i++)
        data[i] = (uint8_t)(stamp * 13 + i * 5 + 1);
    FUZZ_CHECK(t_dev_write(&dev[m->dev], m->addr + o, data, l) == 0,
               "device %d cannot write its mapping: %s", m->dev, t_dev_error);
    for (size_t i = 0; i < l; i++) {
        if (m->bounced) {
            m->view[o + i] = data[i];
            m->vknown[o + i] = true;
        } else { /* direct: the caller's memory itself */
            buf[m->buf].want[m->off + o + i] = data[i];
            buf[m->buf].known[m->off + o + i] = true;
        }
    }
}

static void op_cpu_write(void)
{
    struct map *m = pick_map();
    if (!m)
        return;
    size_t o = fz_uint(&in, 2) % m->len, l = pick_len(m->len - o);
    uint8_t *p = buf[m->buf].va + m->off + o;
    stamp++;
    for (size_t i = 0; i < l; i++) {
        p[i] = buf[m->buf].want[m->off + o + i] = (uint8_t)(stamp * 7 + i * 3 + 2);
        buf[m->buf].known[m->off + o + i] = true;
    }
}

static void op_sync(bool for_cpu)
{
    struct map *m = pick_map();
    if (!m)
        return;
    size_t o = fz_uint(&in, 2) % m->len, l = pick_len(m->len - o);
    int rc = for_cpu ? ccdma_sync_for_cpu(&dev[m->dev], m->addr + o, l, m->dir)
                     : ccdma_sync_for_device(&dev[m->dev], m->addr + o, l, m->dir);
    FZ_TRACE("sync for %s +%zu len %zu: %d\n", for_cpu ? "cpu" : "device", o, l, rc);
    FUZZ_CHECK(rc == 0, "sync: %d", rc);
    if (!m->bounced)
        return;
    for (size_t i = o; i < o + l; i++) {
        if (for_cpu && m->dir != CCDMA_TO_DEVICE) {
            buf[m->buf].want[m->off + i] = m->view[i];
            buf[m->buf].known[m->off + i] = m->vknown[i];
        } else if (!for_cpu && m->dir != CCDMA_FROM_DEVICE) {
            /* FROM_DEVICE data never goes toward the device. */
            m->view[i] = buf[m->buf].want[m->off + i];
            m->vknown[i] = buf[m->buf].known[m->off + i];
        }
    }
    check_buffer(m->buf, "sync");
}

static void unmap(struct map *m, bool skip_sync)
{
    int rc = ccdma_unmap_single(&dev[m->dev], m->addr, m->len, m->dir,
                                m->attrs | (skip_sync ? CCDMA_ATTR_SKIP_CPU_SYNC : 0));
    FZ_TRACE("unmap dev %d buf %d%s: %d\n", m->dev, m->buf, skip_sync ? " skip" : "", rc);
    FUZZ_CHECK(rc == 0, "unmap: %d", rc);
    if (m->bounced && !skip_sync && m->dir != CCDMA_TO_DEVICE)
        for (size_t i = 0; i < m->len; i++) {
            buf[m->buf].want[m->off + i] = m->view[i];
            buf[m->buf].known[m->off + i] = m->vknown[i];
        }
    check_buffer(m->buf, "unmap");
    buf[m->buf].busy = false;
    m->live = false;
}

/* n scatter-gather entries over n distinct private buffers from b0 on,
 * each at a fuzzed offset and length; false if one is mapped already. */
static bool pick_private_sg(struct ccdma_sg *sg, int n, int b0)
{
    for (int k = 0; k < n; k++) {
        int b = (b0 + k) % NPRIV;
        if (buf[b].busy)
            return false;
        size_t off = fz_uint(&in, 2) % BUFSZ;
        sg[k] = (struct ccdma_sg){.va = buf[b].va + off, .len = pick_len(BUFSZ - off)};
        buf[b].dirty = true;
    }
    return true;
}

static void op_sg(void)
{
    struct ccdma_sg sg[4];
    int d = fz_u8(&in) % NDEV, n = 1 + fz_u8(&in) % 4, b0 = fz_u8(&in) % NPRIV;
    enum ccdma_dir dir = (enum ccdma_dir)(fz_u8(&in) % 3);
    if (!pick_private_sg(sg, n, b0)) /* distinct private buffers, not mapped */
        return;
    uint64_t live = t_debug().live;
    int rc = ccdma_map_sg(&dev[d], sg, n, dir, CCDMA_ATTR_NO_WARN);
    FZ_TRACE("map_sg dev %d n %d dir %d: %d\n", d, n, dir, rc);
    if (rc < 0) {
        FUZZ_CHECK(rc == CCDMA_ENOSPC || rc == CCDMA_ERANGE || rc == CCDMA_EINVAL,
                   "map_sg: %d", rc);
        FUZZ_CHECK(t_debug().live == live, "failed map_sg left mappings");
        return;
    }
    FUZZ_CHECK(rc == n, "map_sg: %d of %d", rc, n);
    bool bounced[4];
    for (int k = 0; k < n; k++) {
        int b = (b0 + k) % NPRIV;
        size_t off = (size_t)((uint8_t *)sg[k].va - buf[b].va);
        uint8_t tmp[BUFSZ];
        FUZZ_CHECK(sg[k].dma_len == sg[k].len &&
                   t_dev_read(&dev[d], sg[k].dma_addr, tmp, sg[k].len) == 0,
                   "sg entry %d unreachable: %s", k, t_dev_error);
        bounced[k] = ccdma_is_bounced(&dev[d], sg[k].dma_addr);
        for (size_t i = 0; dir != CCDMA_FROM_DEVICE && i < sg[k].len; i++)
            FUZZ_CHECK(!buf[b].known[off + i] || tmp[i] == buf[b].want[off + i],
                       "sg entry %d byte %zu", k, i);
    }
    FUZZ_CHECK(ccdma_unmap_sg(&dev[d], sg, n, dir, 0) == 0, "unmap_sg");
    /* The device wrote nothing: a bounced FROM_DEVICE copy-back brings the
     * zeros the slot was filled with; otherwise the buffers are unchanged. */
    for (int k = 0; k < n; k++) {
        int b = (b0 + k) % NPRIV;
        size_t off = (size_t)((uint8_t *)sg[k].va - buf[b].va);
        if (dir == CCDMA_FROM_DEVICE && bounced[k])
            memset(buf[b].want + off, 0, sg[k].len);
        check_buffer(b, "unmap_sg");
    }
}

static void op_alloc(void)
{
    static const size_t sizes[] = {1, 100, 4096, 4097, 8192, 16384, 65536};
    int d = fz_u8(&in) % NDEV;
    size_t size = sizes[fz_u8(&in) % (sizeof(sizes) / sizeof(sizes[0]))];
    unsigned int flags = fz_u8(&in) & 1 ? CCDMA_ALLOC_ATOMIC : 0;
    int slot = -1;
    for (int k = 0; k < MAXCOH && slot < 0; k++)
        if (!coh[k].live)
            slot = k;
    if (slot < 0)
        return;
    void *va = NULL;
    ccdma_dma_t addr = 0;
    int rc = ccdma_alloc_coherent(&dev[d], size, flags, 0, &va, &addr);
    FZ_TRACE("alloc dev %d size %zu flags %u: %d\n", d, size, flags, rc);
    if (rc != 0) {
        FUZZ_CHECK(rc == CCDMA_ENOSPC || rc == CCDMA_ENOMEM || rc == CCDMA_ERANGE,
                   "alloc_coherent: %d", rc);
        return;
    }
    uint8_t *p = va, tmp[256];
    for (size_t i = 0; i < size; i++)
        FUZZ_CHECK(p[i] == 0, "coherent byte %zu not zeroed", i);
    FUZZ_CHECK(!(T.cc && !dev[d].reach_private) || ccdma_coherent_is_shared(&dev[d], addr),
               "coherent memory of T=0 device %d is not shared", d);
    size_t l = size < sizeof(tmp) ? size : sizeof(tmp);
    memset(p, 0x3c, l);
    FUZZ_CHECK(t_dev_read(&dev[d], addr, tmp, l) == 0 && t_all_bytes(tmp, 0x3c, l),
               "device %d cannot see its coherent memory: %s", d, t_dev_error);
    FUZZ_CHECK(t_dev_fill(&dev[d], addr + size - l, 0x5d, l) == 0 &&
               t_all_bytes(p + size - l, 0x5d, l), "CPU cannot see the device's write");
    coh[slot].live = true;
    coh[slot].dev = d;
    coh[slot].size = size;
    coh[slot].va = p;
    coh[slot].addr = addr;
}

static void op_free(void)
{
    uint8_t b = fz_u8(&in);
    for (int k = 0; k < MAXCOH; k++) {
        int i = (b + k) % MAXCOH;
        if (coh[i].live) {
            FUZZ_CHECK(ccdma_free_coherent(&dev[coh[i].dev], coh[i].size, coh[i].va,
                                           coh[i].addr) == 0, "free_coherent");
            coh[i].live = false;
            return;
        }
    }
}

/* ---- pressure ------------------------------------------------------------------- */

static bool range_quarantined(const uint8_t *va, size_t pages)
{
    for (size_t i = 0; i < pages; i++)
        if (host_platform_page_quarantined(t_pa(va + i * CCDMA_PAGE_SIZE)))
            return true;
    return false;
}

/* Fill the shared bounce pool with 256 KiB TO_DEVICE mappings of one
 * buffer until it refuses. Held, every other map may meet a full pool:
 * ENOSPC, and nothing else changes. */
static void op_exhaust_fill(void)
{
    struct ccdma_swiotlb_stats s0, s1;
    FUZZ_CHECK(ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &s0) == 0, "stats");
    int rc = 0;
    while (nfill < MAXFILL && (rc = ccdma_map_single(&dev[0], big, (size_t)256 << 10,
                                                     CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN,
                                                     &fill[nfill])) == 0)
        nfill++;
    FZ_TRACE("exhaust: %u fillers, %d\n", nfill, rc);
    FUZZ_CHECK(nfill == MAXFILL || rc == CCDMA_ENOSPC, "filling the pool: %d", rc);
    FUZZ_CHECK(ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &s1) == 0, "stats");
    FUZZ_CHECK(rc == 0 || s1.full > s0.full, "a refusal the statistics do not count");
}

/* Fill the pool, or give every filler back. */
static void op_exhaust(void)
{
    if (fz_u8(&in) & 1) {
        op_exhaust_fill();
        return;
    }
    while (nfill)
        FUZZ_CHECK(ccdma_unmap_single(&dev[0], fill[--nfill], (size_t)256 << 10, CCDMA_TO_DEVICE,
                                      0) == 0, "unmap of a filler");
}

/* The restricted pool: destroy while a device holds it (EBUSY), then, if
 * nothing of it is live, release the device, destroy, make it again over
 * the same memory and take the device back. */
static void op_restricted_cycle(void)
{
    struct ccdma_swiotlb_stats s;
    FUZZ_CHECK(ccdma_swiotlb_restricted_destroy(rpool) == CCDMA_EBUSY,
               "destroy of a pool a device holds");
    FUZZ_CHECK(ccdma_swiotlb_get_stats(rpool, &s) == 0, "restricted pool stats");
    if (s.used)
        return;
    FUZZ_CHECK(ccdma_device_release(&dev[5]) == 0, "release");
    ccdma_dma_t a = 0;
    FUZZ_CHECK(ccdma_map_single(&dev[5], buf[0].va, 64, CCDMA_TO_DEVICE, CCDMA_ATTR_NO_WARN,
                                &a) == CCDMA_ESTATE && a == CCDMA_DMA_ADDR_INVALID,
               "a released device still maps through its pool");
    int rc = ccdma_swiotlb_restricted_destroy(rpool);
    FZ_TRACE("restricted destroy: %d\n", rc);
    FUZZ_CHECK(rc == 0, "destroy of an idle, released pool: %d", rc);
    FUZZ_CHECK(ccdma_swiotlb_restricted_create("fuzz-restricted", rmem,
                                               RPOOL_PAGES * CCDMA_PAGE_SIZE, true, &rpool) == 0,
               "the pool made again");
    dev[5].restricted_pool = rpool;
    FUZZ_CHECK(ccdma_device_init(&dev[5]) == 0, "the device takes the new pool");
}

/* One conversion-making call with the host refusing part way: one granule
 * per call, then REJECT after a few (the realm model's injection). What a
 * refused conversion touched is quarantined and leaked, never freed. */
static void op_refused_conversion(void)
{
    struct host_realm_inject inj = {.one_granule = true, .reject = true, .reject_empty = true,
                                    .fail_after = fz_u8(&in) % 4};
    uint64_t leaked = t_stats().leaked_pages;
    uint8_t what = fz_u8(&in) % 3;
    void *va = NULL;
    ccdma_dma_t addr = 0;
    int rc = 0;

    /* Quarantine is for good: past a budget, a long run would exhaust the
     * arena instead of testing anything. */
    if (t_port().quarantined_pages > QUARANTINE_BUDGET)
        return;
    host_platform_set_realm_inject(&inj);
    if (what == 0) {
        size_t size = (size_t)(2 + fz_u8(&in) % 7) * CCDMA_PAGE_SIZE;
        rc = ccdma_alloc_coherent(&dev[0], size, 0, 0, &va, &addr);
        FUZZ_CHECK(rc == 0 || rc == CCDMA_EREJECT || rc == CCDMA_ERSI,
                   "converting allocation under REJECT: %d", rc);
        FUZZ_CHECK(rc || t_range_shared(t_pa(va), size), "allocated but not shared");
        if (!rc) /* the unshare may be refused: then it is leaked, and still 0 */
            FUZZ_CHECK(ccdma_free_coherent(&dev[0], size, va, addr) == 0, "free");
    } else if (what == 1) {
        /* A refusal flags growth; then deferred work converts a region. A
         * region that converted joins the baseline; one that was refused
         * is quarantined (check_clean() adds those). */
        struct host_platform_counters p0 = t_port(), p1;
        op_exhaust_fill();
        rc = ccdma_poll();
        p1 = t_port();
        base.pages += (p1.pages_in_use - p0.pages_in_use) -
                      (p1.quarantined_pages - p0.quarantined_pages);
    } else {
        uint8_t *mem = t_pages(16);
        struct ccdma_swiotlb *p = NULL;
        rc = ccdma_swiotlb_restricted_create("fuzz-refused", mem, 16 * CCDMA_PAGE_SIZE, true, &p);
        FUZZ_CHECK(rc == 0 || rc == CCDMA_EREJECT || rc == CCDMA_ERSI,
                   "restricted create under REJECT: %d", rc);
        if (!rc) {
            int drc = ccdma_swiotlb_restricted_destroy(p);
            FUZZ_CHECK(drc == 0 || drc == CCDMA_EREJECT || drc == CCDMA_ERSI,
                       "restricted destroy under REJECT: %d", drc);
        }
        /* Given back private, it goes back to the allocator; refused part
         * way, it is quarantined and must never be freed. */
        if (!range_quarantined(mem, 16))
            t_pages_free(mem, 16);
    }
    host_platform_set_realm_inject(NULL);
    FZ_TRACE("refused conversion %u after %u: %d, leaked %llu pages\n", what, inj.fail_after,
             rc, (unsigned long long)(t_stats().leaked_pages - leaked));
}

/* A scatter-gather request whose last entry cannot be mapped (larger than
 * any bounce): all or nothing, and what the earlier entries copied toward
 * the device is taken back. */
static void op_sg_fail(void)
{
    static const int bouncing[] = {0, 4, 5};
    struct ccdma_sg sg[4];
    int d = bouncing[fz_u8(&in) % 3], n = 2 + fz_u8(&in) % 3, b0 = fz_u8(&in) % NPRIV;
    enum ccdma_dir dir = (enum ccdma_dir)(fz_u8(&in) % 3);
    if (!pick_private_sg(sg, n - 1, b0))
        return;
    sg[n - 1] = (struct ccdma_sg){.va = big, .len = BIG_BYTES};
    struct ccdma_swiotlb_stats s0, s1;
    FUZZ_CHECK(ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &s0) == 0, "stats");
    uint64_t live = t_debug().live;
    int rc = ccdma_map_sg(&dev[d], sg, n, dir, CCDMA_ATTR_NO_WARN);
    FZ_TRACE("map_sg failing last of %d, dev %d: %d\n", n, d, rc);
    FUZZ_CHECK(rc == CCDMA_EINVAL || rc == CCDMA_ENOSPC || rc == CCDMA_ERANGE,
               "a request whose last entry cannot map: %d", rc);
    FUZZ_CHECK(t_debug().live == live, "a failed request left mappings");
    FUZZ_CHECK(ccdma_swiotlb_get_stats(ccdma_swiotlb_default(true), &s1) == 0 &&
               s1.used == s0.used, "a failed request left slots taken");
    for (int k = 0; k < n - 1; k++)
        check_buffer((b0 + k) % NPRIV, "failed sg");
}

/* ---- entry points -------------------------------------------------------------- */

static void check_clean(void)
{
    struct ccdma_debug_counters dc = t_debug();
    struct host_platform_counters hc = t_port();
    struct ccdma_swiotlb *pools[] = {ccdma_swiotlb_default(true), ccdma_swiotlb_default(false),
                                     rpool};
    if (!base.set) { /* warming up: the runtime's one-time allocations */
        base.debug_errors = dc.errors;
        base.debug_live = dc.live;
        base.pages = hc.pages_in_use;
        base.quarantined = hc.quarantined_pages;
    }
    FUZZ_CHECK(dc.errors == base.debug_errors && dc.live == base.debug_live,
               "dma-debug: %llu errors, %llu live", (unsigned long long)dc.errors,
               (unsigned long long)dc.live);
    FZ_TRACE("end: pages in use %llu, baseline %llu, quarantined %llu (were %llu)\n",
             (unsigned long long)hc.pages_in_use, (unsigned long long)base.pages,
             (unsigned long long)hc.quarantined_pages, (unsigned long long)base.quarantined);
    /* Quarantined pages stay in use for good: they join the baseline. */
    base.pages += hc.quarantined_pages - base.quarantined;
    base.quarantined = hc.quarantined_pages;
    FUZZ_CHECK(hc.pages_in_use == base.pages && hc.bad_frees == 0 && hc.bad_conversions == 0,
               "pages in use %llu (were %llu), bad frees %llu, bad conversions %llu",
               (unsigned long long)hc.pages_in_use, (unsigned long long)base.pages,
               (unsigned long long)hc.bad_frees, (unsigned long long)hc.bad_conversions);
    for (int p = 0; p < 3; p++) {
        struct ccdma_swiotlb_stats s;
        FUZZ_CHECK(!pools[p] || (ccdma_swiotlb_get_stats(pools[p], &s) == 0 && s.used == 0),
                   "bounce slots left in pool %d", p);
    }
    for (int b = 0; b < NBUF; b++) /* untouched ones too: no stray writes */
        if (buf[b].dirty)
            check_buffer(b, "end");
        else
            FUZZ_CHECK(memcmp(buf[b].va, buf[b].want, BUFSZ) == 0,
                       "buffer %d changed though never mapped", b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_trace_init();
    T.enc = HOST_ENC_CCA;
    T.cc = true;
    T.enc_name = "cca";
    struct host_platform_config port = {.encoding = HOST_ENC_CCA, .arena_bytes = ARENA_BYTES,
                                        .quiet = true};
    struct ccdma_config cfg = t_config();
    cfg.quiet = true; /* pool-full reports are routine here */
    cfg.swiotlb_dynamic = true;
    t_setup_with(&port, &cfg);

    rmem = t_pages(RPOOL_PAGES);
    big = t_pages(BIG_BYTES / CCDMA_PAGE_SIZE);
    if (ccdma_swiotlb_restricted_create("fuzz-restricted", rmem, RPOOL_PAGES * CCDMA_PAGE_SIZE,
                                        true, &rpool) != 0)
        abort();
    privmem = t_pages(NPRIV * BUFSZ / CCDMA_PAGE_SIZE);
    sharedmem = t_shared_pages(NSHARED * BUFSZ / CCDMA_PAGE_SIZE);

    ccdma_phys_t mid = t_pa(privmem) + NPRIV / 2 * BUFSZ;
    ccdma_device_default(&dev[0], "virtio", UINT64_MAX);
    ccdma_device_default(&dev[1], "nc-32", 0xffffffffull);
    dev[1].coherent = false;
    dev[1].min_align_mask = 0xfff;
    t_dev_t1(&dev[2], "t1", UINT64_MAX);
    t_dev_t1(&dev[3], "t1-limited", UINT64_MAX);
    dev[3].bus_limit = t_encode(mid - 1, false); /* half the private buffers beyond */
    ccdma_device_default(&dev[4], "forced", UINT64_MAX);
    dev[4].force_bounce = true;
    dev[4].min_align_mask = 0x7ff;
    dev[4].coherent = false;
    ccdma_device_default(&dev[5], "restricted", UINT64_MAX);
    dev[5].restricted_pool = rpool;
    for (int d = 0; d < NDEV; d++)
        if (ccdma_device_init(&dev[d]) != 0)
            abort();
    for (int b = 0; b < NBUF; b++) {
        buf[b].dirty = true;
        buf[b].shared = b >= NPRIV;
        buf[b].va = buf[b].shared ? sharedmem + (b - NPRIV) * BUFSZ : privmem + b * BUFSZ;
    }

    /* Warm up (map, device write, sync, unmap, sg and coherent memory on
     * every device), then take the baseline each input must return to. */
    uint8_t warm[NDEV * 40], *w = warm;
    for (int d = 0; d < NDEV; d++) {
        const uint8_t ops[] = {0, (uint8_t)d, (uint8_t)d, 0, 0, 6, 2,      /* map */
                               2, 0, 0, 0, 6, 4, 0, 0, 0, 6,               /* write, sync */
                               6, 0, 0, 6, 0, 1,                           /* unmap */
                               7, (uint8_t)d, 1, (uint8_t)d, 1, 0, 0, 6,   /* sg */
                               8, 1, (uint8_t)d, 4, 1, 8, 0, 0};           /* alloc, free */
        memcpy(w, ops, sizeof(ops));
        w += sizeof(ops);
    }
    LLVMFuzzerTestOneInput(warm, (size_t)(w - warm));
    /* dma-debug keeps the entry pages it grows: have it grow to more live
     * entries than an input can make (fillers, maps, sg, coherent), so the
     * baseline the next warm-up takes holds them all. */
    static ccdma_dma_t many[4 * MAXFILL];
    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
        if (ccdma_map_single(&dev[2], big + i * 64, 64, CCDMA_TO_DEVICE, 0, &many[i]) != 0)
            abort();
    for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
        if (ccdma_unmap_single(&dev[2], many[i], 64, CCDMA_TO_DEVICE, 0) != 0)
            abort();
    LLVMFuzzerTestOneInput(warm, (size_t)(w - warm));
    base.set = true;
    LLVMFuzzerTestOneInput(warm, (size_t)(w - warm));
    return 0;
}

FZ_NOCOV static void reset_buffers(void)
{
    for (int b = 0; b < NBUF; b++) { /* every byte known at the start */
        if (!buf[b].dirty)
            continue;
        buf[b].dirty = false;
        for (size_t i = 0; i < BUFSZ; i++)
            buf[b].want[i] = (uint8_t)(b * 31 + i * 11);
        memcpy(buf[b].va, buf[b].want, BUFSZ);
        memset(buf[b].known, 1, BUFSZ);
        buf[b].busy = false;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in = (struct fz){data, size};
    stamp = 0;
    reset_buffers();
    for (int i = 0; i < MAX_OPS && !fz_empty(&in); i++) {
        switch (fz_u8(&in) % 14) {
        case 0: case 1: op_map(); break;
        case 2: op_dev_write(); break;
        case 3: op_cpu_write(); break;
        case 4: op_sync(true); break;
        case 5: op_sync(false); break;
        case 6: {
            struct map *m = pick_map();
            if (m) {
                if (fz_u8(&in) & 1)
                    check_view(m, 0, m->len, "device read");
                else
                    unmap(m, fz_u8(&in) % 4 == 0);
            }
            break;
        }
        case 7: op_sg(); break;
        case 8: fz_u8(&in) & 1 ? op_alloc() : op_free(); break;
        case 10: op_exhaust(); break;
        case 11: op_restricted_cycle(); break;
        case 12: op_refused_conversion(); break;
        case 13: op_sg_fail(); break;
        default: {
            /* Deferred work only grows pools: their pages join the baseline. */
            uint64_t before = t_port().pages_in_use;
            int rc = ccdma_poll();
            FZ_TRACE("poll: %d\n", rc);
            base.pages += t_port().pages_in_use - before;
            break;
        }
        }
    }
    for (int k = 0; k < MAXMAP; k++)
        if (maps[k].live)
            unmap(&maps[k], false);
    while (nfill)
        FUZZ_CHECK(ccdma_unmap_single(&dev[0], fill[--nfill], (size_t)256 << 10, CCDMA_TO_DEVICE,
                                      0) == 0, "unmap of a filler");
    for (int k = 0; k < MAXCOH; k++)
        if (coh[k].live) {
            FUZZ_CHECK(ccdma_free_coherent(&dev[coh[k].dev], coh[k].size, coh[k].va,
                                           coh[k].addr) == 0, "free_coherent");
            coh[k].live = false;
        }
    check_clean();
    return 0;
}
