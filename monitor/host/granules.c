/* SPDX-License-Identifier: MIT */
/*
 * NS memory the host hands to the RMM, and the record of what it has
 * delegated. RMM objects (RD, RTTs, REC, auxiliary granules, parameter and
 * run granules) come from a pool carved out of RAM the DTB vouches for;
 * data granules are the realm's own backing pages (REALM_PA). Every
 * delegation is recorded, so the teardown can prove none is left behind.
 */
#include <stdio.h>
#include <string.h>

#include "arch/arm64/exception.h"
#include "host.h"

#define POOL_SIZE 0x1000000ull /* 16 MiB: RTTs, REC, aux, params, run, DTB */
#define SZ_2M 0x200000ull
/* The record covers RAM below 4 GiB, where QEMU virt and TF-A put it. */
#define TRACK_BASE 0x40000000ull
#define TRACK_TOP 0x100000000ull
#define TRACK_GRANULES ((TRACK_TOP - TRACK_BASE) / GRANULE)

static uint64_t pool_next, pool_top;
static uint64_t delegated_now, delegated_ever, undelegate_failed;
static uint64_t live_map[TRACK_GRANULES / 64], ever_map[TRACK_GRANULES / 64];
static const struct el2_machine *mach;

static bool overlaps(uint64_t a, uint64_t a_top, uint64_t b, uint64_t b_top)
{
    return a < b_top && b < a_top;
}

static bool ram_holds(uint64_t base, uint64_t top)
{
    for (unsigned int i = 0; i < mach->dt.n_mem; i++)
        if (base >= mach->dt.mem[i].base && top <= mach->dt.mem[i].base + mach->dt.mem[i].size)
            return true;
    return false;
}

/* Free for the pool: RAM, and none of the image, the reservations, the
 * poison window or the realm's backing. */
static bool usable(uint64_t base, uint64_t top)
{
    const struct dt_platform *dt = &mach->dt;

    if (!ram_holds(base, top) || overlaps(base, top, POISON_BASE, POISON_TOP) ||
        overlaps(base, top, REALM_PA(REALM_RAM_IPA), REALM_PA(REALM_RAM_TOP)) ||
        overlaps(base, top, mach->image.base, mach->image.base + mach->image.size))
        return false;
    for (unsigned int i = 0; i < dt->n_reserved; i++)
        if (overlaps(base, top, dt->reserved[i].base, dt->reserved[i].base + dt->reserved[i].size))
            return false;
    return true;
}

void granules_init(const struct el2_machine *m)
{
    mach = m;
    if (!ram_holds(REALM_PA(REALM_RAM_IPA), REALM_PA(REALM_RAM_TOP)) ||
        !ram_holds(POISON_BASE, POISON_TOP)) {
        printf("monitor: the realm layout needs RAM at PA 0x%llx-0x%llx and 0x%llx-0x%llx: "
               "run QEMU with -m 3G\n", (unsigned long long)POISON_BASE,
               (unsigned long long)POISON_TOP, (unsigned long long)REALM_PA(REALM_RAM_IPA),
               (unsigned long long)REALM_PA(REALM_RAM_TOP));
        el2_fatal("the machine does not fit the realm layout");
    }
    for (uint64_t b = POISON_TOP; b + POOL_SIZE <= TRACK_TOP; b += SZ_2M) {
        if (usable(b, b + POOL_SIZE)) {
            pool_next = b;
            pool_top = b + POOL_SIZE;
            return;
        }
    }
    el2_fatal("no free RAM for the host's granule pool");
}

uint64_t granule_alloc(void)
{
    uint64_t pa = pool_next;

    if (pa >= pool_top)
        el2_fatal("the host's granule pool is exhausted");
    pool_next += GRANULE;
    memset((void *)(uintptr_t)pa, 0, GRANULE);
    return pa;
}

static bool tracked(uint64_t pa, uint64_t *word, uint64_t *bit)
{
    uint64_t i;

    if (pa < TRACK_BASE || pa >= TRACK_TOP)
        return false;
    i = (pa - TRACK_BASE) / GRANULE;
    *word = i / 64;
    *bit = 1ull << (i % 64);
    return true;
}

bool granule_delegate(uint64_t pa)
{
    uint64_t w, b, ret;
    char st[32];

    if (!tracked(pa, &w, &b))
        el2_fatal("the host tried to delegate memory outside its record");
    ret = rmi_call(RMI_GRANULE_DELEGATE, pa, 0, 0, 0, 0, NULL);
    if (ret != RMI_SUCCESS) {
        printf("monitor: GRANULE_DELEGATE(0x%llx) = %s\n", (unsigned long long)pa,
               rmi_status_str(ret, st, sizeof(st)));
        return false;
    }
    if (!(ever_map[w] & b))
        delegated_ever++;
    live_map[w] |= b;
    ever_map[w] |= b;
    delegated_now++;
    return true;
}

bool granule_undelegate(uint64_t pa)
{
    uint64_t w, b, ret;
    char st[32];

    if (!tracked(pa, &w, &b) || !(live_map[w] & b)) {
        printf("monitor: undelegate of 0x%llx, which the host never delegated\n",
               (unsigned long long)pa);
        return false;
    }
    ret = rmi_call(RMI_GRANULE_UNDELEGATE, pa, 0, 0, 0, 0, NULL);
    if (ret != RMI_SUCCESS) {
        /* Its state is unknown now: never use it again. */
        printf("monitor: GRANULE_UNDELEGATE(0x%llx) = %s: leaked\n", (unsigned long long)pa,
               rmi_status_str(ret, st, sizeof(st)));
        undelegate_failed++;
        return false;
    }
    live_map[w] &= ~b;
    delegated_now--;
    return true;
}

uint64_t granule_alloc_delegated(void)
{
    uint64_t pa = granule_alloc();

    if (!granule_delegate(pa))
        el2_fatal("the RMM refused to delegate a granule of the host's pool");
    return pa;
}

/* Each granule ever delegated is NS again: the record says so, and a read
 * of it succeeds (a realm-PAS granule would take a granule protection
 * fault, recovered by the probe's fixup). */
bool granules_all_returned(void)
{
    uint64_t readable = 0, faulted = 0, v;

    for (uint64_t w = 0; w < TRACK_GRANULES / 64; w++) {
        for (uint64_t b = 0; b < 64; b++) {
            uint64_t pa = TRACK_BASE + (w * 64 + b) * GRANULE;

            if (!(ever_map[w] & (1ull << b)))
                continue;
            if (probe_read64(pa, &v) == 0)
                readable++;
            else
                faulted++;
        }
    }
    bool ok = delegated_now == 0 && faulted == 0 && readable == delegated_ever &&
              undelegate_failed == 0;

    if (ok)
        printf("monitor: teardown: all %llu granules the host delegated are undelegated, and "
               "each reads from NS\n", (unsigned long long)delegated_ever);
    else
        printf("monitor: teardown: %llu of %llu granules still delegated, %llu faulted on an NS "
               "read, %llu undelegates failed\n", (unsigned long long)delegated_now,
               (unsigned long long)delegated_ever, (unsigned long long)faulted,
               (unsigned long long)undelegate_failed);
    return ok;
}
