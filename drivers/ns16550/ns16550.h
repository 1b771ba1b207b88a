/* SPDX-License-Identifier: MIT */
/* A 16550-compatible UART (ns16550a, the 8250 family), transmit side only:
 * the console kvmtool and many boards give. */
#ifndef CCDMA_DRIVERS_NS16550_H
#define CCDMA_DRIVERS_NS16550_H

#include <stdbool.h>
#include <stdint.h>

struct ns16550 {
    uintptr_t base;
    unsigned int reg_shift; /* registers are 1 << reg_shift bytes apart (DT reg-shift) */
    unsigned int io_width;  /* each accessed 1 or 4 bytes wide (DT reg-io-width) */
};

/* 8N1 with the FIFOs on and interrupts off. The divisor is left as the
 * firmware or VMM set it: the input clock is rarely described. */
void ns16550_init(const struct ns16550 *u);
/* False when the transmitter never became ready (a bounded wait). */
bool ns16550_putc(const struct ns16550 *u, char c);
/* Wait, bounded, until everything written has left the shift register. */
void ns16550_flush(const struct ns16550 *u);

#endif /* CCDMA_DRIVERS_NS16550_H */
