/* SPDX-License-Identifier: MIT */
/* Host platform set-up for the virtio tests, by encoding name. */
#ifndef CCDMA_TEST_VIRTIO_ENV_H
#define CCDMA_TEST_VIRTIO_ENV_H

#include <stdbool.h>
#include <stddef.h>

/* "cca", "sev" (CC active) or "plain". Sets *cc. 0 or a CCDMA_E* code. */
int virtio_test_env_init(const char *mode, bool *cc);
void virtio_test_env_fini(void);
/* The same, with the mode from "--mode M" in argv ("cca" without one);
 * prints the usage and exits with status 2 on a bad mode. */
const char *virtio_test_env_init_args(int argc, char **argv, bool *cc);

/* The end of a test's DMA work: dma-debug saw no misuse, nothing is live
 * at ccdma_shutdown() (called here) and no MMIO access strayed. 0, or -1
 * with the first problem in why. */
int virtio_test_env_audit(char *why, size_t n);
/* The same, for a test that left exactly expect_leaks mappings and
 * allocations to a device on purpose (a device whose reset never
 * completed): that many must be live at shutdown, no more, no fewer. */
int virtio_test_env_audit_leaks(char *why, size_t n, int expect_leaks);

#endif /* CCDMA_TEST_VIRTIO_ENV_H */
