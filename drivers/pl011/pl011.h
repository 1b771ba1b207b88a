/* SPDX-License-Identifier: MIT */
/* Arm PL011 UART, transmit side only: the console. */
#ifndef CCDMA_DRIVERS_PL011_H
#define CCDMA_DRIVERS_PL011_H

#include <stdbool.h>
#include <stdint.h>

/* Program 115200 8N1 for the given reference clock and enable TX. Real
 * PL011s (FVP) print nothing until this is done; QEMU tolerates less. */
void pl011_init(uintptr_t base, uint32_t clock_hz);
/* False when the transmit FIFO never had room (a bounded wait). */
bool pl011_putc(uintptr_t base, char c);
/* Wait until everything written has left the FIFO. */
void pl011_flush(uintptr_t base);

#endif /* CCDMA_DRIVERS_PL011_H */
