/* SPDX-License-Identifier: MIT */
/*
 * PCI and virtio-pci against a fake ECAM (fake_ecam.c), per encoding:
 *   test_pci --mode cca|plain
 * Enumeration and BAR placement from a 32-bit window, the bounded
 * capability walk, the virtio structures found and checked against their
 * BAR, the hostile layouts each refused with its error, and a blk and rng
 * round trip over the transport. After the run: nothing live, no stray
 * MMIO access.
 */
#include <string.h>

#include <ccdma/blk.h>
#include <ccdma/dma.h>
#include <ccdma/errors.h>
#include <ccdma/virtio.h>
#include <ccdma/virtio_spec.h>

#include "check.h"
#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio_pci.h"
#include "fake_ecam.h"
#include "host_mmio.h"
#include "virtio_test_env.h"

#define WIN_PCI 0x40000000ull
#define WIN_SIZE 0x100000ull
#define DISK_BYTES (1u << 20)

static bool g_cc;
static uint8_t disk[DISK_BYTES];
static struct fake_dev F_blk, F_rng;

static struct pci_host host_with(uint64_t win_size)
{
    struct pci_host h = {.ecam = ECAM_BASE, .ecam_size = ECAM_SIZE, .bus_first = 0,
                         .bus_last = 0, .mem32 = {WIN_PCI, WIN_PCI, win_size}};
    pci_host_init(&h);
    return h;
}

struct seen { unsigned int n; struct pci_dev d[ECAM_DEVS]; };

static int collect(struct pci_dev *d, void *ctx)
{
    struct seen *s = ctx;
    s->d[s->n++] = *d;
    return 0;
}

static void setup(void)
{
    fake_ecam_init();
    for (size_t i = 0; i < DISK_BYTES; i++)
        disk[i] = (uint8_t)(i * 13 + 7);
    fake_blk_init(&F_blk, disk, DISK_BYTES, g_cc);
    fake_rng_init(&F_rng, 0x1234, g_cc);
    fake_fn_plain(0, 0x1b36, 0x0008); /* a host bridge: not ours to touch */
    fake_fn_virtio(1, &F_blk, VIRTIO_PCI_DEVICE_MODERN + CCDMA_VIRTIO_ID_BLOCK);
    fake_fn_virtio(2, &F_rng, 0x1005); /* transitional: the type is the subsystem ID */
}

static void test_enumerate(void)
{
    struct pci_host h = host_with(WIN_SIZE);
    struct seen s = {0};

    setup();
    check(pci_enumerate(&h, 16, collect, &s) == 0 && s.n == 3 && s.d[0].vendor == 0x1b36 &&
              s.d[1].device == 0x1042 && s.d[2].dev == 2,
          "enumeration: the three functions of bus 0, in order", "n=%u", s.n);
    CHECK_EQ(fake_fns[0].cfg[0x04], 0, "enumeration writes nothing to a function");

    struct pci_dev d = s.d[1];
    int err = pci_dev_enable(&d);
    check(err == 0 && d.bar[0].size == VBAR_SIZE && d.bar[0].is64 && d.assigned[0] &&
              d.bar[0].pci >= WIN_PCI && d.bar[0].pci % VBAR_SIZE == 0 &&
              (fake_fns[1].cfg[0x04] & 6) == 6,
          "a 64-bit BAR sized and placed in the 32-bit window, aligned, decoding and mastering on",
          "err=%d size=0x%llx pci=0x%llx cmd=0x%x", err, (unsigned long long)d.bar[0].size,
          (unsigned long long)d.bar[0].pci, fake_fns[1].cfg[0x04]);

    /* A VMM that placed it (kvmtool): kept as found. */
    struct pci_dev d2 = s.d[2];
    uint32_t at = (uint32_t)(WIN_PCI + 0x80000);
    memcpy(fake_fns[2].cfg + 0x10, &(uint32_t){at | 4}, 4);
    err = pci_dev_enable(&d2);
    check(err == 0 && !d2.assigned[0] && d2.bar[0].pci == at,
          "a BAR the VMM placed inside the window is kept where it is", "err=%d pci=0x%llx",
          err, (unsigned long long)d2.bar[0].pci);

    /* A VMM that placed it over a BAR already in use: assigned afresh, so
     * no two functions answer one address. */
    memcpy(fake_fns[2].cfg + 0x10, &(uint32_t){(uint32_t)d.bar[0].pci | 4}, 4);
    err = pci_dev_enable(&d2);
    check(err == 0 && d2.assigned[0] &&
              (d2.bar[0].pci >= d.bar[0].pci + d.bar[0].size ||
               d2.bar[0].pci + d2.bar[0].size <= d.bar[0].pci),
          "a BAR the VMM placed over another function's is moved clear of it",
          "err=%d pci=0x%llx other=0x%llx", err, (unsigned long long)d2.bar[0].pci,
          (unsigned long long)d.bar[0].pci);
    fake_ecam_fini();
}

static void test_bar_errors(void)
{
    struct pci_host h = host_with(0x4000); /* room for one BAR */
    struct seen s = {0};
    int err;

    setup();
    pci_enumerate(&h, 16, collect, &s);
    err = pci_dev_enable(&s.d[1]);
    int err2 = pci_dev_enable(&s.d[2]);
    check(err == 0 && err2 == CCDMA_ENOSPC && (fake_fns[2].cfg[0x04] & 2) == 0,
          "a full window: ENOSPC, and the function's decoding stays off", "err=%d, %d cmd=0x%x",
          err, err2, fake_fns[2].cfg[0x04]);

    fake_fns[2].bar_mask_lie = 0xfff0f004u; /* holes in the mask: no power of two */
    h = host_with(WIN_SIZE);
    err = pci_dev_enable(&s.d[2]);
    check(err == CCDMA_EPROTO && s.d[2].bar[0].size == 0,
          "a BAR whose size mask has holes is refused (EPROTO)", "err=%d", err);

    uint64_t strays = host_mmio_strays();
    check(pci_cfg_read32(&s.d[1], 4096) == UINT32_MAX && pci_cfg_read16(&s.d[1], 3) == UINT16_MAX &&
              host_mmio_strays() == strays,
          "configuration reads past 4 KiB or misaligned: all ones, never issued", "strays %llu",
          (unsigned long long)(host_mmio_strays() - strays));
    fake_ecam_fini();
}

static void test_caps(void)
{
    struct pci_host h = host_with(WIN_SIZE);
    struct seen s = {0};
    struct ccdma_virtio_transport t;
    uint8_t off = 0;
    int err;

    setup();
    pci_enumerate(&h, 16, collect, &s);
    pci_dev_enable(&s.d[1]);
    pci_dev_enable(&s.d[2]);
    err = ccdma_virtio_pci_transport(&s.d[1], &t);
    uintptr_t bar = (uintptr_t)s.d[1].bar[0].cpu;
    check(err == 0 && t.device_id == CCDMA_VIRTIO_ID_BLOCK && t.pci.common == bar &&
              t.pci.isr == bar + VBAR_ISR && t.pci.device == bar + VBAR_DEVICE &&
              t.pci.notify == bar + VBAR_NOTIFY && t.pci.notify_mul == 4,
          "virtio-pci: each structure found where its capability says, inside BAR 0",
          "err=%d common=0x%lx bar=0x%lx", err, (unsigned long)t.pci.common, (unsigned long)bar);
    err = ccdma_virtio_pci_transport(&s.d[2], &t);
    check(err == 0 && t.device_id == CCDMA_VIRTIO_ID_RNG,
          "a transitional function's type comes from its subsystem ID", "err=%d id=%u", err,
          t.device_id);
    check(ccdma_virtio_pci_transport(&s.d[0], &t) == CCDMA_ENODEV,
          "a function of another vendor is not virtio", "%s", "accepted");

    /* The notify structure runs past its BAR. */
    uint8_t notify = fake_fn_cap(&fake_fns[1], 3);
    memcpy(fake_fns[1].cfg + notify + VIRTIO_PCI_CAP_OFFSET, &(uint32_t){VBAR_SIZE - 0x10}, 4);
    check(ccdma_virtio_pci_transport(&s.d[1], &t) == CCDMA_EPROTO,
          "a structure past the end of its BAR is refused (EPROTO)", "%s", "accepted");
    memcpy(fake_fns[1].cfg + notify + VIRTIO_PCI_CAP_OFFSET, &(uint32_t){VBAR_NOTIFY}, 4);
    memcpy(fake_fns[1].cfg + notify + VIRTIO_PCI_CAP_NOTIFY_MULT, &(uint32_t){3}, 4);
    check(ccdma_virtio_pci_transport(&s.d[1], &t) == CCDMA_EPROTO,
          "an odd notify multiplier is refused (EPROTO)", "%s", "accepted");
    memcpy(fake_fns[1].cfg + notify + VIRTIO_PCI_CAP_NOTIFY_MULT, &(uint32_t){4}, 4);

    /* A loop in the capability list ends the walk, it does not hang it. */
    fake_fns[1].cfg[notify + 1] = 0x40;
    err = pci_find_cap(&s.d[1], 0x05, 0, &off); /* an id that is not there */
    check(err == CCDMA_EPROTO, "a capability list that loops: EPROTO, bounded", "err=%d", err);
    /* The same loop through virtio capabilities it has already taken: each
     * search finds one, so only a bound on the whole walk ends it. */
    err = ccdma_virtio_pci_transport(&s.d[1], &t);
    check(err == CCDMA_EPROTO, "a loop of virtio capabilities: the transport walk ends, EPROTO",
          "err=%d", err);
    fake_fns[1].cfg[notify + 1] = 0;

    /* Without a common configuration there is only the legacy interface. */
    fake_fns[1].cfg[fake_fn_cap(&fake_fns[1], 0) + VIRTIO_PCI_CAP_CFG_TYPE] = 9;
    check(ccdma_virtio_pci_transport(&s.d[1], &t) == CCDMA_ENOTSUP,
          "no common configuration: legacy only, ENOTSUP", "%s", "accepted");
    fake_ecam_fini();
}

/* Both virtio functions placed from one window, as the boot probe does. */
static bool place(struct seen *s, struct ccdma_virtio_transport t[2])
{
    struct pci_host h = host_with(WIN_SIZE);

    s->n = 0;
    pci_enumerate(&h, 16, collect, s);
    return pci_dev_enable(&s->d[1]) == 0 && pci_dev_enable(&s->d[2]) == 0 &&
           ccdma_virtio_pci_transport(&s->d[1], &t[0]) == 0 &&
           ccdma_virtio_pci_transport(&s->d[2], &t[1]) == 0;
}

static void test_round_trip(void)
{
    struct ccdma_virtio_transport t[2];
    struct ccdma_blk blk;
    struct ccdma_rng rng;
    struct seen s;
    uint8_t *buf = NULL;
    char why[256];
    int err;

    setup();
    if (!check(place(&s, t), "both functions placed", "%s", "failed"))
        return;
    err = ccdma_blk_probe_transport(&blk, &t[0]);
    check(err == 0 && ccdma_blk_capacity(&blk) == DISK_BYTES / 512 &&
              ((blk.vdev.features >> CCDMA_VIRTIO_F_ACCESS_PLATFORM) & 1) == g_cc,
          "blk probed over virtio-pci: capacity, and ACCESS_PLATFORM exactly in CC mode",
          "err=%d", err);
    buf = ccdma_plat_pages_alloc(2, UINT64_MAX); /* memory the platform knows */
    err = err ? err : ccdma_blk_read(&blk, 3, buf, 8192, 0);
    check(err == 0 && memcmp(buf, disk + 3 * 512, 8192) == 0,
          "blk read over virtio-pci: the disk's bytes", "err=%d", err);
    memset(buf, 0x5a, 4096);
    err = err ? err : ccdma_blk_write(&blk, 40, buf, 4096, 0);
    bool same = true;
    for (unsigned int i = 0; i < 4096; i++)
        same &= disk[40 * 512 + i] == 0x5a;
    check(err == 0 && same && F_blk.notifies > 0,
          "blk write over virtio-pci: the bytes reach the disk, by the notify structure",
          "err=%d notifies=%u", err, F_blk.notifies);
    ccdma_blk_remove(&blk);
    if (buf)
        ccdma_plat_pages_free(buf, 2);

    uint8_t *got = ccdma_plat_pages_alloc(1, UINT64_MAX);
    uint64_t state = 0x1234;
    err = ccdma_rng_probe_transport(&rng, &t[1]);
    int n = err || !got ? CCDMA_ENOMEM : ccdma_rng_read(&rng, got, 64, false);
    same = n == 64;
    for (int i = 0; same && i < n; i++)
        same &= got[i] == fake_rng_next(&state);
    check(same, "rng over virtio-pci: the device's bytes", "err=%d n=%d", err, n);
    ccdma_rng_remove(&rng);
    if (got)
        ccdma_plat_pages_free(got, 1);

    /* A queue whose doorbell is past the notify structure is never set up. */
    fake_ecam_fini();
    setup();
    place(&s, t);
    fake_fns[1].notify_off = 0x1000 / 4; /* offset 0x1000 of a 0x1000-byte structure */
    err = ccdma_blk_probe_transport(&blk, &t[0]);
    check(err == CCDMA_EPROTO, "a notify offset outside the notify structure: EPROTO",
          "err=%d", err);
    fake_ecam_fini();
    check(virtio_test_env_audit(why, sizeof(why)) == 0,
          "after the run: nothing live, no dma-debug report, no stray access", "%s", why);
}

int main(int argc, char **argv)
{
    const char *mode = virtio_test_env_init_args(argc, argv, &g_cc);

    printf("# test_pci --mode %s\n", mode);
    struct ccdma_config cfg = {.debug = true};
    if (!check(ccdma_init(&cfg) == 0, "DMA layers up", "%s", "ccdma_init failed"))
        return check_summary();
    test_enumerate();
    test_bar_errors();
    test_caps();
    test_round_trip();
    virtio_test_env_fini();
    return check_summary();
}
