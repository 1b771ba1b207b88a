/* SPDX-License-Identifier: MIT */
/* AArch32 (ARMv7-A with LPAE, Security and Virtualization Extensions)
 * register fields used by the boot code, vectors and MMU. */
#ifndef CCDMA_ARM_SYSREGS_H
#define CCDMA_ARM_SYSREGS_H

/* CPSR/SPSR */
#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_MON 0x16
#define MODE_ABT 0x17
#define MODE_HYP 0x1a
#define MODE_UND 0x1b
#define MODE_SYS 0x1f
#define MODE_MASK 0x1f
#define PSR_T (1 << 5)
#define PSR_F (1 << 6)
#define PSR_I (1 << 7)
#define PSR_A (1 << 8)
#define PSR_MASK_ALL (PSR_A | PSR_I | PSR_F)

/* SCTLR / HSCTLR */
#define SCTLR_M (1 << 0)
#define SCTLR_A (1 << 1)
#define SCTLR_C (1 << 2)
#define SCTLR_Z (1 << 11)
#define SCTLR_I (1 << 12)
#define SCTLR_V (1 << 13)
#define SCTLR_WXN (1 << 19)
#define SCTLR_EE (1 << 25)
#define SCTLR_TE (1 << 30)

/* SCR (Secure only) */
#define SCR_NS (1 << 0)
#define SCR_FW (1 << 4)
#define SCR_AW (1 << 5)
#define SCR_HCE (1 << 8)

/* NSACR: Non-secure access to the FPU (cp10, cp11) */
#define NSACR_CP10_CP11 ((1 << 10) | (1 << 11))
/* CPACR: full access to cp10 and cp11 at PL1 and PL0 */
#define CPACR_CP10_CP11 (0xf << 20)
#define FPEXC_EN (1 << 30)

/* TTBCR with LPAE */
#define TTBCR_EAE (1u << 31)
#define TTBCR_IRGN0_WBWA (1 << 8)
#define TTBCR_ORGN0_WBWA (1 << 10)
#define TTBCR_SH0_INNER (3 << 12)
#define TTBCR_EPD1 (1 << 23)

/* ID_PFR1 fields */
#define ID_PFR1_SECURITY_SHIFT 4
#define ID_PFR1_VIRT_SHIFT 12

/* Long-descriptor fault status (DFSR/IFSR/PAR with LPAE, HSR ISS). */
#define FSR_LPAE (1 << 9)
#define DFSR_WNR (1 << 11)

/* HSR exception classes we decode. */
#define HSR_EC_UNKNOWN 0x00
#define HSR_EC_WFX 0x01
#define HSR_EC_CP15 0x03
#define HSR_EC_CP15_64 0x04
#define HSR_EC_CP10 0x08
#define HSR_EC_HVC 0x12
#define HSR_EC_SMC 0x13
#define HSR_EC_IABT_LOWER 0x20
#define HSR_EC_IABT_HYP 0x21
#define HSR_EC_DABT_LOWER 0x24
#define HSR_EC_DABT_HYP 0x25

#endif /* CCDMA_ARM_SYSREGS_H */
