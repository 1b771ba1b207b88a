/* SPDX-License-Identifier: MIT */
/*
 * newlib's system-call layer for the AArch32 firmware: what printf, malloc
 * and exit pull in (arm-none-eabi-gcc -nostartfiles links libc and libgcc,
 * no libnosys), each doing what it says or failing with an errno:
 *   _write    fds 1 and 2 go to the console (PL011); others EBADF
 *   _read     no console input: ENOSYS on 0, EBADF elsewhere
 *   _sbrk     the linker script's heap [__heap_start, __heap_end); ENOMEM past it
 *   _exit     runtime_exit(): semihosting SYS_EXIT_EXTENDED, PSCI SYSTEM_OFF, WFI
 *   _fstat, _isatty, _lseek, _close   fds 0-2 are a character device (the UART)
 *   _getpid   1: the one program there is
 *   _kill     no signals to deliver: ENOSYS (abort() then calls _exit(1))
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arm/libc.h"
#include "arch/hooks.h"

/* newlib declares these only while compiling itself (or not at all):
 * the same signatures here. */
_ssize_t _write(int fd, const void *buf, size_t len);
_ssize_t _read(int fd, void *buf, size_t len);
void *_sbrk(ptrdiff_t incr);
int _close(int fd);
int _isatty(int fd);
_off_t _lseek(int fd, _off_t offset, int whence);
pid_t _getpid(void);
int _kill(int pid, int sig);

static bool is_console(int fd) { return fd >= 0 && fd <= 2; }

static int fail(int err)
{
    errno = err;
    return -1;
}

_ssize_t _write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2)
        return fail(EBADF);
    for (size_t i = 0; i < len; i++)
        console_putc(((const char *)buf)[i]);
    return (_ssize_t)len;
}

_ssize_t _read(int fd, void *buf, size_t len)
{
    (void)buf;
    (void)len;
    return fail(fd == 0 ? ENOSYS : EBADF);
}

extern char __heap_start[], __heap_end[];
static char *heap_top = __heap_start;

void *_sbrk(ptrdiff_t incr)
{
    char *old = heap_top;
    if (incr > __heap_end - heap_top || incr < __heap_start - heap_top) {
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_top += incr;
    return old;
}

void _exit(int code) { runtime_exit(code); }

int _close(int fd) { return fail(is_console(fd) ? ENOSYS : EBADF); }

int _fstat(int fd, struct stat *st)
{
    if (!is_console(fd))
        return fail(EBADF);
    *st = (struct stat){.st_mode = S_IFCHR};
    return 0;
}

int _isatty(int fd)
{
    if (is_console(fd))
        return 1;
    errno = EBADF;
    return 0;
}

_off_t _lseek(int fd, _off_t offset, int whence)
{
    (void)offset;
    (void)whence;
    return fail(is_console(fd) ? ESPIPE : EBADF);
}

pid_t _getpid(void) { return 1; }

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    return fail(ENOSYS);
}

/* Unbuffered: every printf reaches the UART (or the early buffer) at once,
 * so nothing is lost when a fault ends the run. */
void arm_libc_init(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}
