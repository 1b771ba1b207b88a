/* SPDX-License-Identifier: MIT */
/*
 * PSCI CPU_ON's answers (Arm DEN0022, PSCI 1.1, section 5.6), as ccdma
 * errors, for both Arm ports' secondary start.
 */
#ifndef CCDMA_ARCH_PSCI_H
#define CCDMA_ARCH_PSCI_H

#include <stdint.h>

#include <ccdma/errors.h>

#define PSCI_SUCCESS 0
#define PSCI_INVALID_PARAMS -2
#define PSCI_ALREADY_ON -4
#define PSCI_INVALID_ADDRESS -9

static inline int psci_cpu_on_error(int32_t ret)
{
    switch (ret) {
    case PSCI_SUCCESS: return 0;
    case PSCI_INVALID_PARAMS: return CCDMA_ENODEV; /* no such CPU (or no vCPU for it) */
    case PSCI_ALREADY_ON: return CCDMA_EBUSY;
    case PSCI_INVALID_ADDRESS: return CCDMA_EFAULT;
    default: return CCDMA_ERSI;
    }
}

#endif
