/* SPDX-License-Identifier: MIT */
/*
 * The boot sequence's side of realms: it tells the architecture port what
 * the DTB says (arch/realm.h), keeps the answer in rt, and prints an
 * attestation token when the verifier sent a challenge.
 */
#include <stdio.h>

#include <ccdma/errors.h>

#include "arch/realm.h"
#include "boot/boot.h"
#include "boot/framed_hex.h"
#include "boot/runtime.h"

bool boot_smc_is_safe(void)
{
    /* Like Linux, ask for RSI only over the SMC conduit the firmware names:
     * an EL3 that runs no firmware (QEMU secure=on booting an Image) would
     * swallow the SMC forever. Our own EL3 (entered there) answers -1. An
     * HVC conduit means no realm: a realm's HVC is undefined. */
    return rt.plat.psci == DT_PSCI_SMC || rt.entry_el == 3;
}

void boot_detect_realm(void)
{
    struct arch_ram_range ram[DT_MAX_MEM];

    for (unsigned int i = 0; i < rt.plat.n_mem; i++)
        ram[i] = (struct arch_ram_range){rt.plat.mem[i].base, rt.plat.mem[i].size};
    arch_realm_detect(&(struct arch_boot_info){
        .entry_el = rt.entry_el,
        .smc_safe = boot_smc_is_safe(),
        .dtb = (const void *)rt.dtb,
        .dtb_size = rt.plat.dtb_size,
        .ram = ram,
        .n_ram = rt.plat.n_mem,
    });
    rt.realm = arch_realm.realm;
    rt.shared_bit = arch_realm.shared_bit;
    rt.ipa_width = arch_realm.ipa_width;
    rt.rsi_major = arch_realm.rsi_major;
    rt.rsi_minor = arch_realm.rsi_minor;
    rt.hash_algo = arch_realm.hash_algo;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Exactly 2 * n hex digits. */
static bool parse_hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[2 * n] == '\0';
}

void boot_realm_attest(void)
{
    char hex[DT_BOOTARGS_MAX];
    uint8_t challenge[ARCH_REALM_CHALLENGE_SIZE];
    const void *token;
    size_t len = 0;

    if (!rt.realm || !dt_bootarg(&rt.plat, "ccdma.challenge", hex, sizeof(hex)))
        return;
    if (!parse_hex(hex, challenge, sizeof(challenge))) {
        printf("ccdma: ccdma.challenge must be %u hex digits: no attestation token\n",
               2 * ARCH_REALM_CHALLENGE_SIZE);
        return;
    }
    int err = arch_realm_attest(challenge, sizeof(challenge), &token, &len);
    if (err) {
        printf("ccdma: attestation token: %s\n", ccdma_strerror(err));
        return;
    }
    /* Framed hex, for the harness to take the whole token off the console. */
    printf("ccdma: attestation token: %zu bytes\n", len);
    framed_hex_print("ccdma-token: ", token, len);
}
