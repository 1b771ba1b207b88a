/* SPDX-License-Identifier: MIT */
/*
 * Data granules: DATA_CREATE copies an NS source page into a delegated
 * granule and maps it as RIPAS RAM (only while the realm is NEW);
 * DATA_CREATE_UNKNOWN maps a delegated, zeroed granule keeping the RIPAS
 * the entry had; DATA_DESTROY takes one back, zeroed. Every one needs the
 * level-3 entry, as in TF-RMM's data_create() and smc_data_destroy().
 */
#include <string.h>

#include "rmm.h"

static uint64_t data_create(uint64_t rd, uint64_t data, uint64_t ipa, uint64_t src, bool copy,
                            uint64_t flags)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t *e;
    enum s2tte_kind k;

    if (r == NULL || !granule_is(data, GRANULE_DELEGATED))
        return RMI_ERROR_INPUT;
    if (copy && r->state != REALM_NEW)
        return RMI_ERROR_REALM;
    if (!realm_addr_in_par(r, ipa) || (ipa & GRANULE_MASK) || ipa >= realm_ipa_size(r))
        return RMI_ERROR_INPUT;
    s2tt_walk(&r->s2, ipa, S2TT_PAGE_LEVEL, &w);
    if (w.level != S2TT_PAGE_LEVEL)
        return RMI_RETURN(RMI_ERROR_RTT, w.level);
    e = s2tt_entry(&w);
    k = s2tte_kind(*e, w.level);
    if (k != S2TTE_UNASSIGNED_EMPTY && k != S2TTE_UNASSIGNED_RAM &&
        k != S2TTE_UNASSIGNED_DESTROYED)
        return RMI_RETURN(RMI_ERROR_RTT, S2TT_PAGE_LEVEL);

    if (copy) {
        memcpy(granule_map(data), granule_map(src), GRANULE_SIZE);
        rim_data(&r->rim, granule_map(data), ipa, flags);
        *e = s2tte_make(S2TTE_ASSIGNED_RAM, data, S2TT_PAGE_LEVEL);
    } else {
        /* Delegation zeroed it; the RIPAS stays what it was. */
        *e = s2tte_make(k == S2TTE_UNASSIGNED_RAM ? S2TTE_ASSIGNED_RAM
                        : k == S2TTE_UNASSIGNED_EMPTY ? S2TTE_ASSIGNED_EMPTY
                                                      : S2TTE_ASSIGNED_DESTROYED,
                        data, S2TT_PAGE_LEVEL);
    }
    /* The realm starts with its MMU off and reads memory, not our cache. */
    granule_clean(data);
    granule_set(data, GRANULE_DATA);
    __asm__ volatile("dsb ishst" ::: "memory");
    return RMI_SUCCESS;
}

uint64_t smc_data_create(uint64_t rd, uint64_t data, uint64_t ipa, uint64_t src, uint64_t flags)
{
    if (flags != RMI_NO_MEASURE_CONTENT && flags != RMI_MEASURE_CONTENT)
        return RMI_ERROR_INPUT;
    if (!granule_is_ns(src))
        return RMI_ERROR_INPUT;
    return data_create(rd, data, ipa, src, true, flags);
}

uint64_t smc_data_create_unknown(uint64_t rd, uint64_t data, uint64_t ipa)
{
    return data_create(rd, data, ipa, 0, false, 0);
}

void smc_data_destroy(uint64_t rd, uint64_t ipa, struct rmi_regs *res)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t *e, data;
    enum s2tte_kind k;

    res->x[2] = 0;
    if (r == NULL || !realm_addr_in_par(r, ipa) || (ipa & GRANULE_MASK)) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    s2tt_walk(&r->s2, ipa, S2TT_PAGE_LEVEL, &w);
    if (w.level != S2TT_PAGE_LEVEL) {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
        res->x[2] = s2tt_skip_non_live(&r->s2, ipa, &w);
        return;
    }
    e = s2tt_entry(&w);
    k = s2tte_kind(*e, w.level);
    data = s2tte_pa(*e);
    if (k == S2TTE_ASSIGNED_RAM) {
        *e = s2tte_make(S2TTE_UNASSIGNED_DESTROYED, 0, w.level);
        s2tt_invalidate(&r->s2, ipa, GRANULE_SIZE);
    } else if (k == S2TTE_ASSIGNED_EMPTY) {
        *e = s2tte_make(S2TTE_UNASSIGNED_EMPTY, 0, w.level);
    } else if (k == S2TTE_ASSIGNED_DESTROYED) {
        *e = s2tte_make(S2TTE_UNASSIGNED_DESTROYED, 0, w.level);
    } else {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, S2TT_PAGE_LEVEL);
        res->x[2] = s2tt_skip_non_live(&r->s2, ipa, &w);
        return;
    }
    granule_zero(data);
    granule_clean(data);
    granule_set(data, GRANULE_DELEGATED);
    res->x[0] = RMI_SUCCESS;
    res->x[1] = data;
    res->x[2] = s2tt_skip_non_live(&r->s2, ipa, &w);
}
