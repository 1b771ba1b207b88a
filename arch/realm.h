/* SPDX-License-Identifier: MIT */
/*
 * Realms as the boot sequence sees them, on any architecture: the AArch64
 * port asks RSI (arch/arm64/realm_detect.c); the AArch32 port always runs
 * plain, because RSI is an AArch64 SMCCC interface (arch/arm/boot_arch.c).
 * The boot sequence tells the port what it learned from the DTB; the port
 * keeps what it finds in arch_realm, for its own use (sharing memory, the
 * exit) and for the boot sequence to read.
 */
#ifndef CCDMA_ARCH_REALM_H
#define CCDMA_ARCH_REALM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arch_ram_range {
    uint64_t base, size;
};

/* What the boot sequence tells the port, from the validated DTB. */
struct arch_boot_info {
    unsigned int entry_el;       /* the EL (AArch32: the mode) of entry */
    bool smc_safe;               /* an SMC is sure to be answered */
    const void *dtb;
    uint64_t dtb_size;
    const struct arch_ram_range *ram;
    unsigned int n_ram;
};

/* What the port found; all zero when plain. */
struct arch_realm {
    bool realm;                  /* RSI answered: memory is private by default */
    uint64_t shared_bit;         /* the unprotected IPA bit */
    unsigned int ipa_width;
    unsigned int rsi_major, rsi_minor;
    unsigned int hash_algo;      /* the realm's (REALM_CONFIG), RSI_HASH_* */
};

extern struct arch_realm arch_realm;

/* Ask whether this is a realm and fill arch_realm. In a realm, every RAM
 * range is claimed as RIPAS RAM before it is used, and the DTB and
 * bootargs are measured first. Never hangs: without a safe conduit, or on a
 * -1 answer, it is plain mode. */
void arch_realm_detect(const struct arch_boot_info *info);

/* The challenge an attestation token binds: the verifier's 64-byte nonce
 * (RSI_ATTESTATION_TOKEN_INIT, DEN0137). */
#define ARCH_REALM_CHALLENGE_SIZE 64

/* An attestation token for this challenge, into the port's own buffer:
 * *token and *len on success; a CCDMA_E* error when there is none. */
int arch_realm_attest(const uint8_t *challenge, size_t challenge_len, const void **token,
                      size_t *len);

/* In a realm: true when every granule of [base, base + size), as a
 * protected IPA, has RIPAS EMPTY (or DEV), as a device window's must.
 * RAM or DESTROYED there means the tree put a device over realm memory. */
bool arch_realm_window_is_mmio(uint64_t base, uint64_t size);

/* The run is ending with this verdict: a realm tells its host first. */
void arch_realm_report_exit(int code);

#endif /* CCDMA_ARCH_REALM_H */
