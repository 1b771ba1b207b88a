/* SPDX-License-Identifier: MIT */
/* AArch32 has no RNDR: no random source the host cannot see. */
#include <ccdma/errors.h>

#include "arch/entropy.h"

int arch_entropy_read(uint64_t *out)
{
    (void)out;
    return CCDMA_ENOTSUP;
}
