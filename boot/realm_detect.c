/* SPDX-License-Identifier: MIT */
/*
 * Are we a realm? Ask for RSI 1.0 over SMC. A real RMM and the EL2 monitor
 * both answer; a plain VM either has nothing to take the SMC (UNDEFINED,
 * turned into -1 by the conduit) or a hypervisor/EL3 that answers -1.
 * In a realm, every RAM range the DTB reports is claimed as RIPAS RAM with
 * NO_CHANGE_DESTROYED before the runtime uses it, and DESTROYED memory is
 * refused (the host may have swapped it).
 */
#include <stdio.h>

#include <ccdma/errors.h>

#include "arch/arm64/rsi.h"
#include "boot/boot.h"
#include "boot/runtime.h"

bool boot_smc_is_safe(void)
{
    /* Like Linux, ask for RSI only over the SMC conduit the firmware names:
     * an EL3 that runs no firmware (QEMU secure=on booting an Image) would
     * swallow the SMC forever. Our own EL3 (entered there) answers -1. An
     * HVC conduit means no realm: a realm's HVC is undefined. */
    return rt.plat.psci == DT_PSCI_SMC || rt.entry_el == 3;
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
    claim_ram();
}
