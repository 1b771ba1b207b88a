/* SPDX-License-Identifier: MIT */
/*
 * Are we a realm? Ask for RSI 1.0 over SMC. TF-RMM and the emulated RMM
 * (monitor/rmm) both answer; a plain VM either has nothing to take the SMC
 * (UNDEFINED, turned into -1 by the conduit) or a hypervisor/EL3 that
 * answers -1.
 * In a realm, every RAM range the DTB reports is claimed as RIPAS RAM with
 * NO_CHANGE_DESTROYED before the runtime uses it, and DESTROYED memory is
 * refused (the host may have swapped it). The attestation token and the
 * realm's exit report live here too: both are RSI calls.
 */
#include <libfdt.h>
#include <stdio.h>

#include <ccdma/errors.h>

#include "arch/arm64/hostcall.h"
#include "arch/arm64/realm_measure.h"
#include "arch/arm64/rsi.h"
#include "arch/arm64/smccc.h"
#include "arch/hooks.h"
#include "arch/realm.h"

_Static_assert(ARCH_REALM_CHALLENGE_SIZE == RSI_MEASUREMENT_MAX_SIZE,
               "the attestation challenge is one measurement's size");

struct arch_realm arch_realm;

bool arch_realm_window_is_mmio(uint64_t base, uint64_t size)
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

static void claim_ram(const struct arch_boot_info *info)
{
    for (unsigned int i = 0; i < info->n_ram; i++) {
        uint64_t base = info->ram[i].base;
        uint64_t top = base + info->ram[i].size;
        uint64_t stop = base;
        int err = rsi_boot_claim_ram(base, top, &stop);
        if (err == CCDMA_ESTATE) {
            printf("ccdma: realm RAM 0x%llx is DESTROYED (the host replaced it)\n",
                   (unsigned long long)stop);
            exc_fatal("refusing DESTROYED memory");
        }
        if (err) {
            printf("ccdma: claiming realm RAM 0x%llx-0x%llx failed at 0x%llx: %s\n",
                   (unsigned long long)base, (unsigned long long)top,
                   (unsigned long long)stop, ccdma_strerror(err));
            exc_fatal("cannot claim realm RAM");
        }
    }
}

/* The bootargs property as the DTB holds it, NUL included; 0 when none. */
static size_t raw_bootargs(const void *fdt, const void **p)
{
    int chosen = fdt_path_offset(fdt, "/chosen"), len = 0;

    *p = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "bootargs", &len);
    return *p != NULL && len > 0 ? (size_t)len : 0;
}

/* Before the realm acts on what the host gave it (the RAM it claims, the
 * devices it maps, the policy it follows), each input goes into a REM. */
static void measure_config(const struct arch_boot_info *info, unsigned int hash_algo)
{
    const void *args;
    size_t args_len = raw_bootargs(info->dtb, &args);
    int err = realm_measure_config(hash_algo, info->dtb, info->dtb_size, args, args_len);

    if (err)
        printf("ccdma: the host's configuration is NOT measured (%s): a verifier cannot "
               "trust this realm's DTB or bootargs\n", ccdma_strerror(err));
    else
        printf("ccdma: measured into REM[0] the DTB (%llu bytes), into REM[1] the bootargs "
               "(%zu bytes)\n", (unsigned long long)info->dtb_size, args_len);
}

void arch_realm_detect(const struct arch_boot_info *info)
{
    enum rsi_mode mode;
    struct rsi_version_answer ans;
    struct rsi_realm_info ri;

    arch_realm = (struct arch_realm){0};
    if (!info->smc_safe)
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
    err = rsi_realm_config((uintptr_t)realm_config_buf, realm_config_buf, &ri);
    if (err) {
        printf("ccdma: RSI_REALM_CONFIG failed: %s\n", ccdma_strerror(err));
        exc_fatal("realm without a usable configuration");
    }
    arch_realm = (struct arch_realm){
        .realm = true,
        .shared_bit = ri.shared_bit,
        .ipa_width = ri.ipa_width,
        .rsi_major = RSI_VERSION_MAJOR(ans.lower),
        .rsi_minor = RSI_VERSION_MINOR(ans.lower),
        .hash_algo = ri.hash_algo,
    };
    measure_config(info, ri.hash_algo);
    claim_ram(info);
}

/* ---- Attestation ----------------------------------------------------------------- */

#define TOKEN_MAX (2 * RSI_GRANULE_SIZE) /* twice the 4 KiB TF-RMM's bound is */

static uint8_t token[TOKEN_MAX] __attribute__((aligned(RSI_GRANULE_SIZE)));

int arch_realm_attest(const uint8_t *challenge, size_t challenge_len, const void **out,
                      size_t *len)
{
    if (!arch_realm.realm)
        return CCDMA_ENOTSUP;
    if (challenge_len != RSI_MEASUREMENT_MAX_SIZE)
        return CCDMA_EINVAL;
    int err = rsi_attestation_token(challenge, (uintptr_t)token, token, sizeof(token), len);
    if (err)
        return err;
    *out = token;
    return 0;
}

/* ---- The exit -------------------------------------------------------------------- */

/* RsiHostCall: imm at 0, gprs[0..30] from 8; 256-byte aligned, protected. */
static struct {
    uint16_t imm;
    uint8_t pad[6];
    uint64_t gprs[31];
} host_call __attribute__((aligned(RSI_HOST_CALL_ALIGN)));

/* In a realm, tell the host the verdict first: on QEMU the monitor prints
 * its counters and ends the run with this code. */
void arch_realm_report_exit(int code)
{
    struct smccc_regs r = {{RSI_HOST_CALL, (uintptr_t)&host_call}};

    if (!arch_realm.realm)
        return;
    host_call.imm = CCDMA_HOSTCALL_EXIT;
    host_call.gprs[0] = (uint64_t)code;
    ccdma_smccc_call(&r);
}
