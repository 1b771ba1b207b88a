/* SPDX-License-Identifier: MIT */
/* AArch32: newlib's system-call layer (arch/arm/syscalls.c) does what it
 * says, and fails with the errno it says; the printf shim knows C99. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ccdma/selftest.h>

void *_sbrk(ptrdiff_t incr);

extern char __heap_start[], __heap_end[];

static bool in_heap(const void *p, size_t n)
{
    return (const char *)p >= __heap_start && (const char *)p + n <= __heap_end;
}

SELFTEST(14, newlib)
{
    char *m = malloc(1000);
    st_check(m && in_heap(m, 1000), "malloc is served from the linker script's heap",
             "got %p, heap %p..%p", (void *)m, (void *)__heap_start, (void *)__heap_end);
    if (m)
        memset(m, 0x5a, 1000);
    free(m);

    char *top = _sbrk(0);
    errno = 0;
    void *r = _sbrk(__heap_end - top + 1);
    st_check(r == (void *)-1 && errno == ENOMEM && _sbrk(0) == top,
             "sbrk past the heap limit: -1, ENOMEM, nothing moved", "r=%p errno=%d", r, errno);
    errno = 0;
    void *big = malloc((size_t)(__heap_end - __heap_start) + 4096);
    st_check(big == NULL && errno == ENOMEM, "malloc larger than the heap: NULL, ENOMEM",
             "big=%p errno=%d", big, errno);
    free(big);

    static const char line[] = "# newlib write(1) reached the console\n";
    st_check(write(1, line, sizeof(line) - 1) == (ssize_t)(sizeof(line) - 1),
             "write(1) goes to the console in full", "short or failed write");
    errno = 0;
    ssize_t w = write(7, line, 1);
    st_check(w == -1 && errno == EBADF, "write to an unopened fd: EBADF", "w=%d errno=%d",
             (int)w, errno);
    char c;
    errno = 0;
    ssize_t n = read(0, &c, 1);
    st_check(n == -1 && errno == ENOSYS, "read(0): no console input, ENOSYS", "n=%d errno=%d",
             (int)n, errno);
    struct stat st;
    errno = 0;
    off_t off = lseek(1, 0, SEEK_SET);
    st_check(isatty(1) == 1 && fstat(1, &st) == 0 && S_ISCHR(st.st_mode) && off == -1 &&
                 errno == ESPIPE,
             "stdout is a character device: a tty that cannot seek", "isatty=%d off=%ld",
             isatty(1), (long)off);

    char buf[64];
    int len = snprintf(buf, sizeof(buf), "%zu %jd %td %s %llx", (size_t)7, (intmax_t)-3,
                       (ptrdiff_t)5, "ok", 0x1234567890ull);
    static const char want[] = "7 -3 5 ok 1234567890";
    st_check(len == (int)sizeof(want) - 1 && strcmp(buf, want) == 0,
             "C99 length modifiers (%zu %jd %td) through the printf shim", "got \"%s\"", buf);
}
