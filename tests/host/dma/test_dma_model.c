/* SPDX-License-Identifier: MIT */
/*
 * Model-based randomized test of the DMA layers.
 *
 * A million (by default) random operations - map, device access, sync,
 * unmap, scatter-gather, coherent alloc and free, deferred work - across
 * devices with different masks, reach and coherency, each checked against a
 * small reference model written from the documented rules, not from the
 * implementation:
 *  - the model predicts direct or bounce, the DMA address of a direct
 *    mapping, the pool of a bounce and its state, the padding and alignment
 *    of the slots, and every error code except "pool full";
 *  - it keeps its own slot map of every pool, so a bounce must land on free
 *    slots (no overlap) and a "pool full" must be a true no-fit;
 *  - it keeps the expected bytes of every buffer and of every device view,
 *    so copies, syncs and copy-backs are checked byte for byte;
 *  - private buffers hold a canary that must never be found in shared
 *    memory, except where a bounce toward the device put those bytes (the
 *    model tracks, byte by byte, which slot bytes hold bytes given to a
 *    device: they may stay after unmap, docs/dma.md "What a bounce
 *    copies");
 *  - at the end, nothing is leaked: no live entry, no slot, no page.
 *
 *   test_dma_model ENCODING [--seed N] [--ops N]
 */
#include "dma_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE CCDMA_PAGE_SIZE
#define SLOT 2048u
#define SEG_SLOTS 128u
#define NBUF 96
#define NSHBUF 8
#define BUFCAP ((size_t)72 << 10)
#define NDEV 6
#define MAXCOH 24
#define MAXSG 4
#define NOISE_BYTES ((size_t)256 << 10)
#define CANARY 0xc5
#define SCAN_EVERY 25000

/* ---- randomness ----------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t x = rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng = x;
    return x * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

/* ---- model state ------------------------------------------------------------ */

struct pool_model {
    const char *name;
    struct ccdma_swiotlb *pool;
    ccdma_phys_t start;
    uint32_t nslots;
    bool shared;
    uint8_t *taken;     /* the model's own slot map */
    uint8_t *shown;     /* per byte: holds a byte mapped toward a device */
    uint32_t used;
};

struct buffer {
    uint8_t *va;
    uint8_t *shadow;    /* the bytes the caller's buffer must hold */
    bool shared;        /* memory the test shared: mapped with CC_SHARED */
    bool busy;
    uint8_t id;
};

struct mapping {
    struct buffer *buf;
    size_t off, size;
    enum ccdma_dir dir;
    unsigned int attrs;
    int dev;
    ccdma_dma_t dma;
    bool bounced;
    struct pool_model *pm;
    uint32_t first, nslots;
    uint8_t *devbuf;    /* what the device sees through a bounce */
};

struct coherent {
    int dev;
    void *cpu;
    ccdma_dma_t h;
    size_t size;
    struct pool_model *pm; /* restricted-pool allocations */
    uint32_t first, nslots;
    uint32_t seed;
};

enum violation {
    V_RESULT,     /* return code, path or address differs from the model */
    V_OVERLAP,    /* a bounce landed on slots the model holds as taken */
    V_ALIGN,      /* alignment or padding rules broken */
    V_DATA,       /* a byte the model predicts is wrong */
    V_LEAK,       /* private canary in shared memory */
    V_ZERO,       /* a FROM_DEVICE slot not zero-filled, or a slot rewritten at unmap */
    V_NOFIT,      /* "pool full" while the model sees a fit */
    V_ACCOUNT,    /* pool statistics differ from the model */
    V_COHERENT,   /* coherent memory not zeroed, wrong state, or converted */
    V_COUNT,
};

static const char *const violation_names[V_COUNT] = {
    "every result matches the reference model",
    "no bounce overlaps a live one's slots",
    "alignment and padding honoured",
    "every byte where the model expects it",
    "no private canary ever found in shared memory",
    "FROM_DEVICE slots zero-filled at map, nothing zeroed again at unmap",
    "every 'pool full' is a true no-fit",
    "pool statistics agree with the model",
    "coherent memory zeroed, in the right state, atomic without conversion",
};

static struct {
    struct ccdma_device dev[NDEV];
    struct pool_model pools[3]; /* shared default, private default, restricted */
    struct pool_model *shared_pool, *private_pool, *restricted;
    uint8_t *restricted_mem;
    struct buffer bufs[NBUF + NSHBUF];
    uint8_t *private_region, *shared_region;
    struct mapping maps[NBUF + NSHBUF];
    int nmaps;
    struct coherent coh[MAXCOH];
    int ncoh;
    uint8_t *noise;
    uint64_t violations[V_COUNT];
    uint64_t ops[16];
    uint64_t direct, bounced, full, state_errors, sg_ok;
    int reported;
} M;

static void violation(enum violation v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violation(enum violation v, const char *fmt, ...)
{
    va_list ap;

    M.violations[v]++;
    if (M.reported++ >= 20)
        return;
    printf("# violation (%s): ", violation_names[v]);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* ---- data ------------------------------------------------------------------ */

/* Secret bytes of a private buffer: the canary byte every fourth. */
static void fill_secret(uint8_t *p, size_t n, uint8_t id)
{
    const uint8_t unit[4] = {CANARY, 0x5e, id, 0x1d};
    size_t done = n < 4 ? n : 4;

    memcpy(p, unit, done);
    while (done < n) {
        size_t k = done < n - done ? done : n - done;

        memcpy(p + done, p, k);
        done += k;
    }
}

/* Public bytes (device data, shared buffers): random, never the canary. */
static void fill_noise(uint8_t *p, size_t n)
{
    while (n) {
        size_t off = below(NOISE_BYTES / 2), k = n < NOISE_BYTES / 2 ? n : NOISE_BYTES / 2;

        memcpy(p, M.noise + off, k);
        p += k;
        n -= k;
    }
}

/* ---- reference rules ------------------------------------------------------------ */

static bool reaches(const struct ccdma_device *d, bool shared)
{
    if (!T.cc)
        return d->reach_private || d->reach_shared;
    return shared ? d->reach_shared : d->reach_private;
}

static uint64_t limit_of(const struct ccdma_device *d, bool coherent)
{
    uint64_t m = coherent && d->coherent_dma_mask ? d->coherent_dma_mask : d->dma_mask;

    if (!d->bus_limit)
        return m;
    return m < d->bus_limit ? m : d->bus_limit;
}

static struct pool_model *pool_for(const struct ccdma_device *d)
{
    if (d->restricted_pool)
        return M.restricted;
    return (!T.cc || !d->reach_private) ? M.shared_pool : M.private_pool;
}

static size_t max_mapping(const struct ccdma_device *d)
{
    size_t pad = d->min_align_mask ? ((d->min_align_mask + SLOT - 1) & ~(size_t)(SLOT - 1)) : 0;

    return SEG_SLOTS * SLOT - pad;
}

static uint64_t slot_align(size_t size)
{
    return (SLOT - 1) | (size >= PAGE ? PAGE - 1 : 0);
}

/* First slot and count the model expects a bounce of `size` at `orig` to
 * take, given where it landed (tlb). */
static void bounce_slots(const struct mapping *m, ccdma_phys_t orig, ccdma_phys_t tlb,
                         uint32_t *first, uint32_t *n)
{
    uint64_t mask = M.dev[m->dev].min_align_mask;
    uint64_t off = orig & mask & slot_align(m->size);

    *first = (uint32_t)((tlb - off - m->pm->start) / SLOT);
    *n = (uint32_t)((off + m->size + SLOT - 1) / SLOT);
}

static bool slots_free(const struct pool_model *pm, uint32_t first, uint32_t n)
{
    if (first + n > pm->nslots || first / SEG_SLOTS != (first + n - 1) / SEG_SLOTS)
        return false;
    for (uint32_t i = first; i < first + n; i++)
        if (pm->taken[i])
            return false;
    return true;
}

static void take_slots(struct pool_model *pm, uint32_t first, uint32_t n, bool take)
{
    for (uint32_t i = first; i < first + n; i++)
        pm->taken[i] = take;
    pm->used = take ? pm->used + n : pm->used - n;
}

/* [tlb, tlb+n) of pm now holds bytes a caller mapped toward a device
 * (shown), or bytes that are not (zeros, device data). */
static void mark_shown(struct pool_model *pm, ccdma_phys_t tlb, size_t n, bool shown)
{
    memset(pm->shown + (tlb - pm->start), shown, n);
}

/* Is there any start the rules allow, on free slots? */
static bool any_fit(const struct pool_model *pm, uint32_t n, uint64_t align, uint64_t keep,
                    ccdma_phys_t orig)
{
    for (uint32_t s = 0; s + n <= pm->nslots; s++) {
        ccdma_phys_t a = pm->start + (ccdma_phys_t)s * SLOT;

        if ((a & align) == 0 && (a & keep) == (orig & keep) && slots_free(pm, s, n))
            return true;
    }
    return false;
}

/* Inside a scatter-gather list the pool holds all entries at once while the
 * model adds them one by one: accounting is checked after the list. */
static bool in_batch;

static void check_accounting(const struct pool_model *pm)
{
    size_t used;

    if (in_batch)
        return;
    used = t_pool_stats(pm->pool).used;

    if (used != pm->used)
        violation(V_ACCOUNT, "%s: stats say %zu slots used, the model %u", pm->name, used, pm->used);
}

/* ---- set-up --------------------------------------------------------------------------- */

static void pool_model_init(struct pool_model *pm, const char *name, struct ccdma_swiotlb *pool)
{
    struct ccdma_swiotlb_stats s = t_pool_stats(pool);

    pm->name = name;
    pm->pool = pool;
    pm->start = s.start;
    pm->nslots = (uint32_t)s.nslots;
    pm->shared = s.shared;
    pm->taken = calloc(pm->nslots, 1);
    pm->shown = calloc(pm->nslots, SLOT);
    pm->used = 0;
    REQUIRE(pm->taken && pm->shown && s.regions == 1 && s.used == 0);
}

static void setup_devices(void)
{
    struct ccdma_device *d = M.dev;
    ccdma_phys_t mid = t_pa(M.private_region) + (NBUF / 2) * BUFCAP;

    ccdma_device_default(&d[0], "virtio", UINT64_MAX);
    ccdma_device_default(&d[1], "nvme-nc-32", 0xffffffffull);
    d[1].coherent = false;
    d[1].min_align_mask = 0xfff;
    ccdma_device_default(&d[2], "tdisp", UINT64_MAX);
    d[2].reach_private = true;
    ccdma_device_default(&d[3], "tdisp-limited", UINT64_MAX);
    d[3].reach_private = true;
    d[3].bus_limit = t_encode(mid - 1, !T.cc); /* half the buffers out of reach */
    ccdma_device_default(&d[4], "forced", UINT64_MAX);
    d[4].force_bounce = true;
    d[4].min_align_mask = 0x7ff;
    d[4].coherent = false;
    ccdma_device_default(&d[5], "restricted", UINT64_MAX);
    d[5].restricted_pool = M.restricted->pool;
    for (int i = 0; i < NDEV; i++)
        REQUIRE(ccdma_device_init(&d[i]) == CCDMA_OK);
}

static void setup(void)
{
    struct host_platform_config p = {.encoding = T.enc};
    struct ccdma_config c = t_config();
    struct ccdma_swiotlb *rp;

    c.swiotlb_bytes = (size_t)512 << 10;
    c.quiet = true; /* "pool full" is routine here; every result is checked */
    t_setup_with(&p, &c);

    M.noise = malloc(NOISE_BYTES);
    REQUIRE(M.noise != NULL);
    for (size_t i = 0; i < NOISE_BYTES; i++) {
        uint8_t b = (uint8_t)rnd();

        M.noise[i] = b == CANARY ? CANARY - 1 : b;
    }
    M.restricted_mem = t_pages(64);
    REQUIRE(ccdma_swiotlb_restricted_create("model-restricted", M.restricted_mem, 64 * PAGE,
                                            true, &rp) == CCDMA_OK);
    pool_model_init(&M.pools[0], "default-shared", ccdma_swiotlb_default(true));
    M.shared_pool = &M.pools[0];
    if (T.cc) {
        pool_model_init(&M.pools[1], "default-private", ccdma_swiotlb_default(false));
        M.private_pool = &M.pools[1];
    }
    pool_model_init(&M.pools[2], "restricted", rp);
    M.restricted = &M.pools[2];

    M.private_region = t_pages(NBUF * BUFCAP / PAGE);
    M.shared_region = t_shared_pages(NSHBUF * BUFCAP / PAGE);
    for (int i = 0; i < NBUF + NSHBUF; i++) {
        struct buffer *b = &M.bufs[i];

        b->shared = i >= NBUF;
        b->va = b->shared ? M.shared_region + (size_t)(i - NBUF) * BUFCAP
                          : M.private_region + (size_t)i * BUFCAP;
        b->shadow = malloc(BUFCAP);
        REQUIRE(b->shadow != NULL);
        b->id = (uint8_t)i;
        if (b->shared)
            fill_noise(b->va, BUFCAP);
        else
            fill_secret(b->va, BUFCAP, b->id);
        memcpy(b->shadow, b->va, BUFCAP);
    }
    setup_devices();
}

/* ---- streaming operations ------------------------------------------------------------ */

static size_t random_size(void)
{
    uint64_t r = below(100);

    if (r < 50)
        return 1 + below(512);
    if (r < 80)
        return 512 + below(PAGE - 512 + 1);
    if (r < 97)
        return PAGE + below(28 * 1024);
    return 32 * 1024 + below(32 * 1024);
}

static enum ccdma_dir random_dir(void)
{
    static const enum ccdma_dir dirs[3] = {CCDMA_TO_DEVICE, CCDMA_FROM_DEVICE, CCDMA_BIDIRECTIONAL};

    return dirs[below(3)];
}

static bool dir_to(enum ccdma_dir d)
{
    return d != CCDMA_FROM_DEVICE;
}

static bool dir_from(enum ccdma_dir d)
{
    return d != CCDMA_TO_DEVICE;
}

static struct buffer *idle_buffer(void)
{
    for (int tries = 0; tries < 8; tries++) {
        struct buffer *b = &M.bufs[below(100) < 85 ? below(NBUF) : NBUF + below(NSHBUF)];

        if (!b->busy)
            return b;
    }
    return NULL;
}

/* Checks a new mapping against the model, then records it. Returns false
 * when the result was not one the model allows (already reported). */
static bool accept_mapping(struct mapping *m, int ret)
{
    struct ccdma_device *d = &M.dev[m->dev];
    struct buffer *b = m->buf;
    ccdma_phys_t pa = t_pa(b->va + m->off);
    bool enc_shared = b->shared || !T.cc;
    bool direct = !d->force_bounce && !d->restricted_pool && reaches(d, enc_shared) &&
                  t_encode(pa, enc_shared) + m->size - 1 <= limit_of(d, false);
    struct pool_model *pm = direct ? NULL : pool_for(d);
    uint64_t align = slot_align(m->size), keep = d->min_align_mask & ~align;
    ccdma_phys_t tlb;

    if (!direct && !pm) {
        if (ret != CCDMA_ESTATE)
            violation(V_RESULT, "%s: expected ESTATE, got %d", d->name, ret);
        M.state_errors++;
        return false;
    }
    if (!direct && m->size > max_mapping(d)) {
        if (ret != CCDMA_EINVAL)
            violation(V_RESULT, "%s: %zu > max mapping, got %d", d->name, m->size, ret);
        return false;
    }
    if (!direct && ret == CCDMA_ENOSPC) {
        uint32_t n = (uint32_t)(((pa & d->min_align_mask & align) + m->size + SLOT - 1) / SLOT);

        if (any_fit(pm, n, align, keep, pa))
            violation(V_NOFIT, "%s: ENOSPC for %u slots but the model sees a fit", pm->name, n);
        M.full++;
        return false;
    }
    if (ret != CCDMA_OK) {
        violation(V_RESULT, "%s: map of %zu bytes failed with %d", d->name, m->size, ret);
        return false;
    }
    if (direct) {
        if (m->dma != t_encode(pa, enc_shared) || ccdma_is_bounced(d, m->dma))
            violation(V_RESULT, "%s: expected direct %#llx, got %#llx", d->name,
                      (unsigned long long)t_encode(pa, enc_shared), (unsigned long long)m->dma);
        m->bounced = false;
        M.direct++;
        return true;
    }
    /* A bounce: in the expected pool, with its state's encoding. */
    m->bounced = true;
    m->pm = pm;
    tlb = t_decode(m->dma);
    if (!ccdma_is_bounced(d, m->dma) || tlb < pm->start ||
        tlb + m->size > pm->start + (ccdma_phys_t)pm->nslots * SLOT ||
        t_is_shared(m->dma) != (pm->shared || !T.cc) ||
        !ccdma_capable(d, m->dma, m->size, pm->shared ? CCDMA_ATTR_CC_SHARED : 0)) {
        violation(V_RESULT, "%s: bounce %#llx not in %s or not capable", d->name,
                  (unsigned long long)m->dma, pm->name);
        return false;
    }
    if ((tlb & d->min_align_mask) != (pa & d->min_align_mask))
        violation(V_ALIGN, "%s: bounce %#llx loses the low bits of %#llx", d->name,
                  (unsigned long long)tlb, (unsigned long long)pa);
    bounce_slots(m, pa, tlb, &m->first, &m->nslots);
    if (((pm->start + (ccdma_phys_t)m->first * SLOT) & align) != 0)
        violation(V_ALIGN, "%s: first slot of a %zu-byte bounce misaligned", d->name, m->size);
    if (!slots_free(pm, m->first, m->nslots))
        violation(V_OVERLAP, "%s: slots %u+%u already taken", pm->name, m->first, m->nslots);
    take_slots(pm, m->first, m->nslots, true);
    check_accounting(pm);

    /* What the device sees: the caller's bytes toward the device, zeros
     * otherwise (rule 8). */
    m->devbuf = malloc(m->size);
    REQUIRE(m->devbuf != NULL);
    if (dir_to(m->dir))
        memcpy(m->devbuf, b->shadow + m->off, m->size);
    else
        memset(m->devbuf, 0, m->size);
    {
        const uint8_t *slot = ccdma_plat_phys_to_virt(tlb);

        if (memcmp(slot, m->devbuf, m->size) != 0)
            violation(dir_to(m->dir) ? V_DATA : V_ZERO, "%s: slot contents at map are wrong (%s)",
                      d->name, dir_to(m->dir) ? "not the caller's bytes" : "not zero");
    }
    mark_shown(pm, tlb, m->size, dir_to(m->dir));
    M.bounced++;
    return true;
}

static void op_map(void)
{
    struct mapping *m = &M.maps[M.nmaps];
    struct buffer *b = idle_buffer();
    int ret;

    if (!b)
        return;
    memset(m, 0, sizeof(*m));
    m->buf = b;
    m->dev = (int)below(NDEV);
    m->size = random_size();
    m->off = below(BUFCAP - m->size + 1);
    m->dir = random_dir();
    m->attrs = (below(10) == 0 ? CCDMA_ATTR_SKIP_CPU_SYNC : 0) | CCDMA_ATTR_NO_WARN |
               (b->shared ? CCDMA_ATTR_CC_SHARED : 0);
    if (!b->shared) {
        /* Fresh secrets in the range, so a leak of this mapping shows. */
        fill_secret(b->va + m->off, m->size, b->id);
        memcpy(b->shadow + m->off, b->va + m->off, m->size);
    }
    ret = ccdma_map_single(&M.dev[m->dev], b->va + m->off, m->size, m->dir, m->attrs, &m->dma);
    if (accept_mapping(m, ret)) {
        b->busy = true;
        M.nmaps++;
    }
}

/* The device writes (FROM/BIDIRECTIONAL) or reads (TO) part of a mapping. */
static void op_device(void)
{
    struct mapping *m;
    struct ccdma_device *d;
    size_t a, n;

    if (!M.nmaps)
        return;
    m = &M.maps[below((uint64_t)M.nmaps)];
    d = &M.dev[m->dev];
    a = below(m->size);
    n = 1 + below(m->size - a);
    if (dir_from(m->dir) && below(3)) {
        uint8_t *dst = m->bounced ? m->devbuf + a : m->buf->shadow + m->off + a;

        fill_noise(dst, n);
        if (t_dev_write(d, m->dma + a, dst, n))
            violation(V_RESULT, "%s: the device cannot write its mapping: %s", d->name, t_dev_error);
        if (m->bounced)
            mark_shown(m->pm, t_decode(m->dma) + a, n, false);
    } else {
        uint8_t *got = malloc(n);
        const uint8_t *want = m->bounced ? m->devbuf + a : m->buf->shadow + m->off + a;

        REQUIRE(got != NULL);
        if (t_dev_read(d, m->dma + a, got, n))
            violation(V_RESULT, "%s: the device cannot read its mapping: %s", d->name, t_dev_error);
        else if (memcmp(got, want, n) != 0)
            violation(V_DATA, "%s: the device reads wrong bytes", d->name);
        free(got);
    }
}

static void check_buffer_range(const struct mapping *m, const char *when)
{
    size_t lo = m->off > 64 ? m->off - 64 : 0;
    size_t hi = m->off + m->size + 64 < BUFCAP ? m->off + m->size + 64 : BUFCAP;

    if (memcmp(m->buf->va + lo, m->buf->shadow + lo, hi - lo) != 0)
        violation(V_DATA, "%s: buffer bytes wrong after %s (%s, %zu bytes)", M.dev[m->dev].name,
                  when, m->bounced ? "bounce" : "direct", m->size);
}

static void op_sync(bool for_cpu)
{
    struct mapping *m;
    size_t a, n;
    int ret;

    if (!M.nmaps)
        return;
    m = &M.maps[below((uint64_t)M.nmaps)];
    a = below(m->size);
    n = 1 + below(m->size - a);
    if (!for_cpu && !m->buf->shared) {
        /* The CPU writes new secrets before handing the range back. */
        fill_secret(m->buf->va + m->off + a, n, m->buf->id);
        memcpy(m->buf->shadow + m->off + a, m->buf->va + m->off + a, n);
    }
    ret = for_cpu ? ccdma_sync_for_cpu(&M.dev[m->dev], m->dma + a, n, m->dir)
                  : ccdma_sync_for_device(&M.dev[m->dev], m->dma + a, n, m->dir);
    if (ret) {
        violation(V_RESULT, "sync failed with %d", ret);
        return;
    }
    if (m->bounced) {
        if (for_cpu && dir_from(m->dir))
            memcpy(m->buf->shadow + m->off + a, m->devbuf + a, n);
        if (!for_cpu && dir_to(m->dir)) {
            memcpy(m->devbuf + a, m->buf->shadow + m->off + a, n);
            mark_shown(m->pm, t_decode(m->dma) + a, n, true);
        }
    }
    check_buffer_range(m, for_cpu ? "sync_for_cpu" : "sync_for_device");
}

static void release_mapping(struct mapping *m, unsigned int attrs)
{
    if (m->bounced) {
        const uint8_t *slot = ccdma_plat_phys_to_virt(t_decode(m->dma));

        if (!(attrs & CCDMA_ATTR_SKIP_CPU_SYNC) && dir_from(m->dir))
            memcpy(m->buf->shadow + m->off, m->devbuf, m->size);
        /* The device's view is the slot, and unmap leaves it as it is: no
         * byte is zeroed twice (the canary scan checks what is left). */
        if (memcmp(slot, m->devbuf, m->size) != 0)
            violation(V_ZERO, "%s: unmap rewrote the slot", m->pm->name);
        take_slots(m->pm, m->first, m->nslots, false);
        check_accounting(m->pm);
        free(m->devbuf);
    }
    check_buffer_range(m, "unmap");
    m->buf->busy = false;
}

static void unmap_at(int i)
{
    struct mapping *m = &M.maps[i];
    unsigned int attrs = (m->attrs & CCDMA_ATTR_CC_SHARED) |
                         (below(8) == 0 ? CCDMA_ATTR_SKIP_CPU_SYNC : 0);
    int ret = ccdma_unmap_single(&M.dev[m->dev], m->dma, m->size, m->dir, attrs);

    if (ret)
        violation(V_RESULT, "unmap failed with %d", ret);
    release_mapping(m, attrs);
    M.maps[i] = M.maps[--M.nmaps];
}

static void op_unmap(void)
{
    if (M.nmaps)
        unmap_at((int)below((uint64_t)M.nmaps));
}

/* A scatter-gather list: all entries map or none do. */
static void op_sg(void)
{
    struct mapping ent[MAXSG];
    struct ccdma_sg sg[MAXSG];
    int dev = (int)below(NDEV), n = 2 + (int)below(MAXSG - 1), ret, k;
    enum ccdma_dir dir = random_dir();
    uint32_t used[3];
    int idle = 0;

    for (k = 0; k < NBUF; k++)
        idle += !M.bufs[k].busy;
    if (idle < n)
        return;
    for (k = 0; k < n; k++) {
        struct buffer *b;

        do
            b = &M.bufs[below(NBUF)];
        while (b->busy);
        b->busy = true;
        memset(&ent[k], 0, sizeof(ent[k]));
        ent[k].buf = b;
        ent[k].dev = dev;
        ent[k].dir = dir;
        ent[k].size = 1 + below(6000);
        ent[k].off = below(BUFCAP - ent[k].size + 1);
        fill_secret(b->va + ent[k].off, ent[k].size, b->id);
        memcpy(b->shadow + ent[k].off, b->va + ent[k].off, ent[k].size);
        sg[k].va = b->va + ent[k].off;
        sg[k].len = ent[k].size;
    }
    for (int p = 0; p < 3; p++)
        used[p] = M.pools[p].pool ? (uint32_t)t_pool_stats(M.pools[p].pool).used : 0;
    ret = ccdma_map_sg(&M.dev[dev], sg, n, dir, CCDMA_ATTR_NO_WARN);
    if (ret != n) {
        if (ret != CCDMA_ENOSPC && ret != CCDMA_ESTATE && ret != CCDMA_EINVAL)
            violation(V_RESULT, "map_sg failed with %d", ret);
        for (int p = 0; p < 3; p++)
            if (M.pools[p].pool && t_pool_stats(M.pools[p].pool).used != used[p])
                violation(V_ACCOUNT, "a failed map_sg left slots taken in %s", M.pools[p].name);
        for (k = 0; k < n; k++)
            ent[k].buf->busy = false;
        M.full += ret == CCDMA_ENOSPC;
        return;
    }
    in_batch = true;
    for (k = 0; k < n; k++) {
        ent[k].dma = sg[k].dma_addr;
        if (!accept_mapping(&ent[k], CCDMA_OK))
            violation(V_RESULT, "map_sg entry %d was not expected to map", k);
        if (dir_from(dir)) {
            uint8_t *dst = ent[k].bounced ? ent[k].devbuf : ent[k].buf->shadow + ent[k].off;

            fill_noise(dst, ent[k].size);
            if (t_dev_write(&M.dev[dev], ent[k].dma, dst, ent[k].size))
                violation(V_RESULT, "sg entry unreachable: %s", t_dev_error);
            if (ent[k].bounced)
                mark_shown(ent[k].pm, t_decode(ent[k].dma), ent[k].size, false);
        }
    }
    if (ccdma_unmap_sg(&M.dev[dev], sg, n, dir, 0))
        violation(V_RESULT, "unmap_sg failed");
    for (k = 0; k < n; k++)
        release_mapping(&ent[k], 0);
    in_batch = false;
    for (int p = 0; p < 3; p++)
        if (M.pools[p].pool)
            check_accounting(&M.pools[p]);
    M.sg_ok++;
}

/* ---- coherent operations ---------------------------------------------------------------- */

static void fill_coherent(struct coherent *c)
{
    uint32_t *w = c->cpu;

    for (size_t i = 0; i < c->size / 4; i++)
        w[i] = c->seed + (uint32_t)i * 2654435761u;
    for (size_t i = 0; i < c->size / 4; i++)
        if ((w[i] & 0xff) == CANARY || ((w[i] >> 8) & 0xff) == CANARY ||
            ((w[i] >> 16) & 0xff) == CANARY || (w[i] >> 24) == CANARY)
            w[i] = 0; /* coherent memory is public data here */
}

static bool coherent_intact(const struct coherent *c)
{
    const uint32_t *w = c->cpu;

    for (size_t i = 0; i < c->size / 4; i++) {
        uint32_t v = c->seed + (uint32_t)i * 2654435761u;

        if ((v & 0xff) == CANARY || ((v >> 8) & 0xff) == CANARY ||
            ((v >> 16) & 0xff) == CANARY || (v >> 24) == CANARY)
            v = 0;
        if (w[i] != v)
            return false;
    }
    return true;
}

static void op_alloc(void)
{
    static const int devs[4] = {0, 1, 2, 5};
    struct coherent *c = &M.coh[M.ncoh];
    struct ccdma_device *d;
    bool atomic = below(2), need_shared;
    uint64_t rsi = t_rsi_state_sets();
    int ret;

    if (M.ncoh == MAXCOH)
        return;
    memset(c, 0, sizeof(*c));
    c->dev = devs[below(4)];
    d = &M.dev[c->dev];
    c->size = PAGE * (1 + below(5)) - below(100);
    need_shared = T.cc && !d->reach_private;
    ret = ccdma_alloc_coherent(d, c->size, atomic ? CCDMA_ALLOC_ATOMIC : 0, 0, &c->cpu, &c->h);
    if (d->restricted_pool || atomic) {
        if (t_rsi_state_sets() != rsi)
            violation(V_COHERENT, "%s: a %s allocation converted memory", d->name,
                      d->restricted_pool ? "restricted-pool" : "atomic");
    }
    if (ret == CCDMA_ENOSPC && d->restricted_pool) {
        uint32_t pages = (uint32_t)((c->size + PAGE - 1) / PAGE), order = 1;

        while (order < pages)
            order *= 2;
        if (any_fit(M.restricted, pages * 2, (uint64_t)order * PAGE - 1, 0, 0))
            violation(V_NOFIT, "restricted pool: ENOSPC for %u pages but the model sees a fit", pages);
        M.full++;
        return;
    }
    if (ret == CCDMA_ENOSPC && atomic) {
        M.full++;
        return;
    }
    if (ret) {
        violation(V_RESULT, "%s: coherent allocation failed with %d", d->name, ret);
        return;
    }
    if (!t_all_bytes(c->cpu, 0, c->size) || c->h != t_encode(t_pa(c->cpu), need_shared || !T.cc) ||
        ccdma_coherent_is_shared(d, c->h) != (need_shared || !T.cc) ||
        (need_shared ? !t_range_shared(t_pa(c->cpu), c->size) : !t_range_private(t_pa(c->cpu), c->size)))
        violation(V_COHERENT, "%s: coherent memory not zeroed or in the wrong state", d->name);
    if (d->restricted_pool) {
        ccdma_phys_t pa = t_pa(c->cpu);

        c->pm = M.restricted;
        c->first = (uint32_t)((pa - M.restricted->start) / SLOT);
        c->nslots = (uint32_t)(((c->size + PAGE - 1) / PAGE) * (PAGE / SLOT));
        if (!slots_free(c->pm, c->first, c->nslots))
            violation(V_OVERLAP, "restricted allocation on taken slots");
        take_slots(c->pm, c->first, c->nslots, true);
        check_accounting(c->pm);
        mark_shown(c->pm, pa, (size_t)c->nslots * SLOT, false); /* zeroed */
    }
    c->seed = (uint32_t)rnd();
    fill_coherent(c);
    M.ncoh++;
}

static void free_coherent_at(int i)
{
    struct coherent *c = &M.coh[i];
    int ret;

    if (!coherent_intact(c))
        violation(V_DATA, "%s: coherent memory changed under its owner", M.dev[c->dev].name);
    ret = ccdma_free_coherent(&M.dev[c->dev], c->size, c->cpu, c->h);
    if (ret)
        violation(V_RESULT, "coherent free failed with %d", ret);
    if (c->pm) {
        take_slots(c->pm, c->first, c->nslots, false);
        check_accounting(c->pm);
    }
    M.coh[i] = M.coh[--M.ncoh];
}

static void op_free(void)
{
    if (M.ncoh)
        free_coherent_at((int)below((uint64_t)M.ncoh));
}

/* ---- the canary scan ---------------------------------------------------------------------- */

struct range {
    ccdma_phys_t lo, hi;
};

static struct range allowed[NBUF + NSHBUF];
static int nallowed;

static int cmp_range(const void *a, const void *b)
{
    const struct range *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Where a bounce toward the device put a caller's bytes: they were given
 * to the device, and may stay in the slot after unmap. */
static bool shown_at(ccdma_phys_t at)
{
    for (int p = 0; p < 3; p++) {
        const struct pool_model *pm = &M.pools[p];

        if (pm->pool && pm->shared && at >= pm->start &&
            at - pm->start < (ccdma_phys_t)pm->nslots * SLOT && pm->shown[at - pm->start])
            return true;
    }
    return false;
}

/* Shared memory may hold canary bytes only inside a live bounce mapped
 * toward the device, or where one put them: the caller chose to show
 * those bytes. */
static void scan_run(void *va, ccdma_phys_t pa, size_t bytes, void *ctx)
{
    const uint8_t *p = va, *end = p + bytes;

    (void)ctx;
    while (p < end) {
        const uint8_t *hit = memchr(p, CANARY, (size_t)(end - p));
        ccdma_phys_t at;
        int lo = 0, hi = nallowed;

        if (!hit)
            return;
        at = pa + (ccdma_phys_t)(hit - (const uint8_t *)va);
        while (lo < hi) { /* last range starting at or below `at` */
            int mid = (lo + hi) / 2;

            if (allowed[mid].lo <= at)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0 && at < allowed[lo - 1].hi) {
            p = hit + (allowed[lo - 1].hi - at); /* skip the allowed range */
            continue;
        }
        if (shown_at(at)) {
            p = hit + 1;
            continue;
        }
        violation(V_LEAK, "private canary at %#llx in shared memory", (unsigned long long)at);
        return;
    }
}

static void scan_shared(void)
{
    if (!T.cc)
        return; /* nothing is private without CC */
    nallowed = 0;
    for (int i = 0; i < M.nmaps; i++) {
        const struct mapping *m = &M.maps[i];

        if (m->bounced && m->pm->shared && dir_to(m->dir) && !m->buf->shared) {
            allowed[nallowed].lo = t_decode(m->dma);
            allowed[nallowed++].hi = t_decode(m->dma) + m->size;
        }
    }
    qsort(allowed, (size_t)nallowed, sizeof(allowed[0]), cmp_range);
    host_platform_for_each_shared(scan_run, NULL);
}

/* ---- driver ------------------------------------------------------------------------------ */

enum op { OP_MAP, OP_DEVICE, OP_SYNC_CPU, OP_SYNC_DEV, OP_UNMAP, OP_SG, OP_ALLOC, OP_FREE, OP_POLL, OP_N };

static const char *const op_names[OP_N] = {
    "map", "device", "sync_cpu", "sync_dev", "unmap", "sg", "alloc", "free", "poll",
};

static enum op pick(void)
{
    /* Cumulative weights out of 100. */
    static const uint8_t cum[OP_N] = {24, 46, 54, 60, 82, 85, 92, 99, 100};
    uint64_t r = below(100);
    int i = 0;

    while (r >= cum[i])
        i++;
    return (enum op)i;
}

static void teardown_and_check(void)
{
    struct host_platform_counters port;
    struct ccdma_debug_counters dbg;
    int leaks;

    while (M.nmaps)
        unmap_at(M.nmaps - 1);
    while (M.ncoh)
        free_coherent_at(M.ncoh - 1);
    scan_shared();
    for (int p = 0; p < 3; p++)
        if (M.pools[p].pool) {
            check_accounting(&M.pools[p]);
            free(M.pools[p].taken);
            free(M.pools[p].shown);
        }
    /* The restricted device holds its pool until released. */
    REQUIRE(ccdma_device_release(&M.dev[5]) == CCDMA_OK);
    REQUIRE(ccdma_swiotlb_restricted_destroy(M.restricted->pool) == CCDMA_OK);
    t_pages_free(M.restricted_mem, 64);
    t_pages_free(M.private_region, NBUF * BUFCAP / PAGE);
    t_shared_free(M.shared_region, NSHBUF * BUFCAP / PAGE);
    dbg = t_debug();
    leaks = ccdma_shutdown();
    port = t_port();
    for (int v = 0; v < V_COUNT; v++)
        CHECK_EQ(M.violations[v], 0, violation_names[v]);
    CHECK_EQ(leaks, 0, "nothing live at shutdown");
    CHECK_EQ(dbg.errors, 0, "no dma-debug report in the whole run");
    CHECK_EQ(port.pages_in_use, 0, "every page back in the allocator");
    CHECK_EQ(port.bad_frees + port.bad_conversions + port.quarantined_pages, 0,
             "no refused free or conversion, nothing quarantined");
    host_platform_fini();
    for (int i = 0; i < NBUF + NSHBUF; i++)
        free(M.bufs[i].shadow);
    free(M.noise);
}

int main(int argc, char **argv)
{
    uint64_t seed = 0x5eed2026, ops = 1000000;
    uint64_t t0;
    double secs;

    t_start(argc, argv, "dma model-based randomized test");
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--ops") == 0)
            ops = strtoull(argv[i + 1], NULL, 0);
    }
    rng = seed ? seed : 1;
    printf("# seed %#llx, %llu operations (rerun: %s %s --seed %#llx --ops %llu)\n",
           (unsigned long long)seed, (unsigned long long)ops, argv[0], T.enc_name,
           (unsigned long long)seed, (unsigned long long)ops);
    setup();
    t0 = ccdma_plat_time_ns();
    for (uint64_t i = 0; i < ops; i++) {
        enum op o = pick();

        M.ops[o]++;
        switch (o) {
        case OP_MAP: op_map(); break;
        case OP_DEVICE: op_device(); break;
        case OP_SYNC_CPU: op_sync(true); break;
        case OP_SYNC_DEV: op_sync(false); break;
        case OP_UNMAP: op_unmap(); break;
        case OP_SG: op_sg(); break;
        case OP_ALLOC: op_alloc(); break;
        case OP_FREE: op_free(); break;
        default: ccdma_poll(); break;
        }
        if ((i + 1) % SCAN_EVERY == 0)
            scan_shared();
    }
    secs = (double)(ccdma_plat_time_ns() - t0) / 1e9;
    teardown_and_check();
    printf("# ops:");
    for (int o = 0; o < OP_N; o++)
        printf(" %s=%llu", op_names[o], (unsigned long long)M.ops[o]);
    printf("\n# mappings: %llu direct, %llu bounced, %llu sg lists; %llu pool-full, "
           "%llu state refusals\n", (unsigned long long)M.direct, (unsigned long long)M.bounced,
           (unsigned long long)M.sg_ok, (unsigned long long)M.full,
           (unsigned long long)M.state_errors);
    printf("# randomized: %llu operations, seed %#llx, encoding %s, %.1f s\n",
           (unsigned long long)ops, (unsigned long long)seed, T.enc_name, secs);
    CHECK(M.bounced > 0 && M.direct + M.bounced > ops / 10, "the run exercised mappings");
    return t_finish();
}
