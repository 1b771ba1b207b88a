/* SPDX-License-Identifier: MIT */
/*
 * newlib as Debian builds it (libnewlib-arm-none-eabi 3.3.0, without
 * --enable-newlib-io-c99-formats) has no C99 length modifiers z, j and t:
 * "%zu" prints "zu" and leaves its argument for the next conversion, which
 * then reads the wrong one (a %s that follows faults). The shared code uses
 * %zu freely, so the linker routes the printf family here (--wrap, see
 * cmake/firmware-arm.cmake) and the format is rewritten for this ABI before
 * newlib sees it: size_t and ptrdiff_t are int-sized (drop z, t), intmax_t
 * is long long (j becomes ll).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch/hooks.h"

_Static_assert(sizeof(size_t) == sizeof(unsigned int), "%z is dropped: size_t must be int-sized");
_Static_assert(sizeof(ptrdiff_t) == sizeof(int), "%t is dropped: ptrdiff_t must be int-sized");
_Static_assert(sizeof(intmax_t) == sizeof(long long), "%j becomes %ll");

#define FMT_MAX 512

/* Returns fmt itself when it has no z/j/t, else the rewritten copy in buf. */
static const char *c99_format(const char *fmt, char buf[FMT_MAX])
{
    bool changed = false;
    size_t o = 0;

    for (const char *p = fmt; *p; p++) {
        if (o + 3 >= FMT_MAX)
            exc_fatal("printf format longer than the C99 rewrite buffer");
        buf[o++] = *p;
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            buf[o++] = *++p;
            continue;
        }
        /* flags, width, precision, length: up to the conversion letter */
        while (p[1] && strchr("-+ #0'123456789.*hlLqzjt", p[1])) {
            char c = *++p;
            if (o + 3 >= FMT_MAX)
                exc_fatal("printf format longer than the C99 rewrite buffer");
            if (c == 'z' || c == 't') {
                changed = true;
            } else if (c == 'j') {
                buf[o++] = 'l';
                buf[o++] = 'l';
                changed = true;
            } else {
                buf[o++] = c;
            }
        }
    }
    buf[o] = '\0';
    return changed ? buf : fmt;
}

int __real_vprintf(const char *fmt, va_list ap);
int __real_vfprintf(FILE *f, const char *fmt, va_list ap);
int __real_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __real_vsprintf(char *s, const char *fmt, va_list ap);

int __wrap_vprintf(const char *fmt, va_list ap);
int __wrap_vprintf(const char *fmt, va_list ap)
{
    char buf[FMT_MAX];
    return __real_vprintf(c99_format(fmt, buf), ap);
}

int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap);
int __wrap_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    char buf[FMT_MAX];
    return __real_vfprintf(f, c99_format(fmt, buf), ap);
}

int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap);
int __wrap_vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
    char buf[FMT_MAX];
    return __real_vsnprintf(s, n, c99_format(fmt, buf), ap);
}

int __wrap_vsprintf(char *s, const char *fmt, va_list ap);
int __wrap_vsprintf(char *s, const char *fmt, va_list ap)
{
    char buf[FMT_MAX];
    return __real_vsprintf(s, c99_format(fmt, buf), ap);
}

int __wrap_printf(const char *fmt, ...);
int __wrap_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_fprintf(FILE *f, const char *fmt, ...);
int __wrap_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_snprintf(char *s, size_t size, const char *fmt, ...);
int __wrap_snprintf(char *s, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vsnprintf(s, size, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_sprintf(char *s, const char *fmt, ...);
int __wrap_sprintf(char *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vsprintf(s, fmt, ap);
    va_end(ap);
    return n;
}
