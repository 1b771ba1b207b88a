/* SPDX-License-Identifier: MIT */
/* Steps of the boot sequence that live outside boot/main.c. */
#ifndef CCDMA_BOOT_BOOT_H
#define CCDMA_BOOT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

/* True when semihosting answers (HLT #0xF000 is UNDEFINED when it is off). */
bool boot_probe_semihosting(void);

/* Ask for RSI and fill rt.realm, rt.shared_bit, rt.ipa_width; in a realm,
 * accept all RAM as RIPAS RAM before it is used. Never hangs: a missing
 * conduit or a -1 answer means plain mode. */
void boot_detect_realm(void);
/* In a realm: true when every granule of [base, base + size), as a
 * protected IPA, has RIPAS EMPTY (or DEV), as a device window's must.
 * RAM or DESTROYED there means the tree put a device over realm memory. */
bool boot_realm_window_is_mmio(uint64_t base, uint64_t size);
/* In a realm with ccdma.challenge=HEX (the verifier's 64-byte nonce): ask
 * the RMM for an attestation token and print it, framed, on the console. */
void boot_realm_attest(void);
/* True when an SMC is sure to be answered (see realm_detect.c). */
bool boot_smc_is_safe(void);

/* An unsigned boot option (/chosen/bootargs "key=N"), or dflt when absent. */
uint64_t boot_bootarg_u64(const char *key, uint64_t dflt);

/* Bring up the DMA layers and devices; tear them down (leak report). */
void boot_runtime_init(void);
void boot_runtime_fini(void);

#endif /* CCDMA_BOOT_BOOT_H */
