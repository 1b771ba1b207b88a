/* SPDX-License-Identifier: MIT */
/*
 * Realm descriptors: REALM_CREATE with TF-RMM's parameter checks, ACTIVATE
 * and DESTROY. The descriptor itself lives in the RMM's memory, keyed by
 * the RD granule, which is kept in the RD state meanwhile.
 */
#include <string.h>

#include "rmm.h"

#define MIN_IPA_BITS 32u
#define MAX_IPA_BITS 48u   /* no FEAT_LPA2 */
#define STRIDE 9u
#define MAX_ROOTS 16u

static struct rmm_realm realms[RMM_MAX_REALMS];

struct rmm_realm *realm_from_rd(uint64_t rd)
{
    if (!granule_is(rd, GRANULE_RD))
        return NULL;
    for (unsigned int i = 0; i < RMM_MAX_REALMS; i++)
        if (realms[i].used && realms[i].rd == rd)
            return &realms[i];
    return NULL;
}

uint64_t realm_ipa_size(const struct rmm_realm *r)
{
    return 1ull << r->s2.ipa_bits;
}

bool realm_addr_in_par(const struct rmm_realm *r, uint64_t ipa)
{
    return ipa < (1ull << (r->s2.ipa_bits - 1));
}

/* The Arm ARM's S2InconsistentSL rule for 4 KiB granules: the starting
 * level must resolve at least one bit and at most 9 (+4 with concatenation
 * below level 0). */
static bool level_fits(unsigned int ipa_bits, int sl)
{
    unsigned int levels = (unsigned int)(S2TT_PAGE_LEVEL - sl);
    unsigned int min_bits = levels * STRIDE + GRANULE_SHIFT + 1;
    unsigned int max_bits = min_bits + STRIDE - 1 + (sl > 0 ? 4 : 0);

    return ipa_bits >= min_bits && ipa_bits <= max_bits;
}

static unsigned int num_roots(unsigned int ipa_bits, int sl)
{
    unsigned int covered = GRANULE_SHIFT + STRIDE * (unsigned int)(S2TT_PAGE_LEVEL - sl + 1);

    return ipa_bits > covered ? 1u << (ipa_bits - covered) : 1u;
}

static bool vmid_in_use(uint16_t vmid)
{
    for (unsigned int i = 0; i < RMM_MAX_REALMS; i++)
        if (realms[i].used && realms[i].s2.vmid == vmid)
            return true;
    return false;
}

static unsigned int vmid_bits(void)
{
    uint64_t mmfr1;

    __asm__ volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(mmfr1));
    return ((mmfr1 >> 4) & 0xf) == 2 ? 16 : 8;
}

/* TF-RMM's validate_realm_params(): everything the host chose must be
 * something this RMM offers. s2sz and the small counts are 32-bit fields
 * in TF-RMM's copy of the structure; only their low halves are seen. */
static bool params_valid(const struct rmi_realm_params *p)
{
    uint64_t feat = rmm_feature_reg0();
    uint32_t s2sz = (uint32_t)p->s2sz;
    uint32_t bps = (uint32_t)p->num_bps, wps = (uint32_t)p->num_wps;

    if ((p->flags & RMI_REALM_FLAG_LPA2) && !(feat & RMI_FEAT0_LPA2))
        return false;
    if (s2sz < MIN_IPA_BITS || s2sz > RMI_FEAT0_S2SZ(feat) || s2sz > MAX_IPA_BITS)
        return false;
    if (bps == 0 || bps > RMI_FEAT0_NUM_BPS(feat) || wps == 0 || wps > RMI_FEAT0_NUM_WPS(feat))
        return false;
    if ((p->flags & RMI_REALM_FLAG_SVE) && !(feat & RMI_FEAT0_SVE_EN))
        return false;
    if ((p->flags & RMI_REALM_FLAG_PMU) &&
        ((uint32_t)p->pmu_num_ctrs > RMI_FEAT0_PMU_NUM_CTRS(feat) ||
         (uint32_t)p->pmu_num_ctrs == 0))
        return false;
    if (p->rtt_level_start < 0 || p->rtt_level_start > S2TT_PAGE_LEVEL)
        return false;
    if (p->rtt_level_start == 0 && rmm_pa_bits() < 44)
        return false;
    if (!level_fits(s2sz, (int)p->rtt_level_start) ||
        num_roots(s2sz, (int)p->rtt_level_start) != p->rtt_num_start ||
        p->rtt_num_start > MAX_ROOTS)
        return false;
    if (p->hash_algo != RMI_HASH_SHA_256 && p->hash_algo != RMI_HASH_SHA_512)
        return false;
    return p->vmid < (1u << vmid_bits()) && !vmid_in_use(p->vmid);
}

/* The starting level: protected entries UNASSIGNED EMPTY, the unprotected
 * half UNASSIGNED_NS, up to the end of the IPA space. */
static void init_roots(const struct rmm_realm *r)
{
    uint64_t step = s2tt_entry_size(r->s2.level_start);
    uint64_t *t = granule_map(r->s2.rtt_base); /* the roots are contiguous */
    uint64_t ipa = 0;

    for (unsigned int i = 0; i < S2TT_ENTRIES * r->s2.num_root; i++, ipa += step) {
        if (ipa >= realm_ipa_size(r))
            t[i] = 0;
        else if (realm_addr_in_par(r, ipa))
            t[i] = s2tte_make(S2TTE_UNASSIGNED_EMPTY, 0, r->s2.level_start);
        else
            t[i] = s2tte_make(S2TTE_UNASSIGNED_NS, 0, r->s2.level_start);
    }
}

uint64_t smc_realm_create(uint64_t rd, uint64_t params_pa)
{
    struct rmi_realm_params p;
    struct rmm_realm *r = NULL;

    if (!granule_is_ns(params_pa))
        return RMI_ERROR_INPUT;
    memcpy(&p, granule_map(params_pa), sizeof(p)); /* read once */
    if (!params_valid(&p))
        return RMI_ERROR_INPUT;
    if (rd >= p.rtt_base && rd < p.rtt_base + (uint64_t)p.rtt_num_start * GRANULE_SIZE)
        return RMI_ERROR_INPUT;
    if (!granule_is(rd, GRANULE_DELEGATED))
        return RMI_ERROR_INPUT;
    for (uint32_t i = 0; i < p.rtt_num_start; i++)
        if (!granule_is(p.rtt_base + i * GRANULE_SIZE, GRANULE_DELEGATED))
            return RMI_ERROR_INPUT;
    for (unsigned int i = 0; i < RMM_MAX_REALMS && r == NULL; i++)
        if (!realms[i].used)
            r = &realms[i];
    if (r == NULL)
        return RMI_ERROR_INPUT; /* beyond this RMM's table of realms */

    *r = (struct rmm_realm){
        .used = true,
        .rd = rd,
        .state = REALM_NEW,
        .s2 = {.ipa_bits = (uint32_t)p.s2sz,
               .level_start = (int)p.rtt_level_start,
               .num_root = p.rtt_num_start,
               .rtt_base = p.rtt_base,
               .vmid = p.vmid},
        .hash_algo = p.hash_algo,
    };
    memcpy(r->rpv, p.rpv, sizeof(r->rpv));
    rim_realm_params(&r->rim, &p);
    init_roots(r);
    for (uint32_t i = 0; i < p.rtt_num_start; i++) {
        granule_clean(p.rtt_base + i * GRANULE_SIZE);
        granule_set(p.rtt_base + i * GRANULE_SIZE, GRANULE_RTT);
    }
    granule_set(rd, GRANULE_RD);
    return RMI_SUCCESS;
}

uint64_t smc_realm_activate(uint64_t rd)
{
    struct rmm_realm *r = realm_from_rd(rd);

    if (r == NULL)
        return RMI_ERROR_INPUT;
    if (r->state != REALM_NEW)
        return RMI_ERROR_REALM;
    r->state = REALM_ACTIVE;
    return RMI_SUCCESS;
}

/* No REC may remain, and no table below the roots. */
uint64_t smc_realm_destroy(uint64_t rd)
{
    struct rmm_realm *r = realm_from_rd(rd);
    const uint64_t *t;

    if (r == NULL)
        return RMI_ERROR_INPUT;
    for (unsigned int i = 0; i < RMM_MAX_RECS; i++) {
        const struct rmm_rec *rec = rec_from_index(i);

        if (rec != NULL && rec->realm == r)
            return RMI_ERROR_REALM;
    }
    t = granule_map(r->s2.rtt_base);
    for (unsigned int i = 0; i < S2TT_ENTRIES * r->s2.num_root; i++)
        if (s2tte_kind(t[i], r->s2.level_start) == S2TTE_TABLE)
            return RMI_ERROR_REALM;
    s2tt_invalidate(&r->s2, 0, realm_ipa_size(r));
    for (unsigned int i = 0; i < r->s2.num_root; i++) {
        granule_zero(r->s2.rtt_base + i * GRANULE_SIZE);
        granule_set(r->s2.rtt_base + i * GRANULE_SIZE, GRANULE_DELEGATED);
    }
    granule_set(rd, GRANULE_DELEGATED);
    r->used = false;
    return RMI_SUCCESS;
}
