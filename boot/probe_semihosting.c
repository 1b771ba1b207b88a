/* SPDX-License-Identifier: MIT */
#include "boot/arch.h"
#include "boot/boot.h"

#define SYS_ERRNO 0x13 /* harmless: returns the host's errno */

bool boot_probe_semihosting(void)
{
    uintptr_t ret;
    return probe_semihost(SYS_ERRNO, 0, &ret) == 0;
}
