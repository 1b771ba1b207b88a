/* SPDX-License-Identifier: MIT */
/* The benchmark as the image's other boot mode (boot/boot.h, boot_mode_run). */
#include "bench/firmware/boot_bench.h"

void boot_mode_run(void)
{
    if (boot_bench_requested())
        boot_bench_run();
}
