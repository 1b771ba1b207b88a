/* SPDX-License-Identifier: MIT */
#include "drivers/pl011/pl011.h"

#include <ccdma/platform.h>

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTIBRD 0x24
#define UARTFBRD 0x28
#define UARTLCR_H 0x2c
#define UARTCR 0x30
#define UARTIMSC 0x38

#define FR_BUSY (1u << 3)
#define FR_TXFF (1u << 5)
#define LCR_FEN (1u << 4)
#define LCR_WLEN8 (3u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)

#define BAUD 115200u
/* Bounded spins: a console that never drains must not hang the runtime. */
#define SPIN_LIMIT 1000000u

static bool wait_clear(uintptr_t base, uint32_t bits)
{
    for (unsigned int i = 0; i < SPIN_LIMIT; i++)
        if (!(ccdma_plat_mmio_read32(base + UARTFR) & bits))
            return true;
    return false;
}

void pl011_init(uintptr_t base, uint32_t clock_hz)
{
    /* Baud divisor in 1/64ths: IBRD.FBRD = clock / (16 * baud). */
    uint32_t div64 = (uint32_t)(((uint64_t)clock_hz * 4 + BAUD / 2) / BAUD);

    (void)wait_clear(base, FR_BUSY);
    ccdma_plat_mmio_write32(base + UARTCR, 0);
    ccdma_plat_mmio_write32(base + UARTIMSC, 0);
    ccdma_plat_mmio_write32(base + UARTIBRD, div64 >> 6);
    ccdma_plat_mmio_write32(base + UARTFBRD, div64 & 0x3f);
    ccdma_plat_mmio_write32(base + UARTLCR_H, LCR_WLEN8 | LCR_FEN);
    ccdma_plat_mmio_write32(base + UARTCR, CR_UARTEN | CR_TXE);
}

bool pl011_putc(uintptr_t base, char c)
{
    if (!wait_clear(base, FR_TXFF))
        return false;
    ccdma_plat_mmio_write32(base + UARTDR, (uint8_t)c);
    return true;
}

void pl011_flush(uintptr_t base) { (void)wait_clear(base, FR_BUSY); }
