/* SPDX-License-Identifier: MIT */
/* Host platform set-up for the virtio tests, by encoding name. */
#ifndef CCDMA_TEST_VIRTIO_ENV_H
#define CCDMA_TEST_VIRTIO_ENV_H

#include <stdbool.h>

/* "cca", "sev" (CC active) or "plain". Sets *cc. 0 or a CCDMA_E* code. */
int virtio_test_env_init(const char *mode, bool *cc);
void virtio_test_env_fini(void);

#endif /* CCDMA_TEST_VIRTIO_ENV_H */
