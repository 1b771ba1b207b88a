/* SPDX-License-Identifier: MIT */
#include "drivers/ns16550/ns16550.h"

#include <ccdma/platform.h>

#define THR 0 /* transmit holding (write) */
#define IER 1
#define FCR 2 /* FIFO control (write) */
#define LCR 3
#define MCR 4
#define LSR 5

#define FCR_ENABLE_RESET 0x07u /* FIFOs on, both cleared */
#define LCR_8N1 0x03u
#define MCR_DTR_RTS 0x03u
#define LSR_THRE (1u << 5) /* room in the transmit FIFO */
#define LSR_TEMT (1u << 6) /* FIFO and shift register empty */

/* Bounded spins: a UART that never drains must not hang the runtime. */
#define SPIN_LIMIT 1000000u

static uintptr_t reg(const struct ns16550 *u, unsigned int r)
{
    return u->base + ((uintptr_t)r << u->reg_shift);
}

static uint8_t rd(const struct ns16550 *u, unsigned int r)
{
    return u->io_width == 4 ? (uint8_t)ccdma_plat_mmio_read32(reg(u, r))
                            : ccdma_plat_mmio_read8(reg(u, r));
}

static void wr(const struct ns16550 *u, unsigned int r, uint8_t v)
{
    if (u->io_width == 4)
        ccdma_plat_mmio_write32(reg(u, r), v);
    else
        ccdma_plat_mmio_write8(reg(u, r), v);
}

static bool wait_set(const struct ns16550 *u, uint8_t bits)
{
    for (unsigned int i = 0; i < SPIN_LIMIT; i++)
        if ((rd(u, LSR) & bits) == bits)
            return true;
    return false;
}

void ns16550_init(const struct ns16550 *u)
{
    wr(u, IER, 0);
    wr(u, LCR, LCR_8N1);
    wr(u, FCR, FCR_ENABLE_RESET);
    wr(u, MCR, MCR_DTR_RTS);
}

bool ns16550_putc(const struct ns16550 *u, char c)
{
    if (!wait_set(u, LSR_THRE))
        return false;
    wr(u, THR, (uint8_t)c);
    return true;
}

void ns16550_flush(const struct ns16550 *u) { (void)wait_set(u, LSR_TEMT); }
