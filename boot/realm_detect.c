/* SPDX-License-Identifier: MIT */
#include "boot/boot.h"
#include "boot/runtime.h"

void boot_detect_realm(void)
{
    /* Realm detection arrives with the RSI client (issue 3); until then the
     * runtime is honest about running in plain mode. */
    rt.realm = false;
    rt.shared_bit = 0;
}
