/* SPDX-License-Identifier: MIT */
/*
 * The host's side of the realm's RAM, one state per granule:
 *
 *   UNPOPULATED  RIPAS RAM and no data granule yet: the realm's first
 *                access exits, and a zeroed granule is given then;
 *   PRIVATE      a delegated data granule at REALM_PA(ipa);
 *   SHARED       the realm made it EMPTY: the same PA is NS again, filled
 *                by the host, and mapped at the unprotected alias.
 *
 * Conversions follow the RMM's RIPAS change (ripas.c), which happens first:
 * the realm is stopped meanwhile, so it never sees a page in between.
 */
#include <stdio.h>
#include <string.h>

#include "arch/arm64/cache.h"
#include "host.h"

#define PAGES (REALM_RAM_SIZE / GRANULE)

static uint8_t state[PAGES];

static bool in_ram(uint64_t ipa)
{
    return ipa >= REALM_RAM_IPA && ipa < REALM_RAM_TOP;
}

static uint8_t *state_of(uint64_t ipa)
{
    return &state[(ipa - REALM_RAM_IPA) / GRANULE];
}

void realm_ram_init(void)
{
    memset(state, RAM_UNPOPULATED, sizeof(state));
}

enum ram_state realm_ram_state(uint64_t ipa)
{
    return in_ram(ipa) ? (enum ram_state)*state_of(ipa) : RAM_UNPOPULATED;
}

static void report(const char *what, uint64_t ipa, uint64_t ret)
{
    char st[32];

    printf("monitor: %s at IPA 0x%llx: %s\n", what, (unsigned long long)ipa,
           rmi_status_str(ret, st, sizeof(st)));
}

/* DATA_CREATE or DATA_CREATE_UNKNOWN, creating the level-3 table first
 * when the RMM says the walk stopped above it. */
static bool data_create(uint64_t ipa, uint64_t src, bool copy, bool measure)
{
    uint64_t flags = measure ? RMI_MEASURE_CONTENT : RMI_NO_MEASURE_CONTENT;
    uint64_t pa = REALM_PA(ipa), ret;

    if (!in_ram(ipa) || *state_of(ipa) != RAM_UNPOPULATED || !granule_delegate(pa))
        return false;
    for (;;) {
        ret = copy ? rmi_call(RMI_DATA_CREATE, realm.rd, pa, ipa, src, flags, NULL)
                   : rmi_call(RMI_DATA_CREATE_UNKNOWN, realm.rd, pa, ipa, 0, 0, NULL);
        if (RMI_STATUS(ret) != RMI_ERROR_RTT || !rtt_fill(ipa, (int)RMI_INDEX(ret), 3))
            break;
    }
    if (ret != RMI_SUCCESS) {
        report(copy ? "DATA_CREATE" : "DATA_CREATE_UNKNOWN", ipa, ret);
        (void)granule_undelegate(pa);
        return false;
    }
    if (copy)
        rim_data(&realm.expected, (const void *)(uintptr_t)src, ipa, flags);
    *state_of(ipa) = RAM_PRIVATE;
    return true;
}

bool realm_ram_populate(uint64_t ipa)
{
    if (!data_create(ipa & ~GRANULE_MASK, 0, false, false))
        return false;
    host_cnt.populated++;
    return true;
}

bool realm_ram_load(uint64_t ipa, uint64_t src, bool measure)
{
    return data_create(ipa, src, true, measure);
}

static bool data_destroy(uint64_t ipa)
{
    struct rmi_regs r;
    uint64_t ret = rmi_call(RMI_DATA_DESTROY, realm.rd, ipa, 0, 0, 0, &r);

    if (ret != RMI_SUCCESS || r.x[1] != REALM_PA(ipa)) {
        report("DATA_DESTROY", ipa, ret);
        return false;
    }
    *state_of(ipa) = RAM_UNPOPULATED;
    return granule_undelegate(REALM_PA(ipa));
}

bool realm_ram_take_back(uint64_t ipa)
{
    return in_ram(ipa) && !(ipa & GRANULE_MASK) && *state_of(ipa) == RAM_PRIVATE &&
           data_destroy(ipa);
}

bool realm_ram_ripas(uint64_t ipa, unsigned int *ripas)
{
    struct rmi_regs r;

    if (rmi_call(RMI_RTT_READ_ENTRY, realm.rd, ipa & ~GRANULE_MASK, 3, 0, 0, &r) != RMI_SUCCESS)
        return false;
    *ripas = (unsigned int)r.x[4];
    return true;
}

static bool map_alias(uint64_t ipa, uint8_t fill)
{
    uint64_t pa = REALM_PA(ipa), alias = ipa | REALM_SHARED_BIT, ret;

    /* What the realm finds in a page it just shared is the host's choice:
     * never its old contents, which the RMM scrubbed with the granule. */
    memset((void *)(uintptr_t)pa, fill, GRANULE);
    dcache_clean_range(pa, GRANULE);
    for (;;) {
        ret = rmi_call(RMI_RTT_MAP_UNPROTECTED, realm.rd, alias, 3, pa | RMI_NS_DESC_RW_WB, 0,
                       NULL);
        if (RMI_STATUS(ret) != RMI_ERROR_RTT || !rtt_fill(alias, (int)RMI_INDEX(ret), 3))
            break;
    }
    if (ret != RMI_SUCCESS) {
        report("RTT_MAP_UNPROTECTED", alias, ret);
        return false;
    }
    *state_of(ipa) = RAM_SHARED;
    return true;
}

static bool unmap_alias(uint64_t ipa)
{
    struct rmi_regs r;
    uint64_t alias = ipa | REALM_SHARED_BIT;
    uint64_t ret = rmi_call(RMI_RTT_UNMAP_UNPROTECTED, realm.rd, alias, 3, 0, 0, &r);

    if (ret != RMI_SUCCESS) {
        report("RTT_UNMAP_UNPROTECTED", alias, ret);
        return false;
    }
    *state_of(ipa) = RAM_UNPOPULATED;
    return true;
}

void realm_ram_shared(uint64_t base, uint64_t top, uint8_t fill)
{
    for (uint64_t ipa = base; ipa < top; ipa += GRANULE) {
        if (!in_ram(ipa) || *state_of(ipa) == RAM_SHARED)
            continue;
        if (*state_of(ipa) == RAM_PRIVATE && !data_destroy(ipa))
            el2_fatal("the RMM made a page EMPTY but its data granule cannot be taken back");
        if (!map_alias(ipa, fill))
            el2_fatal("a page the realm shared cannot be mapped at its unprotected alias");
        host_cnt.granules_to_shared++;
    }
}

void realm_ram_private(uint64_t base, uint64_t top)
{
    for (uint64_t ipa = base; ipa < top; ipa += GRANULE) {
        if (!in_ram(ipa) || *state_of(ipa) != RAM_SHARED)
            continue;
        if (!unmap_alias(ipa))
            el2_fatal("a page the realm made private again cannot be unmapped from its alias");
        host_cnt.granules_to_private++;
    }
}

bool realm_ram_destroy(void)
{
    bool ok = true;

    for (uint64_t ipa = REALM_RAM_IPA; ipa < REALM_RAM_TOP; ipa += GRANULE) {
        if (*state_of(ipa) == RAM_PRIVATE)
            ok &= data_destroy(ipa);
        else if (*state_of(ipa) == RAM_SHARED)
            ok &= unmap_alias(ipa);
    }
    return ok;
}
