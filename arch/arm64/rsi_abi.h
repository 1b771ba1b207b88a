/* SPDX-License-Identifier: MIT */
/*
 * Arm CCA Realm Services Interface 1.0 (DEN0137 1.0-rel0), ABI constants.
 *
 * Shared by the realm's RSI client (rsi.c), the emulated RMM (monitor/rmm/)
 * and the host port's model (arch/host/realm_model.c), so every side uses
 * one set of numbers, the specification's. The constant
 * part is usable from assembly; types and layouts are C only.
 */
#ifndef CCDMA_RSI_ABI_H
#define CCDMA_RSI_ABI_H

/* ---- SMCCC ------------------------------------------------------------------ */

/* Answer to an SMC nobody implements (SMCCC, RMM spec B1). */
#define SMCCC_NOT_SUPPORTED (-1)
/* SMCCC_VERSION: the discovery call the RMM also answers (TF-RMM exit.c). */
#define SMCCC_VERSION_FID 0x80000000u
#define SMCCC_VERSION_1_2 0x10002u
/* SMCCC 1.3 SVE hint in the FID; TF-RMM clears it before dispatch. */
#define SMCCC_SVE_HINT (1u << 16)

/* ---- Function IDs: fast call, SMC64, OEN 4, numbers 0x190.. ------------------- */

#define RSI_FID_BASE 0xC4000190u
#define RSI_FID(n) (RSI_FID_BASE + (n))

#define RSI_VERSION RSI_FID(0x0)
#define RSI_FEATURES RSI_FID(0x1)
#define RSI_MEASUREMENT_READ RSI_FID(0x2)
#define RSI_MEASUREMENT_EXTEND RSI_FID(0x3)
#define RSI_ATTESTATION_TOKEN_INIT RSI_FID(0x4)
#define RSI_ATTESTATION_TOKEN_CONTINUE RSI_FID(0x5)
#define RSI_REALM_CONFIG RSI_FID(0x6)
#define RSI_IPA_STATE_SET RSI_FID(0x7)
#define RSI_IPA_STATE_GET RSI_FID(0x8)
#define RSI_HOST_CALL RSI_FID(0x9)
/* Number of RSI 1.0 commands (RSI_FID(0) .. RSI_FID(RSI_NUM_CMDS - 1)). */
#define RSI_NUM_CMDS 10

/* ---- Command return codes (RsiCommandReturnCode, B5.4.1) ---------------------- */

#define RSI_SUCCESS 0
#define RSI_ERROR_INPUT 1
#define RSI_ERROR_STATE 2
#define RSI_INCOMPLETE 3
#define RSI_ERROR_UNKNOWN 4

/* ---- RsiInterfaceVersion: minor [15:0], major [30:16], [63:31] SBZ ------------ */

#define RSI_VERSION_MAKE(major, minor) (((major) << 16) | (minor))
#define RSI_VERSION_MAJOR(v) (((v) >> 16) & 0x7FFF)
#define RSI_VERSION_MINOR(v) ((v) & 0xFFFF)
#define RSI_VERSION_RES0 0xFFFFFFFF80000000
#define RSI_ABI_VERSION_1_0 RSI_VERSION_MAKE(1, 0)

/* ---- RIPAS (RsiRipas, 8 bits) --------------------------------------------------- */

#define RSI_RIPAS_EMPTY 0
#define RSI_RIPAS_RAM 1
#define RSI_RIPAS_DESTROYED 2
#define RSI_RIPAS_DEV 3

/* RsiRipasChangeFlags bit 0 (B5.4.8). */
#define RSI_NO_CHANGE_DESTROYED 0
#define RSI_CHANGE_DESTROYED 1
/* RsiResponse in X2[0] of IPA_STATE_SET (B5.4.9). */
#define RSI_ACCEPT 0
#define RSI_REJECT 1

/* ---- Granules and the protected address range ---------------------------------- */

#define RSI_GRANULE_SHIFT 12
#define RSI_GRANULE_SIZE (1 << RSI_GRANULE_SHIFT)
/* Architectural IPA sizes: stage 2 goes from 32 to 52 bits (PARange). */
#define RSI_IPA_WIDTH_MIN 32
#define RSI_IPA_WIDTH_MAX 52

/* ---- Measurements, attestation, host call ---------------------------------------- */

#define RSI_MEASUREMENT_SLOTS 5       /* 0 = RIM, 1..4 = REM */
#define RSI_MEASUREMENT_MAX_SIZE 64   /* bytes in one value */
#define RSI_HOST_CALL_ALIGN 0x100
#define RSI_HOST_CALL_SIZE 0x100      /* imm @0, gprs[31] @8 */

/* RsiHashAlgorithm (B5.4.5). */
#define RSI_HASH_SHA_256 0
#define RSI_HASH_SHA_512 1

/* ---- RsiRealmConfig (B5.4.5): 0x1000 bytes, unused bits MBZ ------------------------ */

#define RSI_REALM_CONFIG_IPA_WIDTH 0x0
#define RSI_REALM_CONFIG_HASH_ALGO 0x8
#define RSI_REALM_CONFIG_RPV 0x200
#define RSI_REALM_CONFIG_RPV_SIZE 64
#define RSI_REALM_CONFIG_SIZE 0x1000

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* The RMM writes this into one granule of realm RAM; the IPA passed in X1
 * must be granule-aligned, hence the alignment of the type. */
struct rsi_realm_config {
    uint64_t ipa_width;
    uint8_t hash_algo;
    uint8_t reserved0[RSI_REALM_CONFIG_RPV - RSI_REALM_CONFIG_HASH_ALGO - 1];
    uint8_t rpv[RSI_REALM_CONFIG_RPV_SIZE];
    uint8_t reserved1[RSI_REALM_CONFIG_SIZE - RSI_REALM_CONFIG_RPV -
                      RSI_REALM_CONFIG_RPV_SIZE];
} __attribute__((aligned(RSI_GRANULE_SIZE)));

_Static_assert(offsetof(struct rsi_realm_config, ipa_width) ==
                   RSI_REALM_CONFIG_IPA_WIDTH, "RsiRealmConfig.ipa_width");
_Static_assert(offsetof(struct rsi_realm_config, hash_algo) ==
                   RSI_REALM_CONFIG_HASH_ALGO, "RsiRealmConfig.hash_algo");
_Static_assert(offsetof(struct rsi_realm_config, rpv) == RSI_REALM_CONFIG_RPV,
               "RsiRealmConfig.rpv");
_Static_assert(sizeof(struct rsi_realm_config) == RSI_REALM_CONFIG_SIZE,
               "RsiRealmConfig size");
#endif /* !__ASSEMBLER__ */

#endif /* CCDMA_RSI_ABI_H */
