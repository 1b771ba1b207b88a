/* SPDX-License-Identifier: MIT */
/*
 * The AArch32 side of arch/realm.h: realms are AArch64-only (RSI is an
 * AArch64 SMCCC interface), so AArch32 always runs plain and never asks.
 * What it says instead, at the point where AArch64 asks for a realm, is the
 * way in: the reset mode, the modes passed through (head.S), the mode the
 * runtime runs in, and the CPU features the port relies on.
 */
#include <stdio.h>

#include <ccdma/errors.h>

#include "arch/arm/sysregs.h"
#include "arch/realm.h"

struct arch_realm arch_realm; /* stays all zero: plain */

static uint32_t id_pfr1(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c0, c1, 1" : "=r"(v));
    return v;
}

void arch_realm_detect(const struct arch_boot_info *info)
{
    uint32_t midr, ttbcr, fpsid;
    bool has_hyp = (id_pfr1() >> ID_PFR1_VIRT_SHIFT) & 0xf;
    bool has_security = (id_pfr1() >> ID_PFR1_SECURITY_SHIFT) & 0xf;

    __asm__ volatile("mrc p15, 0, %0, c0, c0, 0" : "=r"(midr));
    __asm__ volatile("mrc p15, 0, %0, c2, c0, 2" : "=r"(ttbcr));
    __asm__ volatile("vmrs %0, fpsid" : "=r"(fpsid));
    static const char *const path[] = {
        "?", "SVC", "HYP>SVC", "Secure SVC>MON>SVC", "Secure SVC>MON>HYP>SVC"};
    unsigned int p = info->entry_el <= 2 ? info->entry_el : has_hyp ? 4 : 3;
    printf("ccdma: arch=AArch32 midr=0x%08lx path=%s (%s) lpae=%s fpu=0x%08lx (hard-float "
           "ABI); realms are AArch64-only: plain\n",
           (unsigned long)midr, path[p],
           info->entry_el >= 2 || has_security ? "Non-secure" : "no Security Extensions",
           (ttbcr & TTBCR_EAE) ? "on" : "off", (unsigned long)fpsid);
}

/* Never a realm: no token to ask for, and no host to tell of the exit. */
int arch_realm_attest(const uint8_t *challenge, size_t challenge_len, const void **token,
                      size_t *len)
{
    (void)challenge;
    (void)challenge_len;
    (void)token;
    (void)len;
    return CCDMA_ENOTSUP;
}

void arch_realm_report_exit(int code) { (void)code; }

/* Never called: AArch32 is never a realm. */
bool arch_realm_window_is_mmio(uint64_t base, uint64_t size)
{
    (void)base;
    (void)size;
    return true;
}
