/* SPDX-License-Identifier: MIT */
/*
 * virtio-mmio emulation. Stage 2 never maps the transports, so every realm
 * access traps here as a data abort; the ESR syndrome (ISV, SAS, SSE, SRT,
 * SF, WnR) says what the instruction wanted, and the access is replayed on
 * the device at its PA with the same width. Register writes also update
 * the transport's shadow, and a QueueNotify is checked first, in strict
 * mode, so a device is never told to use memory the realm has not shared.
 * At the end of the run the chains published since each queue's last
 * check are checked too (virtio_trap_exit_check).
 */
#include <stdio.h>

#include "boot/runtime.h"
#include "drivers/virtio/virtio_internal.h"
#include "monitor.h"
#include "virtio_shadow.h"

#define XZR 31

#define VIRTIO_MMIO_MODERN 2u

struct transport {
    uint64_t pa, size;
    uint32_t version; /* the device's Version register, read at boot */
    struct vshadow sh;
};

static struct transport transports[DT_MAX_VIRTIO];
static unsigned int n_transports;
/* A doorbell check failed: the run is ending on that report. */
static bool doorbell_failed;

void virtio_trap_init(const struct dt_platform *p)
{
    for (unsigned int i = 0; i < p->n_virtio; i++) {
        const struct dt_virtio *v = &p->virtio[i];
        struct transport *t;

        if (v->base >= MON_DEVICE_PA_TOP || v->size > MON_DEVICE_PA_TOP - v->base) {
            printf("monitor: virtio-mmio at 0x%llx is outside the realm's device "
                   "space: not offered\n", (unsigned long long)v->base);
            continue;
        }
        t = &transports[n_transports++];
        t->pa = v->base;
        t->size = v->size;
        t->version = *(volatile uint32_t *)(uintptr_t)(v->base + VIRTIO_MMIO_VERSION);
        vshadow_reset(&t->sh);
    }
}

static uint64_t mmio_read(uint64_t pa, unsigned int sas)
{
    uint64_t v;

    switch (sas) {
    case 0: __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    case 1: __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    case 2: __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    default: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    }
    return v;
}

static void mmio_write(uint64_t pa, unsigned int sas, uint64_t v)
{
    switch (sas) {
    case 0: __asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    case 1: __asm__ volatile("strh %w0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    case 2: __asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    default: __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    }
}

/* ---- Realm memory for the doorbell check --------------------------------------- */

static bool shared_page(void *ctx, uint64_t addr)
{
    (void)ctx;
    /* Only the unprotected encoding reaches the realm's page: a protected
     * IPA given to a device lands in host memory (the poison window). */
    return (addr & MON_SHARED_BIT) && realm_model_is_shared(&mon.model, addr);
}

static void read_shared(void *ctx, uint64_t addr, void *dst, size_t len)
{
    (void)ctx;
    /* The alias of a shared RAM page is its PA (docs/realm.md). */
    realm_mem_read_pa(addr, dst, len);
}

static const struct vshadow_mem realm_view = {NULL, shared_page, read_shared};

static void report(const struct transport *t, enum vshadow_result r,
                   const struct vshadow_violation *v)
{
    if (r == VSHADOW_PRIVATE)
        printf("\nmonitor: PRIVATE ADDRESS 0x%llx in queue %u", (unsigned long long)v->bad,
               v->queue);
    else
        printf("\nmonitor: BAD RING in queue %u", v->queue);
    if (v->desc >= 0)
        printf(" desc %ld", v->desc);
    if (v->element >= 0)
        printf(" (indirect element %ld)", v->element);
    printf(": %s", v->what);
    if (r == VSHADOW_PRIVATE)
        printf(" [0x%llx, +0x%llx) is not in shared memory",
               (unsigned long long)(v->addr), (unsigned long long)v->len);
    printf(" (virtio-mmio at 0x%llx)\n", (unsigned long long)t->pa);
}

/* Strict mode: the doorbell reaches the device only when every address the
 * device would use is shared; otherwise the run fails here. */
static void doorbell(struct transport *t, unsigned int queue)
{
    struct vshadow_violation v;
    enum vshadow_result r;

    if (!mon.strict) {
        mon.cnt.notifies_unchecked++;
        return;
    }
    if (t->version != VIRTIO_MMIO_MODERN) {
        printf("\nmonitor: QueueNotify on legacy virtio-mmio at 0x%llx: strict mode "
               "checks version 2 only (-global virtio-mmio.force-legacy=false)\n",
               (unsigned long long)t->pa);
        doorbell_failed = true;
        monitor_finish(1, "unchecked doorbell in strict mode");
    }
    r = vshadow_check_notify(&t->sh, queue, &realm_view, &v);
    if (r == VSHADOW_IDLE) {
        mon.cnt.notifies_unchecked++;
        return;
    }
    mon.cnt.notifies_checked++;
    if (r != VSHADOW_OK) {
        report(t, r, &v);
        doorbell_failed = true;
        monitor_finish(1, "a doorbell failed the strict ring check");
    }
}

bool virtio_trap_exit_check(void)
{
    unsigned int queues = 0, chains = 0;
    bool ok = true;

    /* Strict off: nothing is checked, as at the doorbell. After a failed
     * doorbell the run already fails on its report, and this sweep would
     * stop at the same chain (the failed check did not advance). */
    if (!mon.strict || doorbell_failed)
        return true;
    for (unsigned int i = 0; i < n_transports; i++) {
        struct transport *t = &transports[i];
        struct vshadow_violation v;
        struct vshadow_sweep sw;
        enum vshadow_result r;

        /* Legacy rings are not decoded; a doorbell on one already failed
         * the run, and without one the shadow has no live queue. */
        if (t->version != VIRTIO_MMIO_MODERN)
            continue;
        r = vshadow_check_live(&t->sh, &realm_view, &v, &sw);
        queues += sw.queues;
        chains += sw.chains;
        if (r != VSHADOW_OK) {
            report(t, r, &v);
            printf("monitor: ... in a chain made available without a doorbell since the "
                   "queue's last check (end-of-run ring check)\n");
            ok = false;
        }
    }
    printf("monitor: end-of-run ring check: %u live queues, %u chains published without a "
           "doorbell: %s\n", queues, chains, ok ? "clean" : "FAILED");
    return ok;
}

bool virtio_trap_handle(struct exc_frame *f, uint64_t ipa)
{
    struct transport *t = NULL;
    uint64_t esr = f->esr, pa, off;
    unsigned int sas = ESR_SAS(esr), srt = ESR_SRT(esr);

    if (ipa < MON_SHARED_BIT)
        return false;
    pa = ipa - MON_SHARED_BIT;
    for (unsigned int i = 0; i < n_transports && t == NULL; i++)
        if (pa >= transports[i].pa && pa - transports[i].pa < transports[i].size)
            t = &transports[i];
    if (t == NULL)
        return false;
    off = pa - t->pa;
    /* No syndrome (a pair, a writeback form...), an unaligned access or one
     * that runs off the window cannot be replayed: the realm gets the
     * external abort a host would inject. */
    if (!(esr & ESR_ISV) || (pa & ((1ull << sas) - 1)) ||
        off + (1ull << sas) > t->size) {
        printf("monitor: virtio-mmio access at 0x%llx (PC 0x%llx) cannot be emulated: %s\n",
               (unsigned long long)ipa, (unsigned long long)f->elr,
               !(esr & ESR_ISV) ? "no syndrome (ISV=0)" : "unaligned or past the window");
        return false;
    }
    /* Registers are 32-bit. QEMU splits a wider write into 32-bit ones and
     * acts on each, so replaying it whole would let QueueNotify or a queue
     * address change unseen by the shadow: refuse it (an external abort). */
    if ((esr & ESR_WNR) && off < VIRTIO_MMIO_CONFIG && sas != 2) {
        printf("monitor: virtio-mmio register write of %u bytes at 0x%llx (PC 0x%llx) refused: "
               "registers are 32-bit\n", 1u << sas, (unsigned long long)ipa,
               (unsigned long long)f->elr);
        return false;
    }
    mon.cnt.mmio_traps++;
    if (esr & ESR_WNR) {
        uint64_t val = srt == XZR ? 0 : f->x[srt];
        unsigned int queue;

        if (sas < 3)
            val &= (1ull << (8u << sas)) - 1;
        if (off < VIRTIO_MMIO_CONFIG &&
            vshadow_write(&t->sh, (uint32_t)off, (uint32_t)val, &queue))
            doorbell(t, queue);
        mmio_write(pa, sas, val);
    } else {
        uint64_t val = mmio_read(pa, sas);

        if ((esr & ESR_SSE) && sas < 3 && (val >> ((8u << sas) - 1)) & 1)
            val |= ~((1ull << (8u << sas)) - 1);
        if (!(esr & ESR_SF))
            val &= 0xffffffffull;
        if (srt != XZR)
            f->x[srt] = val;
    }
    f->elr += (esr & ESR_IL) ? 4 : 2;
    return true;
}
