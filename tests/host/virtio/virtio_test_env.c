/* SPDX-License-Identifier: MIT */
#include "virtio_test_env.h"

#include "host_platform.h"

#include <ccdma/errors.h>

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
