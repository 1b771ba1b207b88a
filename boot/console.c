/* SPDX-License-Identifier: MIT */
/*
 * The console: the UART /chosen/stdout-path names, a PL011 or a 16550,
 * under the C library's stdio (picolibc's FILE in
 * arch/arm64/picolibc_stdio.c, newlib's _write in arch/arm/syscalls.c; both
 * end in console_putc).
 *
 * Until the UART is known (and, in a realm, mapped through the unprotected
 * alias) output is kept in a small buffer, flushed on attach or, if the run
 * dies first or there is no UART, through semihosting. There is no guessed
 * UART: a fixed address may be RAM or nothing on another machine. A UART
 * that stops taking characters is given up on after one bounded wait, so
 * the run, and its verdict, go on without it.
 */
#include <stdbool.h>
#include <stdio.h>

#include "boot/arch.h"
#include "boot/runtime.h"
#include "drivers/ns16550/ns16550.h"
#include "drivers/pl011/pl011.h"

#define EARLY_BUF_SIZE 4096
#define PL011_CLOCK_HZ 24000000u /* QEMU virt and FVP both clock it at 24 MHz */
#define SYS_WRITEC 0x03

static enum dt_uart_kind kind;
static uintptr_t pl011;
static struct ns16550 ns16550;
static bool attached, gave_up;
static char early_buf[EARLY_BUF_SIZE];
static unsigned int early_len;
static bool early_overflowed;

static bool uart_putc(char c)
{
    return kind == DT_UART_PL011 ? pl011_putc(pl011, c) : ns16550_putc(&ns16550, c);
}

static void emit(char c)
{
    if (gave_up)
        return;
    if ((c == '\n' && !uart_putc('\r')) || !uart_putc(c))
        gave_up = true;
}

void console_putc(char c)
{
    if (attached) {
        emit(c);
    } else if (early_len < EARLY_BUF_SIZE) {
        early_buf[early_len++] = c;
    } else {
        early_overflowed = true;
    }
}

void console_attach(const struct dt_uart *u)
{
    kind = u->kind;
    if (kind == DT_UART_PL011) {
        pl011 = (uintptr_t)u->base;
        pl011_init(pl011, PL011_CLOCK_HZ);
    } else {
        ns16550 = (struct ns16550){(uintptr_t)u->base, u->reg_shift, u->io_width};
        ns16550_init(&ns16550);
    }
    attached = true;
    for (unsigned int i = 0; i < early_len; i++)
        emit(early_buf[i]);
    if (early_overflowed)
        printf("ccdma: (early console output truncated)\n");
    early_len = 0;
}

bool console_attached(void) { return attached && !gave_up; }

/* Last resort while no UART takes output: push the buffer out through
 * semihosting, which needs no mapping. */
void console_emergency_flush(void);
void console_emergency_flush(void)
{
    if (attached) {
        if (gave_up)
            return;
        if (kind == DT_UART_PL011)
            pl011_flush(pl011);
        else
            ns16550_flush(&ns16550);
        return;
    }
    for (unsigned int i = 0; i < early_len; i++) {
        uintptr_t ch = (unsigned char)early_buf[i];
        if (probe_semihost(SYS_WRITEC, (uintptr_t)&ch, NULL) != 0)
            break;
    }
    early_len = 0;
}
