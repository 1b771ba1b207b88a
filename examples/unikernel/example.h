/* SPDX-License-Identifier: MIT */
/* What the example unikernel's own files share (not part of ccdma). */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* QEMU virt devices this example uses at fixed addresses (see main.c). */
#define EXAMPLE_UART 0x09000000u
#define EXAMPLE_VIRTIO_MMIO_BASE 0x0a000000u
#define EXAMPLE_VIRTIO_MMIO_SIZE 0x200u
#define EXAMPLE_VIRTIO_MMIO_SLOTS 32u

/* RAM the example owns: from the base of RAM to the end of its image
 * (unikernel.ld), which includes the page pool. */
#define EXAMPLE_RAM_BASE 0x40000000u
extern char __image_end[];
extern char __pages_start[], __pages_end[];

/* Report one check as "ok N - example: ..." or "not ok N - example: ...". */
bool example_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* With ccdma's conformance self-tests linked in (EXAMPLE_CONFORMANCE):
 * run them, before any check of the example's own, which are then
 * numbered after theirs and counted in one summary. */
void example_run_conformance(void);
/* Print "N passed, N failed" and exit through semihosting with the verdict. */
noreturn void example_finish(void);
/* A broken seam contract or a fault: one "not ok" line, then finish. */
noreturn void example_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Pages the seam's allocator has handed out and not taken back. */
unsigned int example_pages_in_use(void);

#endif
