/* SPDX-License-Identifier: MIT */
/*
 * Are we a realm? Ask for RSI 1.0 over SMC. TF-RMM and the emulated RMM
 * (monitor/rmm) both answer; a plain VM either has nothing to take the SMC
 * (UNDEFINED, turned into -1 by the conduit) or a hypervisor/EL3 that
 * answers -1.
 * In a realm, every RAM range the DTB reports is claimed as RIPAS RAM with
 * NO_CHANGE_DESTROYED before the runtime uses it, and DESTROYED memory is
 * refused (the host may have swapped it).
 */
#include <libfdt.h>
#include <stdio.h>

#include <ccdma/errors.h>

#include "arch/arm64/realm_measure.h"
#include "arch/arm64/rsi.h"
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

bool boot_realm_window_is_mmio(uint64_t base, uint64_t size)
{
    uint64_t at = base & ~(uint64_t)(RSI_GRANULE_SIZE - 1);
    uint64_t top = (base + size + RSI_GRANULE_SIZE - 1) & ~(uint64_t)(RSI_GRANULE_SIZE - 1);

    /* Each answer covers at least one granule (rsi_ipa_state_get checks
     * base < out_top <= top), so the walk ends. */
    while (at < top) {
        unsigned int ripas;
        uint64_t next;

        if (rsi_ipa_state_get(at, top, &next, &ripas) != 0 || ripas == RSI_RIPAS_RAM ||
            ripas == RSI_RIPAS_DESTROYED)
            return false;
        at = next;
    }
    return true;
}

/* REALM_CONFIG writes a whole granule, which must be protected realm RAM. */
static uint8_t realm_config_buf[RSI_GRANULE_SIZE] __attribute__((aligned(RSI_GRANULE_SIZE)));

static void claim_ram(void)
{
    for (unsigned int i = 0; i < rt.plat.n_mem; i++) {
        uint64_t base = rt.plat.mem[i].base;
        uint64_t top = base + rt.plat.mem[i].size;
        uint64_t stop = base;
        int err = rsi_boot_claim_ram(base, top, &stop);
        if (err == CCDMA_ESTATE) {
            printf("ccdma: realm RAM 0x%llx is DESTROYED (the host replaced it)\n",
                   (unsigned long long)stop);
            runtime_fail_stop("refusing DESTROYED memory");
        }
        if (err) {
            printf("ccdma: claiming realm RAM 0x%llx-0x%llx failed at 0x%llx: %s\n",
                   (unsigned long long)base, (unsigned long long)top,
                   (unsigned long long)stop, ccdma_strerror(err));
            runtime_fail_stop("cannot claim realm RAM");
        }
    }
}

/* The bootargs property as the DTB holds it, NUL included; 0 when none. */
static size_t raw_bootargs(const void **p)
{
    const void *fdt = (const void *)rt.dtb;
    int chosen = fdt_path_offset(fdt, "/chosen"), len = 0;

    *p = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "bootargs", &len);
    return *p != NULL && len > 0 ? (size_t)len : 0;
}

/* Before the realm acts on what the host gave it (the RAM it claims, the
 * devices it maps, the policy it follows), each input goes into a REM. */
static void measure_config(unsigned int hash_algo)
{
    const void *args;
    size_t args_len = raw_bootargs(&args);
    int err = realm_measure_config(hash_algo, (const void *)rt.dtb, rt.plat.dtb_size, args,
                                   args_len);

    if (err)
        printf("ccdma: the host's configuration is NOT measured (%s): a verifier cannot "
               "trust this realm's DTB or bootargs\n", ccdma_strerror(err));
    else
        printf("ccdma: measured into REM[0] the DTB (%llu bytes), into REM[1] the bootargs "
               "(%zu bytes)\n", (unsigned long long)rt.plat.dtb_size, args_len);
}

void boot_detect_realm(void)
{
    enum rsi_mode mode;
    struct rsi_version_answer ans;
    struct rsi_realm_info info;

    rt.realm = false;
    rt.shared_bit = 0;
    if (!boot_smc_is_safe())
        return;
    int err = rsi_detect(&mode, &ans);
    if (err == CCDMA_ENOTSUP) {
        printf("ccdma: RMM offers no RSI compatible with 1.0 (lower 0x%llx, higher 0x%llx); "
               "running plain\n", (unsigned long long)ans.lower, (unsigned long long)ans.higher);
        return;
    }
    if (err) {
        printf("ccdma: malformed RSI_VERSION answer (status 0x%llx); running plain\n",
               (unsigned long long)ans.status);
        return;
    }
    if (mode != RSI_MODE_REALM)
        return;
    err = rsi_realm_config((uintptr_t)realm_config_buf, realm_config_buf, &info);
    if (err) {
        printf("ccdma: RSI_REALM_CONFIG failed: %s\n", ccdma_strerror(err));
        runtime_fail_stop("realm without a usable configuration");
    }
    rt.realm = true;
    rt.ipa_width = info.ipa_width;
    rt.shared_bit = info.shared_bit;
    rt.rsi_major = RSI_VERSION_MAJOR(ans.lower);
    rt.rsi_minor = RSI_VERSION_MINOR(ans.lower);
    rt.hash_algo = info.hash_algo;
    measure_config(info.hash_algo);
    claim_ram();
}

/* ---- Attestation ----------------------------------------------------------------- */

#define TOKEN_MAX (2 * RSI_GRANULE_SIZE) /* twice the 4 KiB TF-RMM's bound is */

static uint8_t token[TOKEN_MAX] __attribute__((aligned(RSI_GRANULE_SIZE)));

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
    uint8_t challenge[RSI_MEASUREMENT_MAX_SIZE];
    size_t len = 0;
    int err;

    if (!rt.realm || !dt_bootarg(&rt.plat, "ccdma.challenge", hex, sizeof(hex)))
        return;
    if (!parse_hex(hex, challenge, sizeof(challenge))) {
        printf("ccdma: ccdma.challenge must be 128 hex digits: no attestation token\n");
        return;
    }
    err = rsi_attestation_token(challenge, (uintptr_t)token, token, sizeof(token), &len);
    if (err) {
        printf("ccdma: attestation token: %s\n", ccdma_strerror(err));
        return;
    }
    /* Framed hex, for the harness to take the whole token off the console. */
    printf("ccdma: attestation token: %zu bytes\n", len);
    framed_hex_print("ccdma-token: ", token, len);
}
