/* SPDX-License-Identifier: MIT */
#include "drivers/pci/pci.h"

#include <ccdma/errors.h>
#include <ccdma/platform.h>

#include <string.h>

#define CFG_VENDOR 0x00
#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_HEADER_TYPE 0x0e
#define CFG_BAR0 0x10
#define CFG_CAP_PTR 0x34
#define CFG_INT_PIN 0x3d

#define CMD_IO (1u << 0)
#define CMD_MEM (1u << 1)
#define CMD_MASTER (1u << 2)
#define STATUS_CAP_LIST (1u << 4)
#define HEADER_MULTI_FN 0x80u
#define HEADER_KIND 0x7fu

#define BAR_IO 0x1u
#define BAR_TYPE_MASK 0x6u
#define BAR_TYPE_64 0x4u
#define BAR_TYPE_RESERVED 0x2u
#define BAR_FLAGS 0xfull

#define FN_SPACE 4096u
#define CAP_FIRST 0x40u
#define CAP_LAST 0xfcu

/* ---- Configuration space ------------------------------------------------------- */

static bool cfg_addr(const struct pci_dev *d, unsigned int off, unsigned int width,
                     uintptr_t *addr)
{
    const struct pci_host *h = d->host;
    uint64_t o;

    if (off >= FN_SPACE || off % width || d->bus < h->bus_first || d->bus > h->bus_last ||
        d->dev > 31 || d->fn > 7)
        return false;
    o = (uint64_t)(d->bus - h->bus_first) << 20 | (uint64_t)d->dev << 15 | (uint64_t)d->fn << 12 |
        off;
    if (o + width > h->ecam_size)
        return false;
    *addr = h->ecam + (uintptr_t)o;
    return true;
}

uint8_t pci_cfg_read8(const struct pci_dev *d, unsigned int off)
{
    uintptr_t a;
    return cfg_addr(d, off, 1, &a) ? ccdma_plat_mmio_read8(a) : UINT8_MAX;
}

uint16_t pci_cfg_read16(const struct pci_dev *d, unsigned int off)
{
    uintptr_t a;
    return cfg_addr(d, off, 2, &a) ? ccdma_plat_mmio_read16(a) : UINT16_MAX;
}

uint32_t pci_cfg_read32(const struct pci_dev *d, unsigned int off)
{
    uintptr_t a;
    return cfg_addr(d, off, 4, &a) ? ccdma_plat_mmio_read32(a) : UINT32_MAX;
}

void pci_cfg_write16(const struct pci_dev *d, unsigned int off, uint16_t v)
{
    uintptr_t a;
    if (cfg_addr(d, off, 2, &a))
        ccdma_plat_mmio_write16(a, v);
}

void pci_cfg_write32(const struct pci_dev *d, unsigned int off, uint32_t v)
{
    uintptr_t a;
    if (cfg_addr(d, off, 4, &a))
        ccdma_plat_mmio_write32(a, v);
}

/* ---- The host bridge and its root bus ------------------------------------------------ */

static bool window_ok(const struct pci_window *w)
{
    return w->size == 0 || (w->cpu + w->size > w->cpu && w->pci + w->size > w->pci);
}

int pci_host_init(struct pci_host *h)
{
    if (h == NULL || h->ecam == 0 || h->bus_first > h->bus_last || h->bus_last > 255 ||
        h->ecam_size < (uint64_t)(h->bus_last - h->bus_first + 1) << 20 ||
        h->ecam + h->ecam_size - 1 < h->ecam || !window_ok(&h->mem32) || !window_ok(&h->mem64) ||
        (h->mem32.size && h->mem32.pci + h->mem32.size > (1ull << 32)))
        return CCDMA_EINVAL;
    h->next32 = h->mem32.pci;
    h->next64 = h->mem64.pci;
    h->n_placed = 0;
    return 0;
}

int pci_enumerate(struct pci_host *h, unsigned int max,
                  int (*fn)(struct pci_dev *d, void *ctx), void *ctx)
{
    unsigned int seen = 0;

    for (unsigned int dev = 0; dev < 32; dev++) {
        unsigned int nfn = 1;

        for (unsigned int f = 0; f < nfn && seen < max; f++) {
            struct pci_dev d = {.host = h, .bus = h->bus_first, .dev = dev, .fn = f};
            uint8_t type;
            int err;

            d.vendor = pci_cfg_read16(&d, CFG_VENDOR);
            if (d.vendor == UINT16_MAX || d.vendor == 0)
                continue;
            type = pci_cfg_read8(&d, CFG_HEADER_TYPE);
            if (f == 0 && (type & HEADER_MULTI_FN))
                nfn = 8;
            if ((type & HEADER_KIND) != 0)
                continue; /* a bridge or a card bus bridge: not configured */
            d.device = pci_cfg_read16(&d, CFG_VENDOR + 2);
            d.irq_pin = pci_cfg_read8(&d, CFG_INT_PIN);
            if (d.irq_pin > 4)
                d.irq_pin = 0;
            seen++;
            if ((err = fn(&d, ctx)) != 0)
                return err;
        }
    }
    return 0;
}

/* ---- BARs --------------------------------------------------------------------------- */

/* Write all ones, read back what sticks, put the value back. */
static uint32_t probe_bits(const struct pci_dev *d, unsigned int off, uint32_t orig)
{
    uint32_t m;

    pci_cfg_write32(d, off, UINT32_MAX);
    m = pci_cfg_read32(d, off);
    pci_cfg_write32(d, off, orig);
    return m;
}

static bool in_window(const struct pci_window *w, uint64_t pci, uint64_t size)
{
    return w->size != 0 && pci >= w->pci && size <= w->size && pci - w->pci <= w->size - size;
}

/* The next size-aligned free range of w, moving its cursor. */
static bool take(const struct pci_window *w, uint64_t *cursor, uint64_t size, uint64_t *pci)
{
    uint64_t at;

    if (w->size == 0 || *cursor > UINT64_MAX - (size - 1))
        return false;
    at = (*cursor + size - 1) & ~(size - 1);
    if (!in_window(w, at, size))
        return false;
    *cursor = at + size;
    *pci = at;
    return true;
}

/* Size BAR i (and i + 1 for a 64-bit one); returns how many slots it took,
 * 0 for an error. */
static unsigned int size_bar(struct pci_dev *d, unsigned int i, int *err)
{
    unsigned int off = CFG_BAR0 + 4 * i;
    uint32_t lo = pci_cfg_read32(d, off), hi = 0, mlo, mhi = 0;
    struct pci_bar *b = &d->bar[i];
    uint64_t mask;

    *err = 0;
    if (lo & BAR_IO)
        return 1; /* I/O space: this driver maps none */
    if ((lo & BAR_TYPE_MASK) == BAR_TYPE_RESERVED) {
        *err = CCDMA_EPROTO;
        return 0;
    }
    b->is64 = (lo & BAR_TYPE_MASK) == BAR_TYPE_64;
    if (b->is64 && i + 1 >= PCI_MAX_BARS) {
        *err = CCDMA_EPROTO;
        return 0;
    }
    mlo = probe_bits(d, off, lo);
    if (b->is64) {
        hi = pci_cfg_read32(d, off + 4);
        mhi = probe_bits(d, off + 4, hi);
    }
    mlo &= ~(uint32_t)BAR_FLAGS;
    if (mlo == 0 && mhi == 0)
        return b->is64 ? 2 : 1; /* not implemented: nothing sticks */
    /* A 32-bit BAR decodes nothing above bit 31: its mask is all ones there. */
    mask = (b->is64 ? (uint64_t)mhi << 32 : 0xffffffff00000000ull) | mlo;
    b->size = ~mask + 1;
    /* A real BAR's size is a power of two of at least 16 bytes, its mask
     * all ones above it. */
    if (b->size < 16 || (b->size & (b->size - 1)) != 0 || (mask | (b->size - 1)) != UINT64_MAX) {
        b->size = 0;
        *err = CCDMA_EPROTO;
        return 0;
    }
    b->pci = ((uint64_t)hi << 32 | lo) & ~BAR_FLAGS;
    return b->is64 ? 2 : 1;
}

static const struct pci_window *window_of(const struct pci_host *h, const struct pci_bar *b)
{
    if (in_window(&h->mem32, b->pci, b->size))
        return &h->mem32;
    if (b->is64 && in_window(&h->mem64, b->pci, b->size))
        return &h->mem64;
    return NULL;
}

static unsigned int owner_of(const struct pci_dev *d)
{
    return d->bus << 8 | d->dev << 3 | d->fn;
}

/* A function enabled again gives up the ranges it held. */
static void release_placed(struct pci_host *h, const struct pci_dev *d)
{
    unsigned int kept = 0;

    for (unsigned int k = 0; k < h->n_placed; k++)
        if (h->placed[k].owner != owner_of(d))
            h->placed[kept++] = h->placed[k];
    h->n_placed = kept;
}

static bool overlaps_placed(const struct pci_host *h, uint64_t pci, uint64_t size)
{
    for (unsigned int k = 0; k < h->n_placed; k++)
        if (pci < h->placed[k].pci + h->placed[k].size && h->placed[k].pci < pci + size)
            return true;
    return false;
}

static int place_bar(struct pci_dev *d, unsigned int i)
{
    struct pci_host *h = d->host;
    struct pci_bar *b = &d->bar[i];
    const struct pci_window *w = b->pci % b->size == 0 ? window_of(h, b) : NULL;

    if (h->n_placed == PCI_MAX_PLACED)
        return CCDMA_ENOSPC;
    /* Where the VMM put a BAR over another one, two devices would answer
     * one address: such a BAR is assigned afresh. */
    if (w != NULL && overlaps_placed(h, b->pci, b->size))
        w = NULL;
    if (w == NULL || b->pci == 0) {
        /* 32-bit space first, even for a 64-bit BAR: a realm with a small
         * IPA space may reach nothing above 4 GiB. */
        if (take(&h->mem32, &h->next32, b->size, &b->pci))
            w = &h->mem32;
        else if (b->is64 && take(&h->mem64, &h->next64, b->size, &b->pci))
            w = &h->mem64;
        else
            return CCDMA_ENOSPC;
        pci_cfg_write32(d, CFG_BAR0 + 4 * i, (uint32_t)b->pci | (b->is64 ? BAR_TYPE_64 : 0));
        if (b->is64)
            pci_cfg_write32(d, CFG_BAR0 + 4 * i + 4, (uint32_t)(b->pci >> 32));
        d->assigned[i] = true;
    } else {
        /* Kept where the VMM put it: assign nothing below its end. */
        uint64_t *cursor = w == &h->mem32 ? &h->next32 : &h->next64;
        if (b->pci + b->size > *cursor)
            *cursor = b->pci + b->size;
    }
    b->cpu = w->cpu + (b->pci - w->pci);
    h->placed[h->n_placed].pci = b->pci;
    h->placed[h->n_placed].size = b->size;
    h->placed[h->n_placed].owner = owner_of(d);
    h->n_placed++;
    return 0;
}

int pci_dev_enable(struct pci_dev *d)
{
    uint16_t cmd = pci_cfg_read16(d, CFG_COMMAND);
    struct pci_host *h = d->host;
    uint64_t next32 = h->next32, next64 = h->next64;
    unsigned int n_placed;
    int err = 0;

    if (cmd == UINT16_MAX)
        return CCDMA_ENODEV;
    release_placed(h, d);
    n_placed = h->n_placed;
    memset(d->bar, 0, sizeof(d->bar));
    memset(d->assigned, 0, sizeof(d->assigned));
    pci_cfg_write16(d, CFG_COMMAND, (uint16_t)(cmd & ~(CMD_MEM | CMD_IO | CMD_MASTER)));
    for (unsigned int i = 0; i < PCI_MAX_BARS && err == 0;) {
        unsigned int n = size_bar(d, i, &err);

        if (err == 0 && d->bar[i].size)
            err = place_bar(d, i);

        i += n ? n : 1;
    }
    if (err) {
        /* Decoding stays off, so nothing of it is reachable, and the
         * window space its BARs took goes back for the next function. */
        memset(d->bar, 0, sizeof(d->bar));
        memset(d->assigned, 0, sizeof(d->assigned));
        h->next32 = next32;
        h->next64 = next64;
        h->n_placed = n_placed;
        return err;
    }
    pci_cfg_write16(d, CFG_COMMAND, (uint16_t)((cmd & ~CMD_IO) | CMD_MEM | CMD_MASTER));
    return 0;
}

/* ---- Capabilities ------------------------------------------------------------------- */

int pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t start, uint8_t *off)
{
    uint8_t ptr;

    if (!(pci_cfg_read16(d, CFG_STATUS) & STATUS_CAP_LIST))
        return CCDMA_ENODEV;
    ptr = start ? pci_cfg_read8(d, start + 1u) : pci_cfg_read8(d, CFG_CAP_PTR);
    for (unsigned int n = 0; ptr != 0; n++) {
        ptr &= (uint8_t)~3u;
        if (n >= PCI_CAP_MAX_WALK || ptr < CAP_FIRST || ptr > CAP_LAST)
            return CCDMA_EPROTO;
        if (pci_cfg_read8(d, ptr) == id) {
            *off = ptr;
            return 0;
        }
        ptr = pci_cfg_read8(d, ptr + 1u);
    }
    return CCDMA_ENODEV;
}
