/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the DMA layers and the virtio devices from the boot options:
 *   ccdma.swiotlb_kib=N   default bounce pool size (default 4096)
 *   ccdma.atomic_kib=N    each atomic pool (default 256)
 *   ccdma.dynamic=1       let the default bounce pool grow in ccdma_poll()
 *   ccdma.force_bounce=1  every device bounces, whatever it can reach
 *   ccdma.dma_bits=N      devices get an N-bit DMA mask (default 64)
 * A failure here is not fatal: the self-tests check it is the expected,
 * clean error (a host that refuses to share memory, a pool too small).
 */
#include <stdio.h>
#include <stdlib.h>

#include <ccdma/errors.h>

#include "boot/boot.h"
#include "boot/devices.h"
#include "boot/runtime.h"

struct boot_dma boot_dma;

uint64_t boot_bootarg_u64(const char *key, uint64_t dflt)
{
    char v[24];
    if (!dt_bootarg(&rt.plat, key, v, sizeof(v)) || !v[0])
        return dflt;
    return strtoull(v, NULL, 0);
}

void boot_dma_device(struct ccdma_device *dev, const char *name)
{
    unsigned int bits = boot_dma.dma_bits;
    uint64_t mask = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;

    ccdma_device_default(dev, name, mask);
    dev->force_bounce = boot_dma.force_bounce;
}

void boot_runtime_init(void)
{
    boot_dma.cfg = (struct ccdma_config){
        .swiotlb_bytes = (size_t)boot_bootarg_u64("ccdma.swiotlb_kib", 4096) << 10,
        .swiotlb_dynamic = boot_bootarg_u64("ccdma.dynamic", 0) != 0,
        .atomic_pool_bytes = (size_t)boot_bootarg_u64("ccdma.atomic_kib", 256) << 10,
        .debug = true,
    };
    boot_dma.force_bounce = boot_bootarg_u64("ccdma.force_bounce", 0) != 0;
    boot_dma.dma_bits = (unsigned int)boot_bootarg_u64("ccdma.dma_bits", 64);
    boot_dma.init_err = ccdma_init(&boot_dma.cfg);
    printf("ccdma: dma: bounce pool %zu KiB%s, atomic pools %zu KiB, masks %u-bit%s: %s\n",
           boot_dma.cfg.swiotlb_bytes >> 10, boot_dma.cfg.swiotlb_dynamic ? " (dynamic)" : "",
           boot_dma.cfg.atomic_pool_bytes >> 10, boot_dma.dma_bits,
           boot_dma.force_bounce ? ", forced bounce" : "",
           boot_dma.init_err ? ccdma_strerror(boot_dma.init_err) : "ready");
    if (boot_dma.init_err == 0)
        boot_virtio_probe();
}

void boot_runtime_fini(void)
{
    if (boot_dma.init_err)
        return;
    int leaks = ccdma_shutdown();
    if (leaks)
        printf("ccdma: dma: %d allocations or mappings still live at shutdown (leaks)\n", leaks);
}
