/* SPDX-License-Identifier: MIT */
/* Steps of the boot sequence that live outside boot/main.c. */
#ifndef CCDMA_BOOT_BOOT_H
#define CCDMA_BOOT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

/* True when semihosting answers (HLT #0xF000 is UNDEFINED when it is off). */
bool boot_probe_semihosting(void);

/* Ask the architecture whether this is a realm (arch_realm_detect) and
 * keep its answer in rt.realm, rt.shared_bit, rt.ipa_width... */
void boot_detect_realm(void);
/* In a realm with ccdma.challenge=HEX (the verifier's 64-byte nonce): ask
 * the RMM for an attestation token and print it, framed, on the console. */
void boot_realm_attest(void);
/* True when an SMC is sure to be answered (see boot/realm.c). */
bool boot_smc_is_safe(void);

/* An unsigned boot option (/chosen/bootargs "key=N"), or dflt when absent. */
uint64_t boot_bootarg_u64(const char *key, uint64_t dflt);

/* Another way to use the run, which a part of the image may supply (the
 * in-firmware benchmark, bench/firmware/boot_mode.c). Called once the
 * runtime is up: it returns at once when its boot option is absent, and
 * otherwise ends the run itself. Weak: an image without one runs only the
 * self-tests. */
void boot_mode_run(void) __attribute__((weak));

/* Bring up the DMA layers and devices; tear them down (leak report). */
void boot_runtime_init(void);
void boot_runtime_fini(void);

#endif /* CCDMA_BOOT_BOOT_H */
