/* SPDX-License-Identifier: MIT */
/*
 * RNDR (FEAT_RNG, ID_AA64ISAR0_EL1.RNDR >= 1): a realm's reads of it are
 * not trapped, so neither the host nor the hypervisor sees or chooses the
 * value; only EL3 could trap it (SCR_EL3.TRNDR), and EL3 is trusted.
 */
#include <stdbool.h>

#include <ccdma/errors.h>

#include "arch/entropy.h"

#define ISAR0_RNDR_SHIFT 60
#define NZCV_Z (1ull << 30)
/* RNDR fails (Z set) when the source has no entropy at hand: retried a
 * few times, never waited on. */
#define RNDR_TRIES 16

static bool cpu_has_rndr(void)
{
    uint64_t isar0;

    __asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
    return ((isar0 >> ISAR0_RNDR_SHIFT) & 0xf) >= 1;
}

int arch_entropy_read(uint64_t *out)
{
    if (!cpu_has_rndr())
        return CCDMA_ENOTSUP;
    for (unsigned int i = 0; i < RNDR_TRIES; i++) {
        uint64_t v, nzcv;

        /* s3_3_c2_c4_0 is RNDR, spelled so that no -march=+rng is needed. */
        __asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tmrs %1, nzcv" : "=r"(v), "=r"(nzcv)::"cc");
        if (!(nzcv & NZCV_Z)) {
            *out = v;
            return 0;
        }
    }
    return CCDMA_EIO;
}
