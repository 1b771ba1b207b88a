/* SPDX-License-Identifier: MIT */
/* Host port: MMIO routed to in-process fake devices (see host_mmio.h). */
#include "host_mmio.h"

#include <ccdma/errors.h>

#include <sched.h>
#include <stdio.h>

struct window {
    uintptr_t base;
    size_t size;
    const struct host_mmio_ops *ops;
    void *ctx;
};

static struct window windows[HOST_MMIO_MAX_WINDOWS];
static uint64_t strays;

static struct window *find(uintptr_t addr, size_t width)
{
    for (unsigned int i = 0; i < HOST_MMIO_MAX_WINDOWS; i++) {
        struct window *w = &windows[i];
        if (w->ops != NULL && w->size >= width && addr >= w->base &&
            addr - w->base <= w->size - width)
            return w;
    }
    return NULL;
}

static void stray(const char *what, uintptr_t addr)
{
    strays++;
    fprintf(stderr, "host_mmio: stray %s at 0x%llx\n", what, (unsigned long long)addr);
}

int host_mmio_register(uintptr_t base, size_t size,
                       const struct host_mmio_ops *ops, void *ctx)
{
    if (size == 0 || base > UINTPTR_MAX - (size - 1) || ops == NULL ||
        ops->read32 == NULL || ops->write32 == NULL)
        return CCDMA_EINVAL;
    struct window *slot = NULL;
    for (unsigned int i = 0; i < HOST_MMIO_MAX_WINDOWS; i++) {
        struct window *w = &windows[i];
        if (w->ops == NULL) {
            if (slot == NULL)
                slot = w;
        } else if (base <= w->base + (w->size - 1) && w->base <= base + (size - 1)) {
            return CCDMA_EINVAL;
        }
    }
    if (slot == NULL)
        return CCDMA_ENOSPC;
    *slot = (struct window){base, size, ops, ctx};
    return 0;
}

int host_mmio_unregister(uintptr_t base)
{
    for (unsigned int i = 0; i < HOST_MMIO_MAX_WINDOWS; i++) {
        if (windows[i].ops != NULL && windows[i].base == base) {
            windows[i] = (struct window){0};
            return 0;
        }
    }
    return CCDMA_EFAULT;
}

uint64_t host_mmio_strays(void)
{
    return strays;
}

void host_mmio_reset_strays(void)
{
    strays = 0;
}

uint32_t ccdma_plat_mmio_read32(uintptr_t addr)
{
    struct window *w = (addr & 3u) == 0 ? find(addr, 4) : NULL;
    if (w == NULL) {
        stray("read32", addr);
        return UINT32_MAX;
    }
    return w->ops->read32(w->ctx, addr - w->base);
}

void ccdma_plat_mmio_write32(uintptr_t addr, uint32_t value)
{
    struct window *w = (addr & 3u) == 0 ? find(addr, 4) : NULL;
    if (w == NULL) {
        stray("write32", addr);
        return;
    }
    w->ops->write32(w->ctx, addr - w->base, value);
}

uint8_t ccdma_plat_mmio_read8(uintptr_t addr)
{
    struct window *w = find(addr, 1);
    if (w == NULL) {
        stray("read8", addr);
        return UINT8_MAX;
    }
    if (w->ops->read8 != NULL)
        return w->ops->read8(w->ctx, addr - w->base);
    uint64_t off = addr - w->base;
    return (uint8_t)(w->ops->read32(w->ctx, off & ~(uint64_t)3) >> (8 * (off & 3)));
}

void ccdma_plat_mmio_write8(uintptr_t addr, uint8_t value)
{
    struct window *w = find(addr, 1);
    if (w == NULL || w->ops->write8 == NULL) {
        stray("write8", addr);
        return;
    }
    w->ops->write8(w->ctx, addr - w->base, value);
}

uint16_t ccdma_plat_mmio_read16(uintptr_t addr)
{
    struct window *w = (addr & 1u) == 0 ? find(addr, 2) : NULL;
    if (w == NULL || w->ops->read16 == NULL) {
        stray("read16", addr);
        return UINT16_MAX;
    }
    return w->ops->read16(w->ctx, addr - w->base);
}

void ccdma_plat_mmio_write16(uintptr_t addr, uint16_t value)
{
    struct window *w = (addr & 1u) == 0 ? find(addr, 2) : NULL;
    if (w == NULL || w->ops->write16 == NULL) {
        stray("write16", addr);
        return;
    }
    w->ops->write16(w->ctx, addr - w->base, value);
}

void ccdma_plat_relax(void)
{
    for (unsigned int i = 0; i < HOST_MMIO_MAX_WINDOWS; i++) {
        struct window *w = &windows[i];
        if (w->ops != NULL && w->ops->relax != NULL)
            w->ops->relax(w->ctx);
    }
    /* Let a device played by another thread run too. */
    sched_yield();
}

/* The fakes make progress in ccdma_plat_relax(); there are no interrupts. */
void ccdma_plat_wait_irq(const uint32_t *pending, uint64_t deadline_ns)
{
    (void)pending;
    (void)deadline_ns;
    ccdma_plat_relax();
}
