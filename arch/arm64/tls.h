/* SPDX-License-Identifier: MIT */
#ifndef CCDMA_ARM64_TLS_H
#define CCDMA_ARM64_TLS_H

/* The boot CPU's TLS block (arch/arm64/tls.c), before any libc call. */
void arm64_tls_init(void);
/* A secondary CPU's: the same template into block (a page, 16-aligned,
 * TLS_TCB_SIZE bytes of room below it are not touched). */
void arm64_tls_init_block(void *block);

#endif /* CCDMA_ARM64_TLS_H */
