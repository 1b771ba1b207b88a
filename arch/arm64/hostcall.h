/* SPDX-License-Identifier: MIT */
/*
 * ccdma's RSI_HOST_CALL numbers: how the realm talks to its host beyond
 * RSI. A real host (KVM, kvmtool) ignores numbers it does not know.
 */
#ifndef CCDMA_ARM64_HOSTCALL_H
#define CCDMA_ARM64_HOSTCALL_H

/* The run is over; gprs[0] is the verdict (0 = every self-test passed).
 * ccdma's host (monitor/) tears the realm down, prints its counters and
 * exits QEMU with that code. */
#define CCDMA_HOSTCALL_EXIT 0xCCD0

#endif
