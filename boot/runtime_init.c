/* SPDX-License-Identifier: MIT */
#include "boot/boot.h"

void boot_runtime_init(void) {}
void boot_runtime_fini(void) {}
