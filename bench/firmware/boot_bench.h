/* SPDX-License-Identifier: MIT */
/*
 * The in-firmware benchmark as a boot mode: with ccdma.bench=1 (or the
 * short ccdma.bench_quick=1) the image runs the benchmarks of bench/firmware
 * instead of the self-tests and ends the run (docs/benchmarks.md).
 */
#ifndef CCDMA_BENCH_FIRMWARE_BOOT_BENCH_H
#define CCDMA_BENCH_FIRMWARE_BOOT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>

#include "boot/boot.h"

/* Runs after boot_runtime_init(); tears the runtime down and exits with 0
 * when every benchmark ran. Weak, so that an image built without
 * bench/firmware (the AArch32 port) links and ignores the option. */
noreturn void boot_bench_run(void) __attribute__((weak));

static inline bool boot_bench_requested(void)
{
    return boot_bench_run != NULL && (boot_bootarg_u64("ccdma.bench", 0) != 0 ||
                                      boot_bootarg_u64("ccdma.bench_quick", 0) != 0);
}

#endif /* CCDMA_BENCH_FIRMWARE_BOOT_BENCH_H */
