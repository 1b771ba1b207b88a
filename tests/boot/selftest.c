/* SPDX-License-Identifier: MIT */
#include <ccdma/selftest.h>

#include <stdarg.h>
#include <stdio.h>

extern const struct selftest __selftests_start[], __selftests_end[];

static unsigned int n_checks, n_passed, n_failed, n_skipped;
static const char *current_test;

bool st_check(bool ok, const char *name, const char *why_fmt, ...)
{
    n_checks++;
    if (ok) {
        n_passed++;
        printf("ok %u - %s: %s\n", n_checks, current_test, name);
        return true;
    }
    n_failed++;
    printf("not ok %u - %s: %s: ", n_checks, current_test, name);
    va_list ap;
    va_start(ap, why_fmt);
    vprintf(why_fmt, ap);
    va_end(ap);
    printf("\n");
    return false;
}

void st_skip(const char *name, const char *why)
{
    n_checks++;
    n_skipped++;
    printf("ok %u - %s: %s # SKIP %s\n", n_checks, current_test, name, why);
}

void st_note(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

int selftests_run(void)
{
    unsigned int n_tests = (unsigned int)(__selftests_end - __selftests_start);

    printf("# %u self-tests registered\n", n_tests);
    for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
        unsigned int checks_before = n_checks;
        current_test = t->name;
        t->run();
        if (n_checks == checks_before)
            st_check(false, "ran", "test reported no checks");
    }
    if (n_skipped)
        printf("%u passed, %u failed, %u skipped\n", n_passed, n_failed, n_skipped);
    else
        printf("%u passed, %u failed\n", n_passed, n_failed);
    return (int)n_failed;
}

void selftests_counts(unsigned int *passed, unsigned int *failed, unsigned int *skipped)
{
    *passed = n_passed;
    *failed = n_failed;
    *skipped = n_skipped;
}
