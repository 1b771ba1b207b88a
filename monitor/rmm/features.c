/* SPDX-License-Identifier: MIT */
/*
 * RmiFeatureRegister0 as this RMM fills it from the CPU's ID registers:
 * what a host may ask for in REALM_CREATE. No LPA2, no SVE and no SME for
 * realms here; SHA-256 and SHA-512 are both offered, as by TF-RMM.
 */
#include "el2_sysreg.h"
#include "rmm.h"

#define MAX_RECS_ORDER 4u /* RMM_MAX_RECS = 16 = 2^4 */
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)

_Static_assert((1u << MAX_RECS_ORDER) == RMM_MAX_RECS, "MAX_RECS_ORDER describes RMM_MAX_RECS");

static const unsigned int parange_bits[] = {32, 36, 40, 42, 44, 48, 52};

unsigned int rmm_pa_bits(void)
{
    uint64_t pa = read_sysreg(id_aa64mmfr0_el1) & 0xf;

    return pa < sizeof(parange_bits) / sizeof(parange_bits[0]) ? parange_bits[pa] : 48;
}

uint64_t rmm_feature_reg0(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    unsigned int s2sz = rmm_pa_bits() > 48 ? 48 : rmm_pa_bits();
    uint64_t v = s2sz;

    v |= ((dfr0 >> 12) & 0xf) << 14;  /* NUM_BPS: BRPs, minus-one encoded */
    v |= ((dfr0 >> 20) & 0xf) << 20;  /* NUM_WPS */
    v |= RMI_FEAT0_PMU_EN;
    v |= (uint64_t)PMCR_N(read_sysreg(pmcr_el0)) << 27;
    v |= RMI_FEAT0_HASH_SHA_256 | RMI_FEAT0_HASH_SHA_512;
    v |= (uint64_t)rmm_gic_num_lrs() << 34; /* GICV3_NUM_LRS, minus-one encoded */
    v |= (uint64_t)MAX_RECS_ORDER << 38;
    return v;
}
