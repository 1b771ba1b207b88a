/* SPDX-License-Identifier: MIT */
/*
 * One line of the differential conformance suite (selftest_conformance.c):
 * "# conf: NAME x0=.. x1=.. x2=.. x3=.. kept=.. fault=..", with addresses
 * in the pages at conf_base printed relative to it. Any realm self-test
 * may add rows; the harness compares them between RMMs by name.
 */
#ifndef CCDMA_TESTS_BOOT_CONFORMANCE_H
#define CCDMA_TESTS_BOOT_CONFORMANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/smccc.h"

extern uint64_t conf_base;
void conf_row(const char *name, const struct smccc_regs *r, bool kept, bool faulted);

#endif
