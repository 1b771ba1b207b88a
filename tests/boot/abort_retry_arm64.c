/* SPDX-License-Identifier: MIT */
/* tests/boot/abort_retry.h on AArch64. */
#include "tests/boot/abort_retry.h"

#include "arch/arm64/exception.h"

void test_abort_retry(bool (*fn)(uintptr_t far))
{
    exc_set_abort_handler(fn);
}
