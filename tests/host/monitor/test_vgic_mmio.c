/* SPDX-License-Identifier: MIT */
/*
 * The realm's emulated GICv3 distributor and redistributors
 * (monitor/host/vgic_mmio.c): the registers a GICv3 driver sets up read
 * back as written, the redistributor frames name their RECs, and then
 * every access a realm can make (any offset in and around both windows,
 * every width, aligned or not, any value) is served without a fault
 * ASan or UBSan would see, the state staying in its bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vgic.h"

#define DIST 0x08000000ull
#define RDIST 0x080a0000ull
#define RDIST_SIZE 0xf60000ull
#define FRAME 0x20000ull
#define SGI 0x10000ull

struct vgic vgic;
struct realm realm;
struct host_counters host_cnt;

static unsigned int synced[VGIC_NR_INTIDS];

void vgic_sync_line(unsigned int intid)
{
    if (intid < VGIC_NR_INTIDS)
        synced[intid]++;
}

static bool missed; /* an access in a window was not served */

static uint64_t rd(uint64_t pa, unsigned int size)
{
    struct mmio_access a = {.pa = pa, .size = size, .value = 0xdeadull};

    missed |= !vgic_mmio(&a);
    return a.value;
}

static void wr(uint64_t pa, unsigned int size, uint64_t v)
{
    struct mmio_access a = {.pa = pa, .size = size, .write = true, .value = v};

    vgic_mmio(&a);
}

static void setup(void)
{
    memset(&vgic, 0, sizeof(vgic));
    memset(synced, 0, sizeof(synced));
    vgic = (struct vgic){.on = true, .dist = DIST, .rdist = RDIST, .rdist_size = RDIST_SIZE,
                         .nr_intids = 256, .nr_lrs = 4};
    vgic.forwarded[79 / 32] = 1u << (79 % 32);
    realm.n_recs = 2;
    realm.recs[0].mpidr = 0;
    realm.recs[1].mpidr = 0x01020301; /* Aff3 1, Aff2 2, Aff1 3, Aff0 1 */
    for (unsigned int i = 0; i < 2; i++)
        vgic.cpu[i].asleep = true;
}

static void test_distributor(void)
{
    setup();
    check((rd(DIST + 0x0, 4) & 0x40) != 0, "GICD_CTLR.DS reads 1: one security state", " ");
    wr(DIST + 0x0, 4, 0x12); /* ARE, EnableGrp1 */
    CHECK_EQ(rd(DIST + 0x0, 4), 0x52, "GICD_CTLR keeps ARE and EnableGrp1");
    wr(DIST + 0x0, 4, 0x80000000u);
    CHECK_EQ(rd(DIST + 0x0, 4) & 0x80000000u, 0, "GICD_CTLR.RWP never reads 1");
    CHECK_EQ(rd(DIST + 0x4, 4) & 0x1f, 7, "GICD_TYPER.ITLinesNumber: 256 INTIDs");
    CHECK_EQ(rd(DIST + 0x8, 4), 0x43b, "GICD_IIDR: Arm");
    CHECK_EQ(rd(DIST + 0xffe8, 4), 0x3b, "GICD_PIDR2: GICv3");
    CHECK_EQ(rd(DIST + 0x80, 4), 0, "GICD_IGROUPR0 is RES0 with affinity routing");
    CHECK_EQ(rd(DIST + 0x84, 4), UINT32_MAX, "GICD_IGROUPR: all Group 1");

    wr(DIST + 0x100 + 79 / 32 * 4, 4, 1u << (79 % 32));
    check((rd(DIST + 0x100 + 8, 4) >> (79 % 32)) & 1, "GICD_ISENABLER sets an SPI's enable",
          " ");
    CHECK_EQ(synced[79], 1, "enabling a forwarded SPI syncs its physical line");
    wr(DIST + 0x100 + 8, 4, 1u << (79 % 32));
    CHECK_EQ(synced[79], 1, "enabling it again changes nothing");
    wr(DIST + 0x180 + 8, 4, 1u << (79 % 32));
    CHECK_EQ(rd(DIST + 0x100 + 8, 4), 0, "GICD_ICENABLER clears it");
    CHECK_EQ(synced[79], 2, "disabling a forwarded SPI syncs its physical line");
    wr(DIST + 0x100, 4, UINT32_MAX);
    CHECK_EQ(rd(DIST + 0x100, 4), 0, "GICD_ISENABLER0 (SGIs, PPIs) is RAZ/WI");

    wr(DIST + 0x400 + 79, 1, 0xa0);
    CHECK_EQ(vgic.prio[79], 0xa0, "a byte write to GICD_IPRIORITYR sets one priority");
    CHECK_EQ(rd(DIST + 0x400 + 76, 4), 0xa0000000u, "... and reads back in its word");
    CHECK_EQ(rd(DIST + 0x400 + 79, 1), 0xa0, "... and as a byte");
    wr(DIST + 0x400 + 16, 1, 0x55);
    CHECK_EQ(vgic.prio[16], 0, "GICD_IPRIORITYR of a PPI is RAZ/WI");

    wr(DIST + 0xc00 + 79 / 16 * 4, 4, 2u << (79 % 16 * 2));
    CHECK_EQ(rd(DIST + 0xc00 + 79 / 16 * 4, 4), 2u << (79 % 16 * 2), "GICD_ICFGR keeps a write");

    wr(DIST + 0x6000 + 79 * 8, 4, 0x00030201);
    wr(DIST + 0x6000 + 79 * 8 + 4, 4, 0x1);
    CHECK_EQ(vgic.route[79], 0x100030201ull, "GICD_IROUTER from two 32-bit writes");
    CHECK_EQ(rd(DIST + 0x6000 + 79 * 8, 8), 0x100030201ull, "... read back as 64 bits");
    wr(DIST + 0x6000 + 80 * 8, 8, 0x80000000ull);
    CHECK_EQ(vgic.route[80], 0x80000000ull, "GICD_IROUTER from a 64-bit write (IRM)");
    wr(DIST + 0x6000 + 20 * 8, 8, 1);
    CHECK_EQ(vgic.route[20], 0, "GICD_IROUTER of a PPI does not exist");
}

static void test_redistributors(void)
{
    setup();
    CHECK_EQ(rd(RDIST + 0x8, 8) & 0x10, 0, "GICR_TYPER of REC 0: not Last");
    CHECK_EQ(rd(RDIST + FRAME + 0x8, 8), 0x0102030100000110ull,
             "GICR_TYPER of REC 1: its affinity, processor 1, Last");
    CHECK_EQ(rd(RDIST + FRAME + 0xc, 4), 0x01020301, "... its upper half read alone");
    CHECK_EQ(rd(RDIST + 2 * FRAME + 0x8, 8), 0, "a frame past the last REC's reads as zero");
    CHECK_EQ(rd(RDIST + 0x14, 4), 6, "GICR_WAKER: asleep until woken");
    wr(RDIST + 0x14, 4, 0);
    CHECK_EQ(rd(RDIST + 0x14, 4), 0, "GICR_WAKER: ProcessorSleep cleared, children awake");
    wr(RDIST + FRAME + SGI + 0x100, 4, 1u << 30 | 1u << 3);
    CHECK_EQ(vgic.cpu[1].enabled0, 1u << 30 | 1u << 3, "GICR_ISENABLER0 is its REC's");
    CHECK_EQ(vgic.cpu[0].enabled0, 0, "... and no other REC's");
    wr(RDIST + FRAME + SGI + 0x180, 4, 1u << 3);
    CHECK_EQ(vgic.cpu[1].enabled0, 1u << 30, "GICR_ICENABLER0");
    wr(RDIST + SGI + 0x200, 4, 1u << 5);
    CHECK_EQ(vgic.cpu[0].pending0, 1u << 5, "GICR_ISPENDR0 makes an SGI pending");
    wr(RDIST + SGI + 0x280, 4, 1u << 5);
    CHECK_EQ(vgic.cpu[0].pending0, 0, "GICR_ICPENDR0 takes it back");
    wr(RDIST + SGI + 0x400 + 30, 1, 0xa0);
    CHECK_EQ(vgic.cpu[0].prio[30], 0xa0, "GICR_IPRIORITYR: a PPI's priority");
    CHECK_EQ(rd(RDIST + SGI + 0xc00, 4), 0xaaaaaaaau, "GICR_ICFGR0: SGIs are edge");
    wr(RDIST + SGI + 0xc04, 4, 2u << 28);
    CHECK_EQ(rd(RDIST + SGI + 0xc04, 4), 2u << 28, "GICR_ICFGR1 keeps a write");
    CHECK_EQ(rd(RDIST + SGI + 0x80, 4), UINT32_MAX, "GICR_IGROUPR0: all Group 1");
}

static void test_outside(void)
{
    struct mmio_access a = {.pa = DIST - 4, .size = 4};

    setup();
    check(!vgic_mmio(&a), "below the distributor: not the vgic's", " ");
    a.pa = DIST + 0x10000;
    check(!vgic_mmio(&a), "past the distributor: not the vgic's", " ");
    a.pa = RDIST + RDIST_SIZE;
    check(!vgic_mmio(&a), "past the redistributors: not the vgic's", " ");
    vgic.on = false;
    a.pa = DIST;
    check(!vgic_mmio(&a), "no vgic: nothing is served", " ");
    a = (struct mmio_access){.pa = DIST + 0x402, .size = 4, .write = true, .value = ~0ull};
    vgic.on = true;
    check(vgic_mmio(&a), "an unaligned access is served", " ");
    CHECK_EQ(vgic.prio[34], 0, "... and ignored");
}

/* Any access at all: the windows and their edges, every width and value. */
static void test_anything(void)
{
    static const unsigned int sizes[] = {1, 2, 4, 8, 3, 16, 0};
    uint64_t seed = 0x9e3779b97f4a7c15ull;

    setup();
    for (unsigned long i = 0; i < 400000; i++) {
        struct mmio_access a;
        uint64_t r;

        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        r = seed;
        a.pa = (r & 1) ? DIST + (r >> 8) % 0x10010 : RDIST + (r >> 8) % (RDIST_SIZE + 0x10);
        if ((r >> 2 & 7) == 0) /* mostly the registers that hold state */
            a.pa = DIST + (r >> 8) % 0x6000;
        a.size = sizes[(r >> 5) % 7];
        a.write = (r >> 4) & 1;
        a.value = seed * 0x2545f4914f6cdd1dull;
        vgic_mmio(&a);
    }
    check(vgic.ctlr == (vgic.ctlr & 0x13), "GICD_CTLR holds only the bits it keeps",
          "ctlr 0x%x", (unsigned int)vgic.ctlr);
    check(vgic.enabled[0] == 0, "no write reached GICD_ISENABLER0", "0x%x",
          (unsigned int)vgic.enabled[0]);
    check(vgic.nr_intids == 256 && vgic.on, "the vgic's own configuration is untouched", " ");
    check(vgic.enabled[8] == 0 && vgic.enabled[31] == 0,
          "no enable beyond the INTIDs GICD_TYPER reports", "0x%x 0x%x",
          (unsigned int)vgic.enabled[8], (unsigned int)vgic.enabled[31]);
}

int main(void)
{
    test_distributor();
    test_redistributors();
    test_outside();
    test_anything();
    check(!missed, "every access in a window is served", " ");
    return check_summary();
}
