/* SPDX-License-Identifier: MIT */
/*
 * picolibc's stdin, stdout and stderr for a bare-metal AArch64 program:
 * one write-only stream onto console_putc(), which the program provides
 * (the runtime's boot/console.c, the monitor's monitor/el2/console.c).
 */
#include <stdio.h>

void console_putc(char c);

static int console_file_putc(char c, FILE *f)
{
    (void)f;
    console_putc(c);
    return (unsigned char)c;
}

static FILE console = FDEV_SETUP_STREAM(console_file_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
