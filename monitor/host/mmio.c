/* SPDX-License-Identifier: MIT */
/*
 * Device MMIO as the host serves it to the realm: an access to an
 * unprotected IPA that nothing maps exits to the host with its syndrome,
 * and is emulated here.
 *
 *   the PL011 the DTB names   a console: DR writes go to the host's UART,
 *                             FR reads "transmit FIFO empty", the rest is
 *                             accepted and ignored;
 *   each virtio-mmio window   replayed on QEMU's device at its PA with the
 *                             same width, through a register shadow whose
 *                             doorbell check (strict mode) refuses any ring
 *                             or buffer the realm has not shared;
 *   the PCI host bridge       its ECAM and memory windows, the same way
 *                             (pci_emul.c);
 *   the GICv3 distributor     the realm's virtual GIC (vgic_mmio.c).
 *   and redistributors
 */
#include <stdio.h>

#include <ccdma/virtio_spec.h>

#include "host.h"
#include "virtio_shadow.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define UART_FR_IDLE 0x90u /* TXFE | RXFE: nothing to send, nothing received */

#define VIRTIO_MMIO_MODERN 2u

struct transport {
    uint64_t pa, size;
    uint32_t version; /* the device's Version register, read at boot */
    struct vshadow sh;
};

static struct transport transports[DT_MAX_VIRTIO];
static unsigned int n_transports;
static uint64_t uart_base, uart_size;
static bool doorbell_failed;

void mmio_init(const struct el2_machine *m)
{
    const struct dt_platform *dt = &m->dt;

    if (dt->has_uart) {
        uart_base = dt->uart.base;
        uart_size = dt->uart.size;
    }
    for (unsigned int i = 0; i < dt->n_virtio; i++) {
        const struct dt_virtio *v = &dt->virtio[i];
        struct transport *t;

        if (v->base + v->size > EL2_DEVICE_TOP || v->base + v->size < v->base) {
            printf("monitor: virtio-mmio at 0x%llx is outside the device space: not offered\n",
                   (unsigned long long)v->base);
            continue;
        }
        t = &transports[n_transports++];
        t->pa = v->base;
        t->size = v->size;
        t->version = *(volatile uint32_t *)(uintptr_t)(v->base + VIRTIO_MMIO_VERSION);
        vshadow_reset(&t->sh);
    }
    pci_emul_init(dt);
}

uint64_t host_dev_read(uint64_t pa, unsigned int size)
{
    uint64_t v;

    switch (size) {
    case 1: __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    case 2: __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    case 4: __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    default: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(pa) : "memory"); break;
    }
    return v;
}

void host_dev_write(uint64_t pa, unsigned int size, uint64_t v)
{
    switch (size) {
    case 1: __asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    case 2: __asm__ volatile("strh %w0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    case 4: __asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    default: __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(pa) : "memory"); break;
    }
}

static bool uart_emulate(struct mmio_access *a)
{
    uint64_t off = a->pa - uart_base;

    host_cnt.mmio_uart++;
    if (a->write) {
        if (off == UARTDR)
            console_putc((char)(a->value & 0xff));
    } else {
        a->value = off == UARTFR ? UART_FR_IDLE : 0;
    }
    return true;
}

/* ---- virtio-mmio ------------------------------------------------------------------- */

static bool shared_page(void *ctx, uint64_t addr)
{
    (void)ctx;
    /* Only the unprotected encoding of a page the realm shared reaches
     * its memory: a protected IPA lands in host memory (the poison
     * window). */
    return (addr & REALM_SHARED_BIT) && realm_ram_state(addr & ~REALM_SHARED_BIT) == RAM_SHARED;
}

static void read_shared(void *ctx, uint64_t addr, void *dst, size_t len)
{
    (void)ctx;
    /* The alias of a shared page is its PA, NS memory the host owns. */
    for (size_t i = 0; i < len; i++)
        ((uint8_t *)dst)[i] = ((const volatile uint8_t *)(uintptr_t)addr)[i];
}

static const struct vshadow_mem realm_view = {NULL, shared_page, read_shared};

static void report(const char *where, enum vshadow_result r, const struct vshadow_violation *v)
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
        printf(" [0x%llx, +0x%llx) is not in shared memory", (unsigned long long)v->addr,
               (unsigned long long)v->len);
    printf(" (%s)\n", where);
}

void host_virtio_doorbell(struct vshadow *sh, unsigned int queue, const char *where,
                          const struct host_policy *p)
{
    struct vshadow_violation v;
    enum vshadow_result r;

    r = vshadow_check_notify(sh, queue, &realm_view, &v);
    if (r == VSHADOW_IDLE) {
        host_cnt.notifies_unchecked++;
        return;
    }
    host_cnt.notifies_checked++;
    if (r != VSHADOW_OK) {
        report(where, r, &v);
        doorbell_failed = true;
        host_finish(1, "a doorbell failed the strict ring check", p);
    }
}

bool host_virtio_sweep(struct vshadow *sh, const char *where, unsigned int *queues,
                       unsigned int *chains)
{
    struct vshadow_violation v;
    struct vshadow_sweep sw;
    enum vshadow_result r = vshadow_check_live(sh, &realm_view, &v, &sw);

    *queues += sw.queues;
    *chains += sw.chains;
    if (r == VSHADOW_OK)
        return true;
    report(where, r, &v);
    printf("monitor: ... in a chain made available without a doorbell since the "
           "queue's last check (end-of-run ring check)\n");
    return false;
}

static void doorbell(struct transport *t, unsigned int queue, const struct host_policy *p)
{
    char where[48];

    if (!p->strict) {
        host_cnt.notifies_unchecked++;
        return;
    }
    if (t->version != VIRTIO_MMIO_MODERN) {
        printf("\nmonitor: QueueNotify on legacy virtio-mmio at 0x%llx: strict mode checks "
               "version 2 only (-global virtio-mmio.force-legacy=false)\n",
               (unsigned long long)t->pa);
        doorbell_failed = true;
        host_finish(1, "unchecked doorbell in strict mode", p);
    }
    snprintf(where, sizeof(where), "virtio-mmio at 0x%llx", (unsigned long long)t->pa);
    host_virtio_doorbell(&t->sh, queue, where, p);
}

static bool virtio_emulate(struct transport *t, struct mmio_access *a,
                           const struct host_policy *p)
{
    uint64_t off = a->pa - t->pa;

    /* Unaligned, or running off the window: not a register access. */
    if ((a->pa & (a->size - 1)) || off + a->size > t->size)
        return false;
    /* Registers are 32-bit. QEMU splits a wider write into 32-bit ones and
     * acts on each, so replaying it whole would let QueueNotify or a queue
     * address change unseen by the shadow. */
    if (a->write && off < VIRTIO_MMIO_CONFIG && a->size != 4) {
        printf("monitor: virtio-mmio register write of %u bytes at 0x%llx refused: registers "
               "are 32-bit\n", a->size, (unsigned long long)a->pa);
        return false;
    }
    host_cnt.mmio_virtio++;
    if (a->write) {
        unsigned int queue;

        if (off < VIRTIO_MMIO_CONFIG &&
            vshadow_write(&t->sh, (uint32_t)off, (uint32_t)a->value, &queue))
            doorbell(t, queue, p);
        host_dev_write(a->pa, a->size, a->value);
    } else {
        a->value = host_dev_read(a->pa, a->size);
    }
    return true;
}

bool mmio_emulate(struct mmio_access *a, const struct host_policy *p)
{
    if (vgic_mmio(a))
        return true;
    if (uart_size && a->pa >= uart_base && a->pa - uart_base < uart_size)
        return uart_emulate(a);
    for (unsigned int i = 0; i < n_transports; i++)
        if (a->pa >= transports[i].pa && a->pa - transports[i].pa < transports[i].size)
            return virtio_emulate(&transports[i], a, p);
    return pci_emulate(a, p);
}

bool mmio_exit_check(const struct host_policy *p)
{
    unsigned int queues = 0, chains = 0;
    bool ok = true;

    /* Strict off: nothing is checked, as at the doorbell. After a failed
     * doorbell the run already fails on its report. */
    if (!p->strict || doorbell_failed)
        return true;
    for (unsigned int i = 0; i < n_transports; i++) {
        struct transport *t = &transports[i];
        char where[48];

        if (t->version != VIRTIO_MMIO_MODERN)
            continue;
        snprintf(where, sizeof(where), "virtio-mmio at 0x%llx", (unsigned long long)t->pa);
        ok &= host_virtio_sweep(&t->sh, where, &queues, &chains);
    }
    ok &= pci_exit_sweep(&queues, &chains);
    printf("monitor: end-of-run ring check: %u live queues, %u chains published without a "
           "doorbell: %s\n", queues, chains, ok ? "clean" : "FAILED");
    return ok;
}
