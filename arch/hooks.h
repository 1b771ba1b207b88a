/* SPDX-License-Identifier: MIT */
/*
 * What an architecture port calls in the program that links it. The port
 * declares them and the program defines them (the firmware: boot/shutdown.c
 * and boot/console.c), so nothing in arch/ includes the program's headers.
 */
#ifndef CCDMA_ARCH_HOOKS_H
#define CCDMA_ARCH_HOOKS_H

#include <stdnoreturn.h>

/* Report why and end the run as failed; safe in an exception handler. */
noreturn void exc_fatal(const char *why);

/* End the run with this exit code (what the C library's _exit does). */
noreturn void runtime_exit(int code);

/* The one character sink behind the C library's stdout and stderr. */
void console_putc(char c);

#endif /* CCDMA_ARCH_HOOKS_H */
