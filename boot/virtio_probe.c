/* SPDX-License-Identifier: MIT */
/*
 * Finding virtio devices: every virtio,mmio transport in the DTB is
 * identified (an empty slot reads device ID 0), and the first block device
 * and the first rng are probed. What was found and negotiated is printed,
 * so a boot log shows each device, its features and why one was refused.
 */
#include <inttypes.h>
#include <stdio.h>

#include <ccdma/errors.h>

#include "boot/devices.h"
#include "boot/runtime.h"

struct boot_virtio boot_virtio;

static void print_features(const struct ccdma_virtio_dev *vdev)
{
    printf("ccdma: virtio@0x%lx:   features", (unsigned long)vdev->base);
    for (unsigned int bit = 0; bit < 64; bit++)
        if (vdev->features & CCDMA_VIRTIO_BIT(bit))
            printf(" %s", ccdma_virtio_feature_name(vdev->id.device_id, bit));
    printf(" (offered 0x%llx)\n", (unsigned long long)vdev->device_features);
}

static void report(uintptr_t base, const char *what, int err,
                   const struct ccdma_virtio_dev *vdev)
{
    if (err) {
        printf("ccdma: virtio@0x%lx: %s not used: %s%s%s\n", (unsigned long)base, what,
               ccdma_strerror(err), vdev->broken_why ? " - " : "",
               vdev->broken_why ? vdev->broken_why : "");
        return;
    }
    printf("ccdma: virtio@0x%lx: %s, virtio-mmio v%" PRIu32 ", ready\n", (unsigned long)base, what,
           vdev->id.version);
    print_features(vdev);
}

void boot_virtio_probe(void)
{
    boot_virtio.blk_err = boot_virtio.rng_err = CCDMA_ENODEV;
    for (unsigned int i = 0; i < rt.plat.n_virtio; i++) {
        uintptr_t base = (uintptr_t)rt.plat.virtio[i].base;
        size_t size = (size_t)rt.plat.virtio[i].size;
        struct ccdma_virtio_mmio_id id;

        if (ccdma_virtio_mmio_identify(base, size, &id) != 0 ||
            id.device_id == CCDMA_VIRTIO_ID_NONE)
            continue;
        boot_virtio.transports++;
        if (id.device_id == CCDMA_VIRTIO_ID_BLOCK && !boot_virtio.has_blk) {
            boot_virtio.blk_err = ccdma_blk_probe(&boot_virtio.blk, base, size);
            boot_virtio.has_blk = boot_virtio.blk_err == 0;
            report(base, "block", boot_virtio.blk_err, &boot_virtio.blk.vdev);
            if (boot_virtio.has_blk) {
                boot_virtio.blk.vdev.dma.force_bounce = boot_dma.force_bounce;
                printf("ccdma: virtio@0x%lx:   capacity %llu sectors\n", (unsigned long)base,
                       (unsigned long long)ccdma_blk_capacity(&boot_virtio.blk));
            }
        } else if (id.device_id == CCDMA_VIRTIO_ID_RNG && !boot_virtio.has_rng) {
            boot_virtio.rng_err = ccdma_rng_probe(&boot_virtio.rng, base, size);
            boot_virtio.has_rng = boot_virtio.rng_err == 0;
            report(base, "rng", boot_virtio.rng_err, &boot_virtio.rng.vdev);
            if (boot_virtio.has_rng)
                boot_virtio.rng.vdev.dma.force_bounce = boot_dma.force_bounce;
        } else {
            printf("ccdma: virtio@0x%lx: device %" PRIu32 " (v%" PRIu32 ") has no driver here\n",
                   (unsigned long)base, id.device_id, id.version);
        }
    }
}

void boot_virtio_remove(void)
{
    if (boot_virtio.has_blk)
        ccdma_blk_remove(&boot_virtio.blk);
    if (boot_virtio.has_rng)
        ccdma_rng_remove(&boot_virtio.rng);
    boot_virtio.has_blk = boot_virtio.has_rng = false;
}
