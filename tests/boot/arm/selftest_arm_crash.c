/* SPDX-License-Identifier: MIT */
/*
 * AArch32: an unexpected exception is reported, decoded, and ends the run
 * with a failure. On request only (ccdma.crash=dabt|undef|hvc in the
 * bootargs); the boot tests that ask check the report and the exit status
 * (tests/qemu/boot_tests_arm.cmake). Runs last, since it never returns.
 */
#include <string.h>

#include <ccdma/selftest.h>

#include "boot/runtime.h"

/* In QEMU virt's PCIe MMIO window, never mapped by this runtime. */
#define UNMAPPED_VA 0x3ff00010u

SELFTEST(97, crash)
{
    char what[16];
    if (!dt_bootarg(&rt.plat, "ccdma.crash", what, sizeof(what))) {
        st_skip("unexpected exception on request", "no ccdma.crash= in the bootargs");
        return;
    }
    if (!strcmp(what, "dabt")) {
        (void)*(volatile uint32_t *)UNMAPPED_VA; /* no fixup: PL1 data abort */
    } else if (!strcmp(what, "undef")) {
        __asm__ volatile("udf #0x42");
    } else if (!strcmp(what, "hvc")) {
        /* HYP (virtualization=on) takes it and reports; without EL2 it is
         * UNDEFINED at PL1. Either way it is unexpected. */
        __asm__ volatile(".arch_extension virt\n hvc #0x42" ::: "memory");
    }
    st_check(false, "unexpected exception on request", "ccdma.crash=%s did not fault", what);
}
