/* SPDX-License-Identifier: MIT */
/* The realm's own measurements of its configuration (realm_measure.c). */
#ifndef CCDMA_ARM64_REALM_MEASURE_H
#define CCDMA_ARM64_REALM_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/rsi_abi.h"

/* MEASUREMENT_READ/EXTEND slots: 0 is the RIM, 1..4 are REM[0..3]. */
#define REALM_REM_DTB 1
#define REALM_REM_BOOTARGS 2
#define REALM_REM_SELFTEST 4

/* H(data) in the realm's algorithm (RSI_HASH_*): the digest's size, or 0
 * when this build has no hash library. out is zero-padded to 64 bytes. */
size_t realm_hash(unsigned int algo, const void *data, size_t len,
                  uint8_t out[RSI_MEASUREMENT_MAX_SIZE]);
/* What a REM holding rem becomes when extended with value: H(rem || value). */
size_t realm_rem_after(unsigned int algo, const uint8_t rem[RSI_MEASUREMENT_MAX_SIZE],
                       const void *value, size_t size, uint8_t out[RSI_MEASUREMENT_MAX_SIZE]);
/* Extend REM[0] with H(dtb) and REM[1] with H(bootargs) (none when
 * bootargs_len is 0). Returns 0, CCDMA_ENOTSUP without a hash library, or
 * the RSI client's error. */
int realm_measure_config(unsigned int algo, const void *dtb, size_t dtb_size,
                         const void *bootargs, size_t bootargs_len);

#endif
