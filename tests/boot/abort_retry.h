/* SPDX-License-Identifier: MIT */
/*
 * Self-tests that need an abort resolved and the faulting store retried:
 * both architectures' exception code takes a handler for that
 * (exc_set_abort_handler); these forward to it, so a portable test needs
 * no architecture header.
 */
#ifndef CCDMA_TESTS_BOOT_ABORT_RETRY_H
#define CCDMA_TESTS_BOOT_ABORT_RETRY_H

#include <stdbool.h>
#include <stdint.h>

/* fn(far) is called for each data abort the runtime itself cannot resolve;
 * returning true retries the access. NULL removes it. */
void test_abort_retry(bool (*fn)(uintptr_t far));

#endif
