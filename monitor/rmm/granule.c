/* SPDX-License-Identifier: MIT */
/*
 * The state of every granule of the DRAM the RMM manages: one byte each.
 * An address outside every bank, or not granule-aligned, is no granule,
 * and every command that names one answers RMI_ERROR_INPUT, as TF-RMM's
 * find_granule() makes it do.
 */
#include <string.h>

#include "rmm.h"

/* 4 GiB of granules: QEMU virt's RAM below 4 GiB, which is what TF-A
 * names to TF-RMM on this platform. */
#define MAX_GRANULES (1u << 20)

static struct {
    struct rmm_range bank[RMM_MAX_BANKS];
    uint32_t first[RMM_MAX_BANKS]; /* index of the bank's first granule */
    unsigned int n_banks;
    uint8_t state[MAX_GRANULES];
} gt;

static bool index_of(uint64_t pa, uint32_t *idx)
{
    if (pa & GRANULE_MASK)
        return false;
    for (unsigned int i = 0; i < gt.n_banks; i++) {
        if (pa >= gt.bank[i].base && pa - gt.bank[i].base < gt.bank[i].size) {
            *idx = gt.first[i] + (uint32_t)((pa - gt.bank[i].base) >> GRANULE_SHIFT);
            return true;
        }
    }
    return false;
}

int granule_init(const struct rmm_range *banks, unsigned int n_banks,
                 const struct rmm_range *reserved, unsigned int n_reserved)
{
    uint64_t total = 0;

    if (n_banks == 0 || n_banks > RMM_MAX_BANKS)
        return -1;
    memset(&gt, 0, sizeof(gt));
    for (unsigned int i = 0; i < n_banks; i++) {
        if ((banks[i].base | banks[i].size) & GRANULE_MASK || banks[i].size == 0 ||
            banks[i].size >> GRANULE_SHIFT > MAX_GRANULES - total)
            return -1;
        gt.bank[i] = banks[i];
        gt.first[i] = (uint32_t)total;
        total += banks[i].size >> GRANULE_SHIFT;
    }
    gt.n_banks = n_banks;
    for (unsigned int i = 0; i < n_reserved; i++) {
        uint64_t base = reserved[i].base & ~GRANULE_MASK;
        uint64_t top = reserved[i].base + reserved[i].size;

        for (uint64_t pa = base; pa < top; pa += GRANULE_SIZE) {
            uint32_t idx;

            if (index_of(pa, &idx))
                gt.state[idx] = GRANULE_RESERVED;
        }
    }
    return 0;
}

bool granule_lookup(uint64_t pa, enum granule_state *state)
{
    uint32_t idx;

    if (!index_of(pa, &idx))
        return false;
    *state = (enum granule_state)gt.state[idx];
    return true;
}

bool granule_is(uint64_t pa, enum granule_state state)
{
    enum granule_state s;

    return granule_lookup(pa, &s) && s == state;
}

bool granule_is_ns(uint64_t pa)
{
    enum granule_state s;

    return granule_lookup(pa, &s) && (s == GRANULE_NS || s == GRANULE_RESERVED);
}

void granule_set(uint64_t pa, enum granule_state state)
{
    uint32_t idx;

    if (index_of(pa, &idx))
        gt.state[idx] = (uint8_t)state;
}

void granule_zero(uint64_t pa)
{
    memset(granule_map(pa), 0, GRANULE_SIZE);
}

uint64_t granule_count_delegated(void)
{
    uint64_t n = 0, total = 0;

    for (unsigned int i = 0; i < gt.n_banks; i++)
        total += gt.bank[i].size >> GRANULE_SHIFT;
    for (uint64_t i = 0; i < total; i++)
        n += gt.state[i] != GRANULE_NS && gt.state[i] != GRANULE_RESERVED;
    return n;
}

/* RMI_GRANULE_DELEGATE: NS -> DELEGATED, wiped, so the realm world never
 * sees what the host left there. */
uint64_t smc_granule_delegate(uint64_t pa)
{
    if (!granule_is(pa, GRANULE_NS))
        return RMI_ERROR_INPUT;
    granule_zero(pa);
    granule_clean(pa);
    granule_set(pa, GRANULE_DELEGATED);
    return RMI_SUCCESS;
}

/* RMI_GRANULE_UNDELEGATE: only a granule no realm object holds. Whatever
 * held it zeroed it when it gave it back. */
uint64_t smc_granule_undelegate(uint64_t pa)
{
    if (!granule_is(pa, GRANULE_DELEGATED))
        return RMI_ERROR_INPUT;
    granule_set(pa, GRANULE_NS);
    return RMI_SUCCESS;
}
