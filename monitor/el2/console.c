/* SPDX-License-Identifier: MIT */
/*
 * The EL2 program's console: console_putc() (picolibc's stdout, through
 * arch/arm64/picolibc_stdio.c) on a PL011, polled. Until
 * the DTB has named the UART, output goes through semihosting when it is
 * on, and is dropped otherwise. A UART that never drains is waited on for
 * a bounded time per character, so output can be lost but never hang.
 */
#include <stdio.h>

#include "arch/arm64/exception.h"
#include "el2.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define FR_TXFF (1u << 5)
#define SPIN_LIMIT 100000u
#define SYS_WRITEC 0x03

static uintptr_t uart;

void el2_console_attach(uintptr_t pl011_base)
{
    uart = pl011_base;
}

static void emit(char c)
{
    volatile uint32_t *fr = (volatile uint32_t *)(uart + UARTFR);
    volatile uint32_t *dr = (volatile uint32_t *)(uart + UARTDR);

    for (unsigned int i = 0; i < SPIN_LIMIT && (*fr & FR_TXFF); i++)
        ;
    *dr = (uint8_t)c;
}

void console_putc(char c)
{
    uintptr_t ch = (unsigned char)c, ret;

    if (uart == 0) {
        if (machine.semihosting)
            (void)probe_semihost(SYS_WRITEC, (uintptr_t)&ch, &ret);
        return;
    }
    if (c == '\n')
        emit('\r');
    emit(c);
}
