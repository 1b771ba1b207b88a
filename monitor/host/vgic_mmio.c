/* SPDX-License-Identifier: MIT */
/*
 * The realm's GICv3 distributor and redistributors (IHI 0069, chapter 12),
 * emulated at the addresses of the host's own: the realm's accesses are
 * unprotected MMIO exits. One security state (GICD_CTLR.DS reads 1),
 * affinity routing always on, everything in Group 1, no LPIs. What a
 * GICv3 driver needs to set up and steer its interrupts is kept:
 *
 *   GICD  CTLR, TYPER, IIDR, PIDR2; ISENABLER/ICENABLER, IPRIORITYR,
 *         ICFGR, IROUTER for the SPIs; IGROUPR reads all Group 1
 *   GICR  (one frame pair per REC) TYPER with its affinity and Last,
 *         WAKER, IIDR, PIDR2; ISENABLER0/ICENABLER0, ISPENDR0/ICPENDR0,
 *         IPRIORITYR, ICFGR0/1 for the SGIs and PPIs
 *
 * Every other register reads as zero and ignores writes, as does any
 * width or alignment a register does not have: nothing the realm writes
 * stops the host.
 */
#include "vgic.h"

#define GICD_SIZE 0x10000u
#define GICR_FRAME 0x20000u
#define SGI_BASE 0x10000u

#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define IIDR_ARM 0x43bu
#define PIDR2_GICV3 0x3bu
#define TYPER_IDBITS_10 (9u << 19)
#define GICR_TYPER_LAST (1u << 4)
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define PIDR2 0xffe8u

static uint32_t byte_lanes(unsigned int off, unsigned int size)
{
    uint32_t m = size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1;

    return m << (8 * (off & 3));
}

/* ---- Distributor ------------------------------------------------------------------ */

static uint32_t prio_word(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void prio_store(uint8_t *p, uint32_t v, uint32_t lanes)
{
    for (unsigned int i = 0; i < 4; i++)
        if (lanes & (0xffu << (8 * i)))
            p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t dist_read(unsigned int off)
{
    unsigned int n = off / 4 % 32; /* the word of a bitmap register */

    if (off == 0x0)
        return vgic.ctlr | GICD_CTLR_DS;
    if (off == 0x4)
        return (vgic.nr_intids / 32 - 1) | TYPER_IDBITS_10;
    if (off == 0x8)
        return IIDR_ARM;
    if (off == PIDR2)
        return PIDR2_GICV3;
    if (off >= 0x80 && off < 0x100)
        return n == 0 || n >= vgic.nr_intids / 32 ? 0 : UINT32_MAX;
    if (off >= 0x100 && off < 0x200) /* ISENABLER, ICENABLER */
        return n == 0 ? 0 : vgic.enabled[n];
    if (off >= 0x200 && off < 0x280) /* ISPENDR: the lines seen up */
        return n == 0 ? 0 : vgic.level[n];
    if (off >= 0x400 && off < 0x400 + VGIC_NR_INTIDS && off >= 0x420)
        return prio_word(&vgic.prio[off - 0x400]);
    if (off >= 0xc08 && off < 0xc00 + VGIC_NR_INTIDS / 4)
        return vgic.cfg[(off - 0xc00) / 4];
    if (off >= 0x6100 && off < 0x6000 + 8 * VGIC_NR_INTIDS) {
        uint64_t r = vgic.route[(off - 0x6000) / 8];

        return off & 4 ? (uint32_t)(r >> 32) : (uint32_t)r;
    }
    return 0;
}

static void dist_write(unsigned int off, uint32_t v, uint32_t lanes)
{
    unsigned int n = off / 4 % 32;

    if (off == 0x0) {
        uint32_t keep = GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1 | GICD_CTLR_ARE;

        vgic.ctlr = (vgic.ctlr & ~(lanes & keep)) | (v & lanes & keep);
    } else if (off >= 0x100 && off < 0x200 && n != 0 && n < vgic.nr_intids / 32) {
        uint32_t bits = v & lanes, changed;

        if (off < 0x180) {
            changed = bits & ~vgic.enabled[n];
            vgic.enabled[n] |= bits;
            vgic.ever_enabled[n] |= bits;
        } else {
            changed = bits & vgic.enabled[n];
            vgic.enabled[n] &= ~bits;
        }
        for (unsigned int b = 0; changed; b++, changed >>= 1)
            if (changed & 1)
                vgic_sync_line(n * 32 + b);
    } else if (off >= 0x420 && off < 0x400 + VGIC_NR_INTIDS) {
        prio_store(&vgic.prio[off - 0x400], v, lanes);
    } else if (off >= 0xc08 && off < 0xc00 + VGIC_NR_INTIDS / 4) {
        uint32_t *c = &vgic.cfg[(off - 0xc00) / 4];

        *c = (*c & ~lanes) | (v & lanes);
    } else if (off >= 0x6100 && off < 0x6000 + 8 * VGIC_NR_INTIDS) {
        uint64_t *r = &vgic.route[(off - 0x6000) / 8];
        unsigned int shift = off & 4 ? 32 : 0;
        uint64_t m = (uint64_t)lanes << shift;

        *r = (*r & ~m) | ((uint64_t)v << shift & m);
    }
}

/* ---- Redistributors --------------------------------------------------------------- */

static uint32_t rdist_read(unsigned int rec, unsigned int off)
{
    const struct vgic_cpu *c = &vgic.cpu[rec];

    switch (off) {
    case 0x4: return IIDR_ARM;
    case 0x8: return rec << 8 | (rec + 1 == realm.n_recs ? GICR_TYPER_LAST : 0);
    case 0xc: return (uint32_t)realm.recs[rec].mpidr;
    case 0x14: return c->asleep ? GICR_WAKER_SLEEP | GICR_WAKER_ASLEEP : 0;
    case PIDR2: return PIDR2_GICV3;
    case SGI_BASE + 0x80: return UINT32_MAX;
    case SGI_BASE + 0x100:
    case SGI_BASE + 0x180: return c->enabled0;
    case SGI_BASE + 0x200:
    case SGI_BASE + 0x280: return c->pending0 | c->level0;
    case SGI_BASE + 0xc00: return 0xaaaaaaaau; /* SGIs are edge */
    case SGI_BASE + 0xc04: return c->cfg1;
    default: break;
    }
    if (off >= SGI_BASE + 0x400 && off < SGI_BASE + 0x420)
        return prio_word(&c->prio[off - SGI_BASE - 0x400]);
    return 0;
}

static void rdist_write(unsigned int rec, unsigned int off, uint32_t v, uint32_t lanes)
{
    struct vgic_cpu *c = &vgic.cpu[rec];

    v &= lanes;
    switch (off) {
    case 0x14:
        if (lanes & GICR_WAKER_SLEEP)
            c->asleep = (v & GICR_WAKER_SLEEP) != 0;
        return;
    case SGI_BASE + 0x100: c->enabled0 |= v; return;
    case SGI_BASE + 0x180: c->enabled0 &= ~v; return;
    case SGI_BASE + 0x200: c->pending0 |= v; return;
    case SGI_BASE + 0x280: c->pending0 &= ~v; return;
    case SGI_BASE + 0xc04: c->cfg1 = (c->cfg1 & ~lanes) | v; return;
    default: break;
    }
    if (off >= SGI_BASE + 0x400 && off < SGI_BASE + 0x420)
        prio_store(&c->prio[off - SGI_BASE - 0x400], v, lanes);
}

/* ---- The windows ------------------------------------------------------------------ */

/* One 32-bit word of either window; rec < 0 for the distributor. */
static uint32_t word_read(int rec, unsigned int off)
{
    return rec < 0 ? dist_read(off) : rdist_read((unsigned int)rec, off);
}

static void word_write(int rec, unsigned int off, uint32_t v, uint32_t lanes)
{
    if (rec < 0)
        dist_write(off, v, lanes);
    else
        rdist_write((unsigned int)rec, off, v, lanes);
}

bool vgic_mmio(struct mmio_access *a)
{
    unsigned int off, shift;
    int rec = -1;

    if (!vgic.on)
        return false;
    if (a->pa >= vgic.dist && a->pa - vgic.dist < GICD_SIZE) {
        off = (unsigned int)(a->pa - vgic.dist);
    } else if (a->pa >= vgic.rdist && a->pa - vgic.rdist < vgic.rdist_size) {
        uint64_t frame = (a->pa - vgic.rdist) / GICR_FRAME;

        off = (unsigned int)((a->pa - vgic.rdist) % GICR_FRAME);
        /* A frame past the last REC's: nothing there. */
        rec = frame < realm.n_recs ? (int)frame : -2;
    } else {
        return false;
    }
    host_cnt.vgic_mmio++;
    if (rec == -2 || (a->pa & (a->size - 1)) || a->size > 8) {
        a->value = 0;
        return true;
    }
    if (a->size == 8) { /* two words, low first: IROUTER, GICR_TYPER */
        if (a->write) {
            word_write(rec, off, (uint32_t)a->value, UINT32_MAX);
            word_write(rec, off + 4, (uint32_t)(a->value >> 32), UINT32_MAX);
        } else {
            a->value = word_read(rec, off) | (uint64_t)word_read(rec, off + 4) << 32;
        }
        return true;
    }
    shift = 8 * (off & 3);
    if (a->write)
        word_write(rec, off & ~3u, (uint32_t)(a->value << shift), byte_lanes(off, a->size));
    else
        a->value = (word_read(rec, off & ~3u) & byte_lanes(off, a->size)) >> shift;
    return true;
}
