/* SPDX-License-Identifier: MIT */
/*
 * The example unikernel's console and verdict: picolibc's stdout on the
 * QEMU virt PL011, check lines and the summary, the exit through
 * semihosting (the exit status is the verdict), and the fatal paths
 * (exceptions, stack-protector failures).
 */
#include <stdarg.h>
#include <stdio.h>

#ifdef EXAMPLE_CONFORMANCE
#include <ccdma/selftest.h>
#endif

#include "example.h"

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)

#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

/* QEMU's PL011 transmits without any set-up; real hardware would program
 * the baud rate and enable the UART first. */
static void uart_putc(char c)
{
    volatile uint32_t *uart = (volatile uint32_t *)(uintptr_t)EXAMPLE_UART;

    while (uart[PL011_FR / 4] & PL011_FR_TXFF)
        ;
    uart[PL011_DR / 4] = (unsigned char)c;
}

static int console_putc(char c, FILE *f)
{
    (void)f;
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
    return (unsigned char)c;
}

/* picolibc's stdio writes through these FILEs; the application defines them. */
static FILE console = FDEV_SETUP_STREAM(console_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;

static unsigned int passed, failed, skipped;
static volatile bool finishing;

bool example_check(bool ok, const char *fmt, ...)
{
    va_list ap;

    if (ok)
        passed++;
    else
        failed++;
    printf("%sok %u - example: ", ok ? "" : "not ", passed + failed + skipped);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return ok;
}

static noreturn void semihost_exit(int status)
{
    uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)status};
    register uintptr_t x0 __asm__("x0") = SYS_EXIT_EXTENDED;
    register uintptr_t x1 __asm__("x1") = (uintptr_t)block;

    __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    /* Semihosting is off (QEMU without -semihosting): nothing can carry
     * the verdict, so stop here. */
    for (;;)
        __asm__ volatile("wfi");
}

#ifdef EXAMPLE_CONFORMANCE
void example_run_conformance(void)
{
    selftests_run();
    selftests_counts(&passed, &failed, &skipped);
}
#endif

noreturn void example_finish(void)
{
    finishing = true;
    if (skipped)
        printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
    else
        printf("%u passed, %u failed\n", passed, failed);
    semihost_exit(failed ? 1 : 0);
}

noreturn void example_fatal(const char *fmt, ...)
{
    char why[160];
    va_list ap;

    if (finishing) /* faulted while finishing (no semihosting?): stop */
        semihost_exit(1);
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    example_check(false, "fatal: %s", why);
    example_finish();
}

/* From the vectors in start.S; kind is the vector's index (0-15). */
noreturn void example_exception(unsigned int kind, uint64_t esr, uint64_t elr, uint64_t far);
noreturn void example_exception(unsigned int kind, uint64_t esr, uint64_t elr, uint64_t far)
{
    example_fatal("exception (vector %u): ESR 0x%llx (EC 0x%llx) ELR 0x%llx FAR 0x%llx", kind,
                  (unsigned long long)esr, (unsigned long long)(esr >> 26) & 0x3f,
                  (unsigned long long)elr, (unsigned long long)far);
}

/* -fstack-protector-strong (the toolchain's flags, and the library's):
 * start.S seeds the guard before the first C frame. */
uintptr_t __stack_chk_guard;
noreturn void __stack_chk_fail(void);
noreturn void __stack_chk_fail(void)
{
    example_fatal("stack smashing detected");
}
