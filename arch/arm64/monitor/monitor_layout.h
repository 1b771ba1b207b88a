/* SPDX-License-Identifier: MIT */
/*
 * The realm's address layout on QEMU virt (docs/realm.md), named once.
 * The monitor's load address and the payload's physical address come from
 * the build (arch/arm64/monitor/monitor.cmake passes the same numbers to the
 * compiler and the linker); everything else is derived or checked here.
 */
#ifndef CCDMA_MONITOR_LAYOUT_H
#define CCDMA_MONITOR_LAYOUT_H

#if !defined(CCDMA_MONITOR_BASE) || !defined(CCDMA_REALM_PAYLOAD_PA)
#error "CCDMA_MONITOR_BASE and CCDMA_REALM_PAYLOAD_PA come from monitor.cmake"
#endif

/* ipa_width 32: protected IPAs below 2 GiB, the shared bit is bit 31. */
#define MON_IPA_WIDTH 32u
#define MON_SHARED_BIT (1ull << (MON_IPA_WIDTH - 1))

/* Realm RAM: 256 MiB at IPA 1 GiB, backed by PA 3 GiB (so that its
 * unprotected alias, IPA | shared bit, is the PA itself). */
#define MON_REALM_RAM_IPA 0x40000000ull
#define MON_REALM_RAM_SIZE 0x10000000ull
#define MON_REALM_RAM_PA (MON_REALM_RAM_IPA | MON_SHARED_BIT)

/* The realm's DTB sits at the base of its RAM, the payload 2 MiB above. */
#define MON_REALM_DTB_IPA MON_REALM_RAM_IPA
#define MON_REALM_ENTRY_IPA 0x40200000ull
#define MON_REALM_DTB_MAX (MON_REALM_ENTRY_IPA - MON_REALM_DTB_IPA)

/* QEMU puts the host DTB at the base of RAM for an ELF whose lowest segment
 * is at or above 0x4010_0000; its totalsize is 1 MiB. */
#define MON_HOST_DTB_PA 0x40000000ull
#define MON_HOST_DTB_MAX 0x100000ull

/* Host memory a device reaches when it is wrongly handed a protected IPA
 * of realm RAM: the PA equal to that IPA. Filled with a pattern at boot,
 * once the host DTB in its first MiB has been consumed (the realm's pages
 * there are as allocatable as any), and scanned at shutdown. */
#define MON_POISON_BASE MON_REALM_RAM_IPA
#define MON_POISON_TOP (MON_REALM_RAM_IPA + MON_REALM_RAM_SIZE)

/* Devices the realm may reach lie below RAM; the unprotected IPA of one is
 * shared bit + PA, which stays below the alias of realm RAM. */
#define MON_DEVICE_PA_TOP MON_REALM_RAM_IPA

#define MON_GRANULE 0x1000ull

#define MON_REALM_PA(ipa) ((ipa) - MON_REALM_RAM_IPA + MON_REALM_RAM_PA)

_Static_assert(CCDMA_REALM_PAYLOAD_PA == MON_REALM_PA(MON_REALM_ENTRY_IPA),
               "the payload must load at the PA of the realm entry IPA");
_Static_assert(CCDMA_MONITOR_BASE >= MON_POISON_TOP &&
                   CCDMA_MONITOR_BASE < MON_REALM_RAM_PA,
               "the monitor lies between the poison window and realm RAM");
_Static_assert(MON_HOST_DTB_PA >= MON_POISON_BASE &&
                   MON_HOST_DTB_PA + MON_HOST_DTB_MAX <= MON_POISON_TOP,
               "the host DTB lies in the poison window (poisoned once parsed)");

#endif /* CCDMA_MONITOR_LAYOUT_H */
