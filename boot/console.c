/* SPDX-License-Identifier: MIT */
/*
 * The console on the PL011, under the C library's stdio: picolibc's FILE
 * in arch/arm64/picolibc_stdio.c, newlib's _write in arch/arm/syscalls.c
 * (both end in console_putc).
 * Until the UART is known (and, in a realm, mapped through the unprotected
 * alias) output is kept in a small buffer, flushed on attach or, if the run
 * dies first, through semihosting.
 */
#include <stdbool.h>
#include <stdio.h>

#include "boot/arch.h"
#include "boot/runtime.h"
#include "drivers/pl011/pl011.h"

#define EARLY_BUF_SIZE 4096
#define PL011_CLOCK_HZ 24000000u /* QEMU virt and FVP both clock it at 24 MHz */
#define SYS_WRITEC 0x03

static uintptr_t uart;
static char early_buf[EARLY_BUF_SIZE];
static unsigned int early_len;
static bool early_overflowed;

static void emit(char c)
{
    if (c == '\n')
        pl011_putc(uart, '\r');
    pl011_putc(uart, c);
}

void console_putc(char c)
{
    if (uart) {
        emit(c);
    } else if (early_len < EARLY_BUF_SIZE) {
        early_buf[early_len++] = c;
    } else {
        early_overflowed = true;
    }
}


void console_attach(uintptr_t uart_base)
{
    pl011_init(uart_base, PL011_CLOCK_HZ);
    uart = uart_base;
    for (unsigned int i = 0; i < early_len; i++)
        emit(early_buf[i]);
    if (early_overflowed)
        printf("ccdma: (early console output truncated)\n");
    early_len = 0;
}

bool console_attached(void) { return uart != 0; }

/* Last resort before the UART is known: push the buffer out through
 * semihosting, which needs no mapping. */
void console_emergency_flush(void);
void console_emergency_flush(void)
{
    if (uart) {
        pl011_flush(uart);
        return;
    }
    for (unsigned int i = 0; i < early_len; i++) {
        uintptr_t ch = (unsigned char)early_buf[i];
        if (probe_semihost(SYS_WRITEC, (uintptr_t)&ch, NULL) != 0)
            break;
    }
    early_len = 0;
}
