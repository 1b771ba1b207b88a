/* SPDX-License-Identifier: MIT */
/* The fake virtio-mmio device (see fake_virtio.h). */
#include "fake_virtio.h"

#include "host_mmio.h"
#include "host_platform.h"

#include <string.h>

/* Register offsets and bits, from the virtio 1.2 spec (4.2.2, 2.1). */
enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
    R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020,
    R_DRV_FEAT_SEL = 0x024, R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034,
    R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
    R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
    R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_AVAIL_LO = 0x090, R_AVAIL_HI = 0x094,
    R_USED_LO = 0x0a0, R_USED_HI = 0x0a4, R_CONFIG_GEN = 0x0fc, R_CONFIG = 0x100,
    /* Legacy (version 1) only, 4.2.4. */
    R_GUEST_PAGE_SIZE = 0x028, R_QUEUE_ALIGN = 0x03c, R_QUEUE_PFN = 0x040,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_FAILED = 128 };
enum { D_NEXT = 1, D_WRITE = 2 };
#define F_VERSION_1 (1ull << 32)
#define F_ACCESS_PLATFORM (1ull << 33)

/* ---- Reaching driver memory the way a device does ---------------------------- */

/* Host pointer for [dma, dma+len), or NULL when a real device could not (or
 * in CC mode, must not) reach it. */
static uint8_t *dev_mem(struct fake_dev *d, uint64_t dma, uint64_t len)
{
    if (len == 0 || dma > UINT64_MAX - (len - 1)) {
        d->bad_addrs++;
        return NULL;
    }
    if (ccdma_plat_cc_active() && (!ccdma_plat_dma_is_shared(dma) ||
                                   !ccdma_plat_dma_is_shared(dma + len - 1))) {
        d->cc_violations++;
        return NULL;
    }
    ccdma_phys_t pa = ccdma_plat_dma_to_phys(dma);
    uint8_t *va = ccdma_plat_phys_to_virt(pa);
    if (va == NULL || (uint8_t *)ccdma_plat_phys_to_virt(pa + len - 1) != va + (len - 1)) {
        d->bad_addrs++;
        return NULL;
    }
    /* The encoding is not enough: every page must really be shared, or a
     * real host's granule protection would fault the access. */
    if (ccdma_plat_cc_active()) {
        for (ccdma_phys_t p = pa & ~(ccdma_phys_t)(CCDMA_PAGE_SIZE - 1); p <= pa + len - 1;
             p += CCDMA_PAGE_SIZE) {
            if (!host_platform_page_shared(p)) {
                d->cc_violations++;
                return NULL;
            }
        }
    }
    return va;
}

/* Ring fields are single relaxed atomic accesses when aligned (they always
 * are for this driver), as on a real bus: the device may run on its own
 * thread (race_device.h) while the driver reads the same words. A
 * misaligned field, which only a broken driver posts, is copied bytewise. */
#define FAKE_LD(T, p)                                                          \
    do {                                                                       \
        T v_;                                                                  \
        if (((uintptr_t)(p) & (sizeof(T) - 1)) == 0)                          \
            return __atomic_load_n((const T *)(const void *)(p), __ATOMIC_RELAXED); \
        memcpy(&v_, (p), sizeof(T));                                           \
        return v_;                                                             \
    } while (0)
#define FAKE_ST(T, p, v)                                                       \
    do {                                                                       \
        if (((uintptr_t)(p) & (sizeof(T) - 1)) == 0)                          \
            __atomic_store_n((T *)(void *)(p), (v), __ATOMIC_RELAXED);        \
        else                                                                   \
            memcpy((p), &(T){(v)}, sizeof(T));                                 \
    } while (0)
static uint16_t ld16(const uint8_t *p) { FAKE_LD(uint16_t, p); }
static uint32_t ld32(const uint8_t *p) { FAKE_LD(uint32_t, p); }
static uint64_t ld64(const uint8_t *p) { FAKE_LD(uint64_t, p); }
static void st32(uint8_t *p, uint32_t v) { FAKE_ST(uint32_t, p, v); }
/* used.idx: a release store, so everything the device wrote before it
 * (entries, data) is ordered before it, also for ThreadSanitizer. */
static void st16_release(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)(void *)p, v, __ATOMIC_RELEASE);
}

struct chain_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t idx;
    uint8_t *mem;
};

/* ---- Ring service ------------------------------------------------------------------- */

static void push_used(struct fake_dev *d, uint8_t *used, uint16_t id, uint32_t len)
{
    uint8_t *e = used + 4 + 8u * (d->used_idx % d->qnum);
    st32(e, id);
    st32(e + 4, len);
    d->used_idx++;
    st16_release(used + 2, d->used_idx); /* entry before index */
    d->completions++;
}

/* Complete a chain, applying whatever misbehaviour is armed. */
static void complete(struct fake_dev *d, uint8_t *used, const struct chain_desc *c,
                     unsigned int n, uint32_t len)
{
    enum fake_evil evil = d->completions >= d->evil_after ? d->evil : EVIL_NONE;
    uint16_t id = c[0].idx;
    switch (evil) {
    case EVIL_ID_RANGE: id = (uint16_t)(d->qnum + 3); break;
    case EVIL_ID_BODY: id = n > 1 ? c[1].idx : id; break;
    case EVIL_ID_FREE: id = (uint16_t)((c[n - 1].idx + 1) % d->qnum); break;
    case EVIL_LEN_HUGE: len = 0xfffffff0u; break;
    case EVIL_LEN_SHORT: len = 1; break;
    case EVIL_LEN_NO_STATUS: len = len ? len - 1 : 0; break;
    case EVIL_NEVER: return;
    case EVIL_REPLAY: id = d->have_prev ? d->prev_id : id; break;
    default: break;
    }
    d->prev_id = c[0].idx;
    d->have_prev = true;
    if (evil == EVIL_REORDER) {
        d->held[d->nheld].id = id;
        d->held[d->nheld].len = len;
        if (++d->nheld < 2)
            return;
        push_used(d, used, d->held[1].id, d->held[1].len);
        push_used(d, used, d->held[0].id, d->held[0].len);
        d->nheld = 0;
        return;
    }
    push_used(d, used, id, len);
    if (evil == EVIL_DUPLICATE)
        push_used(d, used, id, len);
    if (evil == EVIL_IDX_JUMP || evil == EVIL_IDX_BACK) {
        uint16_t step = (uint16_t)(evil == EVIL_IDX_JUMP ? d->qnum + 2 : 0xfffeu);
        d->used_idx = (uint16_t)(d->used_idx + step);
        st16_release(used + 2, d->used_idx);
    }
}

static void record_data(struct fake_dev *d, const struct chain_desc *c, unsigned int first,
                        unsigned int end)
{
    d->last_ndata = 0;
    for (unsigned int k = first; k < end; k++) {
        d->last_data_dma[d->last_ndata] = c[k].addr;
        d->last_data_pa[d->last_ndata] = ccdma_plat_dma_to_phys(c[k].addr);
        d->last_data_len[d->last_ndata++] = c[k].len;
    }
}

/* Serve one blk chain; returns the bytes written into it. */
static uint32_t serve_blk(struct fake_dev *d, struct chain_desc *c, unsigned int n)
{
    if (n < 2 || (c[0].flags & D_WRITE) || c[0].len < 16 || !(c[n - 1].flags & D_WRITE)) {
        d->drv_errors++;
        return 0;
    }
    uint32_t type = ld32(c[0].mem);
    uint64_t sector = ld64(c[0].mem + 8);
    uint8_t *status = c[n - 1].mem + c[n - 1].len - 1;
    uint64_t bytes = 0;
    bool want_write = type == 0;
    for (unsigned int k = 1; k + 1 < n; k++) {
        bytes += c[k].len;
        if (((c[k].flags & D_WRITE) != 0) != want_write)
            d->drv_errors++;
    }
    record_data(d, c, 1, n - 1);
    uint8_t st = 0;
    uint32_t written = 1;
    if (type == 0 || type == 1) {
        if (sector > d->disk_bytes / 512 || bytes > d->disk_bytes - sector * 512) {
            st = 1; /* IOERR: the driver should never let this through */
            d->drv_errors++;
        } else {
            uint64_t off = sector * 512;
            for (unsigned int k = 1; k + 1 < n; k++) {
                if (type == 0)
                    memcpy(c[k].mem, d->disk + off, c[k].len);
                else
                    memcpy(d->disk + off, c[k].mem, c[k].len);
                off += c[k].len;
            }
            if (type == 0)
                written += (uint32_t)bytes;
        }
    } else if (type == 4) {
        d->flushes++;
    } else {
        st = 2; /* UNSUPP */
    }
    enum fake_evil evil = d->completions >= d->evil_after ? d->evil : EVIL_NONE;
    if (evil == EVIL_STATUS)
        st = d->evil_status;
    if (evil != EVIL_NO_STATUS)
        *status = st;
    return written;
}

static uint32_t serve_rng(struct fake_dev *d, struct chain_desc *c, unsigned int n)
{
    uint32_t written = 0;
    record_data(d, c, 0, n);
    for (unsigned int k = 0; k < n; k++) {
        if (!(c[k].flags & D_WRITE)) {
            d->drv_errors++;
            continue;
        }
        for (uint32_t i = 0; i < c[k].len; i++)
            c[k].mem[i] = fake_rng_next(&d->rng_state);
        written += c[k].len;
    }
    return written;
}

void fake_process(struct fake_dev *d)
{
    if (!d->kicked || !(d->status & S_DRIVER_OK) || !d->qready)
        return;
    d->kicked = false;
    uint8_t *desc = dev_mem(d, d->desc, 16u * d->qnum);
    uint8_t *avail = dev_mem(d, d->avail, 6u + 2u * d->qnum);
    uint8_t *used = dev_mem(d, d->used, 6u + 8u * d->qnum);
    if (desc == NULL || avail == NULL || used == NULL)
        return;
    uint16_t aidx = ld16(avail + 2);
    if ((uint16_t)(aidx - d->last_avail) > d->qnum) {
        d->drv_errors++;
        return;
    }
    while (d->last_avail != aidx) {
        uint16_t head = ld16(avail + 4 + 2u * (d->last_avail % d->qnum));
        d->last_avail++;
        d->requests++;
        struct chain_desc c[FAKE_MAX_CHAIN];
        unsigned int n = 0;
        bool ok = head < d->qnum, seen_write = false;
        for (uint16_t i = head; ok; n++) {
            if (n == d->qnum || n == FAKE_MAX_CHAIN) {
                ok = false; /* a loop */
                break;
            }
            const uint8_t *e = desc + 16u * i;
            c[n] = (struct chain_desc){ld64(e), ld32(e + 8), ld16(e + 12), i, NULL};
            if (seen_write && !(c[n].flags & D_WRITE))
                ok = false; /* readable after writable */
            seen_write |= (c[n].flags & D_WRITE) != 0;
            c[n].mem = dev_mem(d, c[n].addr, c[n].len);
            if (c[n].mem == NULL)
                ok = false;
            if (!(c[n].flags & D_NEXT)) {
                n++;
                break;
            }
            i = ld16(e + 14);
            ok = ok && i < d->qnum;
        }
        if (!ok) {
            /* Refused, as the monitor refuses the doorbell: no completion. */
            d->drv_errors++;
            continue;
        }
        uint32_t len = d->device_id == 2 ? serve_blk(d, c, n) : serve_rng(d, c, n);
        complete(d, used, c, n, len);
    }
}

size_t fake_late_dma(struct fake_dev *d, uint8_t byte)
{
    size_t done = 0;
    for (unsigned int k = 0; k < d->last_ndata; k++) {
        uint8_t *mem = dev_mem(d, d->last_data_dma[k], d->last_data_len[k]);
        if (mem == NULL)
            continue;
        memset(mem, byte, d->last_data_len[k]);
        done += d->last_data_len[k];
    }
    return done;
}

/* ---- Registers ------------------------------------------------------------------------ */

static void reset(struct fake_dev *d)
{
    d->resets++;
    d->status = 0;
    d->dfsel = d->drvfsel = d->qsel = 0;
    d->drv_features = 0;
    d->qnum = d->qready = d->pfn = 0;
    d->desc = d->avail = d->used = 0;
    d->last_avail = d->used_idx = 0;
    d->kicked = false;
    d->nheld = 0;
    d->have_prev = false;
}

static void write_status(struct fake_dev *d, uint32_t v)
{
    d->status_writes++;
    if (v == 0 && d->deaf_reset)
        return; /* ignored outright: status, queue and held chains stay */
    if (v == 0) {
        reset(d);
        return;
    }
    if ((v & d->status) != d->status)
        d->drv_errors++; /* bits are only ever added until a reset */
    if ((v & S_FEATURES_OK) && !(d->status & S_FEATURES_OK)) {
        bool ok = !d->refuse_features && (d->drv_features & ~d->offered) == 0 &&
                  (d->required & ~d->drv_features) == 0;
        if ((d->drv_features & ~d->offered) != 0)
            d->drv_errors++;
        if (!ok)
            v &= ~(uint32_t)S_FEATURES_OK;
    }
    /* Legacy has no FEATURES_OK: the driver goes straight to DRIVER_OK. */
    if (d->version == 1 && (v & S_FEATURES_OK))
        d->drv_errors++;
    if (d->version != 1 && (v & S_DRIVER_OK) && !(v & S_FEATURES_OK) && !(v & S_FAILED))
        d->drv_errors++;
    d->status = v;
}

static void queue_ready(struct fake_dev *d, uint32_t v)
{
    if (v != 1) {
        d->qready = 0;
        return;
    }
    if (d->qnum == 0 || d->qnum > d->queue_num_max || (d->qnum & (d->qnum - 1)) != 0 ||
        (d->desc & 15) || (d->avail & 1) || (d->used & 3))
        d->drv_errors++;
    /* The monitor checks the rings at the doorbell; so do we, at once. */
    if (dev_mem(d, d->desc, 16u * d->qnum) == NULL ||
        dev_mem(d, d->avail, 6u + 2u * d->qnum) == NULL ||
        dev_mem(d, d->used, 6u + 8u * d->qnum) == NULL)
        return;
    d->qready = 1;
}

/* Legacy: the three rings from one page number, laid out as the spec's
 * legacy interface says (2.7.2), then checked as a modern queue is. */
static void legacy_pfn(struct fake_dev *d, uint32_t pfn)
{
    d->pfn = pfn;
    if (pfn == 0) {
        d->qready = 0;
        return;
    }
    if (d->page_size == 0 || d->align == 0 || (d->align & (d->align - 1)) != 0)
        d->drv_errors++;
    uint64_t align = d->align ? d->align : 4096;
    d->desc = (uint64_t)pfn * (d->page_size ? d->page_size : 4096);
    d->avail = d->desc + 16u * d->qnum;
    d->used = (d->avail + 6u + 2u * d->qnum + align - 1) & ~(align - 1);
    queue_ready(d, 1);
}

/* Registers that exist only in one of the two interfaces. */
static bool wrong_interface(const struct fake_dev *d, uint64_t off)
{
    bool legacy_reg = off == R_GUEST_PAGE_SIZE || off == R_QUEUE_ALIGN || off == R_QUEUE_PFN;
    bool modern_reg = off == R_QUEUE_READY || (off >= R_DESC_LO && off <= R_USED_HI) ||
                      off == R_CONFIG_GEN;
    return d->version == 1 ? modern_reg : legacy_reg;
}

static uint32_t fake_read32(void *ctx, uint64_t off)
{
    struct fake_dev *d = ctx;
    if (wrong_interface(d, off)) {
        d->drv_errors++;
        return 0;
    }
    if (off == R_QUEUE_PFN)
        return d->qsel == 0 ? d->pfn : 0;
    if (off >= R_CONFIG) {
        uint64_t w = (off - R_CONFIG) / 4;
        d->cfg_reads++;
        if (w >= sizeof(d->cfg) / sizeof(d->cfg[0])) {
            d->drv_errors++;
            return 0;
        }
        uint32_t v = d->cfg[w];
        if (w == 0 && d->tear_pending) {
            /* The host changes the capacity between the two halves. */
            d->tear_pending = false;
            d->cfg[0] = (uint32_t)d->tear_to;
            d->cfg[1] = (uint32_t)(d->tear_to >> 32);
            d->gen++;
        }
        return v;
    }
    switch (off) {
    case R_MAGIC: return d->magic;
    case R_VERSION: return d->version;
    case R_DEVICE_ID: return d->device_id;
    case R_VENDOR_ID: return d->vendor_id;
    case R_DEV_FEAT:
        return d->dfsel == 0 ? (uint32_t)d->offered : d->dfsel == 1 ? (uint32_t)(d->offered >> 32) : 0;
    case R_QUEUE_NUM_MAX: return d->qsel == 0 ? d->queue_num_max : 0;
    case R_QUEUE_READY: return d->queue_ready_stuck ? d->queue_ready_stuck : d->qready;
    case R_INT_STATUS: return 0;
    case R_STATUS: return d->ignore_reset && d->resets > 0 && d->status == 0 ? S_ACK : d->status;
    case R_CONFIG_GEN:
        if (d->gen_always || d->gen_flaps > 0) {
            if (d->gen_flaps > 0)
                d->gen_flaps--;
            return d->gen++;
        }
        return d->gen;
    default:
        d->drv_errors++; /* write-only or reserved register */
        return 0;
    }
}

static void fake_write32(void *ctx, uint64_t off, uint32_t v)
{
    struct fake_dev *d = ctx;
    /* Queue registers of a live queue must not change (4.2.2). */
    bool queue_reg = off == R_QUEUE_NUM || (off >= R_DESC_LO && off <= R_USED_HI);
    if (queue_reg && d->qready)
        d->drv_errors++;
    if (wrong_interface(d, off)) {
        d->drv_errors++;
        return;
    }
    switch (off) {
    case R_GUEST_PAGE_SIZE: d->page_size = v; break;
    case R_QUEUE_ALIGN: d->align = v; break;
    case R_QUEUE_PFN: legacy_pfn(d, v); break;
    case R_DEV_FEAT_SEL: d->dfsel = v; break;
    case R_DRV_FEAT_SEL: d->drvfsel = v; break;
    case R_DRV_FEAT:
        if (d->drvfsel < 2) {
            uint64_t mask = 0xffffffffull << (32 * d->drvfsel);
            d->drv_features = (d->drv_features & ~mask) | ((uint64_t)v << (32 * d->drvfsel));
        }
        break;
    case R_QUEUE_SEL: d->qsel = v; break;
    case R_QUEUE_NUM: d->qnum = v; break;
    case R_QUEUE_READY: queue_ready(d, v); break;
    case R_QUEUE_NOTIFY:
        d->notifies++;
        if (!(d->status & S_DRIVER_OK) || v != 0)
            d->drv_errors++;
        d->kicked = true;
        break;
    case R_INT_ACK: break;
    case R_STATUS: write_status(d, v); break;
    case R_DESC_LO: d->desc = (d->desc & ~0xffffffffull) | v; break;
    case R_DESC_HI: d->desc = (d->desc & 0xffffffffull) | ((uint64_t)v << 32); break;
    case R_AVAIL_LO: d->avail = (d->avail & ~0xffffffffull) | v; break;
    case R_AVAIL_HI: d->avail = (d->avail & 0xffffffffull) | ((uint64_t)v << 32); break;
    case R_USED_LO: d->used = (d->used & ~0xffffffffull) | v; break;
    case R_USED_HI: d->used = (d->used & 0xffffffffull) | ((uint64_t)v << 32); break;
    default: d->drv_errors++; break; /* read-only or reserved */
    }
}

static void fake_relax(void *ctx)
{
    fake_process(ctx);
}

static const struct host_mmio_ops fake_ops = {
    .read32 = fake_read32,
    .write32 = fake_write32,
    .read8 = NULL,
    .relax = fake_relax,
};

const struct host_mmio_ops *fake_mmio_ops(void)
{
    return &fake_ops;
}

int fake_attach(struct fake_dev *d, uintptr_t base)
{
    return host_mmio_register(base, FAKE_WINDOW, &fake_ops, d);
}

void fake_detach(uintptr_t base)
{
    (void)host_mmio_unregister(base);
}

/* ---- Set-up ----------------------------------------------------------------------------- */

static void common_init(struct fake_dev *d, uint32_t id, bool cc)
{
    memset(d, 0, sizeof(*d));
    d->magic = 0x74726976u;
    d->version = 2;
    d->device_id = id;
    d->vendor_id = 0x554d4551u; /* "QEMU" */
    d->offered = F_VERSION_1;
    /* As QEMU with iommu_platform=on: offered, and required once offered. */
    if (cc)
        d->offered |= d->required = F_ACCESS_PLATFORM;
    d->queue_num_max = 128;
}

void fake_blk_init(struct fake_dev *d, uint8_t *disk, uint64_t bytes, bool cc)
{
    common_init(d, 2, cc);
    d->offered |= (1u << 2) | (1u << 9);   /* SEG_MAX, FLUSH */
    d->offered |= (1u << 28) | (1u << 29); /* INDIRECT_DESC, EVENT_IDX */
    d->disk = disk;
    d->disk_bytes = bytes;
    uint64_t sectors = bytes / 512;
    d->cfg[0] = (uint32_t)sectors;
    d->cfg[1] = (uint32_t)(sectors >> 32);
    d->cfg[3] = 126; /* seg_max, as QEMU: queue size - 2 */
}

void fake_rng_init(struct fake_dev *d, uint64_t seed, bool cc)
{
    common_init(d, 4, cc);
    d->rng_state = seed;
}

uint8_t fake_rng_next(uint64_t *state)
{
    /* xorshift64: deterministic, so tests can predict the bytes. */
    uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return (uint8_t)(x >> 24);
}
