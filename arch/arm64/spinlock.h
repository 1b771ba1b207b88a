/* SPDX-License-Identifier: MIT */
#ifndef CCDMA_ARM64_SPINLOCK_H
#define CCDMA_ARM64_SPINLOCK_H

#include <stdbool.h>

/* Choose LSE atomics or exclusives for the compiler's atomic helpers, from
 * ID_AA64ISAR0_EL1 (arch/arm64/spinlock.c), before a second CPU runs; true
 * for LSE. */
bool arm64_atomics_init(void);

#endif /* CCDMA_ARM64_SPINLOCK_H */
