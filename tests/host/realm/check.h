/* SPDX-License-Identifier: MIT */
/*
 * Minimal check reporting for the realm tests: one "ok N - name" or
 * "not ok N - name: reason" line per check, then "N passed, N failed".
 */
#ifndef CCDMA_TEST_REALM_CHECK_H
#define CCDMA_TEST_REALM_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int check_count, check_failed;

/* Report one check; on failure, fmt... says why. Returns ok. */
__attribute__((format(printf, 3, 4), unused))
static bool check(bool ok, const char *name, const char *fmt, ...)
{
    va_list ap;

    check_count++;
    if (ok) {
        printf("ok %d - %s\n", check_count, name);
        return true;
    }
    check_failed++;
    printf("not ok %d - %s: ", check_count, name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return false;
}

/* Equality of two 64-bit values, reported in hex. A function, not a macro,
 * so an argument with side effects (an RSI call) is evaluated once. */
__attribute__((unused))
static bool check_eq(unsigned long long got, unsigned long long want,
                     const char *name)
{
    return check(got == want, name, "got 0x%llx, want 0x%llx", got, want);
}

#define CHECK_EQ(got, want, name)                                              \
    check_eq((unsigned long long)(got), (unsigned long long)(want), (name))

__attribute__((unused))
static int check_summary(void)
{
    printf("%d passed, %d failed\n", check_count - check_failed, check_failed);
    return check_failed != 0;
}

#endif /* CCDMA_TEST_REALM_CHECK_H */
