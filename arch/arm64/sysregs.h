/* SPDX-License-Identifier: MIT */
/* AArch64 system-register fields used by the boot code, monitor and MMU. */
#ifndef CCDMA_ARM64_SYSREGS_H
#define CCDMA_ARM64_SYSREGS_H

#define SCTLR_EL1_RES1 0x30d00800
#define SCTLR_EL2_RES1 0x30c50830
#define SCTLR_EL3_RES1 0x30c50830
#define SCTLR_M (1 << 0)
#define SCTLR_A (1 << 1)
#define SCTLR_C (1 << 2)
#define SCTLR_SA (1 << 3)
#define SCTLR_I (1 << 12)
#define SCTLR_WXN (1 << 19)

#define SCR_NS (1 << 0)
#define SCR_RES1 (3 << 4)
#define SCR_SMD (1 << 7)
#define SCR_HCE (1 << 8)
#define SCR_RW (1 << 10)

#define SPSR_MASK_ALL (0xf << 6)
#define SPSR_EL1H 0x5
#define SPSR_EL2H 0x9

#define HCR_VM (1 << 0)
#define HCR_SWIO (1 << 1)
#define HCR_FMO (1 << 3)
#define HCR_IMO (1 << 4)
#define HCR_AMO (1 << 5)
#define HCR_TSC (1 << 19)
#define HCR_RW 0x80000000 /* hex, not (1 << 31): in C that int would sign-extend */

#define CPTR_EL2_RES1 0x33ff

/* ESR_ELx.EC values we decode or act on. */
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_FP 0x07
#define EC_ILLEGAL 0x0e
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOWER 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOWER 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2f
#define EC_BRK64 0x3c

#ifdef __ASSEMBLER__
/* Address of a symbol anywhere in +-4 GiB, without a literal pool. */
.macro adr_l reg, sym
    adrp    \reg, \sym
    add     \reg, \reg, :lo12:\sym
.endm
#endif

#endif /* CCDMA_ARM64_SYSREGS_H */
