/* SPDX-License-Identifier: MIT */
/*
 * The launch record: what this host gave the realm, printed as it builds
 * it, in the order the RMM measured it. A verifier recomputes the RIM from
 * these lines and its own copy of the image, and REM[0] from the DTB dumped
 * here (tests/attest/verify_token.py; docs/security.md, "Measurement and
 * attestation"). One line per measured step:
 *
 *   monitor: launch realm hash=sha256 flags=0x0 s2sz=32 sve_vl=0 num_bps=N
 *            num_wps=N pmu_num_ctrs=0
 *   monitor: launch init_ripas base=0x.. top=0x.. entry=0x..
 *   monitor: launch data ipa=0x.. pages=N measure=0|1 bytes=0x.. what=dtb|image
 *   monitor: launch rec flags=0x.. pc=0x.. x0=0x.. ... x7=0x..
 *   monitor: launch dtb <hex>                  (the DTB as loaded, 64 bytes a line)
 *   monitor: launch dtb end
 *
 * The record is host output like any other: a verifier that takes the DTB
 * from it trusts the host's word for which DTB it meant to give, and the
 * token shows whether the realm got that one.
 */
#include <stdio.h>

#include "boot/framed_hex.h"
#include "host.h"

static const char *hash_name(uint64_t algo)
{
    return algo == RMI_HASH_SHA_512 ? "sha512" : algo == RMI_HASH_SHA_256 ? "sha256" : "unknown";
}

void launch_record_realm(const struct rmi_realm_params *p)
{
    printf("monitor: launch realm hash=%s flags=0x%llx s2sz=%llu sve_vl=%llu num_bps=%llu "
           "num_wps=%llu pmu_num_ctrs=%llu\n", hash_name(p->hash_algo),
           (unsigned long long)p->flags, (unsigned long long)p->s2sz,
           (unsigned long long)p->sve_vl, (unsigned long long)p->num_bps,
           (unsigned long long)p->num_wps, (unsigned long long)p->pmu_num_ctrs);
}

void launch_record_init_ripas(uint64_t base, uint64_t top, uint64_t entry)
{
    printf("monitor: launch init_ripas base=0x%llx top=0x%llx entry=0x%llx\n",
           (unsigned long long)base, (unsigned long long)top, (unsigned long long)entry);
}

void launch_record_data(uint64_t ipa, uint64_t bytes, bool measure, const char *what)
{
    printf("monitor: launch data ipa=0x%llx pages=%llu measure=%d bytes=0x%llx what=%s\n",
           (unsigned long long)ipa, (unsigned long long)((bytes + GRANULE - 1) / GRANULE),
           measure, (unsigned long long)bytes, what);
}

void launch_record_rec(const struct rmi_rec_params *p)
{
    printf("monitor: launch rec flags=0x%llx pc=0x%llx", (unsigned long long)p->flags,
           (unsigned long long)p->pc);
    for (unsigned int i = 0; i < RMI_REC_CREATE_NR_GPRS; i++)
        printf(" x%u=0x%llx", i, (unsigned long long)p->gprs[i]);
    printf("\n");
}

void launch_record_dtb(const void *dtb, size_t size)
{
    framed_hex_print("monitor: launch dtb ", dtb, size);
}
