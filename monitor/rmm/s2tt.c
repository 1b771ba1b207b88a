/* SPDX-License-Identifier: MIT */
/*
 * Realm Translation Tables: 4 KiB-granule stage-2 tables the hardware walks,
 * whose invalid entries also carry the RMM's state for the IPA (HIPAS and
 * RIPAS), as the RMM specification's RTT entry states describe.
 *
 *   valid, protected IPA    ASSIGNED RAM: the data granule, Normal WB, RW
 *   valid, unprotected IPA  ASSIGNED_NS: the host's PA and attributes, XN
 *   invalid                 bits [4:2] say which of the other states, and
 *                           an assigned one keeps its PA in [47:12]
 *
 * Software bits [58:55] of a valid NS entry remember it is NS and the
 * host's own MemAttr, so RTT_READ_ENTRY can give the host back exactly what
 * it mapped even where the CPU lacks FEAT_S2FWB and the hardware encoding
 * differs.
 */
#include "rmm.h"

#define DESC_VALID (1ull << 0)
#define DESC_TABLE_OR_PAGE (1ull << 1)
#define DESC_MEMATTR_SHIFT 2
#define DESC_MEMATTR_MASK (0xfull << DESC_MEMATTR_SHIFT)
#define DESC_S2AP_RW (3ull << 6)
#define DESC_SH_INNER (3ull << 8)
#define DESC_AF (1ull << 10)
#define DESC_XN (1ull << 54)
#define DESC_SW_NS (1ull << 55)
#define DESC_SW_MEMATTR_SHIFT 56
#define DESC_SW_MEMATTR_MASK (7ull << DESC_SW_MEMATTR_SHIFT)
#define DESC_PA_MASK 0x0000fffffffff000ull

#define INVALID_STATE_SHIFT 2
#define INVALID_STATE_MASK (7ull << INVALID_STATE_SHIFT)

/* Stage-2 MemAttr[3:0] without FEAT_S2FWB. */
#define MEMATTR_NORMAL_WB 0xfull
#define MEMATTR_NORMAL_NC 0x5ull
/* With FEAT_S2FWB (HCR_EL2.FWB = 1). */
#define MEMATTR_FWB_NORMAL_WB 0x6ull

/* Codes of the invalid states in bits [4:2]. */
enum invalid_code {
    INV_UNASSIGNED_EMPTY = 0,
    INV_UNASSIGNED_RAM,
    INV_UNASSIGNED_DESTROYED,
    INV_ASSIGNED_EMPTY,
    INV_ASSIGNED_DESTROYED,
    INV_UNASSIGNED_NS,
};

static unsigned int level_shift(int level)
{
    return GRANULE_SHIFT + 9u * (unsigned int)(S2TT_PAGE_LEVEL - level);
}

uint64_t s2tt_entry_size(int level)
{
    return 1ull << level_shift(level);
}

bool s2tt_aligned(uint64_t addr, int level)
{
    return (addr & (s2tt_entry_size(level) - 1)) == 0;
}

void s2tt_walk(const struct s2_ctx *s2, uint64_t ipa, int level, struct s2tt_walk *w)
{
    uint64_t idx = ipa >> level_shift(s2->level_start);

    /* Concatenated starting-level tables act as one table of
     * num_root * 512 entries. */
    w->level = s2->level_start;
    w->table = s2->rtt_base + (idx / S2TT_ENTRIES) * GRANULE_SIZE;
    w->index = (unsigned int)(idx % S2TT_ENTRIES);
    while (w->level < level) {
        uint64_t e = *s2tt_entry(w);

        if (s2tte_kind(e, w->level) != S2TTE_TABLE)
            break;
        w->level++;
        w->table = s2tte_pa(e);
        w->index = (unsigned int)((ipa >> level_shift(w->level)) % S2TT_ENTRIES);
    }
}

uint64_t *s2tt_entry(const struct s2tt_walk *w)
{
    return (uint64_t *)granule_map(w->table) + w->index;
}

enum s2tte_kind s2tte_kind(uint64_t e, int level)
{
    if (!(e & DESC_VALID)) {
        switch ((e & INVALID_STATE_MASK) >> INVALID_STATE_SHIFT) {
        case INV_UNASSIGNED_RAM: return S2TTE_UNASSIGNED_RAM;
        case INV_UNASSIGNED_DESTROYED: return S2TTE_UNASSIGNED_DESTROYED;
        case INV_ASSIGNED_EMPTY: return S2TTE_ASSIGNED_EMPTY;
        case INV_ASSIGNED_DESTROYED: return S2TTE_ASSIGNED_DESTROYED;
        case INV_UNASSIGNED_NS: return S2TTE_UNASSIGNED_NS;
        default: return S2TTE_UNASSIGNED_EMPTY;
        }
    }
    if (level < S2TT_PAGE_LEVEL && (e & DESC_TABLE_OR_PAGE))
        return S2TTE_TABLE;
    return (e & DESC_SW_NS) ? S2TTE_ASSIGNED_NS : S2TTE_ASSIGNED_RAM;
}

uint64_t s2tte_pa(uint64_t e)
{
    return e & DESC_PA_MASK;
}

bool s2tte_ripas(uint64_t e, int level, unsigned int *ripas)
{
    switch (s2tte_kind(e, level)) {
    case S2TTE_UNASSIGNED_EMPTY:
    case S2TTE_ASSIGNED_EMPTY: *ripas = RSI_RIPAS_EMPTY; return true;
    case S2TTE_UNASSIGNED_RAM:
    case S2TTE_ASSIGNED_RAM: *ripas = RSI_RIPAS_RAM; return true;
    case S2TTE_UNASSIGNED_DESTROYED:
    case S2TTE_ASSIGNED_DESTROYED: *ripas = RSI_RIPAS_DESTROYED; return true;
    default: return false;
    }
}

static uint64_t valid_leaf(int level)
{
    return DESC_VALID | (level == S2TT_PAGE_LEVEL ? DESC_TABLE_OR_PAGE : 0) | DESC_AF;
}

uint64_t s2tte_make(enum s2tte_kind kind, uint64_t pa, int level)
{
    uint64_t out = pa & DESC_PA_MASK;

    switch (kind) {
    case S2TTE_UNASSIGNED_EMPTY: return (uint64_t)INV_UNASSIGNED_EMPTY << INVALID_STATE_SHIFT;
    case S2TTE_UNASSIGNED_RAM: return (uint64_t)INV_UNASSIGNED_RAM << INVALID_STATE_SHIFT;
    case S2TTE_UNASSIGNED_DESTROYED:
        return (uint64_t)INV_UNASSIGNED_DESTROYED << INVALID_STATE_SHIFT;
    case S2TTE_UNASSIGNED_NS: return (uint64_t)INV_UNASSIGNED_NS << INVALID_STATE_SHIFT;
    case S2TTE_ASSIGNED_EMPTY: return out | (uint64_t)INV_ASSIGNED_EMPTY << INVALID_STATE_SHIFT;
    case S2TTE_ASSIGNED_DESTROYED:
        return out | (uint64_t)INV_ASSIGNED_DESTROYED << INVALID_STATE_SHIFT;
    case S2TTE_ASSIGNED_RAM:
        return out | valid_leaf(level) | DESC_S2AP_RW | DESC_SH_INNER |
               (rmm_has_fwb() ? MEMATTR_FWB_NORMAL_WB : MEMATTR_NORMAL_WB) << DESC_MEMATTR_SHIFT;
    default: /* tables and NS entries have their own constructors */
        return 0;
    }
}

uint64_t s2tte_table(uint64_t pa)
{
    return (pa & DESC_PA_MASK) | DESC_VALID | DESC_TABLE_OR_PAGE;
}

/* The hardware MemAttr for the host's FWB-encoded one. Without FWB,
 * Normal WB and NC map to their classic encodings and device types keep
 * their two low bits (Device-nGnRnE .. Device-GRE), which is what they
 * mean in both. */
static uint64_t hw_memattr(uint64_t host_memattr)
{
    if (rmm_has_fwb())
        return host_memattr;
    if (host_memattr == (RMI_NS_MEMATTR_NORMAL_NC >> RMI_NS_MEMATTR_SHIFT))
        return MEMATTR_NORMAL_NC;
    if (host_memattr & 4)
        return MEMATTR_NORMAL_WB;
    return host_memattr & 3;
}

uint64_t s2tte_make_ns(uint64_t host_desc, int level)
{
    uint64_t memattr = (host_desc & RMI_NS_MEMATTR_MASK) >> RMI_NS_MEMATTR_SHIFT;
    uint64_t e = (host_desc & DESC_PA_MASK) | valid_leaf(level) | DESC_XN | DESC_SW_NS |
                 (host_desc & RMI_NS_S2AP_MASK) | memattr << DESC_SW_MEMATTR_SHIFT |
                 hw_memattr(memattr) << DESC_MEMATTR_SHIFT;

    /* Normal memory is inner shareable, as TF-RMM maps it without LPA2;
     * shareability does not apply to Device memory. */
    if (memattr & 4)
        e |= DESC_SH_INNER;
    return e;
}

uint64_t s2tte_ns_host_desc(uint64_t e)
{
    return (e & DESC_PA_MASK) | (e & RMI_NS_S2AP_MASK) |
           ((e & DESC_SW_MEMATTR_MASK) >> DESC_SW_MEMATTR_SHIFT) << RMI_NS_MEMATTR_SHIFT;
}

bool s2tte_ns_desc_valid(uint64_t desc, int level)
{
    uint64_t pa_mask = DESC_PA_MASK & ~(s2tt_entry_size(level) - 1);
    uint64_t allowed = pa_mask | RMI_NS_MEMATTR_MASK | RMI_NS_S2AP_MASK;

    return (desc & ~allowed) == 0 && (desc & RMI_NS_MEMATTR_MASK) != RMI_NS_MEMATTR_RESERVED;
}

void s2tt_init_from_parent(uint64_t table, uint64_t parent, int parent_level)
{
    uint64_t *t = granule_map(table);
    int level = parent_level + 1;
    uint64_t step = s2tt_entry_size(level);
    enum s2tte_kind kind = s2tte_kind(parent, parent_level);
    uint64_t pa = s2tte_pa(parent);

    for (unsigned int i = 0; i < S2TT_ENTRIES; i++) {
        switch (kind) {
        case S2TTE_ASSIGNED_EMPTY:
        case S2TTE_ASSIGNED_DESTROYED:
        case S2TTE_ASSIGNED_RAM:
            t[i] = s2tte_make(kind, pa + i * step, level);
            break;
        case S2TTE_ASSIGNED_NS:
            t[i] = s2tte_make_ns((s2tte_ns_host_desc(parent) & ~DESC_PA_MASK) | (pa + i * step),
                                 level);
            break;
        default: /* the unassigned states carry no address */
            t[i] = s2tte_make(kind, 0, level);
            break;
        }
    }
}

static bool live(enum s2tte_kind k)
{
    return k == S2TTE_TABLE || k == S2TTE_ASSIGNED_RAM || k == S2TTE_ASSIGNED_EMPTY ||
           k == S2TTE_ASSIGNED_DESTROYED || k == S2TTE_ASSIGNED_NS;
}

uint64_t s2tt_skip_non_live(const struct s2_ctx *s2, uint64_t ipa, const struct s2tt_walk *w)
{
    const uint64_t *t = granule_map(w->table);
    uint64_t size = s2tt_entry_size(w->level);
    uint64_t addr = (ipa & ~(size - 1)) + size;
    unsigned int entries = w->level == s2->level_start ? S2TT_ENTRIES * s2->num_root
                                                       : S2TT_ENTRIES;
    unsigned int i = w->index + 1;

    /* For the concatenated root, t is the table holding w->index. */
    if (w->level == s2->level_start) {
        t = granule_map(s2->rtt_base);
        i = (unsigned int)((ipa >> level_shift(w->level)) + 1);
    }
    for (; i < entries; i++, addr += size)
        if (live(s2tte_kind(t[i], w->level)))
            return addr;
    return addr;
}
