/* SPDX-License-Identifier: MIT */
/*
 * RSI 1.0 client: what a realm asks of the RMM, over ccdma_smccc_call().
 *
 * Stateless: the platform port keeps the results (realm or not, shared bit).
 * The RMM is trusted but the host behind it is not, and on QEMU both are the
 * emulated RMM, so every answer is checked before it is believed. Functions
 * return 0 or a negative CCDMA_E* code:
 *   CCDMA_EINVAL     the caller's arguments are wrong (nothing was called)
 *   CCDMA_ERSI       the RMM answered an error status
 *   CCDMA_EREJECT    the host rejected a RIPAS change
 *   CCDMA_EPROTO     an answer broke the ABI (out of range, misaligned...)
 *   CCDMA_ETIMEDOUT  the host kept making no progress on a RIPAS change
 *   CCDMA_ENOTSUP    the RMM implements no RSI revision compatible with 1.0
 *   CCDMA_ESTATE     boot RAM is DESTROYED (rsi_boot_claim_ram only)
 */
#ifndef CCDMA_RSI_H
#define CCDMA_RSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsi_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Consecutive zero-progress IPA_STATE_SET answers tolerated before giving
 * up: the spec allows a host to answer "incomplete" without progress, but a
 * host that never progresses must not hang the realm. */
#define RSI_STATE_SET_MAX_STALLS 64

/* The raw RSI_VERSION answer, kept so the caller can report it. */
struct rsi_version_answer {
    uint64_t status;  /* X0: RSI_SUCCESS, RSI_ERROR_INPUT, or anything else */
    uint64_t lower;   /* X1 */
    uint64_t higher;  /* X2 */
};

enum rsi_mode {
    RSI_MODE_PLAIN = 0, /* SMCCC_NOT_SUPPORTED: no RMM, not a realm */
    RSI_MODE_REALM = 1, /* RSI 1.0 is available */
};

/*
 * Negotiate RSI 1.0 (RSI_VERSION with X1 = 1.0). Returns 0 and *mode:
 * REALM on RSI_SUCCESS with a well-formed answer, PLAIN on
 * SMCCC_NOT_SUPPORTED. Returns CCDMA_ENOTSUP on RSI_ERROR_INPUT (an RMM
 * without a compatible revision: ans->lower/higher say what it has), and
 * CCDMA_EPROTO for any other answer, which means "not a usable realm".
 * ans, if not NULL, receives the raw answer in every case.
 */
int rsi_detect(enum rsi_mode *mode, struct rsi_version_answer *ans);

/* RSI_FEATURES: the feature register at index (always 0 in RSI 1.0). */
int rsi_features(uint64_t index, uint64_t *value);

struct rsi_realm_info {
    unsigned int ipa_width;
    uint64_t shared_bit;  /* 1 << (ipa_width - 1): the unprotected alias bit */
    uint8_t hash_algo;    /* RSI_HASH_*, reported as given */
    uint8_t rpv[RSI_REALM_CONFIG_RPV_SIZE];
};

/*
 * RSI_REALM_CONFIG into the granule at protected IPA ipa, which the caller
 * reaches at buf (both granule-aligned; the RMM overwrites the whole
 * granule). ipa_width must be RSI_IPA_WIDTH_MIN..MAX, else CCDMA_EPROTO:
 * the host chose it, and a bad value would misplace every shared mapping.
 */
int rsi_realm_config(uint64_t ipa, const void *buf, struct rsi_realm_info *out);

/*
 * RSI_IPA_STATE_SET over [base, top), looping on partial progress until the
 * RMM reports new_base == top. ripas is RSI_RIPAS_EMPTY or RSI_RIPAS_RAM,
 * flags RSI_(NO_)CHANGE_DESTROYED. *reached (if not NULL) receives how far
 * the change got: [base, *reached) has the new RIPAS, the rest is as it was
 * or unknown after CCDMA_EPROTO. Returns 0 only when all of it changed.
 */
int rsi_ipa_state_set(uint64_t base, uint64_t top, unsigned int ripas,
                      uint64_t flags, uint64_t *reached);

/* Linux's helpers: share = EMPTY, unshare = RAM, both CHANGE_DESTROYED. */
int rsi_mem_share(uint64_t base, uint64_t top, uint64_t *reached);
int rsi_mem_unshare(uint64_t base, uint64_t top, uint64_t *reached);

/*
 * RSI_IPA_STATE_GET over [base, top): on success [base, *out_top) all has
 * RIPAS *ripas, with base < *out_top <= top (checked).
 */
int rsi_ipa_state_get(uint64_t base, uint64_t top, uint64_t *out_top,
                      unsigned int *ripas);

/* RIPAS of the granule holding ipa. */
int rsi_ripas_of(uint64_t ipa, unsigned int *ripas);

/*
 * Boot: make [base, top) RIPAS RAM with NO_CHANGE_DESTROYED before any use,
 * as Linux does, so a host cannot swap in pages it destroyed. Returns
 * CCDMA_ESTATE when the change stopped at a DESTROYED granule (*stop, if not
 * NULL, says where), otherwise as rsi_ipa_state_set().
 */
int rsi_boot_claim_ram(uint64_t base, uint64_t top, uint64_t *stop);

/* RSI_MEASUREMENT_READ: the 64 bytes of slot (0 = RIM, 1..4 = REM[0..3]),
 * returned in X1..X8. */
int rsi_measurement_read(unsigned int slot, uint8_t out[RSI_MEASUREMENT_MAX_SIZE]);
/* RSI_MEASUREMENT_EXTEND: REM slot (1..4) extended with size <= 64 bytes. */
int rsi_measurement_extend(unsigned int slot, const void *value, size_t size);

/* The attestation token for a 64-byte challenge: RSI_ATTESTATION_TOKEN_INIT,
 * then TOKEN_CONTINUE granule by granule into buf, which must be granule
 * aligned, protected RAM. Returns 0 and the length in *len, CCDMA_ENOSPC
 * when the token (or the bound the RMM gives for it) is longer than max,
 * CCDMA_ETIMEDOUT when the RMM keeps answering INCOMPLETE without giving
 * bytes, CCDMA_EPROTO for an answer that breaks the ABI. */
#define RSI_TOKEN_MAX_STALLS 1024
int rsi_attestation_token(const uint8_t challenge[RSI_MEASUREMENT_MAX_SIZE], uint64_t buf_ipa,
                          uint8_t *buf, size_t max, size_t *len);

/* Name of an RSI status code, for reports ("RSI_ERROR_INPUT"; "?" if none). */
const char *rsi_status_name(uint64_t status);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_RSI_H */
