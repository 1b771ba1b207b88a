/* SPDX-License-Identifier: MIT */
#include "virtio_test_env.h"

#include "host_platform.h"

#include <ccdma/dma.h>

#include "host_mmio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int virtio_test_env_init(const char *mode, bool *cc)
{
    struct host_platform_config cfg = {0};
    int err = host_encoding_parse(mode, &cfg.encoding);
    if (err)
        return err;
    err = host_platform_init(&cfg);
    if (err)
        return err;
    *cc = ccdma_plat_cc_active();
    return 0;
}

void virtio_test_env_fini(void)
{
    host_platform_fini();
}

const char *virtio_test_env_init_args(int argc, char **argv, bool *cc)
{
    const char *mode = "cca";
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--mode") == 0)
            mode = argv[i + 1];
    if (virtio_test_env_init(mode, cc) != 0) {
        fprintf(stderr, "usage: %s [--mode cca|sev|plain]\n", argv[0]);
        exit(2);
    }
    return mode;
}

int virtio_test_env_audit(char *why, size_t n)
{
    return virtio_test_env_audit_leaks(why, n, 0);
}

int virtio_test_env_audit_leaks(char *why, size_t n, int expect_leaks)
{
    struct ccdma_debug_counters dbg;
    ccdma_debug_get_counters(&dbg);
    int leaks = ccdma_shutdown();
    if (dbg.errors != 0)
        snprintf(why, n, "dma-debug reported %llu misuses", (unsigned long long)dbg.errors);
    else if (leaks != expect_leaks)
        snprintf(why, n, "%d DMA allocations or mappings left at shutdown, want %d", leaks,
                 expect_leaks);
    else if (host_mmio_strays() != 0)
        snprintf(why, n, "%llu MMIO accesses outside any device",
                 (unsigned long long)host_mmio_strays());
    else
        return 0;
    return -1;
}
