/* SPDX-License-Identifier: MIT */
/*
 * RTT commands: create and destroy tables, map and unmap NS memory, read an
 * entry, and the two RIPAS commands (INIT_RIPAS while the realm is NEW,
 * SET_RIPAS for a change the realm asked for). Each checks its inputs and
 * reports where the walk stopped as TF-RMM's runtime/rmi/rtt.c does: a
 * command that needs a table that is not there answers RMI_ERROR_RTT with
 * the level the walk reached, and the host creates it and retries.
 */
#include "rmm.h"

/* The IPA is inside the realm's space and aligned to `level`. */
static bool map_addr_valid(const struct rmm_realm *r, uint64_t ipa, int level)
{
    return ipa < realm_ipa_size(r) && s2tt_aligned(ipa, level);
}

/* Table commands act below the root: levels start+1 .. 3, with the IPA
 * aligned to what one entry of the parent maps. */
static bool structure_args_valid(const struct rmm_realm *r, uint64_t ipa, uint64_t level)
{
    return (int64_t)level > r->s2.level_start && level <= S2TT_PAGE_LEVEL &&
           map_addr_valid(r, ipa, (int)level - 1);
}

/* An entry of `table` at `level` still maps something the table cannot
 * be destroyed under. ASSIGNED_NS entries do not count (TF-RMM v0.7.0). */
static bool table_is_live(uint64_t table, int level)
{
    const uint64_t *t = granule_map(table);

    for (unsigned int i = 0; i < S2TT_ENTRIES; i++) {
        enum s2tte_kind k = s2tte_kind(t[i], level);

        if (k == S2TTE_TABLE || k == S2TTE_ASSIGNED_RAM || k == S2TTE_ASSIGNED_EMPTY ||
            k == S2TTE_ASSIGNED_DESTROYED)
            return true;
    }
    return false;
}

uint64_t smc_rtt_create(uint64_t rd, uint64_t rtt, uint64_t ipa, uint64_t level)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t *parent, old;

    if (r == NULL || !granule_is(rtt, GRANULE_DELEGATED) || !structure_args_valid(r, ipa, level))
        return RMI_ERROR_INPUT;
    s2tt_walk(&r->s2, ipa, (int)level - 1, &w);
    if (w.level != (int)level - 1)
        return RMI_RETURN(RMI_ERROR_RTT, w.level);
    parent = s2tt_entry(&w);
    old = *parent;
    if (s2tte_kind(old, w.level) == S2TTE_TABLE)
        return RMI_RETURN(RMI_ERROR_RTT, w.level);

    s2tt_init_from_parent(rtt, old, w.level);
    granule_clean(rtt);
    granule_set(rtt, GRANULE_RTT);
    /* Break before make when a valid block becomes a table of pages. */
    if (old & 1) {
        *parent = 0;
        s2tt_invalidate(&r->s2, ipa, s2tt_entry_size(w.level));
    }
    __asm__ volatile("dsb ishst" ::: "memory");
    *parent = s2tte_table(rtt);
    return RMI_SUCCESS;
}

void smc_rtt_destroy(uint64_t rd, uint64_t ipa, uint64_t level, struct rmi_regs *res)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t *parent, table;

    res->x[2] = 0;
    if (r == NULL || !structure_args_valid(r, ipa, level)) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    s2tt_walk(&r->s2, ipa, (int)level - 1, &w);
    parent = s2tt_entry(&w);
    if (w.level != (int)level - 1 || s2tte_kind(*parent, w.level) != S2TTE_TABLE) {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
        res->x[2] = s2tt_skip_non_live(&r->s2, ipa, &w);
        return;
    }
    table = s2tte_pa(*parent);
    if (table_is_live(table, (int)level)) {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, level);
        res->x[2] = ipa;
        return;
    }
    /* What the table mapped is gone: protected IPAs become DESTROYED, so
     * the realm can tell its memory was taken. */
    *parent = 0;
    s2tt_invalidate(&r->s2, ipa, s2tt_entry_size(w.level));
    *parent = s2tte_make(realm_addr_in_par(r, ipa) ? S2TTE_UNASSIGNED_DESTROYED
                                                   : S2TTE_UNASSIGNED_NS, 0, w.level);
    granule_zero(table);
    granule_set(table, GRANULE_DELEGATED);
    res->x[0] = RMI_SUCCESS;
    res->x[1] = table;
    res->x[2] = s2tt_skip_non_live(&r->s2, ipa, &w);
}

/* MAP and UNMAP_UNPROTECTED act on entries of levels 1..3 outside the
 * protected range. */
static bool ns_args_valid(const struct rmm_realm *r, uint64_t ipa, uint64_t level)
{
    return level >= S2TT_MIN_BLOCK_LEVEL && level <= S2TT_PAGE_LEVEL &&
           map_addr_valid(r, ipa, (int)level) && !realm_addr_in_par(r, ipa);
}

uint64_t smc_rtt_map_unprotected(uint64_t rd, uint64_t ipa, uint64_t level, uint64_t desc)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t *e;

    if (r == NULL || level < S2TT_MIN_BLOCK_LEVEL || level > S2TT_PAGE_LEVEL ||
        !s2tte_ns_desc_valid(desc, (int)level) || !ns_args_valid(r, ipa, level))
        return RMI_ERROR_INPUT;
    s2tt_walk(&r->s2, ipa, (int)level, &w);
    if (w.level != (int)level)
        return RMI_RETURN(RMI_ERROR_RTT, w.level);
    e = s2tt_entry(&w);
    if (s2tte_kind(*e, w.level) != S2TTE_UNASSIGNED_NS)
        return RMI_RETURN(RMI_ERROR_RTT, level);
    *e = s2tte_make_ns(desc, w.level);
    __asm__ volatile("dsb ishst" ::: "memory");
    return RMI_SUCCESS;
}

void smc_rtt_unmap_unprotected(uint64_t rd, uint64_t ipa, uint64_t level, struct rmi_regs *res)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t *e;

    if (r == NULL || !ns_args_valid(r, ipa, level)) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    s2tt_walk(&r->s2, ipa, (int)level, &w);
    e = s2tt_entry(&w);
    if (w.level != (int)level || s2tte_kind(*e, w.level) != S2TTE_ASSIGNED_NS) {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
    } else {
        *e = s2tte_make(S2TTE_UNASSIGNED_NS, 0, w.level);
        s2tt_invalidate(&r->s2, ipa, s2tt_entry_size(w.level));
        res->x[0] = RMI_SUCCESS;
    }
    res->x[1] = s2tt_skip_non_live(&r->s2, ipa, &w);
}

void smc_rtt_read_entry(uint64_t rd, uint64_t ipa, uint64_t level, struct rmi_regs *res)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t e;
    unsigned int ripas = RMI_EMPTY;

    if (r == NULL || (int64_t)level < r->s2.level_start || level > S2TT_PAGE_LEVEL ||
        !map_addr_valid(r, ipa, (int)level)) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    s2tt_walk(&r->s2, ipa, (int)level, &w);
    e = *s2tt_entry(&w);
    res->x[0] = RMI_SUCCESS;
    res->x[1] = (uint64_t)w.level;
    res->x[3] = 0;
    (void)s2tte_ripas(e, w.level, &ripas);
    res->x[4] = ripas;
    switch (s2tte_kind(e, w.level)) {
    case S2TTE_ASSIGNED_EMPTY:
    case S2TTE_ASSIGNED_RAM:
    case S2TTE_ASSIGNED_DESTROYED:
        res->x[2] = RMI_ASSIGNED;
        res->x[3] = s2tte_pa(e);
        break;
    case S2TTE_ASSIGNED_NS:
        res->x[2] = RMI_ASSIGNED;
        res->x[3] = s2tte_ns_host_desc(e);
        break;
    case S2TTE_TABLE:
        res->x[2] = RMI_TABLE;
        res->x[3] = s2tte_pa(e);
        break;
    default: /* the unassigned states, protected and NS */
        res->x[2] = RMI_UNASSIGNED;
        break;
    }
}

/* ---- RIPAS ---------------------------------------------------------------------------- */

void smc_rtt_init_ripas(uint64_t rd, uint64_t base, uint64_t top, struct rmi_regs *res)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct s2tt_walk w;
    uint64_t *t, addr, size;

    if (top <= base || r == NULL || !map_addr_valid(r, base, S2TT_PAGE_LEVEL) ||
        !map_addr_valid(r, top, S2TT_PAGE_LEVEL) || !realm_addr_in_par(r, base) ||
        !realm_addr_in_par(r, top - GRANULE_SIZE)) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    if (r->state != REALM_NEW) {
        res->x[0] = RMI_ERROR_REALM;
        return;
    }
    s2tt_walk(&r->s2, base, S2TT_PAGE_LEVEL, &w);
    size = s2tt_entry_size(w.level);
    if ((base & (size - 1)) != 0) { /* the entry starts below base: go deeper */
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
        return;
    }
    t = granule_map(w.table);
    addr = base;
    /* One table per call; only UNASSIGNED entries take RAM, and an
     * assigned one ends the run. */
    for (unsigned int i = w.index; i < S2TT_ENTRIES && addr + size <= top; i++, addr += size) {
        enum s2tte_kind k = s2tte_kind(t[i], w.level);

        if (k == S2TTE_UNASSIGNED_EMPTY)
            t[i] = s2tte_make(S2TTE_UNASSIGNED_RAM, 0, w.level);
        else if (k != S2TTE_UNASSIGNED_RAM)
            break;
        rim_init_ripas(&r->rim, addr, addr + size);
    }
    if (addr > base) {
        res->x[0] = RMI_SUCCESS;
        res->x[1] = addr;
    } else {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
    }
}

/*
 * One entry towards the RIPAS the realm asked for. Returns -1 when the entry
 * cannot change (a table, or DESTROYED without CHANGE_DESTROYED), 1 when a
 * valid mapping went away (the caller invalidates), else 0.
 */
static int update_ripas(uint64_t *e, int level, unsigned int ripas, bool change_destroyed)
{
    enum s2tte_kind k = s2tte_kind(*e, level);
    uint64_t pa = s2tte_pa(*e);
    bool destroyed = k == S2TTE_UNASSIGNED_DESTROYED || k == S2TTE_ASSIGNED_DESTROYED;

    if (k == S2TTE_TABLE || k == S2TTE_ASSIGNED_NS || k == S2TTE_UNASSIGNED_NS)
        return -1;
    if (destroyed && !change_destroyed)
        return -1;
    if (ripas == RSI_RIPAS_RAM) {
        if (k == S2TTE_UNASSIGNED_EMPTY || k == S2TTE_UNASSIGNED_DESTROYED)
            *e = s2tte_make(S2TTE_UNASSIGNED_RAM, 0, level);
        else if (k == S2TTE_ASSIGNED_EMPTY || k == S2TTE_ASSIGNED_DESTROYED)
            *e = s2tte_make(S2TTE_ASSIGNED_RAM, pa, level);
        return 0;
    }
    if (k == S2TTE_UNASSIGNED_RAM || k == S2TTE_UNASSIGNED_DESTROYED) {
        *e = s2tte_make(S2TTE_UNASSIGNED_EMPTY, 0, level);
    } else if (k == S2TTE_ASSIGNED_RAM || k == S2TTE_ASSIGNED_DESTROYED) {
        *e = s2tte_make(S2TTE_ASSIGNED_EMPTY, pa, level);
        return k == S2TTE_ASSIGNED_RAM;
    }
    return 0;
}

void smc_rtt_set_ripas(uint64_t rd, uint64_t rec_addr, uint64_t base, uint64_t top,
                       struct rmi_regs *res)
{
    struct rmm_realm *r = realm_from_rd(rd);
    struct rmm_rec *rec = rec_from_addr(rec_addr);
    struct s2tt_walk w;
    uint64_t *t, addr, size;

    if (top <= base || (top & GRANULE_MASK) || r == NULL || rec == NULL) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    if (rec->realm != r) {
        res->x[0] = RMI_ERROR_REC;
        return;
    }
    /* Only the next piece of what the realm asked for. */
    if (base != rec->set_ripas.addr || top > rec->set_ripas.top) {
        res->x[0] = RMI_ERROR_INPUT;
        return;
    }
    s2tt_walk(&r->s2, base, S2TT_PAGE_LEVEL, &w);
    size = s2tt_entry_size(w.level);
    if ((base & (size - 1)) != 0) {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
        return;
    }
    t = granule_map(w.table);
    addr = base;
    for (unsigned int i = w.index; i < S2TT_ENTRIES && addr + size <= top; i++, addr += size) {
        int ret = update_ripas(&t[i], w.level, rec->set_ripas.ripas,
                               rec->set_ripas.change_destroyed);

        if (ret < 0)
            break;
        if (ret > 0)
            s2tt_invalidate(&r->s2, addr, size);
    }
    if (addr > base) {
        res->x[0] = RMI_SUCCESS;
        res->x[1] = addr;
        rec->set_ripas.addr = addr;
    } else {
        res->x[0] = RMI_RETURN(RMI_ERROR_RTT, w.level);
    }
}
