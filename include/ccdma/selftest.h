/* SPDX-License-Identifier: MIT */
/*
 * Boot self-tests. A test registers itself with SELFTEST(order, name) and
 * reports each check with st_check(); every check prints one line,
 * "ok N - name" or "not ok N - name: reason", and the run ends with
 * "N passed, N failed". Tests run in ascending order (two-digit prefix,
 * then name), so the output of every boot has the same shape.
 */
#ifndef CCDMA_SELFTEST_H
#define CCDMA_SELFTEST_H

#include <stdbool.h>

struct selftest {
    const char *name;
    void (*run)(void);
};

#define SELFTEST(order, fn)                                                     \
    static void st_##fn(void);                                                  \
    static const struct selftest selftest_##fn                                  \
        __attribute__((used, section(".ccdma_selftest." #order "_" #fn))) = {   \
            #fn, st_##fn};                                                      \
    static void st_##fn(void)

/* Report one check. The reason (printf format) is printed only on failure.
 * Returns ok, so callers can stop a sequence that no longer makes sense. */
bool st_check(bool ok, const char *name, const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A check that cannot run in this configuration (counted, not failed). */
void st_skip(const char *name, const char *why);

/* Free-form diagnostic line, prefixed "# " so parsers ignore it. */
void st_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run every registered test; returns the number of failed checks. */
int selftests_run(void);

/* The checks reported so far. A program that goes on to print checks of
 * its own in the same format numbers them from here, and its own summary,
 * the run's last line, counts these too. */
void selftests_counts(unsigned int *passed, unsigned int *failed, unsigned int *skipped);

#endif /* CCDMA_SELFTEST_H */
