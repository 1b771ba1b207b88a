/* SPDX-License-Identifier: MIT */
/* System-register access and barriers for the EL2 program. */
#ifndef CCDMA_MONITOR_EL2_SYSREG_H
#define CCDMA_MONITOR_EL2_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg)                                                        \
    ({                                                                          \
        uint64_t _v;                                                            \
        __asm__ volatile("mrs %0, " #reg : "=r"(_v));                           \
        _v;                                                                     \
    })
#define write_sysreg(reg, val)                                                  \
    __asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(val)) : "memory")

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

#endif /* CCDMA_MONITOR_EL2_SYSREG_H */
